"""Grainy scans made clean before reading: the ink told from the grain, the paper made white.

A scan with a gray, grainy background (`image.noisy`) keeps thousands of grain blobs in its
ink mask even after smoothing, at the adaptive threshold that keeps faint strokes; they join
the ink of a cell's number (its line cutting, the read boxes, the unread-ink check) and are
read as dots and dashes. Ink is told from grain by hysteresis: a blob of the weak mask
(`image.ink`, which keeps every stroke) is ink when it holds a pixel far darker than its
surroundings (GRAIN_STRONG, STRONG_PX: a printed stroke's core is, grain is not); lone specks (a
pixel darker than all of its neighbours) are taken out first, before smoothing spreads them.
Everything that is not ink is then painted paper white, so every later step (rules, line
cutting, the recogniser's crops) sees a clean page.
"""
from __future__ import annotations

SPECK_STEP = 40          # a pixel this much darker than its darkest neighbour is a lone speck
GRAIN_STRONG = 60        # an ink blob holds pixels this far below their neighbourhood's mean (a stroke's
                         # core: 100 and more; smoothed grain: rarely over 40) ...
STRONG_PX = 3            # ... at least this many (a speck or a grain cluster has one or two)


def despeckle(gray):
    """The image with every lone dark pixel (darker by SPECK_STEP than each of its eight
    neighbours) replaced by its 3×3 median; a one-pixel stroke has dark neighbours along
    it, so it is kept."""
    import cv2
    import numpy as np
    ring = np.ones((3, 3), np.uint8)
    ring[1, 1] = 0
    lone = cv2.erode(gray, ring).astype(np.int16) - gray > SPECK_STEP
    if not lone.any():
        return gray
    out = gray.copy()
    out[lone] = cv2.medianBlur(gray, 3)[lone]
    return out


def strong_ink(smooth, dpi: float, weak):
    """The blobs of the weak ink mask `weak` (uint8 0/255) of the smoothed page that hold
    STRONG_PX pixels at least GRAIN_STRONG below their neighbourhood's mean (the same window
    as `image.ink`): printed strokes, not grain."""
    import cv2
    import numpy as np
    from .image import components
    block = max(15, int(dpi / 150 * 31) | 1)
    strong = cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block,
                                   GRAIN_STRONG)
    n, labels, _ = components(weak)
    cores = np.bincount(labels[strong > 0], minlength=n)
    keep = np.where(cores >= STRONG_PX, 255, 0).astype(np.uint8)
    keep[0] = 0
    return keep[labels]


def clean_grain(gray, dpi: float):
    """A grainy page (grayscale uint8) made clean: specks out, smoothed with its paper
    stretched to white (`image.denoise`), and every pixel outside the printed ink
    (`strong_ink`) set to white."""
    import numpy as np
    from . import image as I
    smooth = I.denoise(despeckle(gray))
    ink = strong_ink(smooth, dpi, I.ink(smooth, dpi))
    return np.where(ink > 0, smooth, np.uint8(255)).astype(np.uint8)
