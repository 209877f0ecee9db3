"""Checks of an era-A report (era-a.md "Identities"): A1–A8 and A12 from the registry's data,
A11 (cumulative ≥ this year, every row) and P1 (prose = appendix). X1 runs across reports
(series.py). Exact identities fail as errors, plausible ones as warnings. Where one failing
identity has a single cell that no passing identity or other evidence vouches for, or an A11
failure points at one of its rows, that cell is named as the likely culprit.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

from ..checks import EPS, Check
from ..result import CellValue, Extraction
from ..values import fmt
from .split import _applies
from .template import EraATemplate, StatsIdentity, load

USED_MSG = "used to settle run-together cells: not independent evidence"
APPENDIX = ("read", "recovered")


class _CellSet:
    """A group of cells an identity runs on, keyed (row, col), with what `_identity` asks of it
    each time: the rows printed in each column, and the first cell of each row."""

    def __init__(self, cells: dict[tuple[str, str], CellValue]):
        self.cells = cells
        self.rows_in: dict[str, set] = {}
        self.first: dict[str, CellValue] = {}
        for (r, col), c in cells.items():
            self.rows_in.setdefault(col, set()).add(r)
            self.first.setdefault(r, c)


def _cell_sets(ex: Extraction) -> dict[str, list[tuple[str, _CellSet]]]:
    """Per kind of an identity's `cells`, the groups of cells it runs on: the appendix, all
    prose, or prose per clause (made once a report: every identity reads the same groups)."""
    appendix = {(c.row_key, c.col_key): c for c in ex.cells if c.method in APPENDIX}
    prose = {(c.row_key, c.col_key): c for c in ex.cells if c.method == "prose"}
    by_raw: dict[str, dict] = defaultdict(dict)
    for c in ex.cells:
        if c.method == "prose":
            by_raw[c.raw][(c.row_key, c.col_key)] = c
    return {"appendix": [("", _CellSet(appendix))], "prose": [("prose", _CellSet(prose))],
            "prose_sentence": [("prose", _CellSet(v)) for v in by_raw.values() if len(v) > 1]}


def _label(cells: _CellSet, key: str) -> str:
    c = cells.first.get(key)
    return c.row_label if c is not None and c.method != "prose" else key


def _identity(ident: StatsIdentity, sets: dict, tpl: EraATemplate, used: set, amb: set) -> list[Check]:
    out = []
    for tag, group in (x for kind in ident.cells for x in sets.get(kind, ())):
        cells = group.cells
        for col in ident.cols:
            printed = group.rows_in.get(col, set())
            if not _applies(ident, printed):
                continue
            lk = [(tpl.table, r, col) for r in ident.lhs if r in printed]
            rk = [(tpl.table, r, col) for r in ident.rhs if r in printed]
            lv = [cells[(r, col)].value for _, r, _ in lk]
            rv = [cells[(r, col)].value for _, r, _ in rk]
            sym = {"eq": "=", "le": "≤", "le_each": "≥ each of"}[ident.op]
            expr = (" + ".join(_label(group, r) for _, r, _ in lk) + f" {sym} "
                    + " + ".join(_label(group, r) for _, r, _ in rk) + f" [{tag or col}]")
            scope = f"{col} (prose)" if tag else col
            hit = [r for r in (*ident.lhs, *ident.rhs) if r in amb]
            if hit and not tag:
                out.append(Check(ident.id, tpl.table, scope, expr, None, None, "skipped", ident.severity,
                                 "ambiguous split: " + ", ".join(hit) + " not recovered", tuple(lk + rk)))
                continue
            if all(v is None for v in lv) or all(v is None for v in rv):
                out.append(Check(ident.id, tpl.table, scope, expr, None, None, "skipped", ident.severity,
                                 "one side not printed (all cells empty)", tuple(lk + rk)))
                continue
            ls, rs = sum(v or 0 for v in lv), sum(v or 0 for v in rv)
            if ident.op == "eq":
                ok = abs(ls - rs) <= EPS
            elif ident.op == "le":
                ok = ls <= rs + EPS
            else:
                ok = all((v or 0) <= ls + EPS for v in rv)
                rs = max((v or 0) for v in rv)
            msg = "" if ok else (f"{fmt(ls)} ≠ {fmt(rs)} (off by {fmt(ls - rs)})" if ident.op == "eq"
                                 else f"{fmt(ls)} vs {fmt(rs)}")
            if ok and not tag and ident.id in used:
                msg = USED_MSG
            out.append(Check(ident.id, tpl.table, scope, expr, ls, rs, "pass" if ok else "fail",
                             ident.severity, msg, tuple(lk + rk)))
    return out


def _a11(ex: Extraction, tpl: EraATemplate) -> list[Check]:
    ty = {c.row_key: c for c in ex.cells if c.method in APPENDIX and c.col_key == "this_year"}
    cu = {c.row_key: c for c in ex.cells if c.method in APPENDIX and c.col_key == "cumulative"}
    both = [k for k in ty if k in cu and ty[k].value is not None and cu[k].value is not None]
    if not both:
        return []
    bad = [k for k in both if cu[k].value < ty[k].value - EPS]
    msg = "; ".join(f"{k}: this year {fmt(ty[k].value)} > cumulative {fmt(cu[k].value)}" for k in bad[:6])
    return [Check("A11", tpl.table, "cumulative", "历年累计 ≥ 本年度, every row", None, None,
                  "fail" if bad else "pass", tpl.severity("A11"), msg,
                  tuple(x for k in bad for x in ((tpl.table, k, "this_year"), (tpl.table, k, "cumulative"))))]


def _p1(ex: Extraction, tpl: EraATemplate) -> list[Check]:
    app = {c.row_key: c for c in ex.cells if c.method in APPENDIX and c.col_key == "this_year"}
    out = []
    for c in ex.cells:
        if c.method != "prose" or c.col_key != "this_year" or c.row_key not in app:
            continue
        a = app[c.row_key]
        if a.value is None or c.value is None:
            continue
        ok = abs(a.value - c.value) <= EPS
        out.append(Check("P1", tpl.table, c.row_key, f"prose = appendix [{c.row_key}, this_year]", c.value, a.value,
                         "pass" if ok else "fail", tpl.severity("P1"),
                         "" if ok else f"prose {fmt(c.value)} ({c.raw}) vs appendix {fmt(a.value)}",
                         ((tpl.table, c.row_key, "this_year"),)))
    return out


def _culprits(checks: list[Check], ex: Extraction) -> None:
    """A failing identity whose cells all but one are vouched for by a passing check (or whose
    row fails A11) names that one cell."""
    vouched = {k for c in checks if c.status == "pass" and c.check_id != "A11" for k in c.cells}
    a11 = {k[1] for c in checks if c.check_id == "A11" and c.status == "fail" for k in c.cells}
    for c in checks:
        if c.status != "fail" or c.check_id in ("A11", "P1"):
            continue
        suspects = [k for k in c.cells if k[1] in a11] or [k for k in c.cells if k not in vouched]
        if len(set(suspects)) == 1:
            k = suspects[0]
            cell = _cell(ex, k, c.scope.endswith("(prose)"))
            printed = f" (printed {cell.raw!r})" if cell is not None and cell.raw else ""
            c.message += f"; likely culprit: {k[1]}.{k[2]}{printed}"
            c.culprit = k


def _cell(ex: Extraction, key: tuple, prose: bool) -> Optional[CellValue]:
    for c in ex.cells:
        if (c.table, c.row_key, c.col_key) == key and (c.method == "prose") == prose:
            return c
    return None


def run(ex: Extraction, tpl: Optional[EraATemplate] = None) -> list[Check]:
    tpl = tpl or load()
    split = getattr(ex, "era_a", {}).get("split") or {}
    used = set(split.get("used", ()))
    amb = set(split.get("ambiguous", {}))
    checks: list[Check] = []
    sets = _cell_sets(ex)
    for ident in tpl.identities:
        checks += _identity(ident, sets, tpl, used, amb)
    checks += _a11(ex, tpl)
    checks += _p1(ex, tpl)
    _culprits(checks, ex)
    cols = {c.key for c in tpl.columns}
    for c in checks:   # checks.csv's scope_kind: a column key, the whole table, or a row key
        c.scope_kind = c.scope_kind or ("column" if c.scope.split(" ")[0] in cols
                                        else "table" if c.scope == tpl.table else "row")
    return checks
