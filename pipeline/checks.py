"""Consistency checks: the exact identities of templates.md §7a and plausibility warnings.

Identities and plausibility rules come from the registry (data/templates.toml); the checks
read the result model (result.py) only. An empty cell reads as 0, except that an identity one
side of which is entirely empty while the other side prints a number is `skipped` (that side
was not printed). Where exactly one row identity and one column's identities of a table fail at
a shared cell, that cell is named as the likely culprit. Identities that chose a run-together
split (recover.py) or put a displaced number back pass by construction and say so.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .result import Extraction
from .templates import Identity, Plausibility, Template, get
from .values import fmt

EPS = 1e-6
USED_MSG = "used to recover the split: not independent evidence"


@dataclass
class Check:
    check_id: str
    table: str
    scope: str
    expression: str
    lhs: Optional[float]
    rhs: Optional[float]
    status: str          # pass | fail | skipped
    severity: str        # error | warning
    message: str = ""
    cells: tuple = ()    # (table, row, col) involved

    @property
    def diff(self) -> Optional[float]:
        if self.lhs is None or self.rhs is None:
            return None
        return self.lhs - self.rhs


@lru_cache(maxsize=4096)
def short_label(label: str) -> str:
    """一、本年新收政府信息公开申请数量 → 一、本年新收; drops parenthetical remarks."""
    s = regex.sub(r"（[^（）]*(?:区分|单位)[^（）]*）", "", label)
    s = s.replace("政府信息公开申请数量", "").replace("继续办理", "")
    return s


@lru_cache(maxsize=1024)
def _expr_rows(template_id: str, table: str, keys: tuple[str, ...]) -> str:
    parts, k = [], 0
    while k < len(keys):
        row = _row(template_id, table, keys[k])
        if row.group and not row.group.startswith("三、"):
            j = k
            while j + 1 < len(keys) and _row(template_id, table, keys[j + 1]).group == row.group:
                j += 1
            first = regex.match(r"\d+", row.label)
            last = regex.match(r"\d+", _row(template_id, table, keys[j]).label)
            head = regex.match(r"（.）", row.group)
            if j > k and first and last and head:
                parts.append(f"{head.group()}{first.group()}–{last.group()}")
                k = j + 1
                continue
            parts.append((head.group() if head else "") + short_label(row.label))
        else:
            parts.append(short_label(row.label))
        k += 1
    return " + ".join(parts)


def _row(template_id: str, table: str, key: str):
    """A row of the template's table, also one only a merged-row variant prints."""
    return get(template_id).tables[table].row(key)


def _printed_rows(tpl: Template, ex: Extraction, table: str) -> list:
    """The table's rows as the report printed them: merged sub-rows replaced by their one row."""
    spec = tpl.tables[table]
    return [spec.row(k) for k in tpl.expand(tuple(r.key for r in spec.rows), ex.merged)]


