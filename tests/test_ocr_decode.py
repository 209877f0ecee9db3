"""OCR decoding (parsers/ocr/engine.py) on made-up model outputs (no engine needed), and the
engine a worker loads.

Greedy CTC decoding gives one glyph per run of a class with its position and score; a round
glyph among digits (a number cell) is the digit 0, scored by the model's belief in a round
shape; elsewhere it is left as read.
"""
from __future__ import annotations

import os

import numpy as np

from parsers.ocr import engine as E

CHARS = ["blank", "0", "1", "7", "o", "O", "年", " "]


def _probs(steps: list[tuple[int, float]], extra: dict | None = None):
    """One row per step: class `c` with probability `p`, the rest spread over blank."""
    out = np.zeros((len(steps), len(CHARS)), dtype=np.float32)
    for t, (c, p) in enumerate(steps):
        out[t, c] = p
        out[t, 0] += 1 - p
        for cls, q in (extra or {}).get(t, {}).items():
            out[t, cls] += q
            out[t, 0] -= q
    return out


def test_runs_collapse_to_one_glyph_with_position_and_score():
    # steps: 1 1 blank 7 blank blank 1   (a blank between two 1s would keep both)
    p = _probs([(2, 0.9), (2, 0.8), (0, 1.0), (3, 0.6), (0, 1.0), (0, 1.0), (2, 0.95)])
    ln = E._decode(p, CHARS, px_per_step=8.0, x0=100.0, top=10.0, bottom=42.0)
    assert ln.text == "171"
    assert [round(g.conf, 2) for g in ln.glyphs] == [0.9, 0.6, 0.95]
    centres = [(g.box[0] + g.box[2]) / 2 for g in ln.glyphs]
    assert centres == sorted(centres) and 100 <= centres[0] < 100 + 2 * 8 < centres[1]
    assert all(g.box[1] == 10.0 and g.box[3] == 42.0 for g in ln.glyphs)
    # neighbouring glyphs never overlap
    assert all(a.box[2] <= b.box[0] + 1e-6 for a, b in zip(ln.glyphs, ln.glyphs[1:]))


def test_nothing_read_is_an_empty_line():
    ln = E._decode(_probs([(0, 1.0)] * 5), CHARS, 8.0, 0.0, 0.0, 32.0)
    assert ln.text == "" and ln.glyphs == [] and ln.conf == 0.0


def test_round_glyph_among_digits_is_zero_scored_by_its_shape():
    # 'o' at 0.5 with '0' at 0.3 and 'O' at 0.1 beside it: a round shape at 0.9
    p = _probs([(2, 0.99), (0, 1.0), (4, 0.5)], extra={2: {1: 0.3, 5: 0.1}})
    ln = E._decode(p, CHARS, 8.0, 0.0, 0.0, 32.0)
    assert ln.text == "1o"
    glyphs = ln.glyphs
    E._round_glyphs_as_zero(glyphs)
    assert [g.text for g in glyphs] == ["1", "0"]
    assert abs(glyphs[1].conf - 0.9) < 1e-5


def test_round_glyph_beside_text_is_left_as_read():
    p = _probs([(6, 0.99), (0, 1.0), (4, 0.6)])
    ln = E._decode(p, CHARS, 8.0, 0.0, 0.0, 32.0)
    E._round_glyphs_as_zero(ln.glyphs)
    assert [g.text for g in ln.glyphs] == ["年", "o"]


def test_engine_loads_detection_and_recognition_only_with_rapidocrs_classes():
    """The worker's engine: two sessions on one thread (no orientation classifier), and the
    CTC classes rapidocr's own decoder uses (blank first, space last), so glyphs decode alike."""
    import pytest
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode
    eng = E.engine()
    assert E.engine() is eng                                  # one engine per process
    assert [os.path.basename(p) for p in E.model_files()] == ["ch_PP-OCRv4_det_infer.onnx",
                                                               "ch_PP-OCRv4_rec_infer.onnx"]
    meta = eng.rec.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert eng.chars == CTCLabelDecode(character=meta).character
    assert eng.chars[0] == "blank" and eng.chars[-1] == " " and "0" in eng.chars
    for sess in (eng.rec, eng.text_det.infer.session):
        opts = sess.get_session_options()
        assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
        assert opts.enable_cpu_mem_arena and not opts.enable_mem_pattern    # freed chunks reused for any shape
    probs = eng.rec.run(None, {eng.rec.get_inputs()[0].name: np.zeros((1, 3, E.REC_HEIGHT, E.MIN_INPUT), np.float32)})[0]
    assert probs.shape[-1] == len(eng.chars)                  # one class a column of the output


