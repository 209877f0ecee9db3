"""OCR review (pipeline/ocr_review.py): flags and one-digit candidates, on an extraction whose
cells are marked as read by OCR (no engine needed)."""
from __future__ import annotations

from pathlib import Path

from helpers import extract_text
from pipeline.checks import run_checks
from pipeline.ocr_review import review, suspect_text_layer
from pipeline.templates import get

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_xiuzhou_2019.txt"


def _as_ocr(ex, score=0.99):
    for c in ex.cells:
        c.method, c.confidence = "ocr", score
        c.char_confidence = tuple((ch, score) for ch in c.raw)
    return ex


def _misread(ex, key, raw, scores):
    c = next(c for c in ex.cells if (c.table, c.row_key, c.col_key) == key)
    truth = c.value
    c.raw, c.value = raw, float(raw)
    c.char_confidence = tuple(zip(raw, scores))
    c.confidence = min(scores)
    return c, truth


def test_one_doubtful_digit_offered_as_candidate_never_written():
    doc, ex = extract_text(SEED.read_text(encoding="utf-8"))
    tpl = get(ex.template)
    _as_ocr(ex)
    c, truth = _misread(ex, ("requests", "new_received", "total"), "288", (0.99, 0.41, 0.99))
    assert truth == 208
    checks = run_checks(ex, tpl)
    notes = review(ex, checks, tpl)
    msgs = [(n.row_key, n.col_key, n.message) for n in notes]
    assert any((a, b) == ("new_received", "total") and "low confidence 0.41" in m for a, b, m in msgs)
    assert any(a == "new_received" and "failed identity" in m for a, _, m in msgs)
    cands = [m for a, b, m in msgs if "candidate" in m]
    assert cands and all("'288' read as '208'" in m for m in cands)
    assert c.value == 288                      # offered, never applied


def test_confident_misread_is_flagged_by_identity_without_candidate():
    doc, ex = extract_text(SEED.read_text(encoding="utf-8"))
    tpl = get(ex.template)
    _as_ocr(ex)
    _misread(ex, ("requests", "new_received", "total"), "288", (0.99, 0.99, 0.99))
    notes = review(ex, run_checks(ex, tpl), tpl)
    assert any("failed identity" in n.message and n.row_key == "new_received" for n in notes)
    assert not any("candidate" in n.message for n in notes)


def test_text_layer_suspect_when_identities_break():
    doc, ex = extract_text(SEED.read_text(encoding="utf-8"))
    tpl = get(ex.template)
    doc.format = "pdf"
    assert suspect_text_layer(doc, ex, tpl) == ""
    for c in ex.cells:                         # every digit shifted, as a lying ToUnicode map does
        if c.value is not None and c.value >= 1:
            c.value = float(str(int(c.value)).translate(str.maketrans("0123456789", "1234567890")))
    assert "identities" in suspect_text_layer(doc, ex, tpl)


def test_empty_cell_in_a_row_read_by_ocr_is_named():
    doc, ex = extract_text(SEED.read_text(encoding="utf-8"))
    tpl = get(ex.template)
    _as_ocr(ex)
    c = next(c for c in ex.cells if (c.table, c.row_key, c.col_key) == ("requests", "new_received", "total"))
    c.value, c.raw, c.method, c.confidence, c.char_confidence = None, "", "read", None, ()
    notes = review(ex, run_checks(ex, tpl), tpl)
    assert any((n.row_key, n.col_key) == ("new_received", "total") and "nothing read" in n.message for n in notes)
    assert c.value is None                     # named, never filled


def test_a_row_of_an_ocr_table_with_nothing_read_is_named_once():
    doc, ex = extract_text(SEED.read_text(encoding="utf-8"))
    tpl = get(ex.template)
    _as_ocr(ex)
    row = [c for c in ex.cells if (c.table, c.row_key) == ("requests", "partially_granted")]
    assert len(row) >= 5
    for c in row:
        c.value, c.raw, c.method, c.confidence, c.char_confidence = None, "", "read", None, ()
    notes = [n for n in review(ex, run_checks(ex, tpl), tpl) if n.row_key == "partially_granted"]
    assert [n.col_key for n in notes if "nothing read in this row" in n.message] == [""]
    assert all(c.value is None for c in row)


def test_a_total_passing_only_by_equalling_a_weak_part_is_flagged_with_it():
    """34 | 0 | 34 read 31 | 0 | 31: the row identity passes, yet the total is the same printed
    number as its one weak part, so it is flagged too; with two non-zero parts it is not."""
    from types import SimpleNamespace

    from pipeline.checks import Check
    from pipeline.ocr_review import _echoes

    def cell(col, value, conf):
        return SimpleNamespace(table="requests", row_key="carried_over", col_key=col, value=value, raw=str(value),
                               confidence=conf, page=4, key=("requests", "carried_over", col))

    def check(cells):
        return Check("E3", "requests", "carried_over", "", 31, 31, "pass", "error", cells=tuple(c.key for c in cells))

    a, b, total = cell("natural_person", 31, 0.5), cell("commercial", 0, 0.95), cell("total", 31, 0.92)
    notes = _echoes([check([total, a, b])], {c.key: c for c in (a, b, total)})
    assert [(n.col_key, "low-confidence carried_over/natural_person" in n.message) for n in notes] == [("total", True)]
    b2 = cell("commercial", 3, 0.95)
    total2 = cell("total", 34, 0.92)
    assert _echoes([check([total2, a, b2])], {c.key: c for c in (a, b2, total2)}) == []
    sure = cell("natural_person", 31, 0.9)
    assert _echoes([check([total, sure, b])], {c.key: c for c in (sure, b, total)}) == []
