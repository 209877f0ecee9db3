"""Numbers a conversion moved out of their row, put back only where the arithmetic agrees.

PDF→text converters sometimes lift one cell out of its row and print it on a line of its own
inside the table (the row then shows an empty cell). Such a number goes back into an empty
cell only when all three agree: the cell's row identity (E3) and its column identity (E1 or
E2) each require exactly that number, every other cell of both identities is printed, and
exactly one stray number of that value stands inside the table. Anything less stays empty.

The identities come from the registry: the table's `displaced` rule names the row identity and
the column identities to use (templates.toml).
"""
from __future__ import annotations

from typing import Optional

from . import values as V
from .result import CellValue
from .templates import Identity, TableSpec, Template


def _column_identity(tpl: Template, spec: TableSpec, row: str) -> Optional[tuple[str, list[str], list[str]]]:
    """(id, lhs rows, rhs rows) of the first of the rule's column identities that holds `row`."""
    for cid in spec.displaced.column_identities:
        ident = tpl.identity(cid)
        lhs, rhs = tpl.expand(ident.lhs), tpl.expand(ident.rhs)
        if row in lhs or row in rhs:
            return cid, lhs, rhs
    return None


def _solve(values: dict, lhs: list, rhs: list, target) -> Optional[float]:
    """The value `target` must take for sum(lhs) = sum(rhs), when every other cell is printed."""
    others = [k for k in lhs + rhs if k != target]
    if any(values.get(k) is None for k in others):
        return None
    l = sum(values[k] for k in lhs if k != target)
    r = sum(values[k] for k in rhs if k != target)
    return r - l if target in lhs else l - r


def place(cells: list[CellValue], tpl: Template, spec: TableSpec, orphans: list) -> list[tuple]:
    """Fill empty cells of the table `spec` from stray numbers (lines in `orphans` printing one
    number each), in place; returns [(cell key, identities used)]."""
    if not orphans:
        return []
    table = spec.key
    row_ident: Identity = tpl.identity(spec.displaced.row_identity)
    members = list(row_ident.lhs) + list(row_ident.rhs)
    cells_ = {(c.table, c.row_key, c.col_key): c for c in cells if c.table == table}
    vals = {k: c.value for k, c in cells_.items()}
    candidates = []
    for key, cell in cells_.items():
        _, row, col = key
        if cell.value is not None or cell.raw or col not in members:
            continue
        if all(vals.get((table, row, c)) is None for c in members if c != col):
            continue  # the row prints nothing: a blank row, not a displaced cell
        by_row = _solve(vals, [(table, row, c) for c in row_ident.lhs], [(table, row, c) for c in row_ident.rhs], key)
        ident = _column_identity(tpl, spec, row)
        if ident is None or by_row is None:
            continue
        cid, lhs, rhs = ident
        by_col = _solve(vals, [(table, r, col) for r in lhs], [(table, r, col) for r in rhs], key)
        if by_col is None or by_col != by_row or by_row < 0:
            continue
        candidates.append((key, by_row, (row_ident.id, cid)))
    placed = []
    for key, v, idents in candidates:
        same = [o for o in orphans if V.parse(o.filled[0].text).value == v]
        if len(same) != 1 or sum(1 for _, w, _ in candidates if w == v) != 1:
            continue
        src = same[0].filled[0]
        c = cells_[key]
        c.value, c.raw, c.method = v, V.parse(src.text).value is not None and src.text.strip(), "recovered"
        c.page = src.page or c.page
        c.bbox = src.bbox
        c.pos = src.pos
        placed.append((key, idents))
    return placed
