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
from .templates import Identity, Plausibility, Template, get, load
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
    cells: tuple = ()    # (table, row, col) involved: the left side's first, then the right side's
    n_lhs: int = -1      # how many of `cells` are on the left side (-1: sides not known)
    scope_kind: str = "" # what `scope` names: row | column | table (empty: found from the registry)
    culprit: tuple = ()  # (table, row, col) of the likely culprit, where one is determined

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


def _printed_rows(tpl: Template, merged: tuple, table: str) -> list:
    """The table's rows as the report printed them: `merged` sub-rows replaced by their one row."""
    spec = tpl.tables[table]
    return [spec.row(k) for k in tpl.expand(tuple(r.key for r in spec.rows), merged)]


Plan = tuple[tuple[str, str, tuple, tuple, str], ...]   # (scope, expression, lhs keys, rhs keys, scope kind)


@lru_cache(maxsize=1024)
def _identity_plan(template_id: str, ident: Identity, merged: tuple, variant: bool) -> Plan:
    """_plan for a registry template, remembered: it depends only on the template and on the
    variants the report printed, never on its numbers."""
    return _plan(get(template_id), ident, merged, variant)


def _plan(tpl: Template, ident: Identity, merged: tuple, variant: bool) -> Plan:
    """What an identity compares: for each column (E1, E2) or each printed row (E3, E4), the cell
    keys of its two sides and the expression checks.csv shows."""
    spec = tpl.tables[ident.table]
    out = []
    if ident.over == "columns":
        rows_l = tpl.expand(ident.lhs, merged)
        rows_r = tpl.expand(ident.rhs, merged)
        cols = [c for c in spec.columns.values() if not c.variant or variant]
        for col in cols:
            lk = tuple((ident.table, r, col.key) for r in rows_l)
            rk = tuple((ident.table, r, col.key) for r in rows_r)
            expr = (f"{_expr_rows(tpl.id, ident.table, tuple(rows_l))} = "
                    f"{_expr_rows(tpl.id, ident.table, tuple(rows_r))} [{col.label}]")
            out.append((col.key, expr, lk, rk, "column"))
    else:
        if not variant and any(spec.columns[c].variant for c in ident.lhs + ident.rhs):
            return ()     # an identity over a variant column the report does not print
        for row in _printed_rows(tpl, merged, ident.table):
            lk = tuple((ident.table, row.key, c) for c in ident.lhs)
            rk = tuple((ident.table, row.key, c) for c in ident.rhs)
            names = lambda ks: " + ".join(spec.columns[k[2]].label for k in ks)
            expr = f"{names(lk)} = {names(rk)} [{short_label(row.label)}]"
            if ident.table == "appeals":
                expr = f"{names(lk)} = {names(rk)} [{row.group + '·' if row.group else ''}{row.label}]"
            out.append((row.key, expr, lk, rk, "row"))
    return tuple(out)


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
        if ident.table not in self.ex.tables_found:
            return []
        if load().get(self.tpl.id) is self.tpl:      # a registry template: its plan is remembered
            plan = _identity_plan(self.tpl.id, ident, self.ex.merged, self.ex.variant)
        else:
            plan = _plan(self.tpl, ident, self.ex.merged, self.ex.variant)
        return [self._compare(ident, scope, expr, lk, rk, kind) for scope, expr, lk, rk, kind in plan]

    def _compare(self, ident, scope, expr, lk, rk, kind) -> Check:
        check = self._evaluate(ident, scope, expr, lk, rk)
        check.n_lhs, check.scope_kind = len(lk), kind
        return check

    def _evaluate(self, ident, scope, expr, lk, rk) -> Check:
        l, lp, lm = self.side(lk)
        r, rp, rm = self.side(rk)
        cells = tuple(lk) + tuple(rk)     # tuples from a plan: no copy
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


def _weight(check: Check, key: tuple) -> int:
    """How `key` enters the identity lhs − rhs: +1 on the left, −1 on the right (0: both or none)."""
    left = check.cells[:check.n_lhs]
    right = check.cells[check.n_lhs:]
    return left.count(key) - right.count(key)


def _identities(checks: list[Check], table: str, status: str) -> list[Check]:
    return [c for c in checks if c.table == table and c.status == status and c.severity == "error"
            and c.n_lhs >= 0 and c.lhs is not None and c.rhs is not None]


def find_culprit(checks: list[Check], table: str) -> Optional[tuple]:
    """Given a report's checks, the one cell of `table` whose correction alone would make every
    failed identity of the table pass without breaking a passing one; None when no cell, or
    more than one, does. Generic over any template: it reads only the checks' cells and sides."""
    failed = _identities(checks, table, "fail")
    if not failed:
        return None
    passed = _identities(checks, table, "pass")
    common = set(failed[0].cells)
    for c in failed[1:]:
        common &= set(c.cells)
    found = []
    for key in sorted(common):
        weights = [_weight(c, key) for c in failed]
        if 0 in weights:
            continue
        deltas = {round(-(c.lhs - c.rhs) / w, 6) for c, w in zip(failed, weights)}
        if len(deltas) != 1:
            continue
        if any(_weight(c, key) for c in passed if key in c.cells):
            continue
        found.append(key)
    return found[0] if len(found) == 1 else None


