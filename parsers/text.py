"""Plain-text reports (copied from a web page or a Word file, or written by a scraper).

Recognized table layouts, each turned into the neutral grid:
  * tab cells: one cell per tab-prefixed line, rows separated by blank lines, in-cell line
    breaks as following lines without the tab (Word/WPS copies);
  * tab rows: one row per line, cells separated by tabs;
  * Markdown pipe tables;
  * whitespace-aligned columns (`pdftotext -layout`), columns recovered from character
    positions so that rows with blank cells still land in the right columns;
  * cell dumps: one cell per line with no row separators (a scraper's flattening of a web
    table); emitted as a one-column table for the pipeline to re-flow.
Everything else is paragraphs, one per line.
"""
from __future__ import annotations

import bisect
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

import regex

from .contract import Source, read_bytes, source_size
from .encoding import decode
from .layout_place import place_row
from .model import Cell, Document, Paragraph, ReadError, SourcePos, Table
from .shapes import LAYOUT_NUMBER

MAX_BYTES = 16 * 1024 * 1024  # a report's text is well under 1 MB; larger input is refused, not read

_MD_SEP = regex.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMERIC = LAYOUT_NUMBER   # a table token: a number or a filler, as printed (see parsers.shapes)
_LAYOUT_TOKEN = regex.compile(r"\S+(?: \S+)*")
_MD_CELL_BAR = regex.compile(r"(?<!\\)\|")        # a cell boundary: a bar not escaped
_HAN = regex.compile(r"\p{Han}")
_WIDE_GAP = regex.compile(r"\S {2,}\S")              # two tokens two or more spaces apart


