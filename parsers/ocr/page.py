"""One page image → the PDF reader's page blocks (tables and text lines, PDF points).

Steps: orientation (which way the text lines run, then the reading scores; see read_page),
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
from .grain import clean_grain, strong_ink


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
    unread: list = field(default_factory=list)    # ink boxes (points) beside a number left unread


def _rgb(gray):
    import numpy as np
    return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))


def read_page(gray, dpi: float, number: int) -> PageResult:
    """Blocks of one page image (grayscale uint8) rendered or scanned at `dpi`, the right way
    up. Which way the text lines run (`image.line_direction`, from the ink) tells a page on
    its side from an upright one; the characters' scores could not (single digits read
    sideways score as high as grainy upright text). A page on its side is read turned a
    quarter both ways and the surer reading kept (and as it stands too, should neither read
    well); an upright page is read as it stands, and
    again turned half when it reads poorly (upside down). When the ink does not tell, a page
    that reads poorly is read turned a quarter, three quarters and half, until a reading is
    sure, and the best reading is kept."""
    first = _prepare(gray, dpi, number, 0)
    direction = I.line_direction(first.text_mask, TEXT_PT / 72 * dpi)
    if direction is not None and direction < 1 / SIDEWAYS:
        res = max((_read(_prepare(gray, dpi, number, t)) for t in (1, 3)), key=_mean_conf)
        if _mean_conf(res) < ORIENT_SURE:       # neither quarter turn reads well: the ink may mislead
            res = max((res, _read(first)), key=_mean_conf)
    else:
        res = _read(first)
        if res.chars and _mean_conf(res) < ORIENT_SURE:    # a blank page is not tried again
            for turns in ((2,) if direction is not None and direction > SIDEWAYS else (1, 3, 2)):
                other = _read(_prepare(gray, dpi, number, turns))
                if _mean_conf(other) > _mean_conf(res):
                    res = other
                if _mean_conf(res) >= ORIENT_SURE:
                    break
    if res.turns:
        res.warnings.insert(0, f"page {number}: OCR: page turned {90 * res.turns}° to read it upright")
    for x0, top, x1, bottom in res.unread:     # a score of 0 there: the cell is flagged as doubtful
        res.chars.append(OcrChar(len(res.chars), "", x0, x1, top, bottom, round(bottom - top, 1), False,
                                 bottom, 0.0))
        res.warnings.append(f"page {number}: OCR: ink at ({x0:.0f}, {top:.0f}) pt beside a number was not "
                            "read (a sign or digit may be missing); the cell is flagged")
    return res


ORIENT_SURE = 0.85       # a page whose characters score at least this on average is read the right way up
SIDEWAYS = 1.15          # line_direction beyond this (or under its inverse) says upright (or on its side)


def _mean_conf(res: PageResult) -> float:
    return sum(c.conf for c in res.chars) / len(res.chars) if res.chars else 0.0


@dataclass
class Prepared:
    """A page image turned, smoothed and straightened for reading, with its ruling lines."""
    number: int
    dpi: float
    turns: int
    gray: object          # the straightened page, rules still drawn
    clean: object         # the same with the rules painted out
    text_mask: object     # its ink mask without the rules
    segs: list
    angle: float
    warnings: list[str]


def _prepare(gray, dpi: float, number: int, turns: int) -> Prepared:
    """The page turned clockwise `turns` quarters, its grain painted out, deskewed, its ruling
    segments found and painted out."""
    warnings: list[str] = []
    turns %= 4
    if turns:
        gray = I.rotate(gray, turns)
    raw, grainy = gray, I.noisy(gray)
    if grainy:
        gray = clean_grain(gray, dpi)
        warnings.append(f"page {number}: OCR: grainy scan cleaned before reading")
    mask = I.ink(gray, dpi)
    angle = I.skew_angle(mask)
    if angle:
        gray = I.deskew(gray, angle)
        raw = I.deskew(raw, angle) if grainy else gray
        mask = I.ink(gray, dpi)
        warnings.append(f"page {number}: OCR: skew of {angle:g}° corrected")
    # rules are found on the page as scanned: smoothing breaks a thin rule's one-pixel run
    # where grain lightens it, and the long opening that finds rules passes over grain anyway
    segs = I.rulings(I.ink(raw, dpi) if grainy else mask, dpi, TEXT_PT / 72 * dpi)
    clean, text_mask = I.erase(gray, segs, dpi, 255), I.erase(mask, segs, dpi, 0)
    if grainy:      # grain that hung on a rule is a blob without a core of its own once the rule is erased
        text_mask = strong_ink(clean, dpi, text_mask)
        clean[(mask > 0) & (text_mask == 0)] = 255
    return Prepared(number, dpi, turns, gray, clean, text_mask, segs, angle, warnings)


def _read(p: Prepared) -> PageResult:
    """The text, tables and text lines of a prepared page."""
    from ..pdf.items import edge

    segs, clean, text_mask, dpi, number = p.segs, p.clean, p.text_mask, p.dpi, p.number
    ruled = sum(g.orientation == "h" for g in segs) >= 3 and sum(g.orientation == "v" for g in segs) >= 3
    k = 72.0 / dpi
    edges = [edge(s.orientation, s.x0 * k, s.x1 * k, s.top * k, s.bottom * k) for s in segs]
    groups = _cell_groups(edges) if ruled else []
    if groups:
        lines = _read_grid(clean, text_mask, groups, k, TEXT_PT / 72 * dpi)
    else:
        lines = E.recognize(_rgb(clean), TEXT_PT / 72 * dpi, E.DET_TEXT_PX if ruled else E.DET_TEXT_PX_UNRULED)
    digit_h = _digit_height(lines, text_mask)
    typical = _fit_to_ink(lines, text_mask)
    if not groups and digit_h:
        again = _reread_weak_numbers(lines, clean, text_mask, k, digit_h)
        missed = _missed_numbers(lines, clean, text_mask, k, digit_h)
        _fit_to_ink(again + missed, text_mask, typical)
        lines.extend(missed)
    _close_gaps(lines, text_mask, k)
    chars = _chars(lines, k)
    h, w = p.gray.shape
    blocks, warns = layout(w * k, chars, edges, number)
    _reread_empty_cells(blocks, clean, text_mask, k, chars)
    if _reread_empty_word_cells(blocks, clean, text_mask, k, chars, digit_h):
        blocks, warns = layout(w * k, chars, edges, number)
    _doubt_slashes(chars, text_mask, k)
    res = PageResult(blocks, chars, p.warnings + warns, p.turns, p.angle)
    res.unread = _unread_ink(blocks, chars, text_mask, k)
    return res


def _digit_height(lines: list, mask) -> float | None:
    """The median ink height (pixels) of the page's lines of digits, before `_fit_to_ink`
    makes them as tall as its text: the size a lone number's ink is judged and read at."""
    import numpy as np
    bands = [_ink_band(ln, mask) for ln in lines
             if ln.glyphs and _number_line(ln.glyphs) and any(g.text.isdigit() for g in ln.glyphs)]
    heights = [b - a for a, b in (x for x in bands if x is not None)]
    return float(np.median(heights)) if heights else None