class _Evaluator:
    def __init__(self, ex: Extraction, tpl: Template):
        self.ex, self.tpl = ex, tpl
        self.cells = {(c.table, c.row_key, c.col_key): c for c in ex.cells}

    def side(self, keys: list[tuple]) -> tuple[Optional[float], bool, list]:
        """(sum, any printed, missing keys)."""
        total, printed, missing = 0.0, False, []
        for k in keys:
            c = self.cells.get(k)
            if c is None or c.unplaced:   # absent, or left empty as uncertain
                missing.append(k)
                continue
            if c.value is not None:
                printed = True
                total += c.value
        return total, printed, missing

    def identity(self, ident: Identity) -> list[Check]:
        spec = self.tpl.tables[ident.table]
        if ident.table not in self.ex.tables_found:
            return []
        out = []
        if ident.over == "columns":
            rows_l = self.tpl.expand(ident.lhs, self.ex.merged)
            rows_r = self.tpl.expand(ident.rhs, self.ex.merged)
            cols = [c for c in spec.columns.values() if not c.variant or self.ex.variant]
            for col in cols:
                lk = [(ident.table, r, col.key) for r in rows_l]
                rk = [(ident.table, r, col.key) for r in rows_r]
                expr = (f"{_expr_rows(self.tpl.id, ident.table, tuple(rows_l))} = "
                        f"{_expr_rows(self.tpl.id, ident.table, tuple(rows_r))} [{col.label}]")
                out.append(self._compare(ident, col.key, expr, lk, rk))
        else:
            if not self.ex.variant and any(spec.columns[c].variant for c in ident.lhs + ident.rhs):
                return []     # an identity over a variant column the report does not print
            for row in _printed_rows(self.tpl, self.ex, ident.table):
                lk = [(ident.table, row.key, c) for c in ident.lhs]
                rk = [(ident.table, row.key, c) for c in ident.rhs]
                names = lambda ks: " + ".join(spec.columns[k[2]].label for k in ks)
                expr = f"{names(lk)} = {names(rk)} [{short_label(row.label)}]"
                if ident.table == "appeals":
                    expr = f"{names(lk)} = {names(rk)} [{row.group + '·' if row.group else ''}{row.label}]"
                out.append(self._compare(ident, row.key, expr, lk, rk))
        return out

    def _compare(self, ident, scope, expr, lk, rk) -> Check:
        l, lp, lm = self.side(lk)
        r, rp, rm = self.side(rk)
        cells = tuple(lk + rk)
        if lm or rm:
            miss = ", ".join(f"{k[1]}.{k[2]}" for k in (lm + rm)[:4])
            return Check(ident.id, ident.table, scope, expr, None, None, "skipped", "error",
                         f"cell missing: {miss}", cells)
        if lp != rp:
            side = "left" if not lp else "right"
            return Check(ident.id, ident.table, scope, expr, l if lp else None, r if rp else None, "skipped",
                         "error", f"{side} side not printed (all cells empty)", cells)
        if abs(l - r) <= EPS:
            return Check(ident.id, ident.table, scope, expr, l, r, "pass", "error", "", cells)
        return Check(ident.id, ident.table, scope, expr, l, r, "fail", "error",
                     f"{fmt(l)} ≠ {fmt(r)} (off by {fmt(l - r)})", cells)


def _culprits(checks: list[Check], ex: Extraction, tpl: Template) -> None:
    """Name the shared cell when, in one table, one row identity and one column's identities fail."""
    for table in tpl.tables:
        over = {i.id: i.over for i in tpl.identities if i.table == table}
        fails = [c for c in checks if c.status == "fail" and c.table == table]
        row_fails = [c for c in fails if over.get(c.check_id) == "rows"]
        col_fails = [c for c in fails if over.get(c.check_id) == "columns"]
        if len(row_fails) != 1 or not col_fails or len({c.scope for c in col_fails}) != 1:
            continue
        row, col = row_fails[0].scope, col_fails[0].scope
        key = (table, row, col)
        if all(key in c.cells for c in col_fails) and key in row_fails[0].cells:
            cell = next((c for c in ex.cells if (c.table, c.row_key, c.col_key) == key), None)
            label = short_label(tpl.tables[table].row(row).label)
            printed = f" (printed {cell.raw!r})" if cell is not None else ""
            for c in row_fails + col_fails:
                c.message += f"; likely culprit: {label} × {tpl.tables[table].columns[col].label}{printed}"


def _nonnegative(ex: Extraction, tpl: Template) -> list[Check]:
    out = []
    for table in ex.tables_found:
        spec = tpl.tables[table]
        bad = []
        for c in ex.cells:
            if c.table != table or c.value is None:
                continue
            kind = spec.columns[c.col_key].kind
            if kind == "count" and (c.value < 0 or not float(c.value).is_integer()):
                bad.append(c)
        expr = f"{spec.title}: counts are non-negative integers"
        msg = "; ".join(f"{c.row_key}.{c.col_key} = {c.raw}" for c in bad[:6])
        out.append(Check("E5", table, table, expr, None, None, "fail" if bad else "pass", "error", msg,
                         tuple((c.table, c.row_key, c.col_key) for c in bad)))
    return out


def _ordered(rule: Plausibility, tpl: Template, v: dict) -> list[Check]:
    """The columns' values do not decrease in the order given (P3)."""
    out = []
    for row in rule.rows:
        got = [v.get((rule.table, row, k)) for k in rule.cols]
        if None in got:
            continue
        ok = all(a <= b for a, b in zip(got, got[1:]))
        label = tpl.tables[rule.table].row(row).label
        out.append(Check(rule.id, rule.table, row, f"{rule.expression} [{label}]", None, None,
                         "pass" if ok else "fail", "warning",
                         "" if ok else f"{', '.join(fmt(x) for x in got)}: {rule.message}"))
    return out


