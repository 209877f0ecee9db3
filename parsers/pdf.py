"""PDF reader: exact table grids from text-layer PDFs, without a full layout pass per page.

Steps, each a small pure function (pdfplumber's shape: objects → edges → cells → tables):

1. `_open`: pypdfium2 opens the file; encrypted, corrupt and truncated files become a
   one-line `ReadError`.
2. Fast pass over every page (pdfium's text page, C speed): the page text, whether its glyphs
   decode, and whether it looks like it holds a table (lines with several numbers, ruling
   lines). Prose pages become `Paragraph` blocks straight from this pass.
3. Table pages only: characters and ruling edges are read from pdfium objects (no pdfminer
   interpretation, which is what makes plain pdfplumber slow), then pdfplumber's own table
   algorithm (`TableFinder`: merge edges → intersections → cells → tables) finds the cells.
   Pages without ruling lines fall back to a grid from word positions (`_word_grid`): value
   rows and columns from the numbers, label and header blocks placed around them, empty cells kept.
4. Cells get their text (lines joined with "\\n", fake-bold doubles dropped, radical code
   points repaired) and a grid position from the distinct cell edges; spans follow.
5. A table that ends a page and a table that starts the next page with compatible column
   edges are one table: joined on geometry, repeated header rows dropped, cells cut by the
   page break merged again.

The reader knows nothing of the report template: only geometry and text.
"""
from __future__ import annotations

import bisect
import ctypes
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from .glyphs import repair_chars
from .model import Cell, Document, Paragraph, ReadError, Table
from .shapes import ENUM_MARK, PAGE_NUMBER, PDF_NUMBER, PDF_VALUE_WORD, is_bad_glyph

__all__ = ["read", "page_tables", "PageTable"]

# ---------------------------------------------------------------- tunables (PDF points)
EDGE_MAX_THICKNESS = 3.0     # a filled rect thinner than this is a ruling line
SNAP_SAME_PAGE = 1.0         # cell edges closer than this are one grid line
SNAP_CROSS_PAGE = 4.0        # column edges of a continuation may move this much
MIN_TABLE_LINES = 3          # lines with ≥2 numbers that make a page a table candidate
MIN_RULING_EDGES = 6         # or this many ruling segments
BAD_GLYPH_SHARE = 0.3        # share of undecodable glyphs that makes a page unusable

_NUM_TOKEN = PDF_NUMBER
_PAGE_NUMBER = PAGE_NUMBER


# ---------------------------------------------------------------- glyph repair
_repair = repair_chars
_bad_glyph = is_bad_glyph


# ---------------------------------------------------------------- open
def _open(path: str):
    """pdfium document, or a ReadError that says why not."""
    import pypdfium2 as pdfium

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(1024)
        f.seek(max(0, size - 1024))
        tail = f.read()
    if b"%PDF" not in head:
        raise ReadError("corrupt: not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail:
        raise ReadError("truncated: PDF ends without its end-of-file marker (%%EOF)")
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise ReadError("encrypted: PDF needs a password to open") from None
        if "format" in msg or "data" in msg:
            raise ReadError("corrupt: PDF structure cannot be parsed") from None
        raise ReadError(f"corrupt: PDF cannot be opened ({str(e).strip()})") from None


# ---------------------------------------------------------------- fast pass
@dataclass
class PageScan:
    """What the fast pass learns of one page."""
    number: int                       # 1-based
    lines: list[str]
    n_chars: int = 0
    n_bad: int = 0
    n_images: int = 0
    n_rulings: int = 0
    numeric_lines: int = 0

    @property
    def has_text(self) -> bool:
        return self.n_chars > 0

    @property
    def undecodable(self) -> bool:
        return self.n_chars > 0 and self.n_bad > BAD_GLYPH_SHARE * self.n_chars

    @property
    def table_like(self) -> bool:
        return self.numeric_lines >= MIN_TABLE_LINES or self.n_rulings >= MIN_RULING_EDGES


def _scan_page(page, textpage, number: int) -> PageScan:
    import pypdfium2.raw as raw

    text = textpage.get_text_range() if textpage.count_chars() else ""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    scan = PageScan(number=number, lines=lines)
    n = textpage.count_chars()
    for i in range(n):
        if raw.FPDFText_IsGenerated(textpage.raw, i):
            continue
        u = raw.FPDFText_GetUnicode(textpage.raw, i)
        if u in (32, 13, 10, 9):
            continue
        scan.n_chars += 1
        if raw.FPDFText_HasUnicodeMapError(textpage.raw, i) == 1 or _bad_glyph(chr(u) if u < 0x110000 else "\ufffd"):
            scan.n_bad += 1
    for ln in lines:
        if sum(1 for tok in ln.split() if _NUM_TOKEN.match(tok)) >= 2:
            scan.numeric_lines += 1
    for obj_type, *_ in _page_objects(page, shallow=True):
        if obj_type == raw.FPDF_PAGEOBJ_IMAGE:
            scan.n_images += 1
        elif obj_type == raw.FPDF_PAGEOBJ_PATH:
            scan.n_rulings += 1
    return scan


def _page_objects(page, shallow: bool = False):
    """(type, raw object, matrix) of every page object, descending into form XObjects with the
    composed matrix; `shallow` skips the matrix work for counting."""
    import pypdfium2.raw as raw

    def walk(count, get, parent):
        for i in range(count):
            obj = get(i)
            t = raw.FPDFPageObj_GetType(obj)
            if shallow:
                m = None
            else:
                fm = raw.FS_MATRIX()
                raw.FPDFPageObj_GetMatrix(obj, fm)
                m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)
            if t == raw.FPDF_PAGEOBJ_FORM:
                yield from walk(raw.FPDFFormObj_CountObjects(obj),
                                lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j), m)
            else:
                yield t, obj, m

    yield from walk(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i),
                    (1, 0, 0, 1, 0, 0))


