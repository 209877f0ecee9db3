"""Labels that belong to another table: a row of one table (or a section heading) must not be
taken as a row of another just because it falls in sequence.

行政复议 scores 65 against 行政许可, above the weak-match bar; in a grouped appeals table its
line would otherwise fill an 主动公开 row the report did not print. A line whose label matches a
row of another table (or a table's title) better than any row of this table is vetoed here.
"""
from __future__ import annotations

from functools import lru_cache

from . import match as M
from .templates import TABLES, Row, get


@lru_cache(maxsize=64)
def foreign_rows(template_id: str, table: str) -> tuple[Row, ...]:
    """Rows of the template's other tables, and every table's title as a pseudo-row."""
    tpl = get(template_id)
    rows = [r for t in TABLES if t != table for r in tpl.tables[t].rows]
    titles = [Row(key=f"title:{t}", label=tpl.tables[t].title) for t in TABLES]
    return tuple(rows + titles)


@lru_cache(maxsize=100000)
def _best_foreign(template_id: str, table: str, labels: tuple[str, ...], context: tuple[str, ...]) -> tuple[float, str]:
    best = max(((M.score_row(list(labels), list(context), r), r.label) for r in foreign_rows(template_id, table)),
               default=(0.0, ""))
    return best


def veto_foreign(lines: list, scores: list[list[float]], template_id: str, table: str) -> list[tuple[int, str, float]]:
    """Zero, in place, the scores of lines that match another table's row (or a title) better
    than any row of `table`. Returns (line position, foreign label, its score) for the log."""
    out = []
    for i, (ln, row) in enumerate(zip(lines, scores)):
        own = max(row, default=0.0)
        if own <= 0 or own >= 100:
            continue
        other, label = _best_foreign(template_id, table, tuple(c.text for c in ln.labels), tuple(ln.context))
        if other > own:
            scores[i] = [0.0] * len(row)
            out.append((i, label, other))
    return out
