"""The ruled-grid path of the OCR page reader: a cell's ink cut into text lines by blank rows,
without the detection model (pure image steps on synthetic masks)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("cv2")

from parsers.ocr import page as P


def _cell(h=80, w=120):
    return np.zeros((h, w), dtype=np.uint8)


def test_two_wrapped_lines_are_two_boxes_inside_the_cell():
    m = _cell()
    m[10:28, 10:90] = 255          # first line of a wrapped label
    m[34:52, 10:60] = 255          # second line, 6 blank rows below
    got = P._cell_lines(m, (0, 0, 120 * 0.5, 80 * 0.5), 0.5)
    assert got is not None
    boxes, split = got
    assert split and len(boxes) == 2
    (a0, t0, a1, b0), (c0, t1, c1, b1) = boxes
    assert t0 < 10 and b0 > 28 and b0 <= t1 + 20 and b1 > 52
    assert all(2 <= x and r <= 120 - 1 for x, _, r, _ in boxes)     # never over the cell's rules


def test_gaps_inside_a_character_do_not_split_its_line():
    m = _cell()
    for y in (20, 28, 36):         # three strokes of 三 with blank rows between them
        m[y:y + 3, 20:44] = 255
    m[20:39, 50:70] = 255          # a neighbour glyph as tall as the line
    boxes, split = P._cell_lines(m, (0, 0, 60, 40), 0.5)
    assert split and len(boxes) == 1


def test_touching_lines_go_to_the_detector_and_empty_cells_are_skipped():
    m = _cell()
    m[10:28, 10:50] = 255          # two lines with no blank row between them (descender
    m[28:46, 60:90] = 255          # of one meeting the next): the detector must tell them apart
    boxes, split = P._cell_lines(m, (0, 0, 60, 40), 0.5)
    assert not split and len(boxes) == 1
    assert P._cell_lines(_cell(), (0, 0, 60, 40), 0.5) is None
