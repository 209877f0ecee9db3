"""Numbers a conversion moved out of their row, put back only where the arithmetic agrees.

PDF→text converters sometimes lift one cell out of its row and print it on a line of its own
inside the table (the row then shows an empty cell). Such a number goes back into an empty
cell only when all three agree: the cell's row identity (E3) and its column identity (E1 or
E2) each require exactly that number, every other cell of both identities is printed, and
exactly one stray number of that value stands inside the table. Anything less stays empty.
"""
from __future__ import annotations

from typing import Optional

from . import values as V
from .templates import Template

APPLICANTS = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org"]


def _column_identity(tpl: Template, row: str) -> Optional[tuple[str, list[str], list[str]]]:
    """(id, lhs rows, rhs rows) of the column identity that holds `row`, E2 before E1."""
    results = tpl.result_rows()
    if row in results:
        return "E2", results, ["total_processed"]
    if row in ("new_received", "carried_over", "total_processed", "carried_forward"):
        return "E1", ["new_received", "carried_over"], ["total_processed", "carried_forward"]
    return None


def _solve(values: dict, lhs: list, rhs: list, target) -> Optional[float]:
    """The value `target` must take for sum(lhs) = sum(rhs), when every other cell is printed."""
    others = [k for k in lhs + rhs if k != target]
    if any(values.get(k) is None for k in others):
        return None
    l = sum(values[k] for k in lhs if k != target)
    r = sum(values[k] for k in rhs if k != target)
    return r - l if target in lhs else l - r


def place(ex, tpl: Template, orphans: list) -> list[tuple]:
    """Fill empty requests cells from stray numbers; returns [(cell key, identities used)]."""
    if not orphans or "requests" not in ex.tables_found:
        return []
    cells = {(c.table, c.row_key, c.col_key): c for c in ex.cells if c.table == "requests"}
    vals = {k: c.value for k, c in cells.items()}
    candidates = []
    for key, cell in cells.items():
        _, row, col = key
        if cell.value is not None or cell.raw or col not in APPLICANTS + ["total"]:
            continue
        if all(vals.get(("requests", row, c)) is None for c in APPLICANTS + ["total"] if c != col):
            continue  # the row prints nothing: a blank row, not a displaced cell
        by_row = _solve(vals, [("requests", row, c) for c in APPLICANTS], [("requests", row, "total")], key)
        ident = _column_identity(tpl, row)
        if ident is None or by_row is None:
            continue
        cid, lhs, rhs = ident
        by_col = _solve(vals, [("requests", r, col) for r in lhs], [("requests", r, col) for r in rhs], key)
        if by_col is None or by_col != by_row or by_row < 0:
            continue
        candidates.append((key, by_row, ("E3", cid)))
    placed = []
    for key, v, idents in candidates:
        same = [o for o in orphans if V.parse(o.filled[0].text).value == v]
        if len(same) != 1 or sum(1 for _, w, _ in candidates if w == v) != 1:
            continue
        src = same[0].filled[0]
        c = cells[key]
        c.value, c.raw, c.method = v, V.parse(src.text).value is not None and src.text.strip(), "recovered"
        c.page = src.page or c.page
        c.bbox = src.bbox
        c.pos = src.pos
        placed.append((key, idents))
    return placed
