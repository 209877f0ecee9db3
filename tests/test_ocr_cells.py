"""OCR cells after layout: each gets its characters' scores, and a cell read as digits mixed
with digit look-alike letters ('lo': a rule's faint edge read as 'l') is emptied and named,
never passed on as text that made the pipeline lose the cell's whole table."""
from __future__ import annotations

from types import SimpleNamespace

from parsers.model import Cell, Document, Table
from parsers.ocr import attach_confidence


def _glyph(text, x, conf):
    return SimpleNamespace(text=text, x0=x - 2, cx=x, mid=15.0, base=20.0, conf=conf)


def _doc(texts: list[str]) -> Document:
    cells = [Cell(t, 0, i, page=2, bbox=(40.0 * i, 10.0, 40.0 * i + 40, 20.0)) for i, t in enumerate(texts)]
    chars = [_glyph(ch, 40.0 * i + 10 + 5 * k, 0.9 - 0.1 * k) for i, t in enumerate(texts) for k, ch in enumerate(t)]
    doc = Document(blocks=[Table(cells=cells, page=2)], format="pdf-ocr")
    doc.__dict__["ocr_chars"] = {2: chars}
    return doc


def test_digits_mixed_with_look_alike_letters_are_emptied_and_named():
    doc = _doc(["lo", "1O", "12", "合计", "3.5"])
    attach_confidence(doc)
    got = [(c.text, c.confidence) for c in doc.tables[0].cells]
    assert got[0] == ("", 0.0) and got[1] == ("", 0.0)
    assert got[2] == ("12", 0.8) and got[3] == ("合计", 0.8) and got[4][0] == "3.5"
    assert doc.tables[0].cells[0].char_confidence == ()
    assert "page 2: OCR read 'lo' in a cell: not a number, left empty" in doc.warnings
    assert len(doc.warnings) == 2


def test_plain_numbers_and_text_keep_their_reading():
    doc = _doc(["0", "105", "其他"])
    attach_confidence(doc)
    assert [c.text for c in doc.tables[0].cells] == ["0", "105", "其他"]
    assert doc.warnings == []


def test_run_together_splits_of_an_ocr_reading_are_left_empty():
    """Scraped text prints every digit, so recovery's settled splits stand; an OCR reading may
    have lost one, so on a document read by OCR the same splits are emptied and logged."""
    import random

    from parsers.text import parse_text
    from pipeline.extract import extract
    from reportgen import random_report
    from reportgen.flat import flatten

    rep = random_report(random.Random(7), "2021", blank_rate=0.0, noise=False)
    doc = parse_text(flatten(rep, one_line=True))
    as_text = extract(doc)
    split = {c.key for c in as_text.cells if c.method == "recovered" and c.value is not None}
    assert split
    doc.format = "pdf-ocr"
    as_ocr = extract(doc)
    assert not [c for c in as_ocr.cells if c.method == "recovered"]
    emptied = {c.key for c in as_ocr.cells if c.key in split and c.value is None}
    assert emptied == split
    noted = {(n.table, n.row_key, n.col_key) for n in as_ocr.notes if "read by OCR, which may have lost digits" in n.message}
    assert noted == split
    assert as_ocr.ambiguous == as_text.ambiguous + len(split)
    assert split <= as_ocr.recovery.ambiguous


def test_era_a_run_together_cells_of_an_ocr_reading_are_not_split():
    """The era-A appendix's run-together cells ('主动公开文件数条2881') are split by the
    identities in scraped text; read by OCR, they are left empty and logged instead."""
    from pathlib import Path

    from parsers.text import parse_text
    from pipeline.era_a import stage

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "era_a" / "f14_2016_scraped.txt").read_text("utf-8")
    doc = parse_text(text)
    as_text = stage.extract(doc, 2015)
    split = {c.key for c in as_text.cells if c.method == "recovered"}
    assert split
    doc.format = "pdf-ocr"
    as_ocr = stage.extract(doc, 2015)
    assert not [c for c in as_ocr.cells if c.method == "recovered"]
    assert as_ocr.era_a["split"] is None
    rows = {k[1] for k in split}
    noted = {n.row_key for n in as_ocr.notes if "read by OCR, which may have lost digits: not split" in n.message}
    assert rows <= noted     # with the runs the identities could not settle in text either
    assert not [c for c in as_ocr.cells if c.row_key in noted and c.method != "prose" and c.value is not None]
