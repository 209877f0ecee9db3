"""The neutral document model every reader produces and the pipeline consumes.

A report is a sequence of blocks: paragraphs and tables. A table is a grid of cells with
spans; page and position are filled in where the format has them. Nothing here knows
about the report template or about file formats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Union


#: str(i) of the small whole numbers a text position holds (line, characters)
_INT_TEXT = {i: str(i) for i in range(2048)}


class SourcePos(NamedTuple):
    """Where a text is printed in a source without page boxes, so a reviewer can find it:
    text files by line and characters, HTML and Word by table and grid cell. (A named tuple:
    immutable like a frozen dataclass, and made for every cell a reader locates at a fraction
    of its cost.)"""
    line: Optional[int] = None    # text: 1-based line of the file
    start: Optional[int] = None   # text: 0-based character offset of the first character in that line
    end: Optional[int] = None     # text: offset just past the last character
    table: Optional[int] = None   # HTML/Word: 1-based index of the table element in the source
    row: Optional[int] = None     # HTML/Word: 1-based row of the cell in that table's grid
    col: Optional[int] = None     # HTML/Word: 1-based column of the cell in that table's grid

    def __str__(self) -> str:
        if self.line is not None:   # the numbers looked up (_INT_TEXT): made for every cell of a text report
            num = _INT_TEXT.get
            return f"line={num(self.line) or self.line} chars={num(self.start) or self.start}-{num(self.end) or self.end}"
        return f"table={self.table} row={self.row} col={self.col}"

    def shifted(self, start: int, end: int) -> "SourcePos":
        """The position of characters start..end of the text at this position (same line)."""
        # the named tuple's own __new__ without its Python-level call (lines.py shifts every value)
        return tuple.__new__(SourcePos, (self.line, self.start + start, self.start + end, None, None, None))


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: Optional[int] = None
    bbox: Optional[tuple[float, float, float, float]] = None  # x0, top, x1, bottom in PDF points
    pos: Optional[SourcePos] = None   # where the text is printed (text, HTML, Word sources)
    confidence: Optional[float] = None    # OCR only: the engine's lowest character score (0–1)
    char_confidence: tuple = ()           # OCR only: (character, score) in reading order


@dataclass
class Table:
    cells: list[Cell] = field(default_factory=list)
    page: Optional[int] = None
    # rows whose values the reader could not place in columns with certainty: row → reason
    # (the row's numbers are kept in order from its first value column, for the log only)
    doubts: dict[int, str] = field(default_factory=dict)
    # rows among `doubts` whose numbers are each one cell, in printed order (only their columns
    # are uncertain: a row that prints every column is still read in order)
    ordered: set[int] = field(default_factory=set)
    # columns recovered from character positions (whitespace layouts): approximate evidence
    positional: bool = False
    source_index: Optional[int] = None   # 1-based index of the table element in the source (HTML, Word)

    def mark_source(self, index: int) -> "Table":
        """Record that this grid is the source's index-th table: each cell's pos names its grid cell."""
        self.source_index = index
        for c in self.cells:
            c.pos = SourcePos(None, None, None, index, c.row + 1, c.col + 1)
        return self

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, each row ordered by column."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    @classmethod
    def from_rows(cls, rows: list[list[str]], page: Optional[int] = None) -> "Table":
        """A table from plain rows of cell texts, one cell per grid column."""
        # positional (Cell's field order): a dataclass call by keywords costs about three times as much
        cells = [Cell(t, r, c, 1, 1, page) for r, row in enumerate(rows) for c, t in enumerate(row)]
        return cls(cells=cells, page=page)


@dataclass
class Paragraph:
    text: str
    page: Optional[int] = None
    pos: Optional[SourcePos] = None   # text sources: the line and characters of `text`


Block = Union[Paragraph, Table]


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    format: str = ""
    pages: Optional[int] = None
    warnings: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        """All text in reading order: paragraphs and table cells, one line each (computed once:
        a document is not changed after its reader returns it)."""
        cached = self.__dict__.get("_text")
        if cached is not None:
            return cached
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                lines.append(b.text)
            else:
                for row in b.rows():
                    lines.append(" ".join(c.text for c in row if c.text))
        self.__dict__["_text"] = "\n".join(lines)
        return self.__dict__["_text"]


class ReadError(Exception):
    """The input cannot be read; the message is a one-line reason for reports.csv."""
