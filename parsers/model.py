"""The neutral document model every reader produces and the pipeline consumes.

A report is a sequence of blocks: paragraphs and tables. A table is a grid of cells with
spans; page and position are filled in where the format has them. Nothing here knows
about the report template or about file formats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: Optional[int] = None
    bbox: Optional[tuple[float, float, float, float]] = None  # x0, top, x1, bottom in PDF points


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
        cells = [Cell(text=t, row=r, col=c, page=page)
                 for r, row in enumerate(rows) for c, t in enumerate(row)]
        return cls(cells=cells, page=page)


@dataclass
class Paragraph:
    text: str
    page: Optional[int] = None


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
