"""The typed items the PDF steps pass between them: characters, ruling edges, free text lines
and the tables found on one page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

Box = tuple[float, float, float, float]    # x0, top, x1, bottom; top measured from the page top


@dataclass(slots=True)
class Char:
    """One printed (not generated) glyph with its loose box."""
    index: int          # index in pdfium's text page
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float         # box height rounded to 0.1 pt (for telling fake-bold doubles)
    bad: bool           # no usable Unicode map (cid/private-use)
    base: Optional[float] = None   # baseline from the page top, read only where words need it

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Line:
    """Free text (outside any table) on one page: one line, in x order."""
    page: int
    top: float
    bottom: float
    text: str
    x0: Optional[float] = None
    x1: Optional[float] = None


@dataclass
class PageTable:
    """A table as found on one page: cells with box and text, before any joining."""
    page: int
    cells: list[tuple[Box, str]]
    bbox: Box
    strategy: str = "lines"     # "lines": ruled; "words": grid from word positions


def edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    """A ruling edge in pdfplumber's dict shape (what the table finder consumes)."""
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}