def _cell_groups(edges: list[dict]) -> list:
    """The ruled tables' cell boxes (points) the rules alone give, before any text is read."""
    from ..pdf.objects import close_frames
    from ..pdf.ruled import table_groups
    from ..pdf.settings import DEFAULT as s
    return table_groups(close_frames(edges, s), s)


CELL_INSET = 3           # pixels inside a cell's rules where its ink is looked for
CELL_MARGIN_V = 0.2
CELL_MARGIN = 0.35       # paper around a cell's ink line, in its heights, as the detector's boxes have
ONE_LINE = 1.5           # ink at most this many times its tallest stroke group is one line of text


def _read_grid(gray, mask, groups: list, k: float, text_px: float) -> list:
    """Text lines of a page whose ruled grid the rules give: each cell's ink is cut into its
    text lines (row projection) and read straight by the recogniser (no detection over the
    table); a cell whose lines touch, and the page outside the tables (title, headings), go
    through the detector on their own crop. Every line is read in one pass (crops packed)."""
    rects, owner, regions = [], [], []
    for bb in (c for g in groups for c in g):
        got = _cell_lines(mask, bb, k)
        if got is None:
            continue
        if got[1]:
            rects.extend(got[0])
            owner.extend([_cell_px(bb, k, mask.shape)] * len(got[0]))
        else:
            regions.extend(got[0])
    _line_height_for_short_ink(rects, owner)
    regions.extend(_outside_bands(mask, groups, k))
    n_cells = len(rects)
    for r in regions:
        rects.extend(_detect_in(gray, r, text_px))
    lines = E.read_rects(gray, rects)
    _reread_doubtful(gray, lines, owner, n_cells, text_px)
    return [ln for ln in lines if ln.text.strip()]