def _mul(m, n):
    """Matrix product m·n of PDF matrices (a b c d e f): apply m, then n."""
    if n is None or m is None:
        return None
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


# ---------------------------------------------------------------- objects: chars and edges
def _chars(textpage, page_h: float) -> list[dict]:
    """Real (not generated) characters with pdfplumber-style boxes (top measured from the page top)."""
    import pypdfium2.raw as raw

    out = []
    box = raw.FS_RECTF()
    for i in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage.raw, i):
            continue
        u = raw.FPDFText_GetUnicode(textpage.raw, i)
        if u in (13, 10) or u >= 0x110000:
            continue
        ch = chr(u)
        if not raw.FPDFText_GetLooseCharBox(textpage.raw, i, box):
            continue
        x0, x1 = box.left, box.right
        top, bottom = page_h - box.top, page_h - box.bottom
        if ch == " " or x1 - x0 <= 0:
            continue
        out.append({"i": i, "text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                    "upright": True, "size": round(bottom - top, 1),
                    "bad": raw.FPDFText_HasUnicodeMapError(textpage.raw, i) == 1 or _bad_glyph(ch)})
    return _dedupe(out)


def _dedupe(chars: list[dict], tol: float = 1.0) -> list[dict]:
    """Drop fake-bold doubles: the same glyph printed again within `tol` points (what pdfplumber's
    dedupe_chars does, in O(n log n))."""
    kept: list[dict] = []
    seen: dict[tuple, list[dict]] = {}
    for c in chars:
        key = (c["text"], c["size"])
        twins = seen.setdefault(key, [])
        if any(abs(o["top"] - c["top"]) <= tol and abs(o["x0"] - c["x0"]) <= tol for o in twins[-8:]):
            continue
        twins.append(c)
        kept.append(c)
    return kept


def _edges(page, page_h: float) -> list[dict]:
    """Horizontal and vertical ruling edges from path objects (lines, thin rects, rect outlines),
    in pdfplumber's edge dict shape."""
    import pypdfium2.raw as raw

    out: list[dict] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for t, obj, m in _page_objects(page):
        if t != raw.FPDF_PAGEOBJ_PATH:
            continue
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
        if not fill.value and not stroke.value:
            continue
        subpaths: list[list[tuple[float, float]]] = []
        for i in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, i)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            px, py = _apply(m, x.value, y.value)
            pt = (px, page_h - py)
            if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO or not subpaths:
                subpaths.append([pt])
            else:
                subpaths[-1].append(pt)
            if raw.FPDFPathSegment_GetClose(seg) and subpaths[-1][0] != pt:
                subpaths[-1].append(subpaths[-1][0])
        for pts in subpaths:
            out.extend(_subpath_edges(pts, bool(fill.value)))
    return out


def _close_frames(edges: list[dict]) -> list[dict]:
    """A table cut by a page break may be printed without its bottom (or, on the next page, its
    top) rule (Chromium does this): where the lowest vertical rules end, or the highest begin,
    below (above) every horizontal rule, draw the missing one across them."""
    vs = [e for e in edges if e["orientation"] == "v" and e["height"] > 2]
    hs = [e for e in edges if e["orientation"] == "h"]
    if len(vs) < 2:
        return edges
    out = list(edges)
    for end, sign in (("bottom", 1), ("top", -1)):
        y = max(e[end] * sign for e in vs) * sign
        ends = [e for e in vs if abs(e[end] - y) <= 1.0]
        if len(ends) < 2:
            continue
        x0, x1 = min(e["x0"] for e in ends), max(e["x0"] for e in ends)
        covered = any(abs(e["top"] - y) <= 2.0 and e["x0"] <= x0 + 2 and e["x1"] >= x1 - 2 for e in hs)
        if not covered:
            out.append(_edge("h", x0, x1, y, y))
    return out


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _subpath_edges(pts: list[tuple[float, float]], filled: bool) -> list[dict]:
    """A filled sliver is one ruling line along its long side; otherwise every axis-parallel
    segment is an edge (a rectangle gives its four sides, as pdfplumber does)."""
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    if filled and len(pts) >= 4:
        w, h = x1 - x0, bottom - top
        if h <= EDGE_MAX_THICKNESS and w > h:
            return [_edge("h", x0, x1, (top + bottom) / 2, (top + bottom) / 2)]
        if w <= EDGE_MAX_THICKNESS and h > w:
            return [_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, top, bottom)]
    out = []
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        if abs(ay - by) < 0.5 and abs(ax - bx) >= 0.5:
            out.append(_edge("h", min(ax, bx), max(ax, bx), ay, ay))
        elif abs(ax - bx) < 0.5 and abs(ay - by) >= 0.5:
            out.append(_edge("v", ax, ax, min(ay, by), max(ay, by)))
    return out


def _edge(orientation, x0, x1, top, bottom) -> dict:
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}


# ---------------------------------------------------------------- cells (pdfplumber's algorithm)
class _PageShim:
    """Just enough of a pdfplumber Page for TableFinder: edges, bbox and words."""

    def __init__(self, width, height, edges, chars):
        self.bbox = (0, 0, width, height)
        self.edges = edges
        self.chars = chars

    def extract_words(self, **kw):
        from pdfplumber.utils.text import WordExtractor
        return WordExtractor(**kw).extract_words(self.chars)