def _nonnegative_sum(rule: Plausibility, tpl: Template, v: dict) -> list[Check]:
    """The first column plus the others is not negative (P4: 上一年项目数量 + 本年增/减 ≥ 0)."""
    out = []
    for row in rule.rows:
        first, *rest = (v.get((rule.table, row, k)) for k in rule.cols)
        if first is None or None in rest:
            continue
        ok = first + sum(rest) >= 0
        out.append(Check(rule.id, rule.table, row, f"{rule.expression} [{tpl.tables[rule.table].row(row).label}]",
                         first, -rest[0] if len(rest) == 1 else -sum(rest), "pass" if ok else "fail", "warning", "" if ok else rule.message))
    return out


def _in_10k_yuan(rule: Plausibility, ex: Extraction) -> list[Check]:
    """A 万元 money cell with more than 4 decimals, or ≥ 1,000,000 万元, was probably printed in 元 (P5)."""
    out = []
    for row in rule.rows:
        for col in rule.cols:
            c = ex.get(rule.table, row, col)
            if c is None or c.value is None:
                continue
            decimals = len(c.raw.split(".")[1]) if "." in c.raw else 0
            bad = []
            if decimals > 4:
                bad.append(f"{decimals} decimals (万元 has at most 4)")
            if c.value >= 1e6:
                bad.append("≥ 1,000,000 万元: looks like 元")
            out.append(Check(rule.id, rule.table, row, rule.expression, c.value, None,
                             "fail" if bad else "pass", "warning", "; ".join(bad)))
    return out


def _plausibility(ex: Extraction, tpl: Template) -> list[Check]:
    """The template's plausibility rules (warnings), over the tables found."""
    v = {(c.table, c.row_key, c.col_key): c.value for c in ex.cells}
    out: list[Check] = []
    for rule in tpl.plausibility:
        if rule.table not in ex.tables_found:
            continue
        if rule.rule == "ordered":
            out += _ordered(rule, tpl, v)
        elif rule.rule == "nonnegative_sum":
            out += _nonnegative_sum(rule, tpl, v)
        elif rule.rule == "in_10k_yuan":
            out += _in_10k_yuan(rule, ex)
        else:
            raise ValueError(f"unknown plausibility rule {rule.rule!r} ({rule.id})")
    return out


def _recovered(checks: list[Check], ex: Extraction) -> None:
    """Checks on run-together tables (recover.py): an identity that involves a cell the split
    left ambiguous is skipped; one used to choose the split passes by construction and says so;
    a run or identity that no split satisfies is a failure."""
    rec = ex.recovery
    if rec is None:
        return
    for c in checks:
        amb = [k for k in c.cells if k in rec.ambiguous]
        if amb:
            c.status = "skipped"
            c.message = "ambiguous split: " + ", ".join(f"{k[1]}.{k[2]}" for k in amb[:4]) + " not recovered"
        elif c.status == "pass" and (c.check_id, c.table, c.scope) in rec.used:
            c.message = USED_MSG
    for cid, table, scope, expr, msg in rec.failures:
        hit = [c for c in checks if (c.check_id, c.table, c.scope) == (cid, table, scope)]
        for c in hit:
            c.status, c.severity, c.message = "fail", "error", msg
        if not hit:
            checks.append(Check(cid, table, scope, expr or msg.split(":")[0], None, None, "fail", "error", msg))


def _placed(checks: list[Check], ex: Extraction) -> None:
    """Identities used to put a displaced number back pass by construction: say so."""
    for key, idents in ex.placed:
        for c in checks:
            if c.check_id in idents and key in c.cells and c.status == "pass":
                c.message = (f"used to put the displaced number back into {key[1]}.{key[2]}: "
                             "not independent evidence")


def run_checks(ex: Extraction, tpl: Template) -> list[Check]:
    checks: list[Check] = []
    evaluator = _Evaluator(ex, tpl)
    for ident in tpl.identities:
        checks += evaluator.identity(ident)
    _culprits(checks, ex, tpl)
    _recovered(checks, ex)
    _placed(checks, ex)
    checks += _nonnegative(ex, tpl)
    checks += _plausibility(ex, tpl)
    return checks
