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
    # occupied[r] = set of columns already covered in row r by row spans from above
    occupied: list[set[int]] = [set() for _ in range(n_rows)]
    cells: list[Cell] = []
    work = 0
    for r, row in enumerate(rows):
        col = 0
        taken = occupied[r]
        for text, rowspan, colspan in row:
            while col in taken:
                col += 1
            colspan = max(1, min(colspan, MAX_COLSPAN))
            for k in range(1, colspan):   # a span running into a cell from above stops before it
                if col + k in taken:
                    colspan = k
                    break
            rowspan = max(1, min(rowspan, n_rows - r))
            if rowspan > 1:
                work += (rowspan - 1) * colspan
                if work > MAX_SPAN_WORK:
                    if warnings is not None and rowspan > 1:
                        warnings.append("table with too many spanned cells: further row spans ignored")
                    rowspan = 1
            for dr in range(1, rowspan):
                occupied[r + dr].update(range(col, col + colspan))
            cells.append(Cell(text=text, row=r, col=col, rowspan=rowspan, colspan=colspan))
            col += colspan
        occupied[r] = set()   # free memory as we go
    return compact(cells)


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