def _find_cell_groups(shim: _PageShim) -> list[list[tuple]]:
    """Cell bboxes (x0, top, x1, bottom) of each ruled table pdfplumber finds on the page."""
    from pdfplumber.table import TableFinder

    finder = TableFinder(shim, {"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    return [list(t.cells) for t in finder.tables]


def _cell_text(chars: list[dict]) -> str:
    """Characters of one cell in reading order: lines by position joined with "\\n"; a space only
    where a visible gap separates glyphs (as pdfplumber's x_tolerance=3 does)."""
    if not chars:
        return ""
    lines: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        mid = (c["top"] + c["bottom"]) / 2
        if lines:
            last = lines[-1]
            ref = sum((o["top"] + o["bottom"]) / 2 for o in last) / len(last)
            if abs(mid - ref) <= max(2.0, 0.4 * (c["bottom"] - c["top"])):
                last.append(c)
                continue
        lines.append([c])
    out = []
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
        s = ln[0]["text"]
        for a, b in zip(ln, ln[1:]):
            if b["x0"] - a["x1"] > 3:
                s += " "
            s += b["text"]
        out.append(s)
    return _repair("\n".join(out))


# ---------------------------------------------------------------- one page → segments
@dataclass
class PageTable:
    """A table as found on one page: cells with text and bbox, before any joining."""
    page: int
    cells: list[tuple[tuple[float, float, float, float], str]]
    bbox: tuple[float, float, float, float]
    strategy: str = "lines"

    def grid(self) -> list[list[Optional[str]]]:
        """Rows × columns of texts, None where a merged cell covers the position (extract_tables' shape)."""
        t = _grid([_Piece(self.page, b, s, 0.0) for b, s in self.cells])
        out = [[None] * t.n_cols for _ in range(t.n_rows)]
        for c in t.cells:
            out[c.row][c.col] = c.text
        return out


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    text: str
    x0: Optional[float] = None
    x1: Optional[float] = None


def _analyse_page(page, textpage, number: int) -> tuple[list, list[str]]:
    """Tables and the text lines outside them, in top-to-bottom order, plus warnings."""
    w, h = page.get_size()
    chars = _chars(textpage, h)
    warnings: list[str] = []
    shim = _PageShim(w, h, _close_frames(_edges(page, h)), chars)
    tables = _tables_from(shim, chars, number)
    if not tables and _numeric_line_count(chars) >= MIN_TABLE_LINES:
        tables = _word_tables(textpage, chars, w, h, number)
        if tables:
            warnings.append(f"page {number}: table without ruling lines, grid from word positions")
    inside = [False] * len(chars)
    for t in tables:
        x0, top, x1, bottom = t.bbox
        for i, c in enumerate(chars):
            cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            if x0 <= cx <= x1 and top <= cy <= bottom:
                inside[i] = True
    free = [c for c, used in zip(chars, inside) if not used]
    lines = _text_lines(free, number)
    blocks: list = sorted(tables + lines, key=lambda b: b.bbox[1] if isinstance(b, PageTable) else b.top)
    return blocks, warnings


def _tables_from(shim: _PageShim, chars: list[dict], number: int) -> list[PageTable]:
    """Ruled tables of the page; unruled ones come from the word-position grid instead."""
    out = []
    for cells in _find_cell_groups(shim):
        xs = {round(c[0], 1) for c in cells} | {round(c[2], 1) for c in cells}
        ys = {round(c[1], 1) for c in cells} | {round(c[3], 1) for c in cells}
        if len(_cluster(xs, SNAP_SAME_PAGE)) < 3 or len(_cluster(ys, SNAP_SAME_PAGE)) < 2:
            continue   # a frame around prose, not a table: needs 2 columns (one row may be the end of a table)
        texts = _assign(cells, chars)
        x0 = min(c[0] for c in cells); top = min(c[1] for c in cells)
        x1 = max(c[2] for c in cells); bottom = max(c[3] for c in cells)
        out.append(PageTable(number, list(zip([tuple(c) for c in cells], texts)), (x0, top, x1, bottom), "lines"))
    return out


def _assign(cells: list[tuple], chars: list[dict]) -> list[str]:
    """Each char to the cell holding its centre; one pass over chars per row band."""
    buckets: list[list[dict]] = [[] for _ in cells]
    order = sorted(range(len(cells)), key=lambda i: (cells[i][1], cells[i][0]))
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        for i in order:
            x0, top, x1, bottom = cells[i]
            if top > cy:
                break
            if x0 <= cx <= x1 and cy <= bottom:
                buckets[i].append(c)
                break
    return [_cell_text(b) for b in buckets]


def _numeric_line_count(chars: list[dict]) -> int:
    return sum(1 for ln in _text_lines(chars, 0) if sum(1 for t in ln.text.split() if _NUM_TOKEN.match(t)) >= 2)


def _text_lines(chars: list[dict], number: int) -> list[_Line]:
    """Free text grouped into lines (by vertical overlap), each in x order."""
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows:
            last = rows[-1]
            top = min(o["top"] for o in last); bottom = max(o["bottom"] for o in last)
            mid = (c["top"] + c["bottom"]) / 2
            if top <= mid <= bottom:
                last.append(c)
                continue
        rows.append([c])
    out = []
    for r in rows:
        out.append(_Line(number, min(c["top"] for c in r), max(c["bottom"] for c in r), _cell_text(r).replace("\n", ""),
                         min(c["x0"] for c in r), max(c["x1"] for c in r)))
    return out


# ---------------------------------------------------------------- tables without ruling lines
# A printed value: a number (signs, separators, %, 元/万元) or a filler mark for zero/none.
_VALUE_WORD = PDF_VALUE_WORD
WORD_GAP = 0.6          # a horizontal gap wider than this many ems separates two words (cells)
CELL_LEADING = 0.6      # lines of one cell: vertical gap at most this many ems
REGION_GAP = 2.0        # a vertical gap wider than this many ems ends a table region
ANCHOR = 0.25           # a line belongs to a value row it overlaps by this share of its height
STRONG_ANCHOR = 0.6     # ... and is that row's own line when it overlaps it this much


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    em: float

    @property
    def value(self) -> bool:
        return bool(_VALUE_WORD.match(self.text))

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Block:
    """A cell's text: one word or several lines of words stacked in one column."""
    words: list
    row: Optional[int] = None        # value row it belongs to (None: a row without values)
    cols: tuple = ()                 # first and last grid column

    x0 = property(lambda s: min(w.x0 for w in s.words))
    x1 = property(lambda s: max(w.x1 for w in s.words))
    top = property(lambda s: min(w.top for w in s.words))
    bottom = property(lambda s: max(w.bottom for w in s.words))
    em = property(lambda s: max(w.em for w in s.words))

    @property
    def text(self) -> str:
        return "\n".join(w.text for w in self.words)


def _baseline(textpage, chars: list[dict], page_h: float) -> None:
    """Each char's baseline (from the page top): glyph boxes vary in height, baselines do not."""
    import pypdfium2.raw as raw
    x, y = ctypes.c_double(), ctypes.c_double()
    for c in chars:
        if "base" not in c:
            raw.FPDFText_GetCharOrigin(textpage.raw, c["i"], ctypes.byref(x), ctypes.byref(y))
            c["base"] = page_h - y.value


def _words(chars: list[dict]) -> list[_Word]:
    """Chars on one baseline, split into words where a gap wider than WORD_GAP ems opens."""
    out: list[_Word] = []
    lines: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: c["base"]):
        if lines and abs(c["base"] - lines[-1][0]["base"]) <= 0.25 * max(1.0, c["bottom"] - c["top"]):
            lines[-1].append(c)
        else:
            lines.append([c])
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
        heights = sorted(c["bottom"] - c["top"] for c in ln)
        em = heights[len(heights) // 2] or 1.0
        run = [ln[0]]
        for a, b in zip(ln, ln[1:]):
            if b["x0"] - a["x1"] > WORD_GAP * em:
                out.append(_word(run, em))
                run = []
            run.append(b)
        out.append(_word(run, em))
    return out


def _word(chars: list[dict], em: float) -> _Word:
    return _Word(_cell_text(chars), min(c["x0"] for c in chars), max(c["x1"] for c in chars),
                 min(c["top"] for c in chars), max(c["bottom"] for c in chars), em)


def _bands(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into horizontal bands: chains of vertically overlapping words."""
    bands: list[list[_Word]] = []
    bottom = None
    for w in sorted(words, key=lambda w: w.top):
        if bands and w.top < bottom - 0.1 * w.em:
            bands[-1].append(w)
            bottom = max(bottom, w.bottom)
        else:
            bands.append([w])
            bottom = w.bottom
    return bands


def _regions(words: list[_Word], page_w: float) -> list[list[list[_Word]]]:
    """Runs of bands that look like one table: bands of several words (cells side by side),
    with single-word bands of the same type size close above, between or below them (headings
    spanning the table, label lines of a cell). A wide single line is prose and ends a run."""
    bands = _bands(words)
    em = lambda b: sorted(w.em for w in b)[len(b) // 2]
    tab = [len(b) >= 2 for b in bands]
    out: list[list[list[_Word]]] = []
    i = 0
    while i < len(bands):
        if not tab[i]:
            i += 1
            continue
        size = em(bands[i])
        fits = lambda b: (abs(em(b) - size) <= 0.2 * size and max(w.x1 for w in b) - min(w.x0 for w in b) < 0.5 * page_w)
        gap = lambda a, b: min(w.top for w in b) - max(w.bottom for w in a)
        lo = i
        while lo > 0 and not tab[lo - 1] and fits(bands[lo - 1]) and gap(bands[lo - 1], bands[lo]) <= 1.2 * size \
                and (not out or lo - 1 > out[-1][1]):
            lo -= 1
        hi = i
        while hi + 1 < len(bands) and gap(bands[hi], bands[hi + 1]) <= (REGION_GAP if tab[hi + 1] else 1.2) * size \
                and (tab[hi + 1] or fits(bands[hi + 1])):
            hi += 1
        out.append((lo, hi))
        i = hi + 1
    nvals = lambda b: sum(1 for w in b if w.value)
    return [bands[lo:hi + 1] for lo, hi in out
            if sum(1 for b in bands[lo:hi + 1] if nvals(b) and len(b) >= 2) >= 2
            or any(nvals(b) >= 3 for b in bands[lo:hi + 1])]


def _overlap(a0, a1, b0, b1) -> float:
    return min(a1, b1) - max(a0, b0)


def _word_grid(region: list[list[_Word]]) -> tuple[list[tuple], list[str]]:
    """The grid of a ruling-free table from word positions: (cell boxes, texts) with spans,
    empty cells kept.

    Rows: value words on one line make a value row; text (label) lines that overlap a value row
    belong to it, the others (headers) form rows of their own by their top. Lines of one cell
    (close, overlapping in x, not anchored to two different value rows) are one block.
    Columns: value words overlapping in x across rows are one value column; a cluster of them
    that never shares a line with the columns either side is a cell spanning those columns.
    Text blocks, narrowest first, fall into the column they overlap, or span the columns they
    overlap, or open a column of their own (labels left of the values, headers of columns no
    row fills)."""
    words = [w for b in region for w in b]
    values = sorted((w for w in words if w.value), key=lambda w: w.cy)
    texts = [w for w in words if not w.value]
    # value rows
    vrows: list[list[_Word]] = []
    for w in values:
        if vrows and abs(w.cy - sum(v.cy for v in vrows[-1]) / len(vrows[-1])) <= 0.5 * w.em:
            vrows[-1].append(w)
        else:
            vrows.append([w])
    vspan = [(min(w.top for w in r), max(w.bottom for w in r)) for r in vrows]

    def anchors(top, bottom, share=ANCHOR) -> set:
        h = max(bottom - top, 1e-6)
        return {k for k, (a, b) in enumerate(vspan) if _overlap(top, bottom, a, b) > share * h}

    # blocks: lines of one cell stacked
    blocks: list[_Block] = []
    for w in sorted(texts, key=lambda w: (w.top, w.x0)):
        aw = anchors(w.top, w.bottom)
        home = None
        for b in blocks:
            last = b.words[-1]
            if not (0 - 0.3 * w.em <= w.top - last.bottom <= CELL_LEADING * w.em):
                continue
            if _overlap(w.x0, w.x1, last.x0, last.x1) <= 0:
                continue
            al = anchors(last.top, last.bottom)
            strong_w, strong_l = anchors(w.top, w.bottom, STRONG_ANCHOR), anchors(last.top, last.bottom, STRONG_ANCHOR)
            if strong_w and strong_l and not (strong_w & strong_l):
                continue     # each line the label of its own value row (rows printed without leading)
            if strong_w and not al:
                continue     # a header line above a value row
            home = b
            break
        if home:
            home.words.append(w)
        else:
            blocks.append(_Block([w]))
    for b in blocks:
        ov = [(_overlap(b.top, b.bottom, a, z), k) for k, (a, z) in enumerate(vspan)]
        best = max(ov, default=(0, None))
        b.row = best[1] if best[0] > 0 else None

    # value columns
    clusters: list[list] = []   # [x0, x1, words]
    for w in sorted(values, key=lambda w: w.x0):
        if clusters and w.x0 < clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], w.x1)
            clusters[-1][2].append(w)
        else:
            clusters.append([w.x0, w.x1, [w]])
    row_of = {id(w): k for k, r in enumerate(vrows) for w in r}
    rows_in = lambda cl: {row_of[id(w)] for w in cl[2]}
    cols = [cl for k, cl in enumerate(clusters)
            if not (0 < k < len(clusters) - 1 and _spans_between(clusters[k - 1], cl, clusters[k + 1], rows_in))]
    strays = [cl for cl in clusters if not any(cl is c for c in cols)]
    colx = [[cl[0], cl[1]] for cl in cols]
    # text blocks, narrowest first
    first_value_x = colx[0][0] if colx else float("inf")
    line_words = lambda blk: [o for o in blocks if o is not blk and o.row == blk.row
                              and _overlap(o.top, o.bottom, blk.top, blk.bottom) > 0]
    for b in sorted(blocks, key=lambda b: b.x1 - b.x0):
        hit = [k for k, (a, z) in enumerate(colx) if _overlap(b.x0, b.x1, a, z) > 0]
        if len(hit) == 1:
            a, z = colx[hit[0]]
            if not any(_overlap(min(a, b.x0), max(z, b.x1), *colx[j]) > 0 for j in range(len(colx)) if j != hit[0]):
                colx[hit[0]] = [min(a, b.x0), max(z, b.x1)]
        if hit:
            continue
        cx = (b.x0 + b.x1) / 2
        k = sum(1 for a, z in colx if (a + z) / 2 < cx)
        if cx < first_value_x or k == 0 or k == len(colx):
            colx.insert(k, [b.x0, b.x1])
            continue
        # a header between two value columns: a column of its own only when its line also holds
        # cells in both neighbouring columns; otherwise it spans them
        near = line_words(b)
        left, right = colx[k - 1], colx[k]
        if any(_overlap(o.x0, o.x1, *left) > 0 for o in near) and any(_overlap(o.x0, o.x1, *right) > 0 for o in near):
            colx.insert(k, [b.x0, b.x1])
    colx.sort()

    def colrange(x0, x1):
        hit = [k for k, (a, z) in enumerate(colx) if _overlap(x0, x1, a, z) > 0]
        if hit:
            return hit[0], hit[-1]
        cx = (x0 + x1) / 2
        k = sum(1 for a, z in colx if (a + z) / 2 < cx)   # between columns k-1 and k: span both
        return max(0, k - 1), min(len(colx) - 1, k)

    items = []   # (row key, c0, c1, text, top, bottom)
    for b in blocks:
        c0, c1 = colrange(b.x0, b.x1)
        items.append([b.row, c0, c1, _repair(b.text), b.top, b.bottom, b.words[0].em])
    for cl in cols:
        for w in cl[2]:
            c0, c1 = colrange(w.x0, w.x1)
            items.append([row_of[id(w)], c0, c1, w.text, w.top, w.bottom, w.em])
    for cl in strays:
        for w in cl[2]:
            c0, c1 = colrange(w.x0, w.x1)
            items.append([row_of[id(w)], c0, c1, w.text, w.top, w.bottom, w.em])
    # rows: one per value row; text blocks outside value rows (headers) by their top
    rows: list[dict] = [{"top": min(it[4] for it in items if it[0] == k),
                         "bottom": max(it[5] for it in items if it[0] == k),
                         "items": [it for it in items if it[0] == k]} for k in range(len(vrows))]
    heads: list[dict] = []
    for it in sorted((it for it in items if it[0] is None), key=lambda it: it[4]):
        em = it[6]
        home = next((r for r in heads if abs(r["top"] - it[4]) <= 0.5 * em), None)
        if home is None:
            home = {"top": it[4], "bottom": it[5], "items": []}
            heads.append(home)
        home["bottom"] = max(home["bottom"], it[5])
        home["items"].append(it)
    rows = sorted(rows + heads, key=lambda r: r["top"])
    grid: dict[tuple[int, int], list] = {}
    for r, row in enumerate(rows):
        for it in sorted(row["items"], key=lambda it: it[4]):
            c0, c1 = it[1], it[2]
            if (r, c0) in grid:
                g = grid[(r, c0)]
                g[1] = max(g[1], c1)
                g[0] = g[0] + "\n" + it[3]
            else:
                grid[(r, c0)] = [it[3], c1]
    # grid lines
    xb = [colx[0][0] - 1] + [(colx[k][1] + colx[k + 1][0]) / 2 for k in range(len(colx) - 1)] + [colx[-1][1] + 1]
    yb = [rows[0]["top"] - 1] + [(rows[k]["bottom"] + rows[k + 1]["top"]) / 2 for k in range(len(rows) - 1)] + [rows[-1]["bottom"] + 1]
    for b in (xb, yb):   # grid lines strictly increasing, so that _grid finds this grid again
        for k in range(1, len(b)):
            b[k] = max(b[k], b[k - 1] + 2 * SNAP_SAME_PAGE)
    cells, out_texts = [], []
    covered = set()
    for r in range(len(rows)):
        for c in range(len(colx)):
            if (r, c) in covered:
                continue
            text, c1 = grid.get((r, c), ["", c])
            c1 = max(c, c1)
            covered |= {(r, j) for j in range(c, c1 + 1)}
            cells.append((xb[c], yb[r], xb[c1 + 1], yb[r + 1]))
            out_texts.append(text)
    return cells, out_texts


def _spans_between(left, mid, right, rows_in) -> bool:
    """A cluster of values between two columns, never on a line with either: one cell spanning
    both (a merged cell), not a column."""
    rm = rows_in(mid)
    return not (rm & rows_in(left)) and not (rm & rows_in(right)) and bool(rows_in(left) & rows_in(right))


def _word_tables(textpage, chars: list[dict], page_w: float, page_h: float, number: int) -> list[PageTable]:
    if not chars:
        return []
    _baseline(textpage, chars, page_h)
    out = []
    for region in _regions(_words(chars), page_w):
        cells, texts = _word_grid(region)
        if sum(1 for s in texts if s) < 4:
            continue
        ws = [w for b in region for w in b]
        bbox = (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))
        out.append(PageTable(number, list(zip(cells, texts)), bbox, "words"))
    return out


# ---------------------------------------------------------------- grid from cell edges
@dataclass
class _Piece:
    page: int
    bbox: tuple[float, float, float, float]
    text: str
    dy: float                     # offset into the joined table's vertical coordinate
    vx: list = field(default_factory=list)   # (x0, x1) after cross-page snapping
    until: Optional["_Piece"] = None         # the rest of this cell on the next page

    @property
    def vbox(self):
        x0, x1 = self.vx or (self.bbox[0], self.bbox[2])
        bottom = self.until.vbox[3] if self.until else self.bbox[3] + self.dy
        return x0, self.bbox[1] + self.dy, x1, bottom


def _cluster(values, tol: float) -> list[float]:
    """Distinct positions: sorted values merged while within tol of the cluster's first value."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(lines: list[float], v: float) -> int:
    """Index of the sorted line nearest to v (the lower one on a tie)."""
    k = bisect.bisect_left(lines, v)
    if k == 0:
        return 0
    if k == len(lines):
        return k - 1
    return k - 1 if v - lines[k - 1] <= lines[k] - v else k


def _grid(pieces: list[_Piece]) -> Table:
    """Row and column indexes from the distinct edges of all cells; spans from the edges a cell covers."""
    boxes = [p.vbox for p in pieces]
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes], SNAP_SAME_PAGE)
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], SNAP_SAME_PAGE)
    cells = []
    for p, (x0, top, x1, bottom) in zip(pieces, boxes):
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        cells.append(Cell(text=p.text, row=r0, col=c0, rowspan=max(1, r1 - r0), colspan=max(1, c1 - c0),
                          page=p.page, bbox=tuple(round(v, 2) for v in p.bbox)))
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(cells=cells, page=pieces[0].page if pieces else None)


