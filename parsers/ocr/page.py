"""One page image → the PDF reader's page blocks (tables and text lines, PDF points).

Steps: orientation (the page read as it stands; turned when it reads poorly, see read_page),
deskew, ruling lines by morphology, text with a score per character,
then the PDF reader's own layout (`pdf.analyse_layout`): cells from ruling intersections with
merged cells where segments are missing, or the word grid for tables without lines. Each
char keeps its score ("conf"), so cells can carry the engine's confidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..pdf.items import Char
from . import engine as E
from . import image as I


@dataclass(slots=True)
class OcrChar(Char):
    """A glyph read by OCR: a PDF reader char with the engine's score."""
    conf: float = 1.0

_STROKES = set("一ー－―_＿")
TEXT_PT = 10.5          # body text size assumed when choosing how much to reduce for detection


@dataclass
class PageResult:
    blocks: list
    chars: list[dict]
    warnings: list[str] = field(default_factory=list)
    turns: int = 0
    skew: float = 0.0


def _rgb(gray):
    import numpy as np
    return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))


def read_page(gray, dpi: float, number: int) -> PageResult:
    """Blocks of one page image (grayscale uint8) rendered or scanned at `dpi`, read as it
    stands; a page that reads poorly (its characters' mean score below ORIENT_SURE: a page
    on its side or upside down reads as noise) is read turned a quarter, three quarters and
    half, until a reading is sure, and the best reading is kept. An upright page, the usual
    case, is read once. (The text boxes' shape would mislead: a column of wrapped table labels
    turned on its side looks like rows of wide boxes.)"""
    res = _read_turned(gray, dpi, number, 0)
    if res.chars and _mean_conf(res) < ORIENT_SURE:    # a blank page is not tried again
        for turns in (1, 3, 2):
            other = _read_turned(gray, dpi, number, turns)
            if _mean_conf(other) > _mean_conf(res):
                res = other
            if _mean_conf(res) >= ORIENT_SURE:
                break
    if res.turns:
        res.warnings.insert(0, f"page {number}: OCR: page turned {90 * res.turns}° to read it upright")
    return res


ORIENT_SURE = 0.85       # a page whose characters score at least this on average is read the right way up


def _mean_conf(res: PageResult) -> float:
    return sum(c.conf for c in res.chars) / len(res.chars) if res.chars else 0.0


def _read_turned(gray, dpi: float, number: int, turns: int) -> PageResult:
    from ..pdf.items import edge

    warnings: list[str] = []
    turns %= 4
    if turns:
        gray = I.rotate(gray, turns)
    if I.noisy(gray):
        gray = I.denoise(gray)
        warnings.append(f"page {number}: OCR: grainy scan smoothed before reading")
    mask = I.ink(gray, dpi)
    angle = I.skew_angle(mask)
    if angle:
        gray = I.deskew(gray, angle)
        mask = I.ink(gray, dpi)
        warnings.append(f"page {number}: OCR: skew of {angle:g}° corrected")
    segs = I.rulings(mask, dpi, TEXT_PT / 72 * dpi)
    clean = I.erase(gray, segs, dpi, 255)
    ruled = sum(g.orientation == "h" for g in segs) >= 3 and sum(g.orientation == "v" for g in segs) >= 3
    lines = E.recognize(_rgb(clean), TEXT_PT / 72 * dpi, E.DET_TEXT_PX if ruled else E.DET_TEXT_PX_UNRULED)
    k = 72.0 / dpi
    chars = _chars(lines, k)
    edges = [edge(s.orientation, s.x0 * k, s.x1 * k, s.top * k, s.bottom * k) for s in segs]
    h, w = gray.shape
    blocks, warns = layout(w * k, chars, edges, number)
    _reread_empty_cells(blocks, clean, I.erase(mask, segs, dpi, 0), k, chars)
    return PageResult(blocks, chars, warnings + warns, turns, angle)


MIN_CELL_INK = 12        # ink pixels in an empty ruled cell that make it worth reading on its own


def _reread_empty_cells(blocks: list, gray, mask, k: float, chars: list) -> None:
    """Ruled cells the detector found no text in but that hold ink (an isolated small digit is
    easy to miss): the ink's box is read on its own and its glyphs join the page."""
    import numpy as np
    from ..pdf.items import PageTable
    boxes, where = [], []
    for b in blocks:
        if not isinstance(b, PageTable) or b.strategy != "lines":
            continue
        for n, (bb, text) in enumerate(b.cells):
            if text.strip():
                continue
            x0, top, x1, bottom = (int(round(v / k)) for v in bb)
            sub = mask[top + 3:bottom - 2, x0 + 3:x1 - 2]
            if sub.size == 0 or int((sub > 0).sum()) < MIN_CELL_INK:
                continue
            ys, xs = np.nonzero(sub)
            m = 4
            bx0, bx1 = x0 + 3 + xs.min() - m, x0 + 3 + xs.max() + m
            by0, by1 = top + 3 + ys.min() - m, top + 3 + ys.max() + m
            boxes.append(np.array([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]], dtype=np.float32))
            where.append((b, n))
    if not boxes:
        return
    for (b, n), ln in zip(where, E.read_boxes(_rgb(gray), boxes, keep_empty=True)):
        new = _chars([ln], k, len(chars)) if ln.glyphs else []
        chars.extend(new)
        bb, _ = b.cells[n]
        b.cells[n] = (bb, "".join(c.text for c in new))


def layout(w: float, chars: list, edges: list[dict], number: int) -> tuple[list, list[str]]:
    """Given a page's OCR glyphs and ruling edges (points), return its tables and the text lines
    outside them, top to bottom, as the PDF reader makes them (pdf.pages.analyse_page's steps):
    ruled tables from the rules' intersections; without them, the word-position grid."""
    from ..pdf.items import PageTable
    from ..pdf.lines import numeric_lines, text_lines
    from ..pdf.objects import close_frames
    from ..pdf.ruled import ruled_tables, table_groups
    from ..pdf.settings import DEFAULT as s
    from ..pdf.wordgrid import word_tables

    warnings: list[str] = []
    tables = ruled_tables(table_groups(close_frames(edges, s), s), chars, number, s) if edges else []
    if not tables and numeric_lines(text_lines(chars, number, s)) >= s.min_table_lines:
        tables = word_tables(chars, w, number, s)
        if tables:
            warnings.append(f"page {number}: table without ruling lines, grid from word positions")
    inside = lambda c, t: t.bbox[0] <= c.cx <= t.bbox[2] and t.bbox[1] <= c.mid <= t.bbox[3]
    free = [c for c in chars if not any(inside(c, t) for t in tables)]
    blocks = sorted(tables + text_lines(free, number, s), key=lambda b: b.bbox[1] if isinstance(b, PageTable) else b.top)
    return blocks, warnings


def _chars(lines: list, k: float, start: int = 0) -> list:
    """Recognized glyphs as the PDF reader's chars (points), with the line's bottom as
    baseline and the engine's score."""
    out = []
    for ln in lines:
        if not ln.glyphs:
            continue
        base = max(g.box[3] for g in ln.glyphs) * k
        if all(g.text in _STROKES for g in ln.glyphs):   # a lone stroke is a dash (zero/none), not 一
            for g in ln.glyphs:
                g.text = "—"
        for g in ln.glyphs:
            x0, top, x1, bottom = (v * k for v in g.box)
            out.append(OcrChar(start + len(out), g.text, x0, x1, top, bottom, round(bottom - top, 1), False,
                               base, g.conf))
    return out
