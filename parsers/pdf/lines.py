"""Characters → text: the text of one cell (lines by position, spaces where glyphs stand apart)
and the free text lines of a page. Line statistics (mean centre, extent) are kept as the line
grows, so grouping is linear in the number of characters after the sort."""
from __future__ import annotations

import re
from operator import attrgetter

from ..glyphs import repair_chars
from ..shapes import PDF_NUMBER
from .items import Char, Line
from .settings import DEFAULT, PdfSettings

_X0, _X1, _TOP_X0 = attrgetter("x0"), attrgetter("x1"), attrgetter("top", "x0")


def _join_line(line: list[Char], s: PdfSettings) -> str:
    """Given the glyphs of one line, return its text in x order, a space where a visible gap
    (more than `char_gap`) separates two glyphs."""
    line.sort(key=_X0)
    if len(line) == 1:
        return line[0].text
    gap = s.char_gap
    parts = [line[0].text]
    for a, b in zip(line, line[1:]):
        if b.x0 - a.x1 > gap:
            parts.append(" ")
        parts.append(b.text)
    return "".join(parts)


def cell_text(chars: list[Char], s: PdfSettings = DEFAULT) -> str:
    """Given the glyphs of one cell, return its text: lines by vertical position joined with
    "\\n" (a glyph joins the current line when its centre is within max(line_join_min,
    line_join_share × its height) of the line's mean centre), radicals repaired."""
    if len(chars) < 2:
        if not chars:
            return ""
        return repair_chars(chars[0].text)
    lines: list[list[Char]] = []
    total = 0.0      # sum of the current line's glyph centres
    join_min, join_share = s.line_join_min, s.line_join_share
    mids = [(c.top + c.bottom) / 2 for c in chars]
    order = sorted(range(len(chars)), key=mids.__getitem__)    # stable: by centre, then input order
    if mids[order[-1]] - mids[order[0]] <= join_min / 2:
        # one line (the usual cell): every centre is within join_min of any mean of the others
        # (half of it leaves room for the rounding of the running mean), so all join the first
        return repair_chars(_join_line([chars[k] for k in order], s))
    for k in order:
        mid, c = mids[k], chars[k]
        if lines:
            last = lines[-1]
            reach = join_share * (c.bottom - c.top)
            if abs(mid - total / len(last)) <= (reach if reach > join_min else join_min):
                last.append(c)
                total += mid
                continue
        lines.append([c])
        total = mid
    return repair_chars("\n".join([_join_line(ln, s) for ln in lines]))


def text_lines(chars: list[Char], number: int, s: PdfSettings = DEFAULT) -> list[Line]:
    """Given free glyphs of page `number`, return them grouped into lines (a glyph whose centre
    lies within the current line's vertical extent joins it), each line's text in x order."""
    rows: list[list[Char]] = []
    extents: list[tuple[float, float]] = []     # each row's (top, bottom), kept as it grows
    top = bottom = 0.0
    for c in sorted(chars, key=_TOP_X0):
        if rows and top <= (c.top + c.bottom) / 2 <= bottom:
            rows[-1].append(c)
            if c.top < top:
                top = c.top
            if c.bottom > bottom:
                bottom = c.bottom
            continue
        if rows:
            extents.append((top, bottom))
        rows.append([c])
        top, bottom = c.top, c.bottom
    if rows:
        extents.append((top, bottom))
    return [Line(number, t, b, cell_text(r, s).replace("\n", ""), min(map(_X0, r)), max(map(_X1, r)))
            for r, (t, b) in zip(rows, extents)]


# a line with two number words holds a digit, white space, a digit (most lines do not: one search)
_TWO_DIGIT_WORDS = re.compile(r"\d.*\s.*\d", re.S)


def count_numeric(texts) -> int:
    """Given line texts, return how many hold at least two number words (`PDF_NUMBER`)."""
    return sum(1 for t in texts if _TWO_DIGIT_WORDS.search(t)
               and sum(1 for tok in t.split() if PDF_NUMBER.match(tok)) >= 2)


def numeric_lines(lines: list[Line]) -> int:
    """Given text lines, return how many hold at least two numbers (a table candidate's rows)."""
    return count_numeric([ln.text for ln in lines])