# ---------------------------------------------------------------- joining across pages
def _x_edges(t: PageTable) -> list[float]:
    return _cluster([c[0][0] for c in t.cells] + [c[0][2] for c in t.cells], SNAP_SAME_PAGE)


def _continues(prev: PageTable, nxt: PageTable) -> bool:
    """Same outer frame (within SNAP_CROSS_PAGE) and the inner column edges of one part found
    among the other's (a continuation may hold only some of the columns, or subdivide them)."""
    a, b = _x_edges(prev), _x_edges(nxt)
    if abs(a[0] - b[0]) > SNAP_CROSS_PAGE or abs(a[-1] - b[-1]) > SNAP_CROSS_PAGE:
        return False
    small, large = sorted((a[1:-1], b[1:-1]), key=len)
    if not small:
        return not large or len(large) <= 2
    hits = sum(1 for x in small if any(abs(x - y) <= 2.5 for y in large))
    return hits >= max(1, 0.8 * len(small))


def _join(parts: list[PageTable]) -> Table:
    """One Table from page parts: stacked vertically, column edges snapped to the first part's,
    repeated header rows dropped, cells cut by a page break merged."""
    canon: list[float] = []
    placed: list[list[_Piece]] = []
    offset = 0.0
    for k, part in enumerate(parts):
        snap = {}
        for x in _x_edges(part):
            near = [c for c in canon if abs(c - x) <= (SNAP_CROSS_PAGE if k else SNAP_SAME_PAGE)]
            if near:
                snap[x] = min(near, key=lambda c: abs(c - x))
            else:
                canon.append(x)
                snap[x] = x
        xe = sorted(snap)
        pieces = [_Piece(part.page, bbox, text, 0.0,
                         [snap[xe[_index(xe, bbox[0])]], snap[xe[_index(xe, bbox[2])]]])
                  for bbox, text in part.cells]
        if k:
            pieces = _drop_repeated_header(placed[0], pieces)
        if not pieces:
            continue
        top = min(p.bbox[1] for p in pieces)
        for p in pieces:   # stack: this part starts where the previous one ended
            p.dy = offset - top
        if k:
            pieces = _merge_cut_cells([p for ps in placed for p in ps], pieces)
        placed.append(pieces)
        offset = max(p.vbox[3] for ps in placed for p in ps)
    return _grid([p for ps in placed for p in ps])


