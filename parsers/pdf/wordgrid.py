"""Tables printed without ruling lines: a grid from word positions, in small steps.

glyphs → words (one baseline, split at gaps) → bands (vertically overlapping words) → regions
(runs of bands that look like one table) → per region: value rows → text blocks → value
columns → column extents → grid items → grid rows → cells. Value rows and columns come from the
numbers; label and header blocks are placed around them; empty cells are kept.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Optional

from ..glyphs import repair_chars
from ..shapes import PDF_VALUE_WORD
from .items import Box, Char, PageTable
from .lines import cell_text
from .settings import DEFAULT, PdfSettings


# plain classes with __slots__ (see items.Record: a dataclass costs the importing process)
class Word:
    __slots__ = ("text", "x0", "x1", "top", "bottom", "em")

    def __init__(self, text: str, x0: float, x1: float, top: float, bottom: float, em: float):
        self.text, self.x0, self.x1, self.top, self.bottom = text, x0, x1, top, bottom
        self.em = em              # median glyph height of its line

    @property
    def value(self) -> bool:
        return bool(PDF_VALUE_WORD.match(self.text))

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


class Block:
    """A cell's text: one word or several lines of words stacked in one column."""
    __slots__ = ("words", "row")

    def __init__(self, words: list, row: Optional[int] = None):
        self.words = words
        self.row = row            # value row it belongs to (None: a row without values)

    x0 = property(lambda s: min(w.x0 for w in s.words))
    x1 = property(lambda s: max(w.x1 for w in s.words))
    top = property(lambda s: min(w.top for w in s.words))
    bottom = property(lambda s: max(w.bottom for w in s.words))

    @property
    def text(self) -> str:
        return "\n".join(w.text for w in self.words)


class ValueColumn:
    """Value words overlapping in x across rows: one column of the grid (or a spanning cell)."""
    __slots__ = ("x0", "x1", "words")

    def __init__(self, x0: float, x1: float, words: list | None = None):
        self.x0, self.x1, self.words = x0, x1, [] if words is None else words


class GridItem:
    """A text placed in the grid: its value row (None: a header row), first and last column."""
    __slots__ = ("row", "c0", "c1", "text", "top", "bottom", "em")

    def __init__(self, row: Optional[int], c0: int, c1: int, text: str, top: float, bottom: float, em: float):
        self.row, self.c0, self.c1, self.text, self.top, self.bottom, self.em = row, c0, c1, text, top, bottom, em


class GridRow:
    __slots__ = ("top", "bottom", "items")

    def __init__(self, top: float, bottom: float, items: list | None = None):
        self.top, self.bottom, self.items = top, bottom, [] if items is None else items


def overlap(a0, a1, b0, b1) -> float:
    """min(a1, b1) - max(a0, b0), without the two built-in calls (called per word and block pair)."""
    return (a1 if a1 <= b1 else b1) - (a0 if a0 >= b0 else b0)


