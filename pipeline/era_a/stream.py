"""A document as one compact text: whitespace and cell boundaries become one separator.

Era-A appendices reach us as table cells, tab or space separated rows, one cell per line, or
one long scraped paragraph whose cells ran together; in this form they all read alike, and
whether two digits were printed apart (a separator between them) or run together survives.
Every character keeps its place in the printed text, so a clause is quoted as printed.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from parsers.model import Document, Paragraph

from .. import normalize as N
from ..piecemap import PieceMap
from .forms import label_form, quick_form
from .template import SEP

#: Unicode's White_Space, what `regex` means by \s (`re`'s \s also takes \x1c–\x1f); plain `re`
#: scans several times faster (defined in normalize, which uses it too)
WHITE_SPACE = N.WHITE_SPACE
_WS = re.compile(f"[{WHITE_SPACE}]+")
_PIECE = re.compile(f"[^{WHITE_SPACE}\u200b\ufeff|]+")     # a piece between separators


@lru_cache(maxsize=8192)
def _norm(ch: str) -> str:
    return label_form(ch)


@dataclass
class Stream:
    """The compact text with, for each character, its grid column, page and printed place."""
    text: str                 # compact text, SEP at every boundary
    cols: Sequence[int]       # grid column of each character (-1 outside tables)
    pages: Sequence[int]      # page of each character (0 unknown)
    src: Sequence[int]        # index of each character in `printed` (lists, or a PieceMap)
    printed: str              # the document's text as printed (blocks and cells joined by newlines)

    def col_at(self, i: int) -> int:
        return self.cols[i] if 0 <= i < len(self.cols) else -1

    def page_at(self, i: int):
        p = self.pages[i] if 0 <= i < len(self.pages) else 0
        return p or None

    def quote(self, start: int, end: int) -> str:
        """The printed text of stream[start:end], whitespace collapsed."""
        if start >= end:
            return ""
        a, b = self.src[start], self.src[end - 1] + 1
        return _WS.sub(" ", self.printed[a:b]).strip()


class _Builder:
    def __init__(self):
        self.out: list[str] = []
        self.cols: list[int] = []
        self.pages: list[int] = []
        self.src: list[int] = []
        self.printed: list[str] = []
        self.pos = 0

    def add(self, text: str, col: int, page: int, simplified: bool = False) -> None:
        base = self.pos
        self.printed.append(text)
        self.printed.append("\n")
        self.pos += len(text) + 1
        form = quick_form(text)    # the whole text's form at once, where each character maps on its own
        for m in _PIECE.finditer(text):
            if self.out and self.out[-1] != SEP:
                self._put(SEP, -1, page, base + m.start())
            piece = form[m.start():m.end()] if form is not None else label_form(m.group())
            if simplified:
                conv = N.to_simplified(piece)
                piece = conv if len(conv) == len(piece) else piece
            if len(piece) == len(m.group()):     # the usual case: one character for one
                self.out.extend(piece)
                self.src.extend(range(base + m.start(), base + m.end()))
            else:
                for k, ch in enumerate(m.group()):
                    for n in _norm(ch):
                        self.out.append(n)
                        self.src.append(base + m.start() + k)
            grow = len(self.out) - len(self.cols)
            self.cols.extend([col] * grow)
            self.pages.extend([page] * grow)

    def _put(self, ch: str, col: int, page: int, src: int) -> None:
        self.out.append(ch)
        self.cols.append(col)
        self.pages.append(page)
        self.src.append(src)


def build(doc: Document, simplified: bool = False) -> Stream:
    """The whole document in reading order (paragraphs, then each table row's cells);
    `simplified`: traditional characters converted to simplified ones."""
    entries = _entries(doc)
    if not simplified:
        printed = "".join(t + "\n" for t, _, _ in entries)
        form = quick_form(printed)
        if form is not None and SEP not in form:
            return _at_once(entries, printed, form)
    b = _Builder()
    for text, col, page in entries:
        b.add(text, col, page, simplified)
    return Stream("".join(b.out), b.cols, b.pages, b.src, "".join(b.printed))


def _entries(doc: Document) -> list[tuple[str, int, int]]:
    """(text, grid column, page) of every paragraph and table cell, in reading order."""
    out = []
    for blk in doc.blocks:
        if isinstance(blk, Paragraph):
            out.append((blk.text, -1, blk.page or 0))
            continue
        for row in blk.rows():
            for c in row:
                out.append((c.text or "", c.col, c.page or blk.page or 0))
    return out


def _at_once(entries: list[tuple[str, int, int]], printed: str, form: str) -> Stream:
    """The stream `_Builder` makes, from the printed text and its form (same positions) in one
    pass over the pieces: what it makes when every character maps on its own. Its maps are
    answered from the pieces (`PieceMap`): a few lookups a report, not three lists a character."""
    ends = list(accumulate(len(t) + 1 for t, _, _ in entries))
    parts: list[str] = []
    starts: list[int] = []      # where each piece starts in the stream
    stops: list[int] = []       # and ends
    cols: list[int] = []        # each piece's grid column, page and first printed place
    pages: list[int] = []
    src: list[int] = []
    k, at = 0, 0
    for m in _PIECE.finditer(printed):
        s, e = m.span()
        while s >= ends[k]:
            k += 1
        _, col, page = entries[k]
        if parts:
            parts.append(SEP)
            at += 1
        parts.append(form[s:e])
        starts.append(at)
        at += e - s
        stops.append(at)
        cols.append(col)
        pages.append(page)
        src.append(s)
    seps = [-1] * len(starts)   # a separator (before each piece but the first) is in no column
    return Stream("".join(parts), PieceMap(starts, stops, cols, 0, seps, at),
                  PieceMap(starts, stops, pages, 0, pages, at), PieceMap(starts, stops, src, 1, src, at), printed)
