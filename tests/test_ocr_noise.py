"""OCR of grainy scans (issue 15): the gray-background-noise variant read as far as the clean
one, with no number written silently wrong; numbers read beside the wrong row's label left
empty and flagged."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))


# ---------------------------------------------------------------- the row band check (no OCR engine needed)
def _ocr_doc(value_top: float, confidence=0.99):
    """The active table's 行政规范性文件 row as a lost rule leaves it: the label in its own row
    band (262-273 pt), the three numbers at `value_top` (251: the 规章 row's band above)."""
    from parsers.model import Cell, Document, Table
    cells = [Cell(t, 0, j, 1, 1, 1, (85 + 108 * j, 240, 193 + 108 * j, 251))
             for j, t in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])]
    cells.append(Cell("行政规范性文件", 1, 0, 1, 1, 1, (85, 262, 193, 273)))
    cells += [Cell(t, 1, j + 1, 1, 1, 1, (193 + 108 * j, value_top, 301 + 108 * j, value_top + 11), None, confidence)
              for j, t in enumerate(["0", "66", "0"])]
    return Document(blocks=[Table(cells=cells, page=1)], format="pdf-ocr")


def _row(ex, key):
    return [c for c in ex.cells if c.table == "active" and c.row_key == key]


def test_ocr_numbers_outside_their_labels_row_are_left_empty_and_flagged():
    from pipeline.extract import extract
    ex = extract(_ocr_doc(251), "2021")
    cells = _row(ex, "normative_docs")
    assert len(cells) == 3 and all(c.value is None and c.raw == "" and c.unplaced for c in cells)
    notes = [n for n in ex.notes if n.row_key == "normative_docs" and "outside the row of its label" in n.message]
    assert {n.col_key for n in notes} == {"issued", "repealed", "in_force"}
    assert "'66'" in " ".join(n.message for n in notes)


def test_ocr_numbers_inside_their_labels_row_and_text_layer_cells_are_kept():
    from pipeline.extract import extract
    inside = extract(_ocr_doc(262), "2021")
    assert [c.value for c in _row(inside, "normative_docs")] == [0, 66, 0]
    text_layer = extract(_ocr_doc(251, confidence=None), "2021")     # the text layer places cells exactly
    assert [c.value for c in _row(text_layer, "normative_docs")] == [0, 66, 0]
    assert not any("outside the row" in n.message for n in inside.notes + text_layer.notes)


def test_wrapped_label_counts_as_one_band():
    """A label wrapped over two cells (the row's numbers beside its first line) is one band:
    the numbers stay, though the last label cell alone stands below them."""
    from parsers.model import Cell
    from pipeline.lines import Line
    from pipeline.ocr_rows import label_band, unplace_shifted
    from pipeline.result import CellValue, Extraction
    from pipeline.templates import get
    tpl = get("2021")
    row = next(r for r in tpl.tables["requests"].rows if r.key == "partially_granted")
    labels = [Cell("（二）部分公开（区分处理的，只", 3, 0, 1, 1, 2, (105, 93, 190, 104)),
              Cell("计这一情形，不计其他情形）", 4, 0, 1, 1, 2, (105, 104, 190, 115))]
    value = Cell("7", 3, 1, 1, 1, 2, (193, 93, 228, 104), None, 0.98)
    ln = Line(labels, [value])
    assert label_band(ln, row, 2) == (93, 115)
    cell = CellValue("requests", "partially_granted", "natural_person", 7.0, "7", row.label, "自然人", 95.0, 2,
                     value.bbox, "ocr")
    ex = Extraction(template="2021", cells=[cell], lines=[ln])
    unplace_shifted(ex, tpl)
    assert cell.value == 7.0 and not ex.notes


# ---------------------------------------------------------------- grain told from ink (needs numpy, OpenCV)
def test_grain_is_painted_out_and_strokes_kept():
    """A rendered table region with scangen's noise (gray paper, grain, lone specks): after
    cleaning, the ink groups are the clean render's (none of the thousands of grain blobs the
    smoothed page kept at the ink threshold), and every stroke pixel of the clean render is
    still ink."""
    np = pytest.importorskip("numpy")
    cv2 = pytest.importorskip("cv2")
    import pypdfium2 as pdfium
    import scangen
    from parsers.ocr import image as I
    from parsers.ocr.grain import clean_grain
    page = pdfium.PdfDocument(str(ROOT / "fixtures" / "pdf" / "docx_2021.pdf"))[1]
    im = page.render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    clean = np.array(im)[100:700, 100:1100]
    noisy = np.array(scangen._degrade(im, "noise", seed=3))[100:700, 100:1100]
    assert I.noisy(noisy) and not I.noisy(clean)
    smoothed = cv2.connectedComponents(I.ink(I.denoise(noisy), 150))[0]
    got = clean_grain(noisy, 150)
    mask, want = I.ink(got, 150), I.ink(clean, 150)
    n_got, n_want = cv2.connectedComponents(mask)[0], cv2.connectedComponents(want)[0]
    assert smoothed > 20 * n_want           # what the reader saw before: grain everywhere
    assert n_got <= 1.1 * n_want, (n_got, n_want)
    core = cv2.erode(want, np.ones((2, 2), np.uint8))
    assert (mask[core > 0] > 0).mean() > 0.97


# ---------------------------------------------------------------- whole scans (needs the OCR extra)
def _scan_counts(tmp_path, name: str, dpi: int, variant: str = "noise") -> dict:
    pytest.importorskip("rapidocr_onnxruntime", reason="OCR extra not installed (pip install -e '.[ocr]')")
    import scangen
    from pipeline.report import parse_file
    from tools.ocr_accuracy import compare
    src = ROOT / "fixtures" / "pdf" / f"{name}.pdf"
    scan = scangen.scan_pdf(str(src), str(tmp_path / f"{name}-{dpi}-{variant}.pdf"), dpi, variant)
    return compare(parse_file(str(src), ocr="never"), parse_file(scan))


@pytest.mark.parametrize("name,dpi,least", [
    ("docx_2021", 150, 190),             # ruled: 54 of 200 cells before grain was told from ink
    ("docx_2021_noruling", 200, 192),    # no rules, the grid from word positions: 157 before
])
def test_grainy_scan_reads_nearly_every_cell_and_nothing_silently_wrong(tmp_path, name, dpi, least):
    r = _scan_counts(tmp_path, name, dpi)
    assert r["wrong_silent"] == 0 and r["extra_silent"] == 0, r["misses"]
    assert r["exact"] >= least, (r["exact"], r["cells"], r["misses"])
