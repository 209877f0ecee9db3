"""Image steps of the OCR reader (parsers/ocr/image.py) on synthetic masks: the connected
components it labels in 16 bits are OpenCV's 32-bit ones, also past 16 bits' reach."""
from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from parsers.ocr import image as I


def _reference(mask):
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    return n, labels, stats


def test_components_are_opencvs_labels_and_stats():
    mask = np.zeros((300, 400), dtype=np.uint8)
    mask[10:12, 20:380] = 255                       # a rule
    mask[50:90, 30:34] = 255                        # a stroke
    mask[100:140, 100:140] = 255                    # a blob
    mask[np.random.RandomState(3).random_sample(mask.shape) < 0.01] = 255   # grain
    n, labels, stats = I.components(mask)
    rn, rlabels, rstats = _reference(mask)
    assert n == rn > 100
    assert np.array_equal(labels, rlabels) and np.array_equal(stats, rstats)


def test_components_beyond_sixteen_bits_are_all_counted():
    mask = np.zeros((600, 600), dtype=np.uint8)
    mask[::2, ::2] = 255                            # 90,000 lone pixels: more labels than 16 bits hold
    n, labels, stats = I.components(mask)
    assert n == 300 * 300 + 1 == _reference(mask)[0]
    assert int(labels.max()) == n - 1 and stats.shape == (n, 5)
