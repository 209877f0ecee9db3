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

DET_TEXT_PX = 14.0      # detection runs on a copy scaled so text is about this tall (finds every line
                        # of the fixtures' renders; cost goes with its area) ...
DET_TEXT_PX_UNRULED = 22.0   # ... but a page without rules keeps full detail: its table's cells are
                             # told apart only by the gaps between the detected boxes
DET_MAX_PIXELS = 3_000_000   # detection input at most this large (its activations bound a worker's memory)

_ENGINE = None
INSTALL_HINT = "OCR engine not installed (pip install -e '.[ocr]' adds rapidocr-onnxruntime)"


@dataclass
class Glyph:
    text: str
    box: tuple[float, float, float, float]   # x0, top, x1, bottom in image pixels
    conf: float
    zero: float = 0.0    # the model's probability, summed over every round glyph class (0 o O 〇 ○ …)


@dataclass
class TextLine:
    text: str
    conf: float
    glyphs: list[Glyph]


ADDRESS_SPACE_MB = 1700     # address space an OCR worker comes to map in all (OpenCV alone maps 0.4 GB, then
                            # onnxruntime's arenas; resident memory stays ~0.6 GB): 1.59 GB after 12 scans


def model_files() -> list[str]:
    """The two ONNX files the engine loads (text-box detection, recognition), inside the
    installed package (never fetched). Under a --max-memory too small for OCR (the batch limits
    a worker's address space) a MemoryError, so the file is recorded over the limit: loading
    the libraries would fail as a misleading ImportError, and onnxruntime short of address
    space can crash the worker outright."""
    _check_address_space()
    try:
        import rapidocr_onnxruntime
    except ModuleNotFoundError:
        raise ReadError(INSTALL_HINT) from None
    except ImportError as e:        # a shared library that could not be mapped: out of address space
        if "map" in str(e) or "memory" in str(e).lower():
            raise MemoryError(str(e)) from None
        raise
    root = os.path.join(os.path.dirname(rapidocr_onnxruntime.__file__), "models")
    names = ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"]
    paths = [os.path.join(root, n) for n in names]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise ReadError(f"OCR model file missing from the installed package: {os.path.basename(missing[0])}")
    return paths


def _check_address_space() -> None:
    """MemoryError, before the engine exists, when the process may not map ADDRESS_SPACE_MB
    in all (RLIMIT_AS, which the batch's --max-memory sets); nothing once it does."""
    if _ENGINE is not None:
        return
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return
    if soft != resource.RLIM_INFINITY and soft < ADDRESS_SPACE_MB << 20:
        raise MemoryError(f"OCR maps about {ADDRESS_SPACE_MB} MB of address space; the limit allows {soft >> 20} MB")


@dataclass
class Engine:
    """The two models a worker runs: the text-box detector (rapidocr's DB pre- and post-processing
    around its session) and the recognition session with its character list (CTC classes)."""
    text_det: object
    rec: object
    chars: list

    @staticmethod
    def sorted_boxes(boxes):
        from rapidocr_onnxruntime import RapidOCR
        return RapidOCR.sorted_boxes(boxes)


DET_OPTIONS = {"limit_side_len": 736, "limit_type": "min", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
               "thresh": 0.3, "box_thresh": 0.5, "max_candidates": 1000, "unclip_ratio": 1.6,
               "use_dilation": True, "score_mode": "fast"}    # rapidocr's defaults (its config.yaml)


def session_options():
    """One thread, every graph optimisation, onnxruntime's memory arena on and its memory
    pattern off. Without the arena every run takes its activations from malloc afresh: the
    page-sized ones are mmapped and zeroed by the kernel on every call, which cost a full-page
    detection 0.26 CPU-s of system time beside the model's own 0.34 (tools/bench_ocr). The memory
    pattern (a plan of one block per input shape) would keep a block for each crop width and
    page size seen; without it the arena reuses its freed chunks for any shape, and a worker's
    peak stays below what it was without the arena (measured: 573 vs 703 MB on a full page)."""
    import onnxruntime as ort
    o = ort.SessionOptions()
    o.intra_op_num_threads = o.inter_op_num_threads = 1
    o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    o.enable_cpu_mem_arena = True
    o.enable_mem_pattern = False
    o.log_severity_level = 4
    return o