def _line_height_for_short_ink(rects: list, owner: list) -> None:
    """A line box whose ink is much shorter than the table's text (a lone '-', '·') is made
    as tall as the table's typical line box, about its own middle and inside its cell, so the
    recogniser sees the glyph at its printed size (a dash scaled to the model's full height
    reads as '·' or nothing)."""
    if len(rects) < 3:
        return
    import statistics
    typical = statistics.median(r[3] - r[1] for r in rects)
    for i, (x0, top, x1, bottom) in enumerate(rects):
        if bottom - top < SHORT_INK * typical:
            mid = (top + bottom) / 2
            cell = owner[i]
            rects[i] = (x0, max(cell[1], int(mid - typical / 2)), x1, min(cell[3], int(mid + typical / 2 + 1)))


SHORT_INK = 0.6          # a line box under this share of the typical one holds a dash, a dot


DOUBT = 0.6              # a cell line read straight with a glyph below this score is read again by the detector's boxes


def _cell_px(bb, k: float, shape) -> tuple:
    h, w = shape
    x0, top, x1, bottom = (int(round(v / k)) for v in bb)
    return (max(0, x0 + 1), max(0, top + 1), min(w, x1), min(h, bottom))


def _reread_doubtful(gray, lines: list, owner: list, n_cells: int, text_px: float) -> None:
    """Cells whose straight reading is in doubt (a glyph scored below DOUBT, or nothing read)
    are read again through the detector over the cell; the surer reading of the two is kept."""
    doubtful: dict = {}
    for i in range(n_cells):
        ln = lines[i]
        if not ln.glyphs or min(g.conf for g in ln.glyphs) < DOUBT:
            doubtful.setdefault(owner[i], [])
    if not doubtful:
        return
    for cell in doubtful:
        doubtful[cell] = _detect_in(gray, cell, text_px)
    flat = [r for rs in doubtful.values() for r in rs]
    again = iter(E.read_rects(gray, flat))
    for cell, rs in doubtful.items():
        new = [next(again) for _ in rs]
        mine = [i for i in range(n_cells) if owner[i] == cell]
        old_score = _cell_score([lines[i] for i in mine])
        if new and _cell_score(new) > old_score:
            for i in mine:
                lines[i] = E.TextLine("", 0.0, [])
            lines.extend(new)


def _cell_score(lines: list) -> float:
    glyphs = [g for ln in lines for g in ln.glyphs]
    return min(g.conf for g in glyphs) if glyphs else 0.0


def _cell_lines(mask, bb, k: float):
    """([line boxes], True) for a cell's ink cut into text lines (pixels, with the margins the
    detector's boxes have, never over the cell's rules); ([cell box], False) when its lines
    cannot be told apart by blank rows; None for a cell without ink."""
    import cv2
    import numpy as np
    x0, top, x1, bottom = (int(round(v / k)) for v in bb)
    a, b = top + CELL_INSET, bottom - CELL_INSET + 1
    c, d = x0 + CELL_INSET, x1 - CELL_INSET + 1
    sub = mask[a:b, c:d]
    if sub.size == 0 or not sub.any():
        return None
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    keep = [i for i in range(1, n) if stats[i][4] >= 3]      # specks are not ink
    if not keep or (sum(int(stats[i][4]) for i in keep) < MIN_CELL_INK and not _is_dash(stats, keep)):
        return None
    tallest = max(stats[i][3] for i in keep)
    ink = np.isin(labels, keep)
    h, w = mask.shape
    e = CELL_INSET - 1      # never over the cell's own rules (their faint edges read as 'l')
    out = []
    for ly0, ly1 in _ink_lines(ink.any(axis=1), tallest):
        if ly1 - ly0 > ONE_LINE * tallest:
            return [(max(0, x0 + 1), max(0, top + 1), min(w, x1), min(h, bottom))], False
        cols = np.nonzero(ink[ly0:ly1].any(axis=0))[0]
        mv = max(2, int(round(CELL_MARGIN_V * (ly1 - ly0))))
        mh = max(4, int(round(CELL_MARGIN * (ly1 - ly0))))
        out.append((max(0, x0 + e, c + int(cols[0]) - mh - 1), max(0, top + e, a + ly0 - mv),
                    min(w, x1 - e + 1, c + int(cols[-1]) + 1 + mh + 1), min(h, bottom - e + 1, a + ly1 + mv)))
    return out, True


def _is_dash(stats, keep: list) -> bool:
    """A cell's only ink is one short level bar (a printed '-', '—': zero or none), too little
    ink to pass MIN_CELL_INK yet no speck: at least DASH_LENGTH times as wide as it is tall."""
    if len(keep) != 1:
        return False
    _, _, w, h, _ = stats[keep[0]]
    return w >= DASH_LENGTH * h and w >= 4


DASH_LENGTH = 2.5


