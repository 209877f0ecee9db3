"""The PDF reader: committed fixture PDFs (LibreOffice and Chromium) round-trip exactly, the shared
corpus PDF parses to its checked values, and bad files fail with a clear reason."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from helpers import cell_map, mismatches
from parsers import ReadError, read
from parsers import pdf as P
from parsers.glyphs import repair_chars
from parsers.pdf.items import Char
from parsers.pdf.objects import dedupe
from pipeline.extract import extract
from pipeline.metadata import extract_metadata
from pipeline.normalize import fix_glyphs
from pipeline.report import parse_file

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures" / "pdf"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = sorted(p.stem for p in FIX.glob("*.pdf") if (FIX / f"{p.stem}.expected.json").exists())
RULED = [n for n in FIXTURES if "noruling" not in n]


def truth(name: str) -> dict:
    return json.loads((FIX / f"{name}.expected.json").read_text("utf-8"))


def expand(rows) -> dict:
    """(row, col) → (text, rowspan, colspan) of each cell's top-left position in a spanned layout."""
    taken, out = set(), {}
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            out[(r, c)] = (text, rs, cs)
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return out


def squash(s: str) -> str:
    return re.sub(r"\s+", "", fix_glyphs(s or ""))


def test_fixture_set_covers_the_cases():
    names = " ".join(FIXTURES)
    assert {truth(n)["template"] for n in FIXTURES} == {"2019", "2021"}
    assert {truth(n)["producer"] for n in FIXTURES} == {"libreoffice", "chromium"}
    assert "vertical" in names and "split" in names and "blanks" in names


@pytest.mark.parametrize("name", RULED)
def test_fixture_grid_is_the_printed_layout(name):
    """Every table, joined over page breaks, has exactly the printed grid: cells, spans, text."""
    doc = read(str(FIX / f"{name}.pdf"))
    want = truth(name)["tables"]
    assert len(doc.tables) == len(want)
    for t, w in zip(doc.tables, want):
        exp = {k: (squash(v[0]), v[1], v[2]) for k, v in expand(w["rows"]).items()}
        got = {(c.row, c.col): (squash(c.text), c.rowspan, c.colspan) for c in t.cells}
        assert got == exp, w["heading"]


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_values_through_the_pipeline(name):
    """The real test: the whole pipeline on the PDF gives the generated report's values exactly."""
    tr = truth(name)
    doc = read(str(FIX / f"{name}.pdf"))
    ex = extract(doc)
    assert ex.template == tr["template"]
    assert mismatches(tr["cells"], cell_map(ex)) == []
    meta = extract_metadata(doc)
    assert (meta.agency, meta.year) == (tr["agency"], tr["year"])
    r = parse_file(str(FIX / f"{name}.pdf"))
    assert r.report["status"] == "ok", r.report["error"]


def test_split_tables_span_pages_and_cells_carry_position():
    doc = read(str(FIX / "html_2019_split_thead.pdf"))
    assert doc.pages and doc.pages >= 3
    pages_per_table = [sorted({c.page for c in t.cells}) for t in doc.tables]
    assert any(len(p) > 1 for p in pages_per_table)
    for t in doc.tables:
        for c in t.cells:
            x0, top, x1, bottom = c.bbox
            assert 1 <= c.page <= doc.pages and 0 <= x0 < x1 <= 842 and 0 <= top < bottom <= 842


def test_repeated_header_rows_are_dropped():
    """Chromium repeats <thead> rows on every page; the joined table holds them once."""
    doc = read(str(FIX / "html_2019_split_thead.pdf"))
    texts = [squash(c.text) for t in doc.tables for c in t.cells]
    assert texts.count("申请人情况") == 1


def test_vertical_group_label_is_one_cell():
    doc = read(str(FIX / "html_2021_vertical.pdf"))
    cell = next(c for t in doc.tables for c in t.cells if squash(c.text).startswith("三、本年"))
    assert "\n" in cell.text and cell.rowspan == 22


def test_title_and_prose_kept():
    doc = read(str(FIX / "docx_2021.pdf"))
    tr = truth("docx_2021")
    paras = [b.text for b in doc.blocks if not hasattr(b, "cells")]
    assert any(tr["agency"] in squash(p) and str(tr["year"]) in p for p in paras)


