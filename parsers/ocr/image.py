"""Page images for OCR: loading, orientation (90/180/270), small skew, and ruling lines.

Given a grayscale page image (numpy uint8, white paper), return it upright and straight, and
the table's ruling segments found by image morphology: long thin runs of ink that an opening
with a long line-shaped kernel keeps. Pure image steps; nothing here reads text.
"""
from __future__ import annotations

from dataclasses import dataclass

NOISE_SHARE = 0.05       # share of grain pixels above which a page is smoothed before reading
SKEW_MAX_DEG = 3.0       # search range of the deskew (a scan fed in crooked, a photo held askew)
SKEW_STEP_DEG = 0.1
SKEW_MIN_DEG = 0.3       # below this a page is left as it is (rotating blurs thin rules)
RULING_H_TEXT = 2.5      # a horizontal rule is at least this many text heights long
RULING_V_TEXT = 1.3      # a vertical one this many (longer than any stroke of a character)
RULING_MAX_PX = 6        # ... and at most this many pixels thick (at 150 dpi; scaled with dpi)


@dataclass
class Segment:
    orientation: str      # "h" | "v"
    x0: float
    x1: float
    top: float
    bottom: float
    box: tuple = ()       # the rule's own pixels: x, y, width, height


COLOUR_GROW = 2         # pixels round coloured ink treated as it: JPEG keeps colour at half resolution, so a
                        # seal's stroke edges are dark in luminance but nearly gray in colour
SEAL_SHARE = 10         # percentile of the seal body's brightest channel taken as the seal's own: all but its
SEAL_BODY = 40          # darkest tenth turns to paper; the body: within this of the coloured pixels' median
CHROMA = 16             # channels differing by more than this: coloured ink (a seal, a pen) or its blurred rim


def gray_of(rgb):
    """Gray page image (uint8) of an RGB one (H×W×3), with coloured ink dropped.

    A red seal stamped over a table is dark in plain luminance (~80 of 255) and hides the
    digits under it. Stamp and print multiply: under the seal a pixel's brightest channel is
    the black print's shade times the seal's own transmission in that channel, so where a
    pixel's channels differ by more than CHROMA it takes its brightest channel divided by the
    seal's (SEAL_SHARE percentile of it over the strongly coloured pixels): the seal becomes paper, black
    print under it stays dark. Elsewhere luminance as Pillow computes it; a gray pixel's
    brightest channel is within CHROMA of it, so the low threshold moves no print far. A page
    with no coloured pixel in a sparse sample is converted as a whole."""
    import cv2
    import numpy as np
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    sample = rgb[::7, ::7]
    if int((sample.max(axis=2) - sample.min(axis=2)).max(initial=0)) <= CHROMA:
        return gray
    r, g, b = cv2.split(rgb)
    hi = cv2.max(cv2.max(r, g), b)
    chroma = cv2.subtract(hi, cv2.min(cv2.min(r, g), b))
    colour = cv2.dilate((chroma > CHROMA).view(np.uint8), np.ones((3, 3), np.uint8), iterations=COLOUR_GROW) > 0
    inked = hi[chroma > 4 * CHROMA]
    if inked.size:                  # the seal's body: about its median (print under it is much darker)
        inked = inked[inked >= np.median(inked) - SEAL_BODY]
    seal = max(float(np.percentile(inked, SEAL_SHARE)), 128.0) if inked.size else 255.0
    lifted = cv2.convertScaleAbs(hi, alpha=255.0 / seal)
    np.copyto(gray, lifted, where=colour)
    return gray


BLEED_DEPTH = 48        # the reverse page showing through is at most this much darker than the paper ...
BLEED_MIN = 12          # ... and at least this much (lighter is the paper's own texture)
BLEED_SHARE = 1.0       # such pixels outnumbering the print's own: the page shows its reverse
PRINT_CONTRAST = 160    # ... on a page whose darkest print is at least this much darker than its paper