def _ink_lines(rows, tallest: int) -> list[tuple[int, int]]:
    """Text lines (first row, end row) of a cell from its rows holding ink: runs of inked rows
    join while the line stays within LINE_JOIN of the tallest stroke group (the gaps inside a
    character such as 三 are not line breaks)."""
    import numpy as np
    idx = np.nonzero(rows)[0]
    if idx.size == 0:
        return []
    breaks = np.nonzero(np.diff(idx) > 1)[0]
    runs = list(zip(np.r_[idx[0], idx[breaks + 1]].tolist(), (np.r_[idx[breaks], idx[-1]] + 1).tolist()))
    lines = [list(runs[0])]
    for r0, r1 in runs[1:]:
        if r1 - lines[-1][0] <= LINE_JOIN * tallest:
            lines[-1][1] = r1
        else:
            lines.append([r0, r1])
    return [tuple(x) for x in lines]


LINE_JOIN = 1.25


def _outside_bands(mask, groups: list, k: float) -> list:
    """Horizontal bands of the page (pixels) above, between and below the ruled tables that hold ink."""
    import numpy as np
    h, w = mask.shape
    spans = sorted((int(min(c[1] for c in g) / k) - 2, int(max(c[3] for c in g) / k) + 3) for g in groups)
    out, y = [], 0
    for a, b in spans + [(h, h)]:
        if a - y > 8:
            rows = np.nonzero(mask[y:a].max(axis=1))[0]
            if rows.size:
                out.append((0, max(0, y + int(rows[0]) - 6), w, min(a, y + int(rows[-1]) + 7)))
        y = max(y, b)
    return out


def _detect_in(gray, rect, text_px: float) -> list:
    """Text boxes the detector finds in one region of the page (pixel rectangles of the page)."""
    import numpy as np
    x0, top, x1, bottom = (int(v) for v in rect)
    crop = gray[top:bottom, x0:x1]
    if crop.size == 0:
        return []
    pad = 8                # paper around it, then to whole multiples of the detector's 32-px step
    scale = min(1.0, E.DET_TEXT_PX / text_px)
    hh, ww = (int(np.ceil((n + 2 * pad) * scale / 32) * 32 / scale) + 1 for n in crop.shape)
    crop = np.pad(crop, ((pad, hh - crop.shape[0] - pad), (pad, ww - crop.shape[1] - pad)), constant_values=255)
    out = []
    for b in E.detect(_rgb(crop), text_px, E.DET_TEXT_PX):
        out.append((float(b[:, 0].min()) + x0 - pad, float(b[:, 1].min()) + top - pad,
                    float(b[:, 0].max()) + x0 - pad, float(b[:, 1].max()) + top - pad))
    return out


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


_VALUE_GLYPHS = set("0123456789-—–无,.，") | _STROKES   # a slash only with a slash's ink: a lone '7' can read '/'
# (a lone stroke, '一' or '－', is the dash of a zero: `_chars` makes it '—')


def _reread_empty_word_cells(blocks: list, gray, mask, k: float, chars: list, text_h: float | None = None) -> bool:
    """Cells of a table without rules (its grid from word positions) that the detector found
    nothing in but that hold a number's worth of ink (a lone small digit among wide gaps is
    easy for the detector to miss): the ink's box is read on its own, at the table's line
    height, and a reading made of value glyphs only (digits, dashes, 无; a slash only where
    the ink is a slash's, `_slash_ink`: a lone '7' can be read as '/') joins the page's
    glyphs. Returns whether any did (the caller then lays the page out again)."""
    import numpy as np
    from ..pdf.items import PageTable
    if text_h is None:
        digits = [c.bottom - c.top for c in chars if c.text.isdigit()]
        if not digits:
            return False
        text_h = float(np.median(digits)) / k          # a digit's ink height, pixels
    rects = []
    for b in blocks:
        if not isinstance(b, PageTable) or b.strategy != "words":
            continue
        for bb, text in b.cells:
            if text.strip():
                continue
            box = _value_ink(mask, bb, k, text_h)
            if box is not None:
                rects.append(box)
    if not rects:
        return False
    lines = [ln for ln, r in zip(E.read_rects(gray, rects), rects) if _value_reading(ln, _rect_ink(mask, r), text_h)]
    _fit_to_ink(lines, mask, text_h)
    _close_gaps(lines, mask, k)
    chars.extend(_chars(lines, k, len(chars)))
    return bool(lines)