def engine() -> Engine:
    """The process's engine, made on first use and kept for every later page and file of the
    worker: the detection and recognition sessions only (rapidocr's RapidOCR would also load
    its orientation classifier, which the reader never runs), each on its graph rewritten to
    run faster with the same results (`graph.faster_model`), OpenCV on one thread like the
    models (a batch runs one worker per core)."""
    global _ENGINE
    if _ENGINE is None:
        det, rec = model_files()
        import cv2
        cv2.setNumThreads(1)
        rec_sess = _session(rec)
        meta = rec_sess.get_modelmeta().custom_metadata_map
        chars = ["blank"] + meta["character"].splitlines() + [" "]    # rapidocr's CTCLabelDecode classes
        _ENGINE = Engine(_text_detector(_session(det)), rec_sess, chars)
    return _ENGINE


def _session(path: str):
    """An onnxruntime session (`session_options`) on the model file's faster graph."""
    import onnxruntime as ort
    from .graph import faster_model
    with open(path, "rb") as f:
        model = faster_model(f.read())
    return ort.InferenceSession(model, sess_options=session_options(), providers=["CPUExecutionProvider"])


class _Infer:
    """rapidocr's OrtInferSession call (input array → list of outputs) over our own session."""

    def __init__(self, session):
        self.session = session
        self.name = session.get_inputs()[0].name

    def __call__(self, x):
        return self.session.run(None, {self.name: x})


def _text_detector(session):
    """rapidocr's TextDetector (its DB pre- and post-processing, DET_OPTIONS) around `session`:
    made without its __init__, which would load the model file's own graph once more."""
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess
    o = DET_OPTIONS
    det = TextDetector.__new__(TextDetector)
    det.limit_side_len, det.limit_type, det.mean, det.std = o["limit_side_len"], o["limit_type"], o["mean"], o["std"]
    det.preprocess_op = None
    det.postprocess_op = DBPostProcess(**{k: o[k] for k in ("thresh", "box_thresh", "max_candidates",
                                                            "unclip_ratio", "use_dilation", "score_mode")})
    det.infer = _Infer(session)
    return det


def detect(rgb, text_px: float, det_px: float = 0.0):
    """Text boxes (4×2 point arrays, image pixels, reading order) of an RGB (or gray) image whose text is
    about `text_px` tall; detection runs on a copy reduced to `det_px` (DET_TEXT_PX) text."""
    import cv2
    import numpy as np

    eng = engine()
    h, w = rgb.shape[:2]
    s = min(1.0, (det_px or DET_TEXT_PX) / max(text_px, 1.0), (DET_MAX_PIXELS / (w * h)) ** 0.5)
    img = _one_channel(rgb)          # a gray page: every step below on one channel (the same numbers)
    small = cv2.resize(img, (max(32, int(w * s) // 32 * 32), max(32, int(h * s) // 32 * 32)),
                       interpolation=cv2.INTER_AREA) if s < 1.0 else img
    boxes = _run_detector(eng, small)
    if boxes is None or len(boxes) == 0:
        return []
    sx, sy = w / small.shape[1], h / small.shape[0]
    return eng.sorted_boxes(np.array([b * [sx, sy] for b in boxes], dtype=np.float32))


def _one_channel(rgb):
    """The image's one channel when its three are equal (a gray page as the reader makes it),
    else the image itself."""
    import numpy as np
    if rgb.ndim == 2:
        return rgb
    gray = rgb[:, :, 0]
    return gray if np.array_equal(gray, rgb[:, :, 1]) and np.array_equal(gray, rgb[:, :, 2]) else rgb


def _run_detector(eng, img):
    """rapidocr's TextDetector call on `img` at its own size (limit "min" = its shorter side);
    for a gray image (2-D) its normalisation is done once, not on three float64 channels: the
    same input to the model, bit for bit, at a third of the work and without the page-sized
    float64 copies (a worker's peak memory on a full page)."""
    import numpy as np
    det = eng.text_det
    det.limit_type, det.limit_side_len = "min", min(img.shape[:2])
    if img.ndim == 3:
        return det(img)[0]
    pre = det.get_preprocess(max(img.shape[:2]))
    resized = pre.resize(img)
    if resized is None:
        return None
    if not (np.all(pre.mean == pre.mean[0]) and np.all(pre.std == pre.std[0])):
        return det(np.ascontiguousarray(np.stack([img] * 3, axis=-1)))[0]
    norm = ((resized.astype("float32") * pre.scale - pre.mean[0]) / pre.std[0]).astype(np.float32)
    x = np.ascontiguousarray(np.broadcast_to(norm, (1, 3) + norm.shape))
    preds = det.infer(x)[0]
    boxes, _scores = det.postprocess_op(preds, img.shape[:2])
    return det.filter_tag_det_res(boxes, img.shape[:2])


def read_boxes(rgb, boxes, keep_empty: bool = False) -> list[TextLine]:
    """The text of each detected box (4×2 points; read from its upright bounding rectangle, the
    page being deskewed), a box and a score for every character (with `keep_empty`, one line
    per box, empty where nothing was read)."""
    rects = [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max()))
             for b in boxes]
    gray = rgb[:, :, 0] if rgb.ndim == 3 else rgb
    return [ln for ln in read_rects(gray, rects) if keep_empty or ln.text.strip()]