def test_glyph_repair_maps_radicals():
    assert repair_chars("⼆⻔⼾（⼀）") == "二门户（一）"
    assert repair_chars("（一）：") == "（一）："  # full-width punctuation stays as printed


def test_fake_bold_doubles_are_dropped():
    c = Char(0, "规", 10.0, 20.0, 5.0, 15.0, 10.0, False)
    twin = Char(1, "规", 10.4, 20.4, 5.0, 15.0, 10.0, False)
    other = Char(2, "规", 30.0, 40.0, 5.0, 15.0, 10.0, False)
    assert dedupe([c, twin, other]) == [c, other]


# ---------------------------------------------------------------- the shared corpus PDF
def test_corpus_pdf():
    reports = SHARED / "corpus" / "reports"
    pdf = reports / "003_huaian_shi_2024.pdf"
    if not pdf.exists():
        pytest.skip("../shared corpus not present")
    tr = json.loads((SHARED / "corpus" / "expected" / "003_huaian_shi_2024.json").read_text("utf-8"))
    doc = read(str(pdf))
    ex = extract(doc)
    meta = extract_metadata(doc)
    assert ex.template == tr["template"]
    assert (meta.agency, meta.year) == (tr["agency"], tr["year"])
    got = cell_map(ex)
    wrong = [(k, v, got.get(k)) for k, v in tr["cells"].items() if got.get(k) != v]
    assert wrong == []
    # the requests table runs over pages 4-5 and is joined into one table
    req = next(t for t in doc.tables if any("申请人情况" in c.text for c in t.cells))
    assert sorted({c.page for c in req.cells}) == [4, 5]