def _rect_ink(mask, rect):
    """The ink (boolean) inside a pixel rectangle of the page."""
    h, w = mask.shape
    x0, top, x1, bottom = rect
    return mask[max(0, int(top)):min(h, int(bottom) + 1), max(0, int(x0)):min(w, int(x1) + 1)] > 0


def _value_ink(mask, bb, k: float, text_h: float):
    """The box to read (pixels) for the ink inside a word-grid cell when it is one number's
    size (as tall as a digit, at most a few digits wide, no specks), else None."""
    import cv2
    import numpy as np
    x0, top, x1, bottom = (int(round(v / k)) for v in bb)
    sub = mask[max(0, top + 1):bottom - 1, max(0, x0 + 1):x1 - 1]
    if sub.size == 0 or not sub.any():
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    keep = [i for i in range(1, n) if stats[i][4] >= 3]
    if not keep or (sum(int(stats[i][4]) for i in keep) < MIN_CELL_INK and not _is_dash(stats, keep)):
        return None
    ax0 = min(stats[i][0] for i in keep)
    ax1 = max(stats[i][0] + stats[i][2] for i in keep)
    ay0 = min(stats[i][1] for i in keep)
    ay1 = max(stats[i][1] + stats[i][3] for i in keep)
    if ay1 - ay0 > 1.5 * text_h or ax1 - ax0 > 6 * text_h:
        return None
    mid = max(0, top + 1) + (ay0 + ay1) / 2
    half = max(ay1 - ay0, text_h) * (0.5 + CELL_MARGIN_V)
    m = max(4, CELL_MARGIN * text_h)
    left = max(0, x0 + 1) + ax0
    return (left - m, mid - half, left + (ax1 - ax0) + m, mid + half)


MISSED_COVER = 0.2       # an ink group whose pixels the read glyphs' boxes cover less than this share was not read
NUMBER_JOIN = 0.35       # a closing this many digit heights long joins a number's digits (not two numbers)


def _missed_numbers(lines: list, gray, mask, k: float, text_h: float) -> list:
    """Given the lines the detector's boxes gave on a page (glyphs fitted to their ink),
    return lines for the numbers it found no box for: a lone small digit, dash or slash among
    wide gaps is easy to miss, and without it the word grid loses a column or a row. Each ink
    group of one number's size (`_value_ink`) that the read glyphs do not cover and that
    stands a word gap clear of them is read on its own; a reading of value glyphs only (a
    slash only where its ink leans like one, `_slash_ink`) is kept. `text_h` is a digit's
    ink height (pixels)."""
    import cv2
    import numpy as np
    from ..pdf.settings import DEFAULT as s
    glyphs = [g for ln in lines for g in ln.glyphs]
    cover = np.zeros(mask.shape, np.uint8)
    for x0, top, x1, bottom in (g.box for g in glyphs):
        cover[max(0, int(top) - 1):int(bottom) + 2, max(0, int(x0) - 2):int(x1) + 3] = 1
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, max(3, int(NUMBER_JOIN * text_h))), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    clear = s.word_gap * text_h
    rects, blobs = [], []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if h > 1.5 * text_h or w > 6 * text_h or (w < 4 and h < 4):
            continue
        ink = (labels[y:y + h, x:x + w] == i) & (mask[y:y + h, x:x + w] > 0)
        if (ink & (cover[y:y + h, x:x + w] > 0)).sum() >= MISSED_COVER * ink.sum():
            continue
        if any(b[0] - clear < x + w and x < b[2] + clear and b[1] < y + h and y < b[3] for b in (g.box for g in glyphs)):
            continue
        box = _value_ink(mask, ((x - 2) * k, (y - 2) * k, (x + w + 2) * k, (y + h + 2) * k), k, text_h)
        if box is not None:
            rects.append(box)
            blobs.append(ink)
    if not rects:
        return []
    return [ln for ln, ink in zip(E.read_rects(gray, rects), blobs) if _value_reading(ln, ink, text_h)]


def _reread_weak_numbers(lines: list, gray, mask, k: float, text_h: float) -> list:
    """Lines the detector's boxes gave (glyphs fitted to their ink) over one number's ink
    (`_value_ink`) that hold a glyph scored below DOUBT or nothing but punctuation (a lone '0'
    whose box cut it in half read as '【') are read again on their own at the text's height;
    a reading of value glyphs only (`_value_reading`) whose weakest glyph scores higher
    replaces the line's. `text_h` is a digit's ink height (pixels); returns the new lines."""
    which, rects, new = [], [], []
    for i, ln in enumerate(lines):
        if not ln.glyphs or (min(g.conf for g in ln.glyphs) >= DOUBT and any(g.text.isalnum() for g in ln.glyphs)):
            continue
        x0, x1 = min(g.box[0] for g in ln.glyphs), max(g.box[2] for g in ln.glyphs)
        top, bottom = min(g.box[1] for g in ln.glyphs), max(g.box[3] for g in ln.glyphs)
        box = _value_ink(mask, ((x0 - 2) * k, (top - 2) * k, (x1 + 2) * k, (bottom + 2) * k), k, text_h)
        if box is not None:
            which.append(i)
            rects.append(box)
    for i, r, ln in zip(which, rects, E.read_rects(gray, rects) if rects else []):
        if _value_reading(ln, _rect_ink(mask, r), text_h) and _cell_score([ln]) > _cell_score([lines[i]]):
            lines[i] = ln
            new.append(ln)
    return new