def read_rects(gray, rects) -> list[TextLine]:
    """One text line per rectangle (x0, top, x1, bottom, image pixels) of a grayscale image.

    Each crop is scaled to the model's height at its own width; consecutive crops are read
    together, side by side in one strip with a short neutral gap between them (STRIP_WIDTH at
    most), so a one-digit cell costs a few columns of the model and is read among its
    neighbours (a lone '0' read alone is often taken for 'o'); each character goes back to the
    crop its position falls in. A crop that gets nothing in a strip is read once more alone."""
    import numpy as np

    crops, spans = [], []
    for r in rects:
        crop, span = _crop(gray, r)
        crops.append(crop)
        spans.append(span)
    out: list[TextLine | None] = [None if c is not None else TextLine("", 0.0, []) for c in crops]
    short = [i for i, c in enumerate(crops) if c is not None and c.shape[1] <= SHORT_CROP]
    long_ = [i for i, c in enumerate(crops) if c is not None and c.shape[1] > SHORT_CROP]
    for group in (short, long_):         # short crops (numbers, mostly) are read among their kind
        strip, width = [], 0
        for i in group:
            if strip and width + crops[i].shape[1] > STRIP_WIDTH:
                _read_strip(crops, spans, rects, strip, out)
                strip, width = [], 0
            strip.append(i)
            width += crops[i].shape[1] + GAP
        if strip:
            _read_strip(crops, spans, rects, strip, out)
    for i, ln in enumerate(out):
        if ln is not None and not ln.glyphs and crops[i] is not None:
            _read_strip(crops, spans, rects, [i], out)
    return [ln or TextLine("", 0.0, []) for ln in out]


REC_HEIGHT = 32          # crops are scaled to this height (the model takes any; 48, its training height,
                         # costs 2.2× as much and read the fixtures no better)
MIN_INPUT = 320          # a strip narrower than this is padded (neutral) to it, as the model was trained
STRIP_WIDTH = 640        # crops read side by side up to this width (model pixels)
GAP = 24                 # neutral columns between two crops of a strip
SHORT_CROP = 144         # a crop at most this wide (4.5 heights: numbers, mostly) is read among its kind


