"""Grids from cell edges, and tables joined across pages.

A page's tables are pieces with boxes; one table's grid comes from the distinct edges of its
cells (`grid`). A table that ends a page and one that starts the next page with compatible
column edges are one table: stacked, column edges snapped to the first part's, repeated
header rows dropped, cells cut by the page break merged again (`join`). Ruling-free tables
are not joined (no frame to compare), but a label cut by the break is carried back
(`carry_cut_labels`). `assemble` turns a document's stream of page tables and lines into blocks.
"""
from __future__ import annotations

import bisect
import re
from operator import attrgetter
from typing import Optional

from ..model import Cell, Paragraph, Table
from ..shapes import ENUM_MARK, PAGE_NUMBER, PDF_NUMBER, PDF_VALUE_WORD
from .items import Box, Line, PageTable
from .settings import DEFAULT, PdfSettings


class Piece:
    """A cell of a table part, placed in the joined table's coordinates (a plain class with
    __slots__: a dataclass costs the importing process its generated methods)."""
    __slots__ = ("page", "bbox", "text", "dy", "vx", "until")

    def __init__(self, page: int, bbox: Box, text: str, dy: float, vx: list | None = None,
                 until: Optional["Piece"] = None):
        self.page, self.bbox, self.text = page, bbox, text
        self.dy = dy                              # offset into the joined table's vertical coordinate
        self.vx = [] if vx is None else vx        # (x0, x1) after cross-page snapping
        self.until = until                        # the rest of this cell on the next page

    @property
    def vbox(self) -> Box:
        b, vx, dy = self.bbox, self.vx, self.dy
        x0, x1 = vx if vx else (b[0], b[2])
        bottom = self.until.vbox[3] if self.until is not None else b[3] + dy
        return x0, b[1] + dy, x1, bottom