def test_detector_on_one_gray_channel_gives_rapidocrs_boxes():
    """Detection of a gray page on one channel: the boxes rapidocr's own three-channel call
    gives, exactly (the model's input is the same bit for bit)."""
    import pytest
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    import cv2
    import pypdfium2 as pdfium
    from pathlib import Path
    pdf = pdfium.PdfDocument(str(Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "docx_2021.pdf"))
    gray = np.array(pdf[2].render(scale=100 / 72, grayscale=True).to_pil().convert("L"))
    gray = cv2.resize(gray, (gray.shape[1] // 32 * 32, gray.shape[0] // 32 * 32), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    eng = E.engine()
    eng.text_det.limit_type, eng.text_det.limit_side_len = "min", min(gray.shape)
    theirs, _ = eng.text_det(rgb)
    ours = E._run_detector(eng, gray)
    assert len(theirs) > 20 and np.array_equal(ours, theirs)
    assert E._one_channel(rgb) is not rgb and E._one_channel(rgb).ndim == 2
    tinted = rgb.copy()
    tinted[:10, :10, 2] = 0
    assert E._one_channel(tinted) is tinted                 # a colour image keeps its channels


def _page_gray(dpi: float = 100, page: int = 2):
    import pypdfium2 as pdfium
    from pathlib import Path
    pdf = pdfium.PdfDocument(str(Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "docx_2021.pdf"))
    return np.array(pdf[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))


def test_model_bytes_parse_and_encode_back_unchanged():
    """The protobuf reader/writer the graph rewrite uses: a model's fields encoded again give
    its bytes exactly (every message and varint read as written)."""
    import pytest
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    from parsers.ocr import graph as G
    for path in E.model_files():
        raw = open(path, "rb").read()
        top = G._fields(memoryview(raw))
        assert G._encode(top) == raw
        graph = next(v for f, _, v in top if f == G._MODEL_GRAPH)
        g = G._Graph(graph)
        assert len(g.nodes) > 500 and g.encode(g.nodes) == bytes(graph)
        assert G._put_varint(-1) == b"\xff" * 9 + b"\x01" and G._varint(G._put_varint(300), 0) == (300, 2)


def _ops(model: bytes) -> list[str]:
    from parsers.ocr import graph as G
    g = G._Graph(next(v for f, _, v in G._fields(memoryview(model)) if f == G._MODEL_GRAPH))
    return [n.op for n in g.nodes]


def test_faster_graphs_compute_what_the_shipped_models_compute():
    """Both rewritten graphs: the element-by-element hard-swish and the scalar affine blocks
    are gone (fewer, larger steps), and the outputs on a real page (detection) and on real
    text crops (recognition) equal the shipped models' to float rounding; the rewrite of a
    rewritten model finds nothing more to do."""
    import pytest
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    import cv2
    import onnxruntime as ort
    from parsers.ocr import graph as G
    det, rec = E.model_files()
    gray = _page_gray()
    page = cv2.resize(gray, (gray.shape[1] // 32 * 32, gray.shape[0] // 32 * 32), interpolation=cv2.INTER_AREA)
    det_in = np.ascontiguousarray(np.broadcast_to(((page.astype(np.float32) / 255 - 0.5) / 0.5), (1, 3) + page.shape))
    strip = cv2.resize(gray[300:340, 100:700], (480, E.REC_HEIGHT)).astype(np.float32) / 127.5 - 1.0
    rec_in = np.ascontiguousarray(np.broadcast_to(strip, (1, 3) + strip.shape))
    for path, x in ((det, det_in), (rec, rec_in)):
        raw = open(path, "rb").read()
        fast = G.faster_model(raw)
        before, after = _ops(raw), _ops(fast)
        assert before.count("Clip") >= 20 and "Clip" not in after
        assert after.count("Div") == before.count("Div") - before.count("Clip")      # each hard-swish's /6
        assert after.count("Mul") + after.count("Add") < (before.count("Mul") + before.count("Add")) / 2
        assert G.faster_model(fast) == fast
        if path == det:           # the upsampling head's bias and normalisation are in its ConvTransposes
            assert after.count("BatchNormalization") == before.count("BatchNormalization") - 1
        outs = []
        for model in (raw, fast):
            s = ort.InferenceSession(model, sess_options=E.session_options(), providers=["CPUExecutionProvider"])
            outs.append(s.run(None, {s.get_inputs()[0].name: x})[0])
        assert outs[0].shape == outs[1].shape and float(np.abs(outs[0] - outs[1]).max()) < 1e-4
        if path == rec:           # the same characters read, at the same steps
            assert np.array_equal(outs[0][0].argmax(axis=1), outs[1][0].argmax(axis=1))
            assert (outs[0][0].argmax(axis=1) > 0).sum() >= 5


def test_engines_detector_finds_the_boxes_rapidocr_finds_on_the_shipped_model():
    """The worker's detector (rapidocr's pre/post-processing around the faster graph, made
    without loading the shipped graph) finds the boxes rapidocr's own TextDetector finds."""
    import pytest
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    import cv2
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    gray = _page_gray()
    gray = cv2.resize(gray, (gray.shape[1] // 32 * 32, gray.shape[0] // 32 * 32), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    theirs = TextDetector({"model_path": E.model_files()[0], "intra_op_num_threads": 1, "inter_op_num_threads": 1,
                           **E.DET_OPTIONS})
    theirs.limit_type, theirs.limit_side_len = "min", min(gray.shape)
    want, _ = theirs(rgb)
    got = E._run_detector(E.engine(), gray)
    assert len(want) > 20 and len(got) == len(want)
    assert float(np.abs(np.asarray(got, np.float32) - np.asarray(want, np.float32)).max()) <= 1.0


def _tiny_model(tail_relu: bool) -> bytes:
    """x (1×2×4×4) → Conv (1×1, 3 channels) → Mul(0.5) → Add(0.25) [→ Relu] as ONNX bytes."""
    from parsers.ocr import graph as G
    enc = G._encode

    def value_info(name: str, dims: list[int]) -> bytes:
        shape = enc([(1, 2, enc([(1, 0, d)])) for d in dims])
        return enc([(1, 2, name.encode()), (2, 2, enc([(1, 2, enc([(1, 0, 1), (2, 2, shape)]))]))])
    w = np.arange(6, dtype=np.float32).reshape(3, 2, 1, 1) - 2.5
    nodes = [G._const_node("w", w), G._const_node("s", np.array([0.5], np.float32)),
             G._const_node("b", np.array([0.25], np.float32)),
             G._new_node("Conv", ["x", "w"], ["c"], "conv", []), G._new_node("Mul", ["c", "s"], ["m"], "mul", []),
             G._new_node("Add", ["m", "b"], ["a"], "add", [])]
    if tail_relu:
        nodes.append(G._new_node("Relu", ["a"], ["y"], "relu", []))
    out = "y" if tail_relu else "a"
    graph = enc([(1, 2, n.encode()) for n in nodes] + [(2, 2, b"tiny"), (11, 2, value_info("x", [1, 2, 4, 4])),
                                                          (12, 2, value_info(out, [1, 3, 4, 4]))])
    return enc([(1, 0, 8), (8, 2, enc([(1, 2, b""), (2, 0, 12)])), (7, 2, graph)])


def test_conv_scale_shift_folded_unless_it_makes_a_graph_output():
    """A Conv's scalar scale and shift go into its weights and bias (same results); when the
    shift's result is the graph's output the model is left as it is (its name must stay)."""
    import pytest
    ort = pytest.importorskip("onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    from parsers.ocr import graph as G
    x = np.random.default_rng(1).uniform(-1, 1, (1, 2, 4, 4)).astype(np.float32)
    kept = _tiny_model(tail_relu=False)
    assert G.faster_model(kept) == kept
    model = _tiny_model(tail_relu=True)
    fast = G.faster_model(model)
    assert _ops(fast) == ["Constant", "Constant", "Conv", "Relu"]
    got = [ort.InferenceSession(m, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0] for m in (model, fast)]
    assert got[0].shape == (1, 3, 4, 4) and np.allclose(got[0], got[1], atol=1e-6) and (got[0] > 0).any()
