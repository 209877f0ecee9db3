"""Run-together appendix cells ("212210037" = 2122 | 10037) settled as era-a.md prescribes.

Candidates of a row: every split into this year | cumulative without leading zeros and with
cumulative ≥ this year (A11). A row with one candidate is settled. The others are settled
jointly, in order, by the within-year identities (A3–A5), the cumulative continuity with the
previous or next year of the same agency (X1), and the figure stated in the prose: each
evidence narrows the assignments still possible, and evidence that no assignment satisfies is
set aside (the report breaks it). A row whose value still differs between the assignments left
is not emitted; its candidates go to the log. Nothing is guessed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Optional

from .template import StatsIdentity

CAP = 50000   # assignments enumerated per group of rows tied by identities


@dataclass
class Outcome:
    """What the split settled, why, and what it left ambiguous or found impossible."""
    values: dict[str, tuple[int, int]] = field(default_factory=dict)     # settled rows
    reasons: dict[str, str] = field(default_factory=dict)                # row → why settled
    ambiguous: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    impossible: list[str] = field(default_factory=list)                  # no candidate at all
    used: set = field(default_factory=set)                               # identity ids that decided


def candidates(digits: str, cumulative_first: bool = False) -> list[tuple[int, int]]:
    """Every split of a digit run into (this year, cumulative) allowed by era-a.md (printed
    this year first unless the header puts the cumulative column first)."""
    out = []
    for k in range(1, len(digits)):
        a, b = digits[:k], digits[k:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        ty, cum = (int(b), int(a)) if cumulative_first else (int(a), int(b))
        if cum >= ty:
            out.append((ty, cum))
    return out


def _applies(ident: StatsIdentity, printed: set[str]) -> bool:
    if any(k not in printed for k in ident.when) or any(k in printed for k in ident.unless):
        return False
    if ident.when_any and not any(k in printed for k in ident.when_any):
        return False
    lhs = [k for k in ident.lhs if k in printed]
    rhs = [k for k in ident.rhs if k in printed]
    if ident.need_all and (len(lhs) < len(ident.lhs) or len(rhs) < len(ident.rhs)):
        return False
    return bool(lhs) and bool(rhs)


def _holds(ident: StatsIdentity, get: Callable[[str], Optional[tuple[int, int]]], printed: set[str]) -> bool:
    """Does the identity hold in both columns under this assignment?"""
    for c in (0, 1):
        lv = [get(k) for k in ident.lhs if k in printed]
        rv = [get(k) for k in ident.rhs if k in printed]
        if any(v is None for v in lv + rv):
            return True   # involves a row that cannot be read: no evidence either way
        ls, rs = sum(v[c] for v in lv), sum(v[c] for v in rv)
        if ident.op == "eq" and ls != rs:
            return False
        if ident.op == "le" and ls > rs:
            return False
        if ident.op == "le_each" and any(v[c] > ls for v in rv):
            return False
    return True


def solve(runs: dict[str, str], fixed: dict[str, tuple[int, int]], identities: list[StatsIdentity],
          prose: dict[str, float], prev_cum: dict[str, float], next_year: dict[str, tuple[float, float]],
          cap: int = CAP, cumulative_first: bool = False) -> Outcome:
    """runs: row → digit run; fixed: rows read apart (this year, cumulative)."""
    out = Outcome()
    doms: dict[str, list[tuple[int, int]]] = {}
    for row, digits in runs.items():
        cand = candidates(digits, cumulative_first)
        if not cand:
            out.impossible.append(row)
        elif len(cand) == 1:
            out.values[row], out.reasons[row] = cand[0], "the only split with cumulative ≥ this year"
        else:
            doms[row] = cand
    printed = set(runs) | set(fixed)
    idents = [i for i in identities if i.split and _applies(i, printed)]
    for group in _groups(doms, idents):
        _solve_group(group, doms, idents, fixed, out, printed, prose, prev_cum, next_year, cap)
    return out


def _groups(doms: dict, idents: list[StatsIdentity]) -> list[list[str]]:
    """Ambiguous rows tied together by a shared identity."""
    parent = {r: r for r in doms}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x
    for i in idents:
        rows = [k for k in (*i.lhs, *i.rhs) if k in doms]
        for a, b in zip(rows, rows[1:]):
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for r in doms:
        groups.setdefault(find(r), []).append(r)
    return list(groups.values())


def _unary(row: str, prose: dict, prev_cum: dict, next_year: dict) -> list[tuple[str, Callable]]:
    out = []
    if row in prev_cum:
        p = prev_cum[row]
        out.append(("X1", lambda v, p=p: v[1] == p + v[0]))
    if row in next_year:
        nt, nc = next_year[row]
        out.append(("X1", lambda v, nt=nt, nc=nc: nc == v[1] + nt))
    if row in prose:
        pv = prose[row]
        out.append(("prose", lambda v, pv=pv: v[0] == pv))
    return out


def _solve_group(group, doms, idents, fixed, out: Outcome, printed, prose, prev_cum, next_year, cap) -> None:
    size = 1
    for r in group:
        size *= len(doms[r])
    local = {r: list(doms[r]) for r in group}
    if size > cap:   # too many to enumerate: narrow each row by its own evidence first
        for r in group:
            for _, f in _unary(r, prose, prev_cum, next_year):
                keep = [v for v in local[r] if f(v)]
                if keep:
                    local[r] = keep
        size = 1
        for r in group:
            size *= len(local[r])
        if size > cap:
            for r in group:
                out.ambiguous[r] = local[r]
            return
    sols = [dict(zip(group, combo)) for combo in itertools.product(*(local[r] for r in group))]
    why: dict[str, list[str]] = {r: [] for r in group}
    known = {**fixed, **out.values}
    for ident in idents:
        if not any(k in group for k in (*ident.lhs, *ident.rhs)):
            continue
        keep = [s for s in sols if _holds(ident, lambda k, s=s: s.get(k, known.get(k)), printed)]
        if keep and len(keep) < len(sols):
            sols = keep
            out.used.add(ident.id)
            for r in group:
                why[r].append(ident.id)
    for r in group:
        for name, f in _unary(r, prose, prev_cum, next_year):
            keep = [s for s in sols if f(s[r])]
            if keep and len(keep) < len(sols):
                sols = keep
                why[r].append("the prose figure" if name == "prose" else "X1 (the neighbouring year's cumulative)")
    for r in group:
        vals = sorted({s[r] for s in sols})
        if len(vals) == 1:
            out.values[r] = vals[0]
            used = list(dict.fromkeys(x for g in group for x in why[g]))
            out.reasons[r] = "settled by " + ", ".join(used)
        else:
            out.ambiguous[r] = vals