def _culprits(checks: list[Check], ex: Extraction, tpl: Template, by_key: Optional[dict] = None) -> None:
    """Name the likely culprit cell of every table (see find_culprit) in the checks it breaks
    (`by_key`: the cells by key, when the caller has them)."""
    if by_key is None:
        by_key = {(c.table, c.row_key, c.col_key): c for c in ex.cells}
    for table in dict.fromkeys(c.table for c in checks if c.status == "fail"):
        key = find_culprit(checks, table)
        if key is None:
            continue
        spec = tpl.tables[table]
        cell = by_key.get(key)
        label = short_label(spec.row(key[1]).label) if any(r.key == key[1] for r in spec.rows) else key[1]
        col = spec.columns[key[2]].label if key[2] in spec.columns else key[2]
        printed = f" (printed {cell.raw!r})" if cell is not None else ""
        for c in checks:
            if c.table == table and c.status == "fail" and key in c.cells:
                c.culprit = key
                c.message += f"; likely culprit: {label} × {col}{printed}"


def _nonnegative(ex: Extraction, tpl: Template) -> list[Check]:
    out = []
    printed: dict[str, list] = {}     # the cells with a value, by table (in output order)
    for c in ex.cells:
        if c.value is not None:
            printed.setdefault(c.table, []).append(c)
    for table in ex.tables_found:
        spec = tpl.tables[table]
        cols = spec.columns
        bad = [c for c in printed.get(table, ()) if cols[c.col_key].kind == "count"
               and (c.value < 0 or not float(c.value).is_integer())]
        expr = f"{spec.title}: counts are non-negative integers"
        msg = "; ".join(f"{c.row_key}.{c.col_key} = {c.raw}" for c in bad[:6])
        keys = tuple((c.table, c.row_key, c.col_key) for c in bad)
        out.append(Check("E5", table, table, expr, None, None, "fail" if bad else "pass", "error", msg,
                         keys, scope_kind="table", culprit=keys[0] if len(keys) == 1 else ()))
    return out


def _misprints(checks: list[Check]) -> None:
    """A count printed negative or fractional (E5) that also breaks an identity is that
    identity's culprit, where the arithmetic alone could not name one (a row identity)."""
    for e5 in checks:
        if e5.check_id != "E5" or not e5.culprit:
            continue
        for c in checks:
            if c.status == "fail" and not c.culprit and c.table == e5.table and e5.culprit in c.cells:
                c.culprit = e5.culprit
                c.message += f"; likely culprit: {e5.culprit[1]}.{e5.culprit[2]} (not a count)"


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


def _plausibility(ex: Extraction, tpl: Template, by_key: Optional[dict] = None) -> list[Check]:
    """The template's plausibility rules (warnings), over the tables found (`by_key`: the
    cells by key, when the caller has them)."""
    if by_key is None:
        by_key = {(c.table, c.row_key, c.col_key): c for c in ex.cells}
    v = {k: c.value for k, c in by_key.items()}
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
            checks.append(Check(cid, table, scope, expr or msg.split(":")[0], None, None, "fail", "error", msg,
                                scope_kind="table" if scope == table else ""))


def _placed(checks: list[Check], ex: Extraction) -> None:
    """Identities used to put a displaced number back pass by construction: say so."""
    for key, idents in ex.placed:
        for c in checks:
            if c.check_id in idents and key in c.cells and c.status == "pass":
                c.message = (f"used to put the displaced number back into {key[1]}.{key[2]}: "
                             "not independent evidence")


def scope_kind(check: Check, tpl: Template) -> str:
    """What a check's `scope` names: `row` (a row key: the identity runs along that row),
    `column` (a column key: it runs down that column) or `table` (the whole table)."""
    if check.scope_kind:
        return check.scope_kind
    if check.scope == check.table:
        return "table"
    spec = tpl.tables.get(check.table)
    if spec is None:
        return ""
    if any(r.key == check.scope for r in spec.rows):
        return "row"
    return "column" if check.scope in spec.columns else ""


def run_checks(ex: Extraction, tpl: Template) -> list[Check]:
    checks: list[Check] = []
    evaluator = _Evaluator(ex, tpl)
    for ident in tpl.identities:
        checks += evaluator.identity(ident)
    _recovered(checks, ex)
    _placed(checks, ex)
    _culprits(checks, ex, tpl, evaluator.cells)     # the cells by key, made once for all three
    checks += _nonnegative(ex, tpl)
    _misprints(checks)
    checks += _plausibility(ex, tpl, evaluator.cells)
    return checks