# ---------------------------------------------------------------- bad input
def _pdf(objects: list[bytes]) -> bytes:
    """A minimal well-formed PDF from object bodies (1-based numbering, xref computed)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _rect_only_pdf() -> bytes:
    content = b"0 0 0 RG 2 w 100 100 300 200 re S"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"])


def test_rect_only_pdf_is_scanned(tmp_path):
    p = tmp_path / "rect.pdf"
    p.write_bytes(_rect_only_pdf())
    with pytest.raises(ReadError, match=r"^scanned: no text layer$"):
        read(str(p))


def test_image_only_pdf_is_scanned(tmp_path):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(FIX / "docx_2021.pdf"))
    img = pdf[0].render(scale=0.5).to_pil().convert("RGB")
    pdf.close()
    p = tmp_path / "scan.pdf"
    img.save(p, "PDF")
    with pytest.raises(ReadError, match=r"^scanned: no text layer$"):
        read(str(p), ocr="never")      # without OCR (tests/test_ocr.py reads such pages)
    r = parse_file(str(p), ocr="never")
    assert (r.report["status"], r.report["error"]) == ("failed", "scanned: no text layer")


def test_encrypted_pdf(tmp_path):
    with pytest.raises(ReadError, match=r"^encrypted: "):
        read(str(Path(__file__).parent / "data" / "encrypted.pdf"))   # made with qpdf --encrypt


def test_truncated_pdf(tmp_path):
    data = (FIX / "docx_2021.pdf").read_bytes()
    p = tmp_path / "half.pdf"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match=r"^truncated: "):
        read(str(p))


def test_garbage_with_pdf_name(tmp_path):
    p = tmp_path / "junk.pdf"
    p.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(5000)))
    with pytest.raises(ReadError, match=r"^corrupt: "):
        P.read(str(p))


def test_pdf_header_with_broken_body(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(2).randrange(256) for _ in range(3000)) + b"\n%%EOF\n")
    with pytest.raises(ReadError, match=r"^corrupt: "):
        read(str(p))


# ---------------------------------------------------------------- the table finder
def _pdfs():
    files = sorted(FIX.glob("*.pdf"))
    corpus = SHARED / "corpus" / "reports"
    return files + (sorted(corpus.glob("*.pdf")) if corpus.is_dir() else [])


@pytest.mark.parametrize("path", _pdfs(), ids=lambda p: p.name)
def test_table_finder_is_pdfplumbers(path):
    """Our port of pdfplumber's table finder ("lines" strategy, default tolerances) finds the same
    cell groups, cell for cell and in the same order, as pdfplumber's own TableFinder given the
    same edges."""
    table = pytest.importorskip("pdfplumber.table")
    from parsers.pdf import objects as O, pages, ruled

    class Shim:   # what TableFinder reads of a page for the "lines" strategy
        def __init__(self, w, h, edges):
            self.bbox, self.edges = (0, 0, w, h), edges

    pdf = pages.open_document(str(path))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            scan = pages.scan_page(page, tp, i + 1)
            w, h = page.get_size()
            edges = O.close_frames(O.edges(scan.objects, h))
            theirs = [list(t.cells) for t in table.TableFinder(Shim(w, h, edges), {
                "vertical_strategy": "lines", "horizontal_strategy": "lines"}).tables]
            assert ruled.cell_groups(edges) == theirs, f"page {i + 1}"
            tp.close()
            page.close()
    finally:
        pdf.close()


@pytest.mark.parametrize("path", _pdfs(), ids=lambda p: p.name)
def test_pdfium_generates_only_spaces_and_line_breaks(path):
    """The reader leaves out spaces and line breaks without asking pdfium which characters it
    generated: that holds only while pdfium generates nothing else."""
    from parsers.pdf import pages
    from parsers.pdf.pdfium import fn

    pdf = pages.open_document(str(path))
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            generated = {fn("FPDFText_GetUnicode")(tp.raw, k) for k in range(tp.count_chars())
                         if fn("FPDFText_IsGenerated")(tp.raw, k)}
            assert generated <= {32, 13, 10}, f"page {i + 1}: {generated}"
            tp.close()
    finally:
        pdf.close()


def test_bare_pdfium_calls_give_what_the_typed_ones_give():
    """objects.bare drops ctypes' argument conversion only: same glyph boxes, flags and objects."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from parsers.pdf.objects import bare
    pdf = pdfium.PdfDocument(str(FIX / "docx_2021.pdf"))
    page = pdf[0]
    tp = page.get_textpage()
    try:
        typed_box, bare_box = raw.FS_RECTF(), raw.FS_RECTF()
        loose = bare("FPDFText_GetLooseCharBox")
        for i in range(tp.count_chars()):
            assert raw.FPDFText_GetLooseCharBox(tp.raw, i, typed_box) == loose(tp.raw, i, ctypes.byref(bare_box))
            assert bytes(typed_box) == bytes(bare_box)
            assert raw.FPDFText_HasUnicodeMapError(tp.raw, i) == bare("FPDFText_HasUnicodeMapError")(tp.raw, i)
        get_obj, get_type = bare("FPDFPage_GetObject"), bare("FPDFPageObj_GetType")
        n = raw.FPDFPage_CountObjects(page.raw)
        assert n > 0
        for i in range(n):
            assert get_type(get_obj(page.raw, i)) == raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i))
        assert not get_obj(page.raw, n)      # out of range: a NULL handle, as typed
    finally:
        tp.close()
        page.close()
        pdf.close()


def _form_pdf() -> bytes:
    """A page drawing a rule, then a form XObject (placed by a `cm` and its own /Matrix) that
    holds a rectangle and a nested form with a line, then another rule: paths in three holders."""
    page = b"0 0 0 RG 1 w 50 800 m 500 800 l S q 1 0 0 1 100 50 cm /F1 Do Q 50 40 m 500 40 l S"
    form = b"0 0 0 RG 20 20 200 100 re S /F2 Do"
    inner = b"0 0 0 RG 10 300 m 210 300 l S"
    stream = lambda extra, body: b"<< /Length %d %s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 b"/Resources << /XObject << /F1 5 0 R >> >> >>",
                 stream(b"", page),
                 stream(b"/Type /XObject /Subtype /Form /BBox [0 0 400 400] /Matrix [1 0 0 1 0 10] "
                        b"/Resources << /XObject << /F2 6 0 R >> >>", form),
                 stream(b"/Type /XObject /Subtype /Form /BBox [0 0 400 400] /Matrix [2 0 0 1 0 0]", inner)])