def cluster(values, tol: float) -> list[float]:
    """Given positions, return the distinct ones: sorted values merged while within `tol` of the
    cluster's first value."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def nearest(lines: list[float], v: float) -> int:
    """Given sorted lines, return the index of the one nearest to v (the lower one on a tie)."""
    k = bisect.bisect_left(lines, v)
    if k == 0:
        return 0
    if k == len(lines):
        return k - 1
    return k - 1 if v - lines[k - 1] <= lines[k] - v else k


def grid(pieces: list[Piece], s: PdfSettings = DEFAULT) -> Table:
    """Given pieces, return a Table: row and column indexes from the distinct edges of all cells,
    spans from the edges a cell covers."""
    boxes = [p.vbox for p in pieces]
    xs = cluster([b[0] for b in boxes] + [b[2] for b in boxes], s.snap_same_page)
    ys = cluster([b[1] for b in boxes] + [b[3] for b in boxes], s.snap_same_page)
    # cells share their edges: each distinct position looked up (and rounded) once
    col = {x: nearest(xs, x) for x in {b[0] for b in boxes} | {b[2] for b in boxes}}
    row = {y: nearest(ys, y) for y in {b[1] for b in boxes} | {b[3] for b in boxes}}
    r2 = {v: round(v, 2) for v in {v for p in pieces for v in p.bbox}}
    cells = []
    for p, (x0, top, x1, bottom) in zip(pieces, boxes):
        c0, c1 = col[x0], col[x1]
        r0, r1 = row[top], row[bottom]
        b = p.bbox
        cells.append(Cell(text=p.text, row=r0, col=c0, rowspan=max(1, r1 - r0), colspan=max(1, c1 - c0),
                          page=p.page, bbox=(r2[b[0]], r2[b[1]], r2[b[2]], r2[b[3]])))
    cells.sort(key=attrgetter("row", "col"))
    return Table(cells=cells, page=pieces[0].page if pieces else None)


# ---------------------------------------------------------------- joining across pages
def x_edges(t: PageTable, s: PdfSettings = DEFAULT) -> list[float]:
    return cluster([c[0][0] for c in t.cells] + [c[0][2] for c in t.cells], s.snap_same_page)


def continues(prev: PageTable, nxt: PageTable, s: PdfSettings = DEFAULT) -> bool:
    """Given two page tables, return whether the second continues the first: same outer frame
    (within `snap_cross_page`) and the inner column edges of one part found among the other's
    (a continuation may hold only some of the columns, or subdivide them)."""
    a, b = x_edges(prev, s), x_edges(nxt, s)
    if abs(a[0] - b[0]) > s.snap_cross_page or abs(a[-1] - b[-1]) > s.snap_cross_page:
        return False
    small, large = sorted((a[1:-1], b[1:-1]), key=len)
    if not small:
        return not large or len(large) <= 2
    hits = sum(1 for x in small if any(abs(x - y) <= s.inner_edge_match for y in large))
    return hits >= max(1, s.inner_edge_share * len(small))


def _snapped_pieces(part: PageTable, canon: list[float], first: bool, s: PdfSettings) -> list[Piece]:
    """The part's cells as pieces, their column edges snapped to the canonical edges so far
    (new edges become canonical)."""
    snap = {}
    for x in x_edges(part, s):
        near = [c for c in canon if abs(c - x) <= (s.snap_same_page if first else s.snap_cross_page)]
        if near:
            snap[x] = min(near, key=lambda c: abs(c - x))
        else:
            canon.append(x)
            snap[x] = x
    xe = sorted(snap)
    return [Piece(part.page, bbox, text, 0.0, [snap[xe[nearest(xe, bbox[0])]], snap[xe[nearest(xe, bbox[2])]]])
            for bbox, text in part.cells]


def join(parts: list[PageTable], s: PdfSettings = DEFAULT) -> Table:
    """Given the page parts of one table, return one Table: stacked vertically, column edges
    snapped to the first part's, repeated header rows dropped, cells cut by a break merged."""
    canon: list[float] = []
    placed: list[list[Piece]] = []
    offset = 0.0
    for k, part in enumerate(parts):
        pieces = _snapped_pieces(part, canon, k == 0, s)
        if k:
            pieces = drop_repeated_header(placed[0], pieces, s)
        if not pieces:
            continue
        top = min(p.bbox[1] for p in pieces)
        for p in pieces:   # stack: this part starts where the previous one ended
            p.dy = offset - top
        if k:
            pieces = merge_cut_cells([p for ps in placed for p in ps], pieces, s)
        placed.append(pieces)
        offset = max(p.vbox[3] for ps in placed for p in ps)
    return grid([p for ps in placed for p in ps], s)


def _rows_of(pieces: list[Piece], s: PdfSettings) -> list[list[Piece]]:
    tops = cluster([p.vbox[1] for p in pieces], s.snap_same_page)
    rows: list[list[Piece]] = [[] for _ in tops]
    for p in pieces:
        rows[nearest(tops, p.vbox[1])].append(p)
    return rows


def drop_repeated_header(first: list[Piece], cont: list[Piece], s: PdfSettings = DEFAULT) -> list[Piece]:
    """Given the first part and a continuation, return the continuation without the rows that
    repeat the table's first rows (same texts at the same columns); rows spanned from them stay."""
    head, rows = _rows_of(first, s), _rows_of(cont, s)
    sig = lambda row: sorted((round(p.vbox[0]), round(p.vbox[2]), re.sub(r"\s", "", p.text)) for p in row)
    n = 0
    while n < min(len(head), len(rows) - 1) and sig(head[n]) == sig(rows[n]) and any(p.text for p in rows[n]):
        n += 1
    if not n:
        return cont
    drop = {id(p) for r in rows[:n] for p in r}
    cut = min(p.vbox[1] for r in rows[n:] for p in r)
    return [p for p in cont if id(p) not in drop or p.vbox[3] > cut + s.snap_same_page]


def _numeric(text: str) -> bool:
    return any(PDF_NUMBER.match(t) for t in text.split())


class _Break:
    """What the page break looks like: the last row of the previous part, the first row of the
    continuation, their pairs over the same columns, and the row lines of both sides."""
    __slots__ = ("last", "first", "pairs", "prev_ys", "cont_ys", "value_cols")

    def __init__(self, last: list, first: list, pairs: dict, prev_ys: list, cont_ys: list, value_cols: set):
        self.last, self.first, self.pairs = last, first, pairs
        self.prev_ys, self.cont_ys, self.value_cols = prev_ys, cont_ys, value_cols