def _rows_of(pieces: list[_Piece]) -> list[list[_Piece]]:
    tops = _cluster([p.vbox[1] for p in pieces], SNAP_SAME_PAGE)
    rows: list[list[_Piece]] = [[] for _ in tops]
    for p in pieces:
        rows[_index(tops, p.vbox[1])].append(p)
    return rows


def _drop_repeated_header(first: list[_Piece], cont: list[_Piece]) -> list[_Piece]:
    """A continuation that starts by repeating the table's first rows (same texts at the same
    columns): those rows go; rows spanned from them are kept."""
    head, rows = _rows_of(first), _rows_of(cont)
    sig = lambda row: sorted((round(p.vbox[0]), round(p.vbox[2]), re.sub(r"\s", "", p.text)) for p in row)
    n = 0
    while n < min(len(head), len(rows) - 1) and sig(head[n]) == sig(rows[n]) and any(p.text for p in rows[n]):
        n += 1
    if not n:
        return cont
    drop = {id(p) for r in rows[:n] for p in r}
    cut = min(p.vbox[1] for r in rows[n:] for p in r)
    return [p for p in cont if id(p) not in drop or p.vbox[3] > cut + SNAP_SAME_PAGE]


_ENUM = ENUM_MARK


def _merge_cut_cells(prev: list[_Piece], cont: list[_Piece]) -> list[_Piece]:
    """Cells cut by the page break appear twice: at the bottom of the previous part and at the top
    of the continuation, over the same columns. They are one cell (text appended, the first
    piece extended) when
    - the continuation piece spans several rows and does not start a new enumeration
      (a row-group label running on; the first piece's own span says nothing, the group may
      have ended at the break), or
    - the continuation piece is empty, the first spans several rows, and the column holds no
      numbers anywhere (a label column, so the empty piece is the label running on), or
    - the break runs through a header band: a cell of the last row is subdivided by cells of
      the continuation's first row, so the cells beside it that keep their columns span down
      across the break (pairs without numbers), or
    - the whole first row of the continuation is the rest of a row broken across the pages:
      no numbers in it and text only where the previous row has text, no new enumeration."""
    if not prev or not cont:
        return cont
    bottom = max(p.vbox[3] for p in prev)
    top = min(p.vbox[1] for p in cont)
    cont_ys = _cluster([p.vbox[1] for p in cont] + [p.vbox[3] for p in cont], SNAP_SAME_PAGE)
    prev_ys = _cluster([p.vbox[1] for p in prev] + [p.vbox[3] for p in prev], SNAP_SAME_PAGE)
    value_cols = {(round(p.vbox[0]), round(p.vbox[2])) for p in prev + cont if _NUM_TOKEN.match(p.text.strip())}
    spans = lambda p, ys: sum(1 for y in ys if p.vbox[1] + SNAP_SAME_PAGE < y < p.vbox[3] - SNAP_SAME_PAGE) + 1
    last = [p for p in prev if abs(p.vbox[3] - bottom) <= SNAP_SAME_PAGE]
    first = [q for q in cont if abs(q.vbox[1] - top) <= SNAP_SAME_PAGE]
    same = lambda p, q: abs(p.vbox[0] - q.vbox[0]) <= SNAP_SAME_PAGE and abs(p.vbox[2] - q.vbox[2]) <= SNAP_SAME_PAGE
    pairs = {id(q): next((p for p in last if same(p, q)), None) for q in first}
    numeric = lambda s: any(_NUM_TOKEN.match(t) for t in s.split())
    broken_row = (all(pairs.values()) and len(first) == len(last)
                  and not any(numeric(q.text) for q in first)
                  and all(pairs[id(q)].text for q in first if q.text)
                  and not any(_ENUM.match(q.text) for q in first)
                  and any(q.text for q in first))
    inside = lambda q, p: p.vbox[0] - SNAP_SAME_PAGE <= q.vbox[0] and q.vbox[2] <= p.vbox[2] + SNAP_SAME_PAGE
    header_band = any(sum(1 for q in first if inside(q, p)) >= 2 for p in last)
    out = []
    for q in cont:
        p = pairs.get(id(q))
        if p is not None and (broken_row or (header_band and not numeric(p.text) and not numeric(q.text)) or (spans(q, cont_ys) > 1 and not _ENUM.match(q.text))
                              or (not q.text.strip() and spans(p, prev_ys) > 1
                                  and (round(q.vbox[0]), round(q.vbox[2])) not in value_cols)):
            p.text = "\n".join(s for s in (p.text, q.text) if s)
            p.until = q
            continue
        out.append(q)
    return out


