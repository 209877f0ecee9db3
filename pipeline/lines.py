"""Document → candidate lines: each a run of label cells followed by value cells.

This is where the grid of any reader becomes rows the matcher can align with the template:
leading text cells are the label (with row-spanning group labels carried down), trailing
numeric or blank cells are the values. One-column tables (cell dumps) are re-flowed so that
each text cell starts a line; short paragraphs of the shape "label 1 2 3" become lines too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import regex

from parsers.model import Cell, Document, Paragraph, Table

from . import normalize as N
from . import values as V

_TOKEN = regex.compile(r"\S+")
_HAS_TEXT = regex.compile(r"[\p{Han}A-Za-z]")
_PARA_ROW = regex.compile(r"^(?P<label>.*?\p{Han}[^\d+\-]*?)\s*(?P<vals>(?:[+\-]?[\d,]+(?:\.\d+)?(?:万元|元)?\s*)+)$")


@dataclass
class Line:     # built by position in this module (the field order below; tests/test_fast_paths.py)
    labels: list[Cell]                 # printed label cells, left to right
    values: list[Cell]                 # value cells (numeric or blank), left to right
    context: list[str] = field(default_factory=list)   # group labels carried from row spans
    block: int = 0
    index: int = 0                     # position in document order
    grid: bool = True                  # values carry meaningful grid columns
    text: str = ""                     # the whole printed line, for run-together recovery
    doubt: str = ""                    # why the reader could not place the values in columns
    positional: bool = False           # value columns recovered from character positions
    ordered: bool = False              # despite `doubt`, each number is one cell, in printed order

    @property
    def label(self) -> str:
        return " ".join(c.text for c in self.labels if c.text.strip())

    @property
    def filled(self) -> list[Cell]:
        """The value cells that print something (computed once: a line's values are final
        when document_lines returns it)."""
        got = self.__dict__.get("_filled")
        if got is None:
            got = self.__dict__["_filled"] = [c for c in self.values if not V.is_blank(c.text)]
        return got

    @property
    def page(self) -> Optional[int]:
        cells = self.values or self.labels
        return cells[0].page if cells else None


@lru_cache(maxsize=65536)
def _is_value_text(text: str) -> bool:
    """Blank or numeric, remembered as one answer (a report asks it of every cell of its tables)."""
    return V.is_blank(text) or V.looks_numeric(text)


def _is_value(cell: Cell) -> bool:
    return _is_value_text(cell.text)


def _split_row(cells: list[Cell]) -> tuple[list[Cell], list[Cell]]:
    """Labels = up to the last text cell; values = the numeric/blank cells after it."""
    last_text, is_value = len(cells) - 1, _is_value_text
    while last_text >= 0 and is_value(cells[last_text].text):     # from the end: the values, then one label
        last_text -= 1
    return cells[:last_text + 1], cells[last_text + 1:]


def _table_lines(table: Table, block: int) -> list[Line]:
    rows = table.rows()
    if table.n_cols == 1:
        return _reflow(rows, block)
    spans: dict[int, list[tuple[int, Cell]]] = {}
    for c in table.cells:
        if c.rowspan > 1 and _HAS_TEXT.search(c.text):
            for r in range(c.row + 1, c.row + c.rowspan):
                spans.setdefault(r, []).append((c.col, c))
    # group labels carried down: a row whose first text cell is indented inherits the text of
    # the nearest row above that has text in the columns to its left (the tab-cells layout).
    carried: dict[int, str] = {}
    out = []
    for r, row in enumerate(rows):
        if not row:
            continue
        labels, vals = _split_row(row)
        context = [c.text for _, c in sorted(spans.get(r, []), key=lambda x: x[0])]
        first_text = next((k for k, c in enumerate(labels) if c.text.strip()), None)
        if first_text is not None:
            for k in list(carried):
                if k >= first_text:
                    del carried[k]
            context += [carried[k] for k in sorted(carried) if k < first_text]
            for k, c in enumerate(labels):
                if c.text.strip():
                    carried[k] = c.text
        out.append(Line([c for c in labels if c.text.strip()], vals, context, block, 0, True,
                        " ".join(c.text for c in row), table.doubts.get(r, ""), table.positional,
                        r in table.ordered))
    return _join_labels_continued_below(_join_wrapped_labels(out))


def _join_wrapped_labels(lines: list[Line]) -> list[Line]:
    """A label wrapped over lines above its numbers (whitespace layouts, word grids): the lines
    that print only label text join the value line right under them when that line has no
    label of its own, or only the unnumbered rest of one ("2、申请人逾期未按收费通知要" over
    "求缴纳费用、行政机关不再处理  6 0 0 …"), possibly with a piece of a vertical group label
    between them."""
    out: list[Line] = []
    joined_above: set[int] = set()
    for k, ln in enumerate(lines):
        if _rest_below(out, ln, lines[k + 1] if k + 1 < len(lines) else None, joined_above):
            out[-1].labels = out[-1].labels + ln.labels
            out[-1].text += " " + ln.text
            joined_above.discard(id(out[-1]))   # one line of rest, no more
            continue
        run = 0
        while run < len(out) and run < 3 and out[-1 - run].labels and not out[-1 - run].values:
            run += 1
        if run and ln.filled:
            if not ln.labels:
                start = len(out) - 1
            elif not N.numbering(ln.labels[0].text):
                numbered = [k for k in range(len(out) - run, len(out)) if _numbering(out[k])]
                start = numbered[-1] if numbered else None
            else:
                start = None
            if start is not None:
                joined = out[start:]
                ln.labels = [c for j in joined for c in j.labels] + ln.labels
                ln.context = joined[0].context
                ln.text = " ".join(j.text for j in joined) + " " + ln.text
                del out[start:]
                joined_above.add(id(ln))
            elif not ln.labels:
                joined_above.add(id(ln))
        out.append(ln)
    return out


def _join_labels_continued_below(lines: list[Line]) -> list[Line]:
    """A numbered row label that starts on its number line and runs on below it, a few
    characters a line (a narrow, top-aligned cell in `pdftotext -layout` text: "1.属于  0 0 …" /
    "国家秘" / "密"), possibly beside a piece of the group label ("不予公  国家秘"). The unnumbered
    label-only lines under it join it: a line of two pieces column by column, a single piece to
    its last cell. Not where the next value line has no numbered label of its own (the pieces may
    start that row's label)."""
    out: list[Line] = []
    k = 0
    while k < len(lines):
        ln = lines[k]
        out.append(ln)
        k += 1
        if not (ln.positional and ln.filled and ln.labels and _numbering(ln)):
            continue
        j = k
        while (j < len(lines) and lines[j].block == ln.block and lines[j].labels and not lines[j].values
               and not _numbering(lines[j]) and all(len(c.text) <= 8 for c in lines[j].labels)):
            j += 1
        nxt = lines[j] if j < len(lines) else None
        if j == k or (nxt is not None and nxt.block == ln.block and nxt.filled and not _numbering(nxt)):
            continue
        for piece in lines[k:j]:
            _append_pieces(ln, piece)
        k = j
    return out


def _append_pieces(ln: Line, piece: Line) -> None:
    cells = [c for c in piece.labels if c.text.strip()]
    if len(cells) == len(ln.labels) and len(cells) > 1:
        for target, c in zip(ln.labels, cells):
            target.text += c.text
    else:
        ln.labels[-1].text += "".join(c.text for c in cells)
    ln.text += " " + piece.text


def _numbering(ln: Line) -> str:
    """The numbering a label-only line prints, in its first cell or after a piece of a group
    label before it ("供 3.补正后申请内容", "办 予公开 2.其他法律行政法", "供 | 3.补正…")."""
    for c in ln.labels[:2]:
        for piece in [*c.text.split()[:3], "".join(c.text.split())]:   # also "2 .申请人…"
            mark = N.numbering(piece)
            if mark:
                return mark
    return ""


def _rest_below(out: list[Line], ln: Line, after: Optional[Line], joined_above: set[int]) -> bool:
    """A label wrapped AROUND its number line (a narrow, vertically centred label cell: "（二）部分
    公开（区分处理的，只计这一情形，不" / the numbers / "计其他情形）"): the unnumbered label-only line
    right under a value line whose label came from the lines above is the rest of that label —
    unless the line after it is a value line with no label of its own, whose label it may start.
    A numbered line starts a row of its own, except item 1 under a group label ("（三）不予公开" /
    the numbers / "1.属于国家秘密")."""
    if not out or ln.values or not ln.labels:
        return False
    above = out[-1]
    mark = _numbering(ln)
    if mark and not (mark == "1" and above.labels and _numbering(above)[:1] in ("（", "(")):
        return False   # a numbered line starts a row, except the first item under a group label above
    if not above.filled or id(above) not in joined_above or not above.grid or above.block != ln.block:
        return False
    if after is not None and after.filled and not after.labels:
        return False
    return True


def _reflow(rows: list[list[Cell]], block: int) -> list[Line]:
    """One cell per line: each text cell starts a line, following value cells belong to it."""
    out: list[Line] = []
    cur: Optional[Line] = None
    for row in rows:
        if not row:
            continue
        c = row[0]
        if _is_value(c) and cur is not None:
            cur.values.append(c)
        elif _is_value(c):
            cur = Line([], [c], [], block, 0, False)
            out.append(cur)
        else:
            cur = Line([c], [], [], block, 0, False, c.text)
            out.append(cur)
    # trailing blanks after the last number of a line are separators, not cells, when the
    # next line starts immediately; keep them: the matcher trims by the template's count.
    return out


def _paragraph_line(p: Paragraph, block: int) -> Optional[Line]:
    text = p.text.strip()
    lead = len(p.text) - len(p.text.lstrip())

    def at(a: int, b: int):   # the source position of text[a:b], where the reader knew one
        return p.pos.shifted(lead + a, lead + b) if p.pos is not None else None

    if len(text) > 120:
        return Line([], [], [], block, 0, False, text)
    if V.looks_numeric(text):
        # a number standing alone (a cell a conversion moved out of its row, or a page number)
        return Line([], [Cell(text, 0, 0, 1, 1, p.page, None, at(0, len(text)))], [], block, 0, False, text)
    # a row ends in a digit, a thousands comma or 元: test that before the (slow) full pattern
    m = _PARA_ROW.match(text) if text and (text[-1].isdecimal() or text[-1] in ",元") else None
    if not m or len(m.group("label")) > 70:
        return Line([Cell(text, 0, 0, 1, 1, p.page)], [], [], block, 0, False, text)
    base = m.start("vals")
    vals = [(v.group(), at(base + v.start(), base + v.end())) for v in _TOKEN.finditer(m.group("vals"))]
    # "行政许可97": digits glued to a label are one cell here; a row of several columns
    # printed that way is split by run-together recovery (recover.py) or left ambiguous
    return Line([Cell(m.group("label").strip(), 0, 0, 1, 1, p.page)],
                [Cell(v, 0, k + 1, 1, 1, p.page, None, pos) for k, (v, pos) in enumerate(vals)],
                [], block, 0, False, text)


def document_lines(doc: Document) -> list[Line]:
    out: list[Line] = []
    for b, block in enumerate(doc.blocks):
        if isinstance(block, Table):
            out += _table_lines(block, b)
        else:
            line = _paragraph_line(block, b)
            if line is not None:
                out.append(line)
    for k, line in enumerate(out):
        line.index = k
    return out
