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


class Record:
    """A plain record with __slots__ (what `@dataclass` would give: field-wise equality and a
    repr), written out because making a dataclass costs an importing process millions of
    instructions (its methods are generated and compiled at import time)."""
    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None     # mutable, compared by value: unhashable, as a dataclass is

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


class Line(Record):
    """Free text (outside any table) on one page: one line, in x order."""
    __slots__ = ("page", "top", "bottom", "text", "x0", "x1")

    def __init__(self, page: int, top: float, bottom: float, text: str,
                 x0: Optional[float] = None, x1: Optional[float] = None):
        self.page, self.top, self.bottom, self.text, self.x0, self.x1 = page, top, bottom, text, x0, x1


class PageTable(Record):
    """A table as found on one page: cells with box and text, before any joining."""
    __slots__ = ("page", "cells", "bbox", "strategy")

    def __init__(self, page: int, cells: list[tuple[Box, str]], bbox: Box, strategy: str = "lines"):
        # strategy "lines": ruled; "words": grid from word positions
        self.page, self.cells, self.bbox, self.strategy = page, cells, bbox, strategy


def edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    """A ruling edge in pdfplumber's dict shape (what the table finder consumes)."""
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}