def without_bleed(gray):
    """The page with the reverse page's show-through painted out (`gray` when there is none).

    Print through thin paper shows as light gray text and rules, offset and mirrored: the
    adaptive threshold takes it for ink (rules of the back page split the table's cells,
    its text runs into theirs). On a page where pixels between BLEED_MIN and BLEED_DEPTH
    below the paper (its median) outnumber the darker ones, everything lighter than
    paper - BLEED_DEPTH becomes paper; on a clean page such pixels are only the print's
    anti-aliased edges, fewer than the print. Pages of faint print (the band then holds its
    soft edges) and grainy pages (left to `denoise`) are left as they are."""
    import numpy as np
    small = gray[::3, ::3]
    paper = int(np.median(small))
    level = paper - BLEED_DEPTH
    if paper - int(np.percentile(small, 1)) < PRINT_CONTRAST:
        return gray                 # faint print: its own soft edges are what lies in the band
    light = int(np.count_nonzero((small >= level) & (small <= paper - BLEED_MIN)))
    if light <= BLEED_SHARE * int(np.count_nonzero(small < level)) or noisy(gray):
        return gray
    out = gray.copy()
    out[out >= level] = 255
    return out


def ink(gray, dpi: float):
    """Binary ink mask (uint8 0/255): adaptive threshold, so a gray or uneven background stays
    paper (grainy pages are smoothed first, see `denoise`)."""
    import cv2
    block = max(15, int(dpi / 150 * 31) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def components(mask):
    """(count, labels, stats) of the 8-connected components of a binary image, as OpenCV's
    connectedComponentsWithStats gives them. Labels are asked for as 16-bit first: the same
    labelling and stats, but OpenCV takes about a third of the time on a page-sized image
    (4.5 vs 13.5 ms, even an empty one) with 16-bit labels than with 32-bit ones; a mask
    with more components than 16 bits can number (OpenCV raises) is labelled in 32 bits."""
    import cv2
    try:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    return n, labels, stats


def noisy(gray) -> bool:
    """A grainy scan: many pixels differ strongly from their 3×3 median."""
    import cv2
    import numpy as np
    diff = cv2.absdiff(gray, cv2.medianBlur(gray, 3))
    return float((diff > 20).mean()) > NOISE_SHARE


def denoise(gray):
    """Grain smoothed away and the paper made white: a 3×3 Gaussian, then gray levels
    stretched so the page's typical (paper) level maps to white."""
    import cv2
    import numpy as np
    g = cv2.GaussianBlur(gray, (3, 3), 0)
    paper = float(np.percentile(g, 60))
    return cv2.convertScaleAbs(g, alpha=255.0 / max(paper, 1.0), beta=0)


def rotate(gray, quarter_turns: int):
    """The image turned clockwise by 90° × quarter_turns."""
    import numpy as np
    return np.ascontiguousarray(np.rot90(gray, -quarter_turns % 4))


def skew_angle(mask) -> float:
    """The angle (degrees, counter-clockwise positive) that makes text lines and rules level:
    the rotation whose row profile of ink is sharpest, searched on a reduced copy."""
    import cv2
    import numpy as np
    h, w = mask.shape
    k = min(1.0, 900.0 / max(h, w))
    small = cv2.resize(mask, (int(w * k), int(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else mask
    small = (small > 64).astype(np.float32)
    sh, sw = small.shape
    centre = (sw / 2, sh / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        rows = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_NEAREST).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max((score(a), a) for a in np.arange(-SKEW_MAX_DEG, SKEW_MAX_DEG + 1e-9, 0.5))[1]
    fine = max((score(a), a) for a in np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, SKEW_STEP_DEG))[1]
    return float(round(fine, 2)) if abs(fine) >= SKEW_MIN_DEG else 0.0


def deskew(gray, angle: float):
    """The image rotated by `angle` degrees about its centre, new corners filled with paper."""
    import cv2
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def rulings(mask, dpi: float, text_px: float = 0.0, askew: bool = False) -> list[Segment]:
    """Horizontal and vertical ruling segments (pixels): ink that survives an opening with a
    long one-pixel kernel, split into connected runs; thick blobs (filled areas) are not rules.
    The kernel is longer than any stroke of a character (`text_px` tall) yet shorter than one
    table row, so the rule between a label and a number in a one-row table is still found.
    With `askew` (a page not deskewed yet), a run is judged by its mean thickness (pixels over
    length), not its box: a rule a degree off level steps sideways every few dozen pixels,
    so its box is wider than the rule is thick."""
    import cv2
    thick = RULING_MAX_PX * max(1.0, dpi / 150)
    text_px = text_px or 10.5 / 72 * dpi
    out: list[Segment] = []
    for orient, length in (("h", max(12, int(RULING_H_TEXT * text_px))), ("v", max(12, int(RULING_V_TEXT * text_px)))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if orient == "h" else (1, length))
        lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        # bridge pixel gaps of a printed rule (antialiasing, JPEG), not the gaps of a merged cell
        bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1) if orient == "h" else (1, 5))
        lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, bridge)
        n, _, stats = components(lines)
        for x, y, bw, bh, area in stats[1:n]:
            if orient == "h" and (area / bw if askew else bh) <= thick and bw >= length:
                out.append(Segment("h", float(x), float(x + bw), y + bh / 2, y + bh / 2, (x, y, bw, bh)))
            elif orient == "v" and (area / bh if askew else bw) <= thick and bh >= length:
                out.append(Segment("v", x + bw / 2, x + bw / 2, float(y), float(y + bh), (x, y, bw, bh)))
    return _without_strokes(out, SHORT_RULE_TEXT * text_px)