def _value_reading(ln, ink, text_h: float) -> bool:
    """A line read on its own is a value: nothing but value glyphs, a slash only over a slash's
    ink; a lone dot or dash read over one level bar of ink (`_bar_ink`: a printed '-' read at a
    text line's height often comes out as '·') becomes '—' (a zero) with the score it read at."""
    if len(ln.glyphs) == 1 and ln.glyphs[0].text in _DOTS and _bar_ink(ink, text_h):
        ln.glyphs[0].text = "—"
    return bool(ln.glyphs) and all(g.text in _VALUE_GLYPHS or (g.text == "/" and _slash_ink(ink)) for g in ln.glyphs)


_DOTS = set("·.。•∙・-_") | _STROKES


def _bar_ink(ink, text_h: float) -> bool:
    """Whether the ink (boolean) is one solid level bar and nothing else (specks apart): at
    least BAR_LENGTH times as wide as tall, a third of a digit's height `text_h` or more
    (no grain), at most a quarter of it thick, filling most of its box."""
    import cv2
    import numpy as np
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    keep = [i for i in range(1, n) if stats[i][4] >= 3]
    if len(keep) != 1:
        return False
    _, _, w, h, area = stats[keep[0]]
    return w >= BAR_LENGTH * h and w >= max(4, text_h / 3) and h <= text_h / 4 and area >= BAR_FILL * w * h


BAR_LENGTH = 2.0         # a hyphen is about 2.3 times as wide as thick
BAR_FILL = 0.7


SLASH_SPAN = 0.6         # no row of a slash's ink is wider than this share of the slash
SLASH_LEAN = 0.4         # its top quarter stands at least this share of its width right of its bottom quarter


def _slash_ink(ink) -> bool:
    """Whether an ink blob (boolean, its box or larger) is shaped as a printed '/': half as
    tall again as wide, no row of it a bar (a 7's top, the bar of a 4 or a 2), its top leaning
    right of its bottom (a 1 stands upright). A lone '7' can be read as '/', which means zero."""
    import numpy as np
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return False
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    if w < 3 or h < 1.5 * w:
        return False
    rows = [np.nonzero(r)[0] for r in ink]
    if max(int(r[-1] - r[0] + 1) for r in rows if r.size) > SLASH_SPAN * w:
        return False
    q = max(1, h // 4)
    centre = lambda rs: float(np.mean([(r[0] + r[-1]) / 2 for r in rs if r.size]))
    return centre(rows[:q]) - centre(rows[-q:]) >= SLASH_LEAN * w


def _doubt_slashes(chars: list, mask, k: float) -> None:
    """A '/' read where the ink is not a slash's (`_slash_ink`: a lone 7 can be read so, and
    '/' means zero) keeps the reading with a score of 0, so its cell is flagged, never trusted."""
    import cv2
    import numpy as np
    h_img, w_img = mask.shape
    for c in chars:
        if c.text != "/":
            continue
        x0, top, x1, bottom = c.x0 / k, c.top / k, c.x1 / k, c.bottom / k
        pad = (bottom - top) / 2
        a, b = max(0, int(top - pad / 2)), min(h_img, int(np.ceil(bottom + pad / 2)))
        l, r = max(0, int(x0 - pad)), min(w_img, int(np.ceil(x1 + pad)))
        if b <= a or r <= l:
            continue
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask[a:b, l:r], connectivity=8)
        mine = [i for i in range(1, n) if stats[i][4] >= 3
                and stats[i][0] < x1 - l and stats[i][0] + stats[i][2] > x0 - l]
        if not mine or not _slash_ink(np.isin(labels, mine)):
            c.conf = 0.0


UNREAD_AREA = 10         # ink pixels of a component in a number's cell that no glyph covers: left unread