# ---------------------------------------------------------------- public
def read(path: str) -> Document:
    """The document's paragraphs and tables; ReadError for files without usable text."""
    pdf = _open(path)
    try:
        return _read(pdf)
    except ReadError:
        raise
    except Exception as e:  # pdfium or geometry failure on a damaged file: a reason, never a crash
        raise ReadError(f"corrupt: PDF content cannot be read ({type(e).__name__}: {str(e)[:80]})") from None
    finally:
        pdf.close()


def _read(pdf) -> Document:
    n = len(pdf)
    if n == 0:
        raise ReadError("corrupt: PDF has no pages")
    doc = Document(format="pdf", pages=n)
    stream: list = []            # PageTable | _Line in reading order over all pages
    scans: list[PageScan] = []
    carry = False                # previous page ended in a table: look at this one closely
    for i in range(n):
        page = pdf[i]
        textpage = page.get_textpage()
        try:
            scan = _scan_page(page, textpage, i + 1)
            scans.append(scan)
            if not scan.has_text:
                if scan.n_images:
                    doc.warnings.append(f"page {i + 1}: no text layer (scanned image)")
                carry = False
                continue
            if scan.undecodable:
                doc.warnings.append(f"page {i + 1}: text not decodable (fonts without Unicode map: "
                                    f"{scan.n_bad} of {scan.n_chars} glyphs cid/private-use); page skipped")
                carry = False
                continue
            if scan.table_like or carry:
                blocks, warns = _analyse_page(page, textpage, i + 1)
                doc.warnings.extend(warns)
                blocks = _strip_page_numbers(blocks, page.get_size()[1])
                carry = bool(blocks) and isinstance(blocks[-1], PageTable)
                stream.extend(blocks)
            else:
                h = page.get_size()[1]
                lines = [_Line(i + 1, 0, 0, _repair(s)) for s in scan.lines]
                stream.extend(_strip_page_numbers(lines, h))
                carry = False
        finally:
            textpage.close()
            page.close()
    if not any(s.has_text for s in scans):
        raise ReadError("scanned: no text layer")
    if all(s.undecodable for s in scans if s.has_text):
        raise ReadError("undecodable text: fonts without a Unicode map (cid/private-use glyphs) on every page")
    doc.blocks = _assemble(stream)
    return doc


