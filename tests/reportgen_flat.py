"""Flatten generated reports the way a scraper does: every table row becomes its cell texts
run together with no separator (`一、本年新收政府信息公开申请数量640020470`)."""
from __future__ import annotations

from tests.reportgen import GenReport, grid_tables, prose, OUTRO

FILLERS = {"—", "-", "/", "无"}


def flat_rows(rep: GenReport) -> list[str]:
    out = []
    for heading, rows in grid_tables(rep):
        out.append(heading)
        for row in rows:
            out.append("".join("0" if c.text in FILLERS else c.text for c in row))
    return out


def flatten(rep: GenReport, one_line: bool = True) -> str:
    """The report as scraped text: one huge paragraph (one_line) or one line per table row."""
    title, intro = prose(rep)
    parts = [title, *intro, *flat_rows(rep), *OUTRO]
    return "".join(parts) if one_line else "\n".join(parts)