# ---------------------------------------------------------------- glyphs → words → regions
def words(chars: list[Char], s: PdfSettings = DEFAULT) -> list[Word]:
    """Given glyphs with baselines, return words: glyphs on one baseline (within
    `baseline_share` of the glyph height), split where a gap wider than `word_gap` ems opens."""
    out: list[Word] = []
    lines: list[list[Char]] = []
    for c in sorted(chars, key=attrgetter("base")):
        if lines and abs(c.base - lines[-1][0].base) <= s.baseline_share * max(1.0, c.bottom - c.top):
            lines[-1].append(c)
        else:
            lines.append([c])
    for ln in lines:
        ln.sort(key=attrgetter("x0"))
        heights = sorted(c.bottom - c.top for c in ln)
        em = heights[len(heights) // 2] or 1.0
        run = [ln[0]]
        for a, b in zip(ln, ln[1:]):
            if b.x0 - a.x1 > s.word_gap * em:
                out.append(_word(run, em, s))
                run = []
            run.append(b)
        out.append(_word(run, em, s))
    return out


def _word(chars: list[Char], em: float, s: PdfSettings) -> Word:
    return Word(cell_text(chars, s), min(c.x0 for c in chars), max(c.x1 for c in chars),
                min(c.top for c in chars), max(c.bottom for c in chars), em)


def bands(words_: list[Word], s: PdfSettings = DEFAULT) -> list[list[Word]]:
    """Given words, return horizontal bands: chains of vertically overlapping words."""
    out: list[list[Word]] = []
    bottom = None
    for w in sorted(words_, key=attrgetter("top")):
        if out and w.top < bottom - s.band_overlap * w.em:
            out[-1].append(w)
            bottom = max(bottom, w.bottom)
        else:
            out.append([w])
            bottom = w.bottom
    return out


def _em(band: list[Word]) -> float:
    return sorted(w.em for w in band)[len(band) // 2]


def _gap(a: list[Word], b: list[Word]) -> float:
    return min(w.top for w in b) - max(w.bottom for w in a)


def _runs(bands_: list[list[Word]], page_w: float, s: PdfSettings) -> list[tuple[int, int]]:
    """Given bands, return (first, last) of each run around a band of several words, extended
    by single-word bands of the same type size close above, between or below (headings
    spanning the table, label lines of a cell); a wide single line is prose and ends a run."""
    tab = [len(b) >= 2 for b in bands_]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(bands_):
        if not tab[i]:
            i += 1
            continue
        size = _em(bands_[i])
        fits = lambda b: (abs(_em(b) - size) <= s.size_share * size
                          and max(w.x1 for w in b) - min(w.x0 for w in b) < s.prose_share * page_w)
        lo = i
        while lo > 0 and not tab[lo - 1] and fits(bands_[lo - 1]) and _gap(bands_[lo - 1], bands_[lo]) <= s.label_gap * size \
                and (not out or lo - 1 > out[-1][1]):
            lo -= 1
        hi = i
        while hi + 1 < len(bands_) and _gap(bands_[hi], bands_[hi + 1]) <= (s.region_gap if tab[hi + 1] else s.label_gap) * size \
                and (tab[hi + 1] or fits(bands_[hi + 1])):
            hi += 1
        out.append((lo, hi))
        i = hi + 1
    return out


def regions(words_: list[Word], page_w: float, s: PdfSettings = DEFAULT) -> list[list[list[Word]]]:
    """Given a page's words, return the runs of bands that look like one table: at least two
    bands with values and several words, or one band with three values."""
    bands_ = bands(words_, s)
    nvals = lambda b: sum(1 for w in b if w.value)
    return [bands_[lo:hi + 1] for lo, hi in _runs(bands_, page_w, s)
            if sum(1 for b in bands_[lo:hi + 1] if nvals(b) and len(b) >= 2) >= 2
            or any(nvals(b) >= 3 for b in bands_[lo:hi + 1])]


# ---------------------------------------------------------------- one region → grid
def value_rows(values: list[Word], s: PdfSettings = DEFAULT) -> list[list[Word]]:
    """Given value words sorted by centre, return value rows: words whose centre is within
    `row_share` ems of the row's mean centre."""
    rows: list[list[Word]] = []
    for w in values:
        if rows and abs(w.cy - sum(v.cy for v in rows[-1]) / len(rows[-1])) <= s.row_share * w.em:
            rows[-1].append(w)
        else:
            rows.append([w])
    return rows


def _anchors(vspan, top, bottom, share) -> set:
    """The value rows a line (top, bottom) overlaps by more than `share` of its height."""
    h = max(bottom - top, 1e-6)
    return {k for k, (a, b) in enumerate(vspan) if overlap(top, bottom, a, b) > share * h}


def _home_block(w: Word, blocks: list[Block], vspan, s: PdfSettings) -> Optional[Block]:
    """The block a text word continues: close below its last line (within `cell_leading`
    ems), overlapping it in x, and not the label of a different value row."""
    for b in blocks:
        last = b.words[-1]
        if not (0 - 0.3 * w.em <= w.top - last.bottom <= s.cell_leading * w.em):
            continue
        if overlap(w.x0, w.x1, last.x0, last.x1) <= 0:
            continue
        al = _anchors(vspan, last.top, last.bottom, s.anchor)
        strong_w = _anchors(vspan, w.top, w.bottom, s.strong_anchor)
        strong_l = _anchors(vspan, last.top, last.bottom, s.strong_anchor)
        if strong_w and strong_l and not (strong_w & strong_l):
            continue     # each line the label of its own value row (rows printed without leading)
        if strong_w and not al:
            continue     # a header line above a value row
        return b
    return None


def text_blocks(texts: list[Word], vspan, s: PdfSettings = DEFAULT) -> list[Block]:
    """Given the text (non-value) words and the value rows' extents, return cell blocks (lines
    of one cell stacked), each with the value row it overlaps most (None: none)."""
    blocks: list[Block] = []
    for w in sorted(texts, key=attrgetter("top", "x0")):
        home = _home_block(w, blocks, vspan, s)
        if home:
            home.words.append(w)
        else:
            blocks.append(Block([w]))
    for b in blocks:
        ov = [(overlap(b.top, b.bottom, a, z), k) for k, (a, z) in enumerate(vspan)]
        best = max(ov, default=(0, None))
        b.row = best[1] if best[0] > 0 else None
    return blocks


def value_columns(values: list[Word], row_of: dict) -> tuple[list[ValueColumn], list[ValueColumn]]:
    """Given value words and their rows, return (columns, strays): words overlapping in x are one
    cluster; a cluster between two columns that never shares a row with either is a cell
    spanning both (a stray), not a column."""
    clusters: list[ValueColumn] = []
    for w in sorted(values, key=attrgetter("x0")):
        if clusters and w.x0 < clusters[-1].x1:
            clusters[-1].x1 = max(clusters[-1].x1, w.x1)
            clusters[-1].words.append(w)
        else:
            clusters.append(ValueColumn(w.x0, w.x1, [w]))
    rows_in = lambda cl: {row_of[id(w)] for w in cl.words}
    cols = [cl for k, cl in enumerate(clusters)
            if not (0 < k < len(clusters) - 1 and _spans_between(clusters[k - 1], cl, clusters[k + 1], rows_in))]
    strays = [cl for cl in clusters if not any(cl is c for c in cols)]
    return cols, strays


def _spans_between(left, mid, right, rows_in) -> bool:
    """A cluster of values between two columns, never on a line with either: one cell spanning
    both (a merged cell), not a column."""
    rm = rows_in(mid)
    return not (rm & rows_in(left)) and not (rm & rows_in(right)) and bool(rows_in(left) & rows_in(right))


def column_extents(cols: list[ValueColumn], blocks: list[Block]) -> list[list[float]]:
    """Given value columns and text blocks, return the grid's column extents: text blocks,
    narrowest first, widen the one column they overlap, or open a column of their own (labels
    left of the values, headers of columns no row fills); a header between two value columns
    is a column only when its line also holds cells in both neighbours (else it spans them)."""
    colx = [[cl.x0, cl.x1] for cl in cols]
    first_value_x = colx[0][0] if colx else float("inf")
    for b in sorted(blocks, key=lambda b: b.x1 - b.x0):
        hit = [k for k, (a, z) in enumerate(colx) if overlap(b.x0, b.x1, a, z) > 0]
        if len(hit) == 1:
            a, z = colx[hit[0]]
            if not any(overlap(min(a, b.x0), max(z, b.x1), *colx[j]) > 0 for j in range(len(colx)) if j != hit[0]):
                colx[hit[0]] = [min(a, b.x0), max(z, b.x1)]
        if hit:
            continue
        cx = (b.x0 + b.x1) / 2
        k = sum(1 for a, z in colx if (a + z) / 2 < cx)
        if cx < first_value_x or k == 0 or k == len(colx):
            colx.insert(k, [b.x0, b.x1])
            continue
        near = [o for o in blocks if o is not b and o.row == b.row and overlap(o.top, o.bottom, b.top, b.bottom) > 0]
        left, right = colx[k - 1], colx[k]
        if any(overlap(o.x0, o.x1, *left) > 0 for o in near) and any(overlap(o.x0, o.x1, *right) > 0 for o in near):
            colx.insert(k, [b.x0, b.x1])
    colx.sort()
    return colx


def _colrange(colx: list[list[float]], x0: float, x1: float) -> tuple[int, int]:
    """The first and last column a text (x0, x1) overlaps; between two columns: both."""
    hit = [k for k, (a, z) in enumerate(colx) if overlap(x0, x1, a, z) > 0]
    if hit:
        return hit[0], hit[-1]
    cx = (x0 + x1) / 2
    k = sum(1 for a, z in colx if (a + z) / 2 < cx)
    return max(0, k - 1), min(len(colx) - 1, k)


def grid_items(blocks: list[Block], cols: list[ValueColumn], strays: list[ValueColumn],
               colx: list[list[float]], row_of: dict) -> list[GridItem]:
    """Given blocks and value columns, return every text with its row and column range."""
    items = []
    for b in blocks:
        c0, c1 = _colrange(colx, b.x0, b.x1)
        items.append(GridItem(b.row, c0, c1, repair_chars(b.text), b.top, b.bottom, b.words[0].em))
    for cl in cols + strays:
        for w in cl.words:
            c0, c1 = _colrange(colx, w.x0, w.x1)
            items.append(GridItem(row_of[id(w)], c0, c1, w.text, w.top, w.bottom, w.em))
    return items


def grid_rows(items: list[GridItem], n_value_rows: int, s: PdfSettings = DEFAULT) -> list[GridRow]:
    """Given grid items, return the rows top to bottom: one per value row; items outside value
    rows (headers) grouped by their top (within `head_row_share` ems)."""
    rows = [GridRow(min(it.top for it in items if it.row == k), max(it.bottom for it in items if it.row == k),
                    [it for it in items if it.row == k]) for k in range(n_value_rows)]
    heads: list[GridRow] = []
    for it in sorted((it for it in items if it.row is None), key=lambda it: it.top):
        home = next((r for r in heads if abs(r.top - it.top) <= s.head_row_share * it.em), None)
        if home is None:
            home = GridRow(it.top, it.bottom)
            heads.append(home)
        home.bottom = max(home.bottom, it.bottom)
        home.items.append(it)
    return sorted(rows + heads, key=lambda r: r.top)


def _grid_lines(colx: list[list[float]], rows: list[GridRow], s: PdfSettings) -> tuple[list[float], list[float]]:
    """Column and row boundaries halfway between neighbours, strictly increasing (so that the
    grid from cell edges finds this grid again)."""
    xb = [colx[0][0] - 1] + [(colx[k][1] + colx[k + 1][0]) / 2 for k in range(len(colx) - 1)] + [colx[-1][1] + 1]
    yb = [rows[0].top - 1] + [(rows[k].bottom + rows[k + 1].top) / 2 for k in range(len(rows) - 1)] + [rows[-1].bottom + 1]
    for b in (xb, yb):
        for k in range(1, len(b)):
            b[k] = max(b[k], b[k - 1] + 2 * s.snap_same_page)
    return xb, yb


def grid_cells(rows: list[GridRow], colx: list[list[float]], s: PdfSettings = DEFAULT) -> tuple[list[Box], list[str]]:
    """Given grid rows and column extents, return (cell boxes, texts): items at one row and
    first column are one cell (texts stacked, spanning to the widest), every other position an
    empty cell."""
    grid: dict[tuple[int, int], list] = {}
    for r, row in enumerate(rows):
        for it in sorted(row.items, key=lambda it: it.top):
            if (r, it.c0) in grid:
                g = grid[(r, it.c0)]
                g[1] = max(g[1], it.c1)
                g[0] = g[0] + "\n" + it.text
            else:
                grid[(r, it.c0)] = [it.text, it.c1]
    xb, yb = _grid_lines(colx, rows, s)
    cells, texts = [], []
    covered = set()
    for r in range(len(rows)):
        for c in range(len(colx)):
            if (r, c) in covered:
                continue
            text, c1 = grid.get((r, c), ["", c])
            c1 = max(c, c1)
            covered |= {(r, j) for j in range(c, c1 + 1)}
            cells.append((xb[c], yb[r], xb[c1 + 1], yb[r + 1]))
            texts.append(text)
    return cells, texts


def word_grid(region: list[list[Word]], s: PdfSettings = DEFAULT) -> tuple[list[Box], list[str]]:
    """Given a region's bands, return the grid of the ruling-free table they print: (cell boxes,
    texts) with spans, empty cells kept."""
    all_words = [w for b in region for w in b]
    values = sorted((w for w in all_words if w.value), key=lambda w: w.cy)
    vrows = value_rows(values, s)
    vspan = [(min(w.top for w in r), max(w.bottom for w in r)) for r in vrows]
    blocks = text_blocks([w for w in all_words if not w.value], vspan, s)
    row_of = {id(w): k for k, r in enumerate(vrows) for w in r}
    cols, strays = value_columns(values, row_of)
    colx = column_extents(cols, blocks)
    rows = grid_rows(grid_items(blocks, cols, strays, colx, row_of), len(vrows), s)
    return grid_cells(rows, colx, s)


def word_tables(chars: list[Char], page_w: float, number: int, s: PdfSettings = DEFAULT) -> list[PageTable]:
    """Given a page's glyphs (with baselines), return the ruling-free tables found in them."""
    out = []
    for region in regions(words(chars, s), page_w, s):
        cells, texts = word_grid(region, s)
        if sum(1 for t in texts if t) < s.min_grid_texts:
            continue
        ws = [w for b in region for w in b]
        bbox = (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))
        out.append(PageTable(number, list(zip(cells, texts)), bbox, "words"))
    return out
