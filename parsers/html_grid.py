"""Span grids shared by the HTML and Word readers.

Both formats describe a table as rows of cells with row and column spans; real files carry
absurd spans (``rowspan="1000"``, ``colspan`` wider than the table) and grid columns that no
cell starts in (Word's uneven borders). `place` runs the HTML table algorithm with spans
clamped to the table; `compact` then drops grid rows and columns in which no cell starts, so
the grid is the one a reader sees on screen.
"""
from __future__ import annotations

import bisect

from .model import Cell

MAX_COLSPAN = 1000          # the HTML standard's own limit
MAX_SPAN_WORK = 2_000_000   # grid positions covered by row spans in one table, before spans are ignored


def place(rows: list[list[tuple[str, int, int]]], warnings: list[str] | None = None) -> list[Cell]:
    """Rows of (text, rowspan, colspan) → cells on a grid, like a browser lays them out.

    A row span is clamped to the rows that exist below it and a column span to MAX_COLSPAN and
    to the free columns before a cell spanning down from above; covered positions are skipped
    when the next cell of a row is placed. No two cells ever claim one grid position.
    """
    n_rows = len(rows)
    # occupied[r] = columns already covered in row r by row spans from above (rows without any: absent)
    occupied: dict[int, set[int]] = {}
    placed: list[tuple[str, int, int, int, int]] = []   # (text, row, col, rowspan, colspan), in (row, col) order
    work = 0
    for r, row in enumerate(rows):
        col = 0
        taken = occupied.pop(r, None)   # free memory as we go
        for text, rowspan, colspan in row:
            if taken:
                while col in taken:
                    col += 1
            if colspan != 1:
                colspan = max(1, min(colspan, MAX_COLSPAN))
                if taken:
                    for k in range(1, colspan):   # a span running into a cell from above stops before it
                        if col + k in taken:
                            colspan = k
                            break
            if rowspan != 1:
                rowspan = max(1, min(rowspan, n_rows - r))
                if rowspan > 1:
                    work += (rowspan - 1) * colspan
                    if work > MAX_SPAN_WORK:
                        if warnings is not None:
                            warnings.append("table with too many spanned cells: further row spans ignored")
                        rowspan = 1
                for dr in range(1, rowspan):
                    below = occupied.get(r + dr)
                    if below is None:
                        below = occupied[r + dr] = set()
                    below.update(range(col, col + colspan))
            placed.append((text, r, col, rowspan, colspan))
            col += colspan
    return _compact(placed)


def _compact(placed: list[tuple[str, int, int, int, int]]) -> list[Cell]:
    """`compact` of place's (text, row, col, rowspan, colspan) in (row, col) order, making each
    Cell once (the order stays: the grid mapping keeps it)."""
    if not placed:
        return []
    row_starts = sorted({p[1] for p in placed})
    col_starts = sorted({p[2] for p in placed})
    rows_same = row_starts[-1] == len(row_starts) - 1   # every grid row starts a cell: 0..n-1
    cols_same = col_starts[-1] == len(col_starts) - 1
    n_r, n_c = len(row_starts), len(col_starts)
    row_index = None if rows_same else {r: i for i, r in enumerate(row_starts)}
    col_index = None if cols_same else {c: i for i, c in enumerate(col_starts)}
    out = []
    for text, r, c, rs, cs in placed:
        if rows_same:
            if rs > 1:
                rs = min(rs, n_r - r)
        else:
            r0 = row_index[r]
            if rs > 1:
                rs = max(1, bisect.bisect_left(row_starts, r + rs) - r0)
            r = r0
        if cols_same:
            if cs > 1:
                cs = min(cs, n_c - c)
        else:
            c0 = col_index[c]
            if cs > 1:
                cs = max(1, bisect.bisect_left(col_starts, c + cs) - c0)
            c = c0
        out.append(Cell(text, r, c, rs, cs))
    return out


def compact(cells: list[Cell]) -> list[Cell]:
    """Drop grid rows and columns in which no cell starts; spans shrink accordingly."""
    if not cells:
        return cells
    row_starts = sorted({c.row for c in cells})
    col_starts = sorted({c.col for c in cells})
    row_index = {r: i for i, r in enumerate(row_starts)}
    col_index = {c: i for i, c in enumerate(col_starts)}
    out = []
    for c in cells:
        r_end = bisect.bisect_left(row_starts, c.row + c.rowspan)
        c_end = bisect.bisect_left(col_starts, c.col + c.colspan)
        r0, c0 = row_index[c.row], col_index[c.col]
        out.append(Cell(text=c.text, row=r0, col=c0, rowspan=max(1, r_end - r0), colspan=max(1, c_end - c0),
                        page=c.page, bbox=c.bbox))
    out.sort(key=lambda c: (c.row, c.col))
    return out