def read(source: Source) -> Document:
    """Given a text file (path or bytes), return its Document."""
    # read no more than the file holds (a read of MAX_BYTES + 1 reserves that much memory first)
    limit = min(source_size(source), MAX_BYTES) + 1
    data = read_bytes(source, limit)
    if len(data) == limit and limit <= MAX_BYTES:      # the file grew since: read it as before
        data = read_bytes(source, MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ReadError(f"text file larger than {MAX_BYTES // (1024 * 1024)} MB (a report's text is well under 1 MB)")
    text, _ = decode(data)
    return parse_text(text)


def source_text(text: str) -> str:
    """Decoded file text with its line ends made `\n`: the text positions (SourcePos) count in."""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def parse_text(text: str) -> Document:
    text = source_text(text)
    pages = text.split("\f")
    doc = Document(format="text", pages=len(pages) if len(pages) > 1 else None)
    line_no, col0 = 1, 0   # file line and column where the page starts
    for pno, page in enumerate(pages, start=1):
        page_lines = page.split("\n")
        for block, i, j in _blocks(page_lines):
            locate(block, page_lines, i, j, line_no, col0)
            if len(pages) > 1:
                block.page = pno
                if isinstance(block, Table):
                    for c in block.cells:
                        c.page = pno
            doc.blocks.append(block)
        line_no += len(page_lines) - 1
        col0 = (col0 if len(page_lines) == 1 else 0) + len(page_lines[-1]) + 1   # after the \f
    return doc


def _value_at(line: str, piece: str, start: int) -> int:
    """Offset of `piece` as a whole token (not part of a longer number or label) from `start`; -1 if none."""
    k = line.find(piece, start)
    while k >= 0:
        before = line[k - 1] if k else " "
        after = line[k + len(piece)] if k + len(piece) < len(line) else " "
        if not (before.isalnum() or before in ".,，．") and not (after.isalnum() or after in ".,，．、"):
            return k
        k = line.find(piece, k + 1)
    return -1


_READING_ORDER = attrgetter("row", "col")
#: SourcePos(line, start, end) made as the named tuple's own __new__ makes it, without the call
#: to that Python-level __new__ (a reader locates every cell and paragraph: a third of the cost)
_new_tuple = tuple.__new__


def locate(block, lines: list[str], i: int, j: int, line_no: int, col0: int) -> None:
    """Set the source position of a block read from lines[i:j] of a page (page line 0 is file
    line `line_no`, starting at column `col0`): cells are found in reading order, each after
    the one before, numbers only as whole tokens."""
    if isinstance(block, Paragraph):
        line = lines[i]
        a = line.find(block.text)
        if a >= 0:
            shift = col0 if i == 0 else 0     # page line 0 starts at column col0
            block.pos = _new_tuple(SourcePos, (line_no + i, a + shift, a + len(block.text) + shift, None, None, None))
        return
    li, at = i, 0
    for c in sorted(block.cells, key=_READING_ORDER):
        text = c.text
        piece = (text[:text.index("\n")] if "\n" in text else text).strip()
        if not piece:
            continue
        numeric = _is_numeric(piece)
        for k in range(li, j):
            start = at if k == li else 0
            a = _value_at(lines[k], piece, start) if numeric else lines[k].find(piece, start)
            if a >= 0:
                shift = col0 if k == 0 else 0
                c.pos = _new_tuple(SourcePos, (line_no + k, a + shift, a + len(piece) + shift, None, None, None))
                li, at = k, a + len(piece)
                break


@lru_cache(maxsize=16384)
def _is_numeric(s: str) -> bool:
    return bool(_NUMERIC.match(s.strip()))


def _blocks(lines: list[str]):
    """(block, first line, end line) for every block of a page's lines."""
    i, n = 0, len(lines)
    numbers_ahead = _numbers_ahead(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("|"):
            j = i
            while j < n and lines[j].strip().startswith("|"):
                j += 1
            yield _markdown(lines[i:j]), i, j
            i = j
            continue
        if "\t" in line:
            j = _tab_region_end(lines, i)
            for table in _tab_region(lines[i:j]):
                yield table, i, j
            i = j
            continue
        j = _layout_region_end(lines, i)
        if j > i:
            for a, b in _header_segments(lines, i, j):
                yield _layout(lines[a:b]), a, b
            i = j
            continue
        j = _dump_region_end(lines, i) if numbers_ahead[i] >= _DUMP_MIN_NUMBERS else i
        if j > i:
            yield _dump(lines[i:j]), i, j
            i = j
            continue
        yield Paragraph(stripped), i, i + 1
        i += 1


# ---------------------------------------------------------------- markdown
def _md_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    parts = _MD_CELL_BAR.split(s) if "\\" in s else s.split("|")    # no bar is escaped without a backslash
    return [p.replace("\\|", "|").replace("<br>", "\n").replace("<br/>", "\n").strip() for p in parts]


def _markdown(lines: list[str]) -> Table:
    # a separator line holds "--" (the test first: most lines are not separators)
    rows = [_md_cells(l) for l in lines if not ("--" in l and _MD_SEP.match(l.strip()))]
    return Table.from_rows(rows)


# ---------------------------------------------------------------- tab layouts
def _tab_region_end(lines: list[str], i: int) -> int:
    """A tab region runs over tab lines, blank lines and continuation lines (no tab, right
    after a tab line); it ends at a non-tab line that follows a blank line."""
    n = len(lines)
    j = i
    last_tab = i
    continuing = True    # every line after the last tab line, up to the previous line, is non-blank (no tab)
    while j < n:
        line = lines[j]
        if "\t" in line:
            last_tab, continuing = j, True
            j += 1
            continue
        if line.strip() and not (j > 0 and lines[j - 1].strip() and ("\t" in lines[j - 1] or j - 1 > last_tab and continuing)):
            break
        continuing = continuing and bool(line.strip())
        j += 1
    return last_tab + 1 + _trailing_continuations(lines, last_tab + 1)


def _trailing_continuations(lines: list[str], j: int) -> int:
    k = 0
    while j + k < len(lines) and lines[j + k].strip() and "\t" not in lines[j + k]:
        k += 1
    return k


def _tab_region(lines: list[str]):
    """Decide between one-cell-per-line (Word copy) and one-row-per-line (TSV)."""
    tab_lines = [l for l in lines if "\t" in l]
    one_cell = all(l.startswith("\t") and l.count("\t") == 1 for l in tab_lines)
    if one_cell:
        yield _tab_cells(lines)
    else:
        rows = []
        for l in lines:
            if not l.strip():
                continue
            if "\t" in l:
                rows.append([c.strip() for c in l.split("\t")])
            else:
                # a line without a tab is a row of one cell (a caption, a heading), or the rest
                # of a label broken by an in-cell line break; the pipeline rejoins the latter
                rows.append([l.strip()])
        yield Table.from_rows(rows)


def _tab_cells(lines: list[str]) -> Table:
    rows: list[list[str]] = []
    current: list[str] | None = None
    for l in lines:
        if not l.strip() and "\t" not in l:
            if current is not None:
                rows.append(current)
                current = None
            continue
        if l.startswith("\t"):
            if current is None:
                current = []
            current.append(l[1:].strip())
        elif current:
            current[-1] = (current[-1] + "\n" + l.strip()).strip()
        else:
            current = [l.strip()]
    if current is not None:
        rows.append(current)
    return Table.from_rows(rows)


def _foreign(line: str) -> bool:
    """A line that belongs to a tab or Markdown layout, which ends any other region."""
    return "\t" in line or line.strip().startswith("|")


# ---------------------------------------------------------------- pdftotext -layout
@lru_cache(maxsize=16384)
def _tokens(line: str) -> tuple[tuple[int, int, str], ...]:
    out = []
    for m in _LAYOUT_TOKEN.finditer(line):
        text = m.group()
        parts = text.split(" ")
        if len(parts) > 1 and all(_is_numeric(p) for p in parts):
            pos = m.start()
            for p in parts:
                out.append((pos, pos + len(p), p))
                pos += len(p) + 1
        else:
            out.append((m.start(), m.end(), text))
    return tuple(out)   # cached: never to be changed by a caller


@lru_cache(maxsize=16384)
def _cell_tokens(line: str) -> tuple[tuple[int, int, str], ...]:
    """The tokens of a line inside a whitespace table: a label that fills its column, one space
    from the row's first numbers ("其他对外管理服务 0"), is split from them."""
    out = []
    for a, b, text in _tokens(line):
        parts = text.split(" ")
        if len(parts) > 1 and _is_numeric(parts[-1]) and _HAN.search(parts[0]):
            k = len(parts) - 1
            while k > 1 and _is_numeric(parts[k - 1]):
                k -= 1
            head = " ".join(parts[:k])
            out.append((a, a + len(head), head))
            pos = a + len(head) + 1
            for p in parts[k:]:
                out.append((pos, pos + len(p), p))
                pos += len(p) + 1
        else:
            out.append((a, b, text))
    return tuple(out)


@lru_cache(maxsize=16384)
def _is_layout_row(line: str) -> bool:
    """A line with at least two tokens separated by two or more spaces and a numeric token."""
    toks = _tokens(line)
    return len(toks) >= 2 and any(_is_numeric(t[2]) for t in toks)


def _layout_region_end(lines: list[str], i: int) -> int:
    """A whitespace table runs over numeric rows, header lines and short label lines (a row
    whose cells are all blank prints only its label); it ends at a long prose line, at a
    heading standing alone between blank lines, or after several blank lines."""
    if not _is_layout_row(lines[i]) and not ("  " in lines[i] and _WIDE_GAP.search(lines[i])):   # no match without "  "
        return i
    j = i
    blanks = 0
    end = i
    rows = 0
    while j < len(lines):
        line = lines[j]
        stripped = line.strip()
        if _foreign(line):
            break
        if _is_layout_row(line):
            rows += 1 if sum(_is_numeric(t[2]) for t in _tokens(line)) < 3 else 2
            end, blanks = j + 1, 0
        elif len(_tokens(line)) >= 2:
            blanks = 0         # a header line: several tokens, no number
        elif not stripped:
            blanks += 1
            if blanks > 3:
                break
        elif len(stripped) > 40 and not any(_is_layout_row(x) for x in lines[j + 1:j + 6]):
            break              # prose; a long label line is followed by the table's next rows
        elif blanks and len(stripped) >= 8 and (j + 1 >= len(lines) or not lines[j + 1].strip()):
            break              # a heading standing alone between blank lines ends the table
        else:
            if not blanks:
                end = j + 1    # a label line right under the table's rows belongs to it
            blanks = 0
        j += 1
    return end if rows >= 2 else i


def _columns(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping character intervals into column spans, left to right."""
    spans: list[list[int]] = []
    for a, b in sorted(intervals):
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def _merge_wandering(cols: list[tuple[int, int]], toks) -> list[tuple[int, int]]:
    """Join neighbouring columns a few characters apart that no line fills both of: one
    column whose numbers `pdftotext` placed a little left or right from row to row. Left to
    right, a merged column is filled by the lines that fill any of its parts (linear time:
    a token finds its columns by bisection)."""
    ends = [cb for _, cb in cols]
    filled: list[set[int]] = [set() for _ in cols]  # column -> lines with a number in it
    for r, row in enumerate(toks):
        for a, b, t in row:
            if _is_numeric(t):
                k = bisect.bisect_right(ends, a)  # the first column ending right of the token's start
                while k < len(cols) and cols[k][0] < b:
                    filled[k].add(r)
                    k += 1
    out: list[tuple[int, int]] = []
    group: set[int] = set()
    for k, (a, b) in enumerate(cols):
        if out and a - out[-1][1] <= 3 and not (group & filled[k]):
            out[-1] = (out[-1][0], max(out[-1][1], b))
            group |= filled[k]
        else:
            out.append((a, b))
            group = set(filled[k])
    return out


def _with_header_columns(cols: list[tuple[int, int]], toks) -> list[tuple[int, int]]:
    """Add columns that no row fills with a number but a header label marks: a header token
    right of the label area, clear of every numeric column by most of the column pitch."""
    if len(cols) < 2:
        return cols
    pitch = min(b2 - b1 for (_, b1), (_, b2) in zip(cols, cols[1:]))
    left = cols[0][0]
    # the label area ends where the row labels of numeric rows end
    label_right = max((b for row in toks if any(_is_numeric(t) for _, _, t in row)
                       for a, b, t in row if not _is_numeric(t) and a < left), default=0)
    extra = []
    for row in toks:
        for a, b, t in row:
            if _is_numeric(t) or a <= label_right + 2 or b - a > pitch:
                continue
            d = min(0.4 * pitch, 2)
            if all(b < ca - d or a > cb + d for ca, cb in cols + extra):
                extra.append((a, b))
    return sorted(cols + extra)


def _order_columns(toks, cols: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """When a row prints more numbers than the columns found from positions (rows compacted
    differently ran the spans together), the columns are taken by order from the rows that
    print the most numbers: column k spans the k-th number of each of them."""
    counts = [sum(1 for _, _, t in row if _is_numeric(t)) for row in toks]
    most = max(counts, default=0)
    if most <= len(cols):
        return cols
    full = [[(a, b) for a, b, t in row if _is_numeric(t)] for row, n in zip(toks, counts) if n == most]
    return [(min(r[k][0] for r in full), max(r[k][1] for r in full)) for k in range(most)]


def _nearest_column(cols: list[tuple[int, int]], starts: list[int], a: int, b: int) -> int:
    """The column a token (a, b) overlaps most, else the one nearest to its centre."""
    k = bisect.bisect_right(starts, b)
    near = range(max(0, k - 3), min(len(cols), k + 2))
    return min(near, key=lambda j: (-(min(b, cols[j][1]) - max(a, cols[j][0])),
                                    abs((a + b) / 2 - (cols[j][0] + cols[j][1]) / 2)))


def _header_segments(lines: list[str], i: int, j: int) -> list[tuple[int, int]]:
    """A whitespace region cut before each run of header lines that follows value rows: a
    header printed again (a new page, the next small table, another table's header repeated)
    starts a block whose columns are found from its own lines. A header line prints no number
    and has two or more tokens over the value columns of the rows above it (label lines that
    wrap stay in the label area)."""
    out = []
    start, value_left, run_start = i, None, None
    for k in range(i, j):
        toks = _tokens(lines[k])
        nums = [a for a, _, t in toks if _is_numeric(t)]
        if nums:
            if run_start is not None and value_left is not None and k - run_start >= 1:
                out.append((start, run_start))
                start, value_left = run_start, None
            run_start = None
            value_left = min(nums) if value_left is None else min(value_left, min(nums))
        elif value_left is not None and sum(1 for a, _, _ in toks if a >= value_left - 1) >= 2:
            run_start = k if run_start is None else run_start
        elif run_start is not None and toks and len(toks) == 1:
            pass           # a title line inside a run of headers ("行政复议")
        elif toks:
            run_start = None
    out.append((start, j))
    return [(a, b) for a, b in out if b > a]


def _wrapped_number_rows(rows) -> dict[int, str]:
    """Rows whose numbers may continue on the next line: a line of numbers only, fewer than the
    line above, each right under a number of that line ("40   11" over "     6": 116 wrapped in a
    narrow cell). Both lines are returned with the reason (row index → reason)."""
    out: dict[int, str] = {}
    for k in range(1, len(rows)):
        above, here = rows[k - 1], rows[k]
        nums_above = [(a, b, t) for a, b, t in above if _is_numeric(t)]
        if not here or len(here) >= len(nums_above) or not all(_is_numeric(t) for _, _, t in here):
            continue
        under = [next((t2 for a2, b2, t2 in nums_above if a <= b2 + 1 and b >= a2 - 1), None) for a, b, t in here]
        if all(under):
            why = ("a number may continue on the next line (" + ", ".join(
                f"{u} / {t}" for u, (_, _, t) in zip(under, here)) + ")")
            out[k - 1] = out[k] = why
    return out


def _layout(lines: list[str]) -> Table:
    toks = [_cell_tokens(l) for l in lines]
    numeric = [(a, b) for row in toks for (a, b, t) in row if _is_numeric(t)]
    cols = _with_header_columns(_merge_wandering(_columns(numeric), toks), toks)
    cols = _order_columns(toks, cols)
    left = cols[0][0] if cols else 10 ** 9
    n_label = max((sum(1 for (a, b, t) in row if b <= left and not _is_numeric(t)) for row in toks), default=0)
    grid = _Grid(cols, [ca for ca, _ in cols], left, max(n_label, 1))
    cells: list[Cell] = []
    doubts: dict[int, str] = {}
    ordered: set[int] = set()
    rows = [row for row in toks if row]
    wrapped = _wrapped_number_rows(rows)
    for r, row in enumerate(rows):
        row_cells, doubt, in_order = _row_cells(row, r, grid)
        cells += row_cells
        if r in wrapped or doubt:
            doubts[r] = wrapped.get(r) or doubt
            if in_order and r not in wrapped:
                ordered.add(r)
    # merge label cells that landed on the same column
    merged: dict[tuple[int, int], Cell] = {}
    for c in cells:
        key = (c.row, c.col)
        if key in merged:
            merged[key].text += " " + c.text
        else:
            merged[key] = c
    # a blank cell leaves no trace in the text: restore it on rows that print numbers
    value_rows = {c.row for c in merged.values() if c.col >= grid.n_label and _is_numeric(c.text)}
    for r in value_rows:
        for k in range(len(cols)):
            merged.setdefault((r, grid.n_label + k), Cell("", r, grid.n_label + k))
    return Table(cells=list(merged.values()), doubts=doubts, ordered=ordered, positional=True)


class _Grid(NamedTuple):
    cols: list[tuple[int, int]]   # value column spans
    starts: list[int]             # their starts, for bisection
    left: int                     # where the value columns begin
    n_label: int                  # label columns before them


def _row_cells(row, r: int, grid: _Grid) -> tuple[list[Cell], str, bool]:
    """The cells of one whitespace row: label text, then each number in its own column (by
    layout_place.place_row). Returns (cells, why the numbers' columns are uncertain or "",
    whether each number is still one cell in printed order)."""
    cols, starts, left, n_label = grid
    nums = [tok for tok in row if _is_numeric(tok[2])]
    where, why = place_row(cols, [(a, b) for a, b, _ in nums],
                           [_nearest_column(cols, starts, a, b) for a, b, _ in nums])
    doubt, in_order = "", True
    if where is None:
        doubt = f"{why}: {' | '.join(t for _, _, t in nums)}"
        where = list(range(len(nums)))   # kept in order for the log; the pipeline leaves them out
    num_col = dict(zip(map(id, nums), where))
    first_num = nums[0][0] if nums else None
    out: list[Cell] = []
    placed: dict[int, Cell] = {}
    label_i = 0
    for tok in row:
        a, b, t = tok
        # label text: left of the value columns, or before the row's first number (rows
        # compacted differently from the others push their label past the columns' start)
        if not _is_numeric(t) and (b <= left or first_num is not None and a < first_num):
            out.append(Cell(t, r, min(label_i, n_label - 1)))
            label_i += 1
            continue
        col = n_label + (num_col[id(tok)] if id(tok) in num_col else _nearest_column(cols, starts, a, b))
        if col in placed and id(tok) in num_col and _is_numeric(placed[col].text):
            doubt = doubt or f"two numbers in one column: {' | '.join(t for _, _, t in nums)}"
            in_order = False
        if col in placed:
            placed[col].text += " " + t
        else:
            placed[col] = Cell(t, r, col)
            out.append(placed[col])
    return out, doubt, in_order


# ---------------------------------------------------------------- one cell per line
_DUMP_MIN_NUMBERS = 5      # bare numbers a one-cell-per-line region needs


def _ends_dump(line: str, s: str) -> bool:
    """A line no one-cell-per-line region runs over (`s`: the line stripped)."""
    return len(s) > 80 or (s.endswith("。") and len(s) > 30) or _foreign(line)


def _numbers_ahead(lines: list[str]) -> list[int]:
    """For each line, the bare numbers between it and the next line that ends any one-cell-per-line
    region: fewer than _DUMP_MIN_NUMBERS and no region can start there, so a page of prose is not
    rescanned from every line (the scan of _dump_region_end stops at that line or sooner)."""
    out = [0] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):
        line = lines[j]
        s = line.strip()
        # _ends_dump(line, s), inlined (this runs on every line of every page)
        ends = len(s) > 80 or (s.endswith("。") and len(s) > 30) or "\t" in line or s.startswith("|")
        # _could_be_number(s), inlined too
        out[j] = 0 if ends else out[j + 1] + (bool(s) and (len(s) == 1 or not "\u3400" <= s[0] <= "\u9fff")
                                              and _is_numeric(s))
    return out


def _could_be_number(s: str) -> bool:
    """A cheap necessary test of `_is_numeric` for a stripped line: a number starts with a sign,
    a digit or a separator, never with an ideograph (U+3400–U+9FFF: most prose lines), and a
    filler is one character; so a prose line is not hashed into the cache for nothing."""
    return bool(s) and (len(s) == 1 or not "\u3400" <= s[0] <= "\u9fff")


def _dump_region_end(lines: list[str], i: int) -> int:
    """A run of short lines, many of them bare numbers: a web table flattened cell by cell.
    Empty lines inside it are empty cells; a long stretch of text without numbers ends it."""
    j = i
    numeric = 0
    last_numeric = i
    text_since = 0
    while j < len(lines):
        s = lines[j].strip()
        if _ends_dump(lines[j], s):
            break
        if _is_numeric(s):
            numeric += 1
            last_numeric = j
            text_since = 0
        elif s:
            text_since += 1
            if text_since > 40 and numeric:
                break
        j += 1
    if numeric < _DUMP_MIN_NUMBERS:
        return i
    end = last_numeric + 1
    # the cells after the last number: blank cells of the last row, nothing longer
    k = end
    while k < len(lines) and k < end + 8 and not lines[k].strip():
        k += 1
    return k


def _dump(lines: list[str]) -> Table:
    return Table.from_rows([[l.strip()] for l in lines])