def _walk(page):
    """page_objects' reference: a recursive walk with pypdfium2's typed calls, every object visited."""
    import pypdfium2.raw as raw

    from parsers.pdf.objects import _mul
    paths, images = [], 0

    def visit(obj, parent):
        nonlocal images
        t = raw.FPDFPageObj_GetType(obj)
        if t in (raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_PATH):
            fm = raw.FS_MATRIX()
            raw.FPDFPageObj_GetMatrix(obj, fm)
            m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)
            if t == raw.FPDF_PAGEOBJ_PATH:
                paths.append(m)
            for i in range(raw.FPDFFormObj_CountObjects(obj) if t == raw.FPDF_PAGEOBJ_FORM else 0):
                visit(raw.FPDFFormObj_GetObject(obj, i), m)
        elif t == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1

    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        visit(raw.FPDFPage_GetObject(page.raw, i), (1, 0, 0, 1, 0, 0))
    return paths, images


def test_page_objects_walk_into_forms_in_content_order(tmp_path):
    import pypdfium2 as pdfium

    from parsers.pdf.objects import edges, page_objects
    p = tmp_path / "forms.pdf"
    p.write_bytes(_form_pdf())
    pdfs = [p] + [FIX / f"{n}.pdf" for n in FIXTURES[:3]]
    for path in pdfs:
        pdf = pdfium.PdfDocument(str(path))
        for k in range(len(pdf)):
            page = pdf[k]
            objs = page_objects(page)
            assert ([m for _, m in objs.paths], objs.n_images) == _walk(page)
            page.close()
        if path == p:
            page = pdf[0]
            found = sorted((e["orientation"], round(e["x0"]), round(e["top"]), round(e["x1"]), round(e["bottom"]))
                           for e in edges(page_objects(page), 842))
            page.close()
            assert found == sorted([("h", 50, 42, 500, 42), ("h", 50, 802, 500, 802),              # the rules
                                    ("h", 120, 662, 320, 662), ("h", 120, 762, 320, 762),          # the rectangle,
                                    ("v", 120, 662, 120, 762), ("v", 320, 662, 320, 762),          # moved by cm + /Matrix
                                    ("h", 120, 482, 520, 482)])                                   # the nested form's line
        pdf.close()


def test_glyph_variant_search_is_shapes_test():
    """glyphs.glyph_variant_pattern (one search per text) accepts exactly what shapes.is_glyph_variant accepts."""
    from parsers.glyphs import glyph_variant_pattern
    _VARIANT = glyph_variant_pattern()
    from parsers.shapes import is_glyph_variant
    chars = [chr(o) for o in range(0x30000) if not 0xD800 <= o <= 0xDFFF]     # planes 0–2 hold all the ranges
    assert [ch for ch in chars if _VARIANT.search(ch)] == [ch for ch in chars if is_glyph_variant(ch)]


def test_plain_text_pass_is_ocr_reasons_character_test():
    """pdf._all_plain (a page's distinct characters looked up) holds exactly when parsers.ocr finds no
    character outside CJK/ASCII/punctuation, so skipping its per-character count changes nothing."""
    from parsers.ocr import _PLAIN, ocr_reason
    from parsers.pdf import _all_plain
    chars = [chr(o) for o in range(0x30000) if not 0xD800 <= o <= 0xDFFF]
    assert [c for c in chars if _all_plain(c)] == [c for c in chars if c.isspace() or _PLAIN.match(c)]
    for text in ("年度报告 2024\n第一条", "abc\u0e01\u0e02\u0e03", "\ue000\ue001x", ""):
        for n_chars, n_bad in ((len(text), 0), (len(text) + 3, 2), (10, 4), (0, 0)):
            want = ocr_reason(text, n_chars, n_bad, 0, "auto")
            assert ocr_reason("" if _all_plain(text) else text, n_chars, n_bad, 0, "auto") == want


def test_glyph_counts_leave_out_tabs():
    from parsers.pdf.objects import glyph_counts
    glyphs = [(0, "a", False), (1, "\t", True), (2, "\ue000", True), (3, "\t", False), (4, "b", True)]
    assert glyph_counts(glyphs) == (3, 2)
    assert glyph_counts([(0, "a", False)]) == (1, 0) and glyph_counts([]) == (0, 0)