def _break_of(prev: list[Piece], cont: list[Piece], s: PdfSettings) -> _Break:
    tol = s.snap_same_page
    box = {id(p): p.vbox for p in prev + cont}      # the pieces do not move while this looks
    bottom = max(box[id(p)][3] for p in prev)
    top = min(box[id(q)][1] for q in cont)
    last = [p for p in prev if abs(box[id(p)][3] - bottom) <= tol]
    first = [q for q in cont if abs(box[id(q)][1] - top) <= tol]

    def same(p, q):
        a, b = box[id(p)], box[id(q)]
        return abs(a[0] - b[0]) <= tol and abs(a[2] - b[2]) <= tol
    return _Break(last, first, {id(q): next((p for p in last if same(p, q)), None) for q in first},
                  cluster([box[id(p)][1] for p in prev] + [box[id(p)][3] for p in prev], tol),
                  cluster([box[id(q)][1] for q in cont] + [box[id(q)][3] for q in cont], tol),
                  {(round(box[id(p)][0]), round(box[id(p)][2])) for p in prev + cont
                   if PDF_NUMBER.match(p.text.strip())})


def _spans(p: Piece, ys: list[float], tol: float) -> int:
    b = p.vbox
    lo, hi = b[1] + tol, b[3] - tol
    return sum(1 for y in ys if lo < y < hi) + 1


def _broken_row(br: _Break) -> bool:
    """The whole first row of the continuation is the rest of a row broken across the pages: no
    numbers in it, text only where the previous row has text, no new enumeration."""
    return (all(br.pairs.values()) and len(br.first) == len(br.last)
            and not any(_numeric(q.text) for q in br.first)
            and all(br.pairs[id(q)].text for q in br.first if q.text)
            and not any(ENUM_MARK.match(q.text) for q in br.first)
            and any(q.text for q in br.first))


def _header_band(br: _Break, tol: float) -> bool:
    """The break runs through a header band: a cell of the last row is subdivided by cells of
    the continuation's first row."""
    inside = lambda q, p: p.vbox[0] - tol <= q.vbox[0] and q.vbox[2] <= p.vbox[2] + tol
    return any(sum(1 for q in br.first if inside(q, p)) >= 2 for p in br.last)


def merge_cut_cells(prev: list[Piece], cont: list[Piece], s: PdfSettings = DEFAULT) -> list[Piece]:
    """Cells cut by the page break appear twice: at the bottom of the previous part and at the top
    of the continuation, over the same columns. Given both parts, return the continuation with
    such pieces merged into the first (text appended, the first piece extended) when
    - the continuation piece spans several rows and does not start a new enumeration
      (a row-group label running on; the first piece's own span says nothing, the group may
      have ended at the break), or
    - the continuation piece is empty, the first spans several rows, and the column holds no
      numbers anywhere (a label column, so the empty piece is the label running on), or
    - the break runs through a header band and neither piece holds numbers, or
    - the whole first row of the continuation is the rest of a row broken across the pages."""
    if not prev or not cont:
        return cont
    tol = s.snap_same_page
    br = _break_of(prev, cont, s)
    broken_row, header_band = _broken_row(br), _header_band(br, tol)
    out = []
    for q in cont:
        p = br.pairs.get(id(q))
        if p is not None and (broken_row or (header_band and not _numeric(p.text) and not _numeric(q.text))
                              or (_spans(q, br.cont_ys, tol) > 1 and not ENUM_MARK.match(q.text))
                              or (not q.text.strip() and _spans(p, br.prev_ys, tol) > 1
                                  and (round(q.vbox[0]), round(q.vbox[2])) not in br.value_cols)):
            p.text = "\n".join(t for t in (p.text, q.text) if t)
            p.until = q
            continue
        out.append(q)
    return out


