"""The result model of extraction: the cells read, the notes for log.csv, and what the checks
must know about how the cells were obtained.

Every stage of extract.py (and recover.py, displaced.py) returns these; checks.py and report.py
read them. This module imports nothing from the pipeline, so any stage can use it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class CellValue:
    table: str
    row_key: str
    col_key: str
    value: Optional[float]
    raw: str
    row_label: str
    col_label: str
    match_score: float
    page: Optional[int] = None
    bbox: Optional[tuple] = None
    method: str = "read"
    unplaced: bool = False     # left empty because its number could not be placed with certainty
    by_position: bool = False  # its row printed blank cells and was placed by character positions
    pos: Optional[object] = None   # parsers.model.SourcePos: where the number is printed (text, HTML, Word)
    confidence: Optional[float] = None      # OCR cells: the engine's lowest character score (0–1)
    char_confidence: tuple = ()             # OCR cells: (character, score) in reading order

    @property
    def key(self) -> tuple[str, str, str]:
        return self.table, self.row_key, self.col_key


@dataclass
class Note:
    level: str        # info | warning | error
    table: str
    row_key: str
    col_key: str
    message: str
    page: Optional[int] = None


@dataclass
class Recovery:
    """Tables whose cells ran together in the text, recovered by arithmetic (recover.py)."""
    rows: dict[str, list] = field(default_factory=dict)    # table -> recovered rows (recover.RunRow)
    used: set = field(default_factory=set)          # (check_id, table, scope) used to choose a split
    failures: list = field(default_factory=list)    # (check_id, table, scope, expression, message)
    ambiguous: set = field(default_factory=set)     # (table, row, col) left empty
    notes: list = field(default_factory=list)       # (level, table, row, col, message)


@dataclass
class TableCells:
    """One table read by a stage: its cells and notes in output order, the cells left
    ambiguous, and the variants found (a variant column's key, merged rows)."""
    table: str
    cells: list[CellValue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ambiguous: int = 0
    found: bool = True
    variant: bool = False
    merged: tuple = ()        # templates.MergedRows printed as one row

    def note(self, level: str, row: str, col: str, msg: str, page: Optional[int] = None) -> None:
        self.notes.append(Note(level, self.table, row, col, msg, page))


@dataclass
class Extraction:
    template: Optional[str]
    cells: list[CellValue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tables_found: list[str] = field(default_factory=list)
    variant: bool = False         # a variant column (法人或其他组织 subtotal) was read
    lines: list = field(default_factory=list)
    ambiguous: int = 0
    recovery: Optional[Recovery] = None    # run-together tables recovered by arithmetic
    placed: list = field(default_factory=list)  # displaced numbers put back: (cell key, identities)
    merged: tuple = ()            # templates.MergedRows the report printed as one row
    warnings: list[str] = field(default_factory=list)   # report-level warnings (reports.csv `warnings`)
    refused: str = ""             # why the report was not extracted at all (a contradicted --template)
    era_a: Optional[dict] = None  # set by the era-A stage (pipeline/era_a): status, reason, split

    def add(self, part: TableCells) -> None:
        """Append one table's cells and notes (in that order of the output)."""
        if part.found:
            self.tables_found.append(part.table)
        self.cells += part.cells
        self.notes += part.notes
        self.ambiguous += part.ambiguous
        self.variant |= part.variant
        self.merged += part.merged

    def get(self, table: str, row: str, col: str) -> Optional[CellValue]:
        for c in self.cells:
            if (c.table, c.row_key, c.col_key) == (table, row, col):
                return c
        return None