def _strip_page_numbers(blocks: list, page_h: float) -> list:
    """Page-number lines ("- 4 -", "第4页") at the head or foot of a page: not content, and they
    would stand between a table and its continuation."""
    out = list(blocks)
    for end in (0, -1):
        while out and isinstance(out[end], _Line) and _PAGE_NUMBER.match(out[end].text):
            out.pop(end)
    return out


def _assemble(stream: list) -> list:
    """Blocks in order; consecutive page tables on adjacent pages with compatible columns joined."""
    blocks: list = []
    group: list[PageTable] = []

    def flush():
        if group:
            blocks.append(_join_group(group))
            group.clear()

    for item in stream:
        if isinstance(item, PageTable):
            if group and item.page == group[-1].page + 1 and item.strategy == group[-1].strategy == "words":
                top = min(b[1] for b, _ in item.cells)
                first = [(b, t) for b, t in item.cells if abs(b[1] - top) <= SNAP_SAME_PAGE]
                if _carry_cut_labels(group[-1], first):
                    rest = [(b, t) for b, t in item.cells if abs(b[1] - top) > SNAP_SAME_PAGE]
                    if not any(t.strip() for _, t in rest):
                        continue
                    item = PageTable(item.page, rest, item.bbox, item.strategy)
            if group and (item.page != group[-1].page + 1 or "words" in (item.strategy, group[-1].strategy)
                          or not _continues(group[-1], item)):
                flush()
            group.append(item)
        else:
            if (group and group[-1].strategy == "words" and item.page == group[-1].page + 1 and item.x0 is not None
                    and _carry_cut_labels(group[-1], [((item.x0, item.top, item.x1, item.bottom), item.text)])):
                continue
            flush()
            if item.text.strip():
                blocks.append(Paragraph(text=item.text, page=item.page))
    flush()
    return blocks


