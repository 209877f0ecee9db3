"""The OCR engine: RapidOCR's PP-OCR models (shipped inside the rapidocr-onnxruntime wheel) on
onnxruntime, one engine per process, one thread each (a batch runs one worker per core).

Given a page image, `recognize` returns its text lines with a box and a score for every
character. Nothing is ever downloaded: the model files are looked up inside the installed
package, and a missing file is a `ReadError`, not a fetch.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..model import ReadError

DET_TEXT_PX = 22.0      # detection runs on a copy scaled so text is about this tall (it is cheap there)
DET_MAX_PIXELS = 3_000_000   # detection input at most this large (its activations bound a worker's memory)
REC_BATCH = 16          # crops per recognition batch (sorted by width, padded to the widest)

_ENGINE = None
INSTALL_HINT = "OCR engine not installed (pip install -e '.[ocr]' adds rapidocr-onnxruntime)"


@dataclass
class Glyph:
    text: str
    box: tuple[float, float, float, float]   # x0, top, x1, bottom in image pixels
    conf: float


@dataclass
class TextLine:
    text: str
    conf: float
    glyphs: list[Glyph]


def model_files() -> list[str]:
    """The three ONNX files the engine loads, inside the installed package (never fetched)."""
    try:
        import rapidocr_onnxruntime
    except ModuleNotFoundError:
        raise ReadError(INSTALL_HINT) from None
    root = os.path.join(os.path.dirname(rapidocr_onnxruntime.__file__), "models")
    names = ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"]
    paths = [os.path.join(root, n) for n in names]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise ReadError(f"OCR model file missing from the installed package: {os.path.basename(missing[0])}")
    return paths


def engine():
    """The process's engine, made on first use (about 0.4 s) and kept."""
    global _ENGINE
    if _ENGINE is None:
        det, rec, cls = model_files()
        from rapidocr_onnxruntime import RapidOCR
        import logging
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        eng = RapidOCR(det_model_path=det, rec_model_path=rec, cls_model_path=cls,
                       intra_op_num_threads=1, inter_op_num_threads=1, use_cls=False)
        eng.text_rec.rec_batch_num = REC_BATCH
        _ENGINE = eng
    return _ENGINE


def detect(rgb, text_px: float, det_px: float = 0.0):
    """Text boxes (4×2 point arrays, image pixels, reading order) of an RGB image whose text is
    about `text_px` tall; detection runs on a copy reduced to `det_px` (DET_TEXT_PX) text."""
    import cv2
    import numpy as np

    eng = engine()
    h, w = rgb.shape[:2]
    s = min(1.0, (det_px or DET_TEXT_PX) / max(text_px, 1.0), (DET_MAX_PIXELS / (w * h)) ** 0.5)
    small = cv2.resize(rgb, (max(32, int(w * s) // 32 * 32), max(32, int(h * s) // 32 * 32)),
                       interpolation=cv2.INTER_AREA) if s < 1.0 else rgb
    eng.text_det.limit_type, eng.text_det.limit_side_len = "min", min(small.shape[:2])
    boxes, _ = eng.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    sx, sy = w / small.shape[1], h / small.shape[0]
    return eng.sorted_boxes(np.array([b * [sx, sy] for b in boxes], dtype=np.float32))


def read_boxes(rgb, boxes, keep_empty: bool = False) -> list[TextLine]:
    """The text of each box, a box and a score for every character (with `keep_empty`, one
    line per box, empty where nothing was read)."""
    if len(boxes) == 0:
        return []
    eng = engine()
    crops = eng.get_crop_img_list(rgb, boxes)
    rec, _ = eng.text_rec(crops, True)
    words = eng.cal_rec_boxes(crops, boxes, rec)
    return [_line(r) for r in words if keep_empty or r[0].strip()]


def line_scores(crops) -> list[float]:
    """Recognition scores of plain crops (for the orientation test)."""
    rec, _ = engine().text_rec(list(crops), False)
    return [float(r[1]) for r in rec]


def recognize(rgb, text_px: float) -> list[TextLine]:
    """Text lines of an RGB image: detection, then recognition of each box."""
    return read_boxes(rgb, detect(rgb, text_px))


def _line(res) -> TextLine:
    """One recognized line → glyphs: a word box of several characters is split evenly."""
    text, conf, word_boxes, word_texts, word_confs = res
    glyphs: list[Glyph] = []
    for box, word, wc in zip(word_boxes, word_texts, word_confs):
        xs = [p[0] for p in box]; ys = [p[1] for p in box]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        chars = list(word if isinstance(word, str) else "".join(word))
        confs = list(wc) if isinstance(wc, (list, tuple)) else [wc] * len(chars)
        if len(confs) != len(chars):
            confs = [min(confs) if confs else conf] * len(chars)
        step = (x1 - x0) / max(1, len(chars))
        for k, (ch, c) in enumerate(zip(chars, confs)):
            if ch.strip():
                glyphs.append(Glyph(ch, (x0 + k * step, top, x0 + (k + 1) * step, bottom), float(c)))
    return TextLine(text, float(conf), glyphs)