def _unread_ink(blocks: list, chars: list, mask, k: float) -> list:
    """Boxes (points) of ink inside a table cell that holds a number but that no glyph read
    there covers (a minus sign or a digit the recogniser dropped): such a cell's number may be
    short of a sign or a digit, so it is flagged (score 0), never trusted as read."""
    import cv2
    from ..pdf.items import PageTable
    out = []
    for b in blocks:
        if not isinstance(b, PageTable):
            continue
        for bb, text in b.cells:
            if not any(ch.isdigit() for ch in text):
                continue
            x0, top, x1, bottom = (int(round(v / k)) for v in bb)
            a, c = max(0, top + CELL_INSET), max(0, x0 + CELL_INSET)
            sub = mask[a:bottom - CELL_INSET + 1, c:x1 - CELL_INSET + 1]
            if sub.size == 0:
                continue
            mine = [ch for ch in chars if bb[0] <= ch.cx <= bb[2] and bb[1] <= ch.mid <= bb[3]]
            n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
            for i, (x, y, w, h, area) in enumerate(stats[1:n], 1):
                if area < UNREAD_AREA or (w < 4 and h < 4):
                    continue
                px0, py0, px1, py1 = (c + x) * k, (a + y) * k, (c + x + w) * k, (a + y + h) * k
                near = [ch for ch in mine if ch.x0 - 1 <= px1 and px0 <= ch.x1 + 1 and ch.top - 1 <= py1
                        and py0 <= ch.bottom + 1]
                if not near or _bare_side(labels[y:y + h, x:x + w] == i, (c + x) * k, k, near):
                    out.append((px0, py0, px1, py1))
    return out


UNREAD_SIDE = 0.25       # ink this share of its height wide beside every glyph box: a sign or digit left unread


def _bare_side(ink, x0: float, k: float, near: list) -> bool:
    """Whether an ink component (boolean, its box; left edge x0 in points) that glyph boxes
    touch still holds a run of ink columns no box covers at least UNREAD_SIDE of its height
    wide: a minus sign printed tight against its number joins the first digit's ink, and the
    digit's box alone covers only part of it."""
    import numpy as np
    cols = ink.any(axis=0)
    covered = np.zeros(cols.size, dtype=bool)
    for ch in near:
        lo, hi = int((ch.x0 - 0.5 - x0) / k), int(np.ceil((ch.x1 + 0.5 - x0) / k))
        covered[max(0, lo):max(0, hi)] = True
    return _longest_run(cols & ~covered) >= max(3, UNREAD_SIDE * ink.shape[0])


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


def _close_gaps(lines: list, mask, k: float) -> None:
    """Glyph boxes of a line made to meet where the page prints no space between them: the
    engine places each glyph around its position in the model's output, which drifts by a few
    pixels, so two digits of a wide font can stand further apart than the PDF reader's space
    (`char_gap`) while the ink between them has no blank run that wide. Where the widest
    blank run of ink columns between two glyphs' centres is at most `char_gap`, their boxes
    meet halfway; a real space (a wider blank run) is left as it is. A character after a
    digit (a unit: '9261.21万元') meets it across up to UNIT_GAP spaces of paper: a CJK glyph
    stands clear of its box's edges and a digit's ink is narrower than its advance, so the
    blank between them is wider than the PDF reader's boxes ever show (which join them)."""
    import numpy as np
    from ..pdf.settings import DEFAULT as s
    space = s.char_gap / k
    h, w = mask.shape
    for ln in lines:
        for a, b in zip(ln.glyphs, ln.glyphs[1:]):
            if b.box[0] - a.box[2] <= 0:
                continue
            top, bottom = max(0, int(a.box[1])), min(h, int(np.ceil(a.box[3])))
            x0, x1 = max(0, int((a.box[0] + a.box[2]) / 2)), min(w, int(np.ceil((b.box[0] + b.box[2]) / 2)))
            if x1 <= x0 or bottom <= top:
                continue
            blank = ~mask[top:bottom, x0:x1].any(axis=0)
            if _longest_run(blank) <= (UNIT_GAP * space if _unit_after_digit(a.text, b.text) else space):
                mid = (a.box[2] + b.box[0]) / 2
                a.box = (a.box[0], a.box[1], mid, a.box[3])
                b.box = (mid, b.box[1], b.box[2], b.box[3])


UNIT_GAP = 2.0


def _unit_after_digit(a: str, b: str) -> bool:
    return (a.isdigit() or a in ".%") and ord(b[:1] or " ") >= 0x2e80


