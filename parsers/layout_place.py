"""Numbers of one whitespace-layout row placed into the block's columns, or a reason not to.

`pdftotext -layout` compacts empty space differently on every page and even on every row, so
a number's character position is only approximate evidence of its column. Given the columns
of a block and the numeric tokens of a row (left to right), the tokens are placed in order,
each in its own column: all of them in order when the row fills every column, else by the
order-preserving placement nearest to the columns when it is clearly better than every other
(and, where a token overlaps no column, agrees with the column nearest to each).
Otherwise the row's placement is not certain, and the caller leaves it unplaced with the
reason (never two numbers joined into one cell, never a guess).
"""
from __future__ import annotations

from typing import Optional

# an order-preserving placement is taken when the next best costs this much more (characters)
MARGIN_CHARS = 2.0
# beyond this many columns the search would be large: such rows are left unplaced
MAX_COLUMNS = 40


def place_row(cols: list[tuple[int, int]], toks: list[tuple[int, int]],
              nearest: list[int]) -> tuple[Optional[list[int]], str]:
    """Given column spans, a row's numeric token spans (left to right) and the column the
    nearest-column rule gives each, return (column index per token, "") or (None, reason)."""
    if not toks:
        return [], ""
    n, m = len(toks), len(cols)
    if n > m:
        return None, f"{n} numbers for {m} columns"
    if n == m:
        return list(range(m)), ""
    if m > MAX_COLUMNS:
        return None, "too many columns to place the numbers by position"
    best, second = _two_best(cols, toks)
    if best is None:
        return None, "no placement"
    if second is not None and (second[0] - best[0] < MARGIN_CHARS or best[1] != nearest and best[0] > 0):
        return None, (f"{n} numbers for {m} columns at positions that fit more than one placement "
                      f"(columns {_human(best[1])} or {_human(second[1])})")
    return best[1], ""


def _human(p: list[int]) -> str:
    return ",".join(str(k + 1) for k in p)


def _cost(col: tuple[int, int], tok: tuple[int, int]) -> float:
    """Distance between a token and a column: 0 when they overlap, else the gap between their
    right edges and their centres, whichever is smaller (numbers are right- or centre-aligned)."""
    (ca, cb), (a, b) = col, tok
    if a < cb and b > ca:
        return 0.0
    return min(abs(b - cb), abs((a + b) / 2 - (ca + cb) / 2))


def _two_best(cols, toks):
    """The two cheapest strictly increasing placements of the tokens into the columns, as
    (cost, placement) — by dynamic programming keeping the two best partial placements."""
    n, m = len(toks), len(cols)
    # states[i][j]: up to two (cost, placement) for tokens[:i+1] with token i in column j
    states: list[list[list[tuple[float, list[int]]]]] = [[[] for _ in range(m)] for _ in range(n)]
    for j in range(m - n + 1):
        states[0][j] = [(_cost(cols[j], toks[0]), [j])]
    for i in range(1, n):
        for j in range(i, m - n + i + 1):
            c = _cost(cols[j], toks[i])
            pool = [(cost + c, p + [j]) for jj in range(i - 1, j) for cost, p in states[i - 1][jj]]
            states[i][j] = sorted(pool, key=lambda x: x[0])[:2]
    final = sorted((x for j in range(m) for x in states[n - 1][j]), key=lambda x: x[0])
    if not final:
        return None, None
    return final[0], (final[1] if len(final) > 1 else None)