def carry_cut_labels(prev: PageTable, pieces: list[tuple], s: PdfSettings = DEFAULT) -> bool:
    """Given a ruling-free page table and the text at the top of the next page (the
    continuation's first row, or lines before it), carry that text into the table and return
    True when it holds no values and lies only below text cells of the table's last row, left
    of its first value: the rest of those cells, cut by the page break."""
    bottom = max(b[3] for b, _ in prev.cells)
    first = [(b, t.strip()) for b, t in pieces if t.strip()]
    last = [(b, t.strip()) for b, t in prev.cells if abs(b[3] - bottom) <= s.snap_same_page and t.strip()]
    values = [b for b, t in last if PDF_VALUE_WORD.match(t)]
    labels = [b for b, t in last if not PDF_VALUE_WORD.match(t)]
    if not first or not values or not labels or any(PDF_VALUE_WORD.match(t) for _, t in first):
        return False
    value_x = min(b[0] for b in values)
    home = []
    for b, t in first:
        hits = [lb for lb in labels if min(b[2], lb[2]) - max(b[0], lb[0]) > 0]
        if (b[0] + b[2]) / 2 >= value_x or len(hits) != 1:
            return False
        home.append((hits[0], t))
    texts = dict(prev.cells)
    for lb, t in home:
        texts[lb] = texts[lb] + "\n" + t
    prev.cells = [(b, texts[b]) for b, _ in prev.cells]
    return True


# ---------------------------------------------------------------- a document's blocks
def strip_page_numbers(blocks: list) -> list:
    """Given a page's items in order, return them without page-number lines ("- 4 -", "第4页")
    at the head or foot: not content, and they would stand between a table and its continuation."""
    out = list(blocks)
    for end in (0, -1):
        while out and isinstance(out[end], Line) and PAGE_NUMBER.match(out[end].text):
            out.pop(end)
    return out


def _trim_carried(group: list[PageTable], item: PageTable, s: PdfSettings) -> Optional[PageTable]:
    """A ruling-free table continuing a ruling-free table on the previous page: its first row
    carried back when it is the rest of cut labels; None when nothing is left of it."""
    top = min(b[1] for b, _ in item.cells)
    first = [(b, t) for b, t in item.cells if abs(b[1] - top) <= s.snap_same_page]
    if not carry_cut_labels(group[-1], first, s):
        return item
    rest = [(b, t) for b, t in item.cells if abs(b[1] - top) > s.snap_same_page]
    if not any(t.strip() for _, t in rest):
        return None
    return PageTable(item.page, rest, item.bbox, item.strategy)


def assemble(stream: list, s: PdfSettings = DEFAULT) -> list:
    """Given page tables and lines in reading order over all pages, return the document's blocks:
    consecutive ruled page tables on adjacent pages with compatible columns joined."""
    blocks: list = []
    group: list[PageTable] = []

    def flush():
        if group:
            blocks.append(join(group, s))
            group.clear()

    for item in stream:
        follows = bool(group) and item.page == group[-1].page + 1
        if isinstance(item, PageTable):
            if follows and item.strategy == group[-1].strategy == "words":
                item = _trim_carried(group, item, s)
                if item is None:
                    continue
            if group and (not follows or "words" in (item.strategy, group[-1].strategy)
                          or not continues(group[-1], item, s)):
                flush()
            group.append(item)
        else:
            if (follows and group[-1].strategy == "words" and item.x0 is not None
                    and carry_cut_labels(group[-1], [((item.x0, item.top, item.x1, item.bottom), item.text)], s)):
                continue
            flush()
            if item.text.strip():
                blocks.append(Paragraph(text=item.text, page=item.page))
    flush()
    return blocks


def text_grid(table: PageTable) -> list[list[Optional[str]]]:
    """Given one page's table, return its rows × columns of texts, None where a merged cell covers
    the position (the shape of pdfplumber's extract_tables, for comparisons)."""
    t = grid([Piece(table.page, b, s, 0.0) for b, s in table.cells])
    out: list[list[Optional[str]]] = [[None] * t.n_cols for _ in range(t.n_rows)]
    for c in t.cells:
        out[c.row][c.col] = c.text
    return out