def _fit_to_ink(lines: list, mask, typical: float | None = None) -> float | None:
    """Each line's glyphs made as tall as the line's own ink: the detector's boxes reach well
    beyond the text (about half its height either side), so the boxes of a wrapped label's two
    lines overlap and the PDF reader's line grouping chains a whole column of labels into one
    row. The ink band is the middle third of the box widened through ink rows (a blank row
    ends it: the gap before the next line); a line without ink there keeps its box. A number's
    band (digits, signs, dashes) shorter than the `typical` line, and any band under half of
    it (a dash, a dot), is made that tall about its middle, as a printed glyph's box is (the
    font's height, whatever its ink): digits are shorter than characters, and a table's value
    rows must keep the type size of its label lines to be one table with them. `typical` is,
    when not given, the median band of the lines holding a character (of all lines when none
    does). Returns the typical height used."""
    import numpy as np
    bands = [(ln, _ink_band(ln, mask)) for ln in lines if ln.glyphs]
    bands = [(ln, b) for ln, b in bands if b is not None]
    if typical is None and bands:
        text = [b - a for ln, (a, b) in bands if any(ord(g.text[:1]) >= 0x2e80 for g in ln.glyphs)]
        typical = float(np.median(text or [b - a for _, (a, b) in bands]))
    for ln, (top, bottom) in bands:
        if typical and bottom - top < typical and (bottom - top < 0.5 * typical or _number_line(ln.glyphs)):
            mid = (top + bottom) / 2
            top, bottom = mid - typical / 2, mid + typical / 2
        for g in ln.glyphs:
            g.box = (g.box[0], float(top), g.box[2], float(bottom))
    return typical


def _number_line(glyphs: list) -> bool:
    """A line of nothing but a number's glyphs (digits, separators, signs, dashes)."""
    return all(g.text in _NUMBER_GLYPHS or g.text in _VALUE_GLYPHS or g.text in "+%/" for g in glyphs)


def _ink_band(ln, mask):
    """(top, bottom) pixel rows of a text line's own ink inside its box, or None."""
    import numpy as np
    h, w = mask.shape
    top, bottom = max(0, int(ln.glyphs[0].box[1])), min(h, int(np.ceil(ln.glyphs[0].box[3])))
    x0 = max(0, int(min(g.box[0] for g in ln.glyphs)))
    x1 = min(w, int(np.ceil(max(g.box[2] for g in ln.glyphs))))
    if bottom - top < 6 or x1 <= x0:
        return None
    rows = mask[top:bottom, x0:x1].any(axis=1)
    n = rows.size
    a, b = n // 3, n - n // 3
    if not rows[a:b].any():
        return None
    while a > 0 and rows[a - 1]:
        a -= 1
    while b < n and rows[b]:
        b += 1
    core = np.nonzero(rows[a:b])[0]
    return top + a + int(core[0]), top + a + int(core[-1]) + 1


def _longest_run(flags) -> int:
    """Length of the longest run of True in a 1-d boolean array."""
    import numpy as np
    if not flags.any():
        return 0
    padded = np.r_[False, flags, False].astype(np.int8)
    d = np.diff(padded)
    return int((np.nonzero(d == -1)[0] - np.nonzero(d == 1)[0]).max())


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
        _one_shapes_as_one(ln.glyphs)
        for g in ln.glyphs:
            x0, top, x1, bottom = (v * k for v in g.box)
            out.append(OcrChar(start + len(out), g.text, x0, x1, top, bottom, round(bottom - top, 1), False,
                               base, g.conf))
    return out


_ONE_SHAPES = set("ilI|丨ｉｌＩ｜")
_NUMBER_GLYPHS = set("0123456789,.，．")
ONE_SHAPE_CONF = 0.5     # the score of a '1' read as a letter: the class was wrong, so it stays in doubt


def _one_shapes_as_one(glyphs: list) -> None:
    """In a line of nothing but digits and upright strokes (a number cell), a stroke read as
    'i', 'l', 'I' or '|' is the digit 1 (a lone 1 among wide gaps is often read as a letter);
    it becomes '1' with a score of at most ONE_SHAPE_CONF, so the cell is still flagged for a
    look while its value can meet the identities. A line holding any other letter or a
    character is left as read."""
    if not glyphs or not any(g.text in _ONE_SHAPES for g in glyphs):
        return
    if len(glyphs) > MAX_NUMBER_GLYPHS or not all(g.text in _ONE_SHAPES or g.text in _NUMBER_GLYPHS for g in glyphs):
        return
    for g in glyphs:
        if g.text in _ONE_SHAPES:
            g.text, g.conf = "1", min(g.conf, ONE_SHAPE_CONF)


MAX_NUMBER_GLYPHS = 16   # longer runs of strokes are not one number's digits