SHORT_RULE_TEXT = 3.0    # a vertical segment shorter than this many text heights must join rules at both ends


def _without_strokes(segs: list[Segment], short: float) -> list[Segment]:
    """The segments less the short vertical ones that do not meet a horizontal rule at both
    ends: a printed rule between two row rules is drawn joined to them, while the long stroke
    of a character in a large font (十, 计, 丨) stops short of the cell's rules on both sides."""
    hs = [s.box for s in segs if s.orientation == "h"]
    tol = 1.0           # pixels: a joined rule's own pixels reach into the row rule's

    def meets(x: float, y: float) -> bool:
        return any(hx - tol <= x <= hx + hw + tol and hy - tol <= y <= hy + hh + tol for hx, hy, hw, hh in hs)
    return [s for s in segs if s.orientation == "h" or s.bottom - s.top >= short
            or (meets(s.x0, s.top) and meets(s.x0, s.bottom))]


def erase(mask_or_gray, segments: list[Segment], dpi: float, value: int):
    """A copy with the ruling segments' own pixels (one pixel around them) painted over, so the
    text detector sees no frame lines and no text next to a rule is touched."""
    import cv2
    img = mask_or_gray.copy()
    for s in segments:
        x, y, w, h = s.box
        cv2.rectangle(img, (int(x) - 1, int(y) - 1), (int(x + w), int(y + h)), value, -1)
    return img


LINE_CLOSE_TEXT = 0.25   # a closing this many text heights long joins a line's glyphs, not its lines
SPECK_TEXT = 0.05        # ink components under this many squared text heights are grain, not glyphs
MIN_DIRECTION_BLOBS = 40  # fewer joined glyph groups than this: too little text to tell a direction


def line_direction(text_mask, text_px: float) -> float | None:
    """How strongly the page's text lines run across it rather than down it, from the ink
    alone (rules erased): the number of ink groups left after joining glyphs down the
    columns, over the number after joining them along the rows. Glyphs of a line stand
    closer than the lines do, so an upright (or upside-down) page gives well above 1 and a
    page on its side well below 1, whatever its characters read as. None when the page holds
    too little text to say."""
    import cv2
    import numpy as np
    n, labels, stats = components(text_mask)
    keep = (stats[:, 4] >= SPECK_TEXT * text_px * text_px).astype(np.uint8) * 255
    keep[0] = 0
    glyphs = keep[labels]
    k = max(3, int(LINE_CLOSE_TEXT * text_px))
    across = cv2.connectedComponents(cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)))[0] - 1
    down = cv2.connectedComponents(cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8)))[0] - 1
    if across + down < MIN_DIRECTION_BLOBS or not across:
        return None
    return down / across