def _carry_cut_labels(prev: PageTable, pieces: list[tuple]) -> bool:
    """Ruling-free tables are not joined across pages (no frame to compare), but a label cell cut
    by the page break is repaired: when the text at the top of the next page (the continuation's
    first row, or lines before it) holds no values and lies only below text cells of the previous
    part's last row, left of its first value, it is the rest of those cells. True when carried."""
    bottom = max(b[3] for b, _ in prev.cells)
    first = [(b, t.strip()) for b, t in pieces if t.strip()]
    last = [(b, t.strip()) for b, t in prev.cells if abs(b[3] - bottom) <= SNAP_SAME_PAGE and t.strip()]
    values = [b for b, t in last if _VALUE_WORD.match(t)]
    labels = [b for b, t in last if not _VALUE_WORD.match(t)]
    if not first or not values or not labels or any(_VALUE_WORD.match(t) for _, t in first):
        return False
    value_x = min(b[0] for b in values)
    home = []
    for b, t in first:
        hits = [lb for lb in labels if _overlap(b[0], b[2], lb[0], lb[2]) > 0]
        if (b[0] + b[2]) / 2 >= value_x or len(hits) != 1:
            return False
        home.append((hits[0], t))
    texts = dict(prev.cells)
    for lb, t in home:
        texts[lb] = texts[lb] + "\n" + t
    prev.cells = [(b, texts[b]) for b, _ in prev.cells]
    return True


def _join_group(parts: list[PageTable]) -> Table:
    return _join(parts)


def page_tables(path: str) -> list[PageTable]:
    """Every table found on every page, before joining (for the benchmark's comparison)."""
    pdf = _open(path)
    out: list[PageTable] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            try:
                blocks, _ = _analyse_page(page, tp, i + 1)
                out.extend(b for b in blocks if isinstance(b, PageTable))
            finally:
                tp.close()
                page.close()
    finally:
        pdf.close()
    return out