def _crop(gray, rect):
    """A rectangle of the image, scaled to the model's height and normalised to -1..1, with
    its first pixel column and its width in image pixels ((None, None) when too small)."""
    import cv2
    import numpy as np
    h_img, w_img = gray.shape[:2]
    x0, top, x1, bottom = rect
    x0, top = max(0, int(x0)), max(0, int(top))
    x1, bottom = min(w_img, int(np.ceil(x1))), min(h_img, int(np.ceil(bottom)))
    if x1 - x0 < 2 or bottom - top < 2:
        return None, None
    crop = gray[top:bottom, x0:x1]
    k = REC_HEIGHT / crop.shape[0]
    w = max(4, int(round(crop.shape[1] * k)))
    small = cv2.resize(crop, (w, REC_HEIGHT), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    return small.astype(np.float32) / 127.5 - 1.0, (x0, x1 - x0)


def _read_strip(crops, spans, rects, strip: list[int], out: list) -> None:
    """Read the crops `strip` side by side; each gets the glyphs whose centre falls in it."""
    import numpy as np
    eng = engine()
    offsets, x = [], 0
    for i in strip:
        offsets.append(x)
        x += crops[i].shape[1] + GAP
    width = max(MIN_INPUT, x)
    img = np.zeros((1, 3, REC_HEIGHT, width), dtype=np.float32)
    for i, off in zip(strip, offsets):
        img[0, :, :, off:off + crops[i].shape[1]] = crops[i]
    probs = eng.rec.run(None, {eng.rec.get_inputs()[0].name: img})[0][0]
    line = _decode(probs, eng.chars, width / probs.shape[0], 0.0, 0.0, REC_HEIGHT)
    for i, off in zip(strip, offsets):
        w = crops[i].shape[1]
        _, top, _, bottom = rects[i]
        x0, span = spans[i]
        k = span / w                     # image pixels a model column (the crop's own scaling)
        mine = [g for g in line.glyphs if off - GAP / 2 <= (g.box[0] + g.box[2]) / 2 < off + w + GAP / 2]
        glyphs = [Glyph(g.text, (x0 + (max(g.box[0], off) - off) * k, top, x0 + (min(g.box[2], off + w) - off) * k,
                                 bottom), g.conf, g.zero) for g in mine]
        _round_glyphs_as_zero(glyphs)
        text = "".join(g.text for g in glyphs)
        out[i] = TextLine(text, float(np.mean([g.conf for g in glyphs])) if glyphs else 0.0, glyphs)


ZERO_SHAPES = "0oO〇○Ｏｏ０º°"
_ZERO_CLS: dict = {}


def _zero_classes(chars) -> list[int]:
    """Class indices of the round glyphs a printed zero is read as."""
    key = id(chars)
    if key not in _ZERO_CLS:
        _ZERO_CLS[key] = [i for i, c in enumerate(chars) if c in ZERO_SHAPES]
    return _ZERO_CLS[key]


def _round_glyphs_as_zero(glyphs: list) -> None:
    """In a crop that holds nothing but digits and round glyphs (a table's number cell), a
    round glyph is the digit 0: it becomes '0', scored by the model's probability of any
    round glyph there (the shape is certain, only its class was in doubt)."""
    if not glyphs or not any(g.text in ZERO_SHAPES and g.text != "0" for g in glyphs):
        return
    if not all(g.text.isdigit() or g.text in ZERO_SHAPES or g.text in ",.，．" for g in glyphs):
        return
    for g in glyphs:
        if g.text in ZERO_SHAPES and g.text != "0":
            g.text, g.conf = "0", min(1.0, g.zero)


def _decode(probs, chars, px_per_step: float, x0: float, top: float, bottom: float) -> TextLine:
    """Greedy CTC decoding: one glyph per run of a non-blank class, its score the class's
    probability at the run's first step, its box centred on the run (image pixels); glyphs
    reach halfway to their neighbours, at most half the line's height either side."""
    import numpy as np
    idx = probs.argmax(axis=1)
    best = probs[np.arange(idx.size), idx]     # the maximum, without a second pass over every class
    runs = []                                # (class, first step, last step)
    for t, c in enumerate(idx.tolist()):
        if c and runs and runs[-1][0] == c and runs[-1][2] == t - 1:
            runs[-1][2] = t
        elif c:
            runs.append([c, t, t])
    if not runs:
        return TextLine("", 0.0, [])
    zero_cls = _zero_classes(chars)
    centres = [x0 + (a + b + 1) / 2 * px_per_step for _, a, b in runs]
    half_max = (bottom - top) / 2
    glyphs, text = [], []
    for i, (c, a, _b) in enumerate(runs):
        ch = chars[c]
        text.append(ch)
        if not ch.strip():
            continue
        left = (centres[i] - centres[i - 1]) / 2 if i else half_max
        right = (centres[i + 1] - centres[i]) / 2 if i + 1 < len(runs) else half_max
        cap = (0.36 if ord(ch) > 0x2e80 else 0.22) * (bottom - top)   # glyphs as wide as printed ones
        zero = float(probs[a, zero_cls].sum()) if ch in ZERO_SHAPES else 0.0
        glyphs.append(Glyph(ch, (centres[i] - min(left, cap), top, centres[i] + min(right, cap), bottom),
                            float(best[a]), zero))
    conf = float(np.mean([g.conf for g in glyphs])) if glyphs else 0.0
    return TextLine("".join(text), conf, glyphs)


def recognize(rgb, text_px: float, det_px: float = 0.0) -> list[TextLine]:
    """Text lines of an RGB image: detection (at `det_px` text, DET_TEXT_PX by default), then
    recognition of each box."""
    return read_boxes(rgb, detect(rgb, text_px, det_px))
