"""`pdftotext -layout` text of generated multi-page reports (issue 10 item 1): poppler compacts
empty columns differently on every page and row, so positions are weak evidence. Not one wrong
number may come out of them; a row whose placement is not certain is left empty and logged
with its numbers. The text was made by tools/make_layout_fixtures.py (LibreOffice, Chromium,
poppler); the tests need none of them."""
import json
from pathlib import Path

import pytest

from helpers import cell_map, extract_text, mismatches
from parsers.layout_place import place_row
from parsers.text import parse_text
from pipeline.checks import run_checks
from pipeline.templates import get

LAYOUT = Path(__file__).resolve().parents[1] / "fixtures" / "layout"
FIXTURES = sorted(p.stem for p in LAYOUT.glob("*.txt"))
# cells read right on the committed text when this test was written: a floor, not a target
FLOOR = {"paged_docx_2019": 104, "paged_docx_2019_noruling": 176, "paged_docx_2021": 116,
         "paged_html_2019": 128, "paged_html_2021": 123, "paged_html_2021_noruling": 178,
         "pdf_docx_2019_bigfont": 191, "pdf_docx_2019_noruling": 196, "pdf_docx_2021": 200,
         "pdf_docx_2021_noruling": 193, "pdf_html_2019_noruling": 183, "pdf_html_2019_split_thead": 198,
         "pdf_html_2021_blanks": 25, "pdf_html_2021_vertical": 185}


def test_fixtures_are_multi_page_with_columns_empty_on_one_page():
    assert len(FIXTURES) >= 12
    for name in FIXTURES:
        assert "\f" in (LAYOUT / f"{name}.txt").read_text("utf-8").rstrip("\f"), name
    paged = [n for n in FIXTURES if n.startswith("paged_")]
    assert paged
    for name in paged:
        cells = json.loads((LAYOUT / f"{name}.expected.json").read_text("utf-8"))["cells"]
        research = [cells[k] for k in cells if k.startswith("requests/") and k.endswith("/research")]
        assert None in research and any(v for v in research), name   # empty rows, then printed ones


@pytest.mark.parametrize("name", FIXTURES)
def test_no_wrong_number_from_pdftotext_layout(name):
    truth = json.loads((LAYOUT / f"{name}.expected.json").read_text("utf-8"))
    _, ex = extract_text((LAYOUT / f"{name}.txt").read_text("utf-8"))
    got = cell_map(ex)
    wrong = [m for m in mismatches(truth["cells"], got) if m[2] not in (None, "MISSING")]
    assert wrong == []
    right = sum(1 for k, v in truth["cells"].items() if v is not None and got.get(k) == v)
    assert right >= FLOOR.get(name, 0)
    assert ex.template == truth["template"]
    # a row left empty as uncertain is skipped by the checks, never a false flag
    failed = [c for c in run_checks(ex, get(ex.template)) if c.status == "fail" and c.severity == "error"]
    assert failed == []


def test_unplaced_rows_are_logged_with_their_numbers():
    _, ex = extract_text((LAYOUT / "paged_html_2019.txt").read_text("utf-8"))
    notes = [n for n in ex.notes if "cannot tell which column" in n.message]
    assert notes and all(any(ch.isdigit() for ch in n.message) for n in notes)
    assert ex.ambiguous > 0


def test_place_row_in_order_or_not_at_all():
    cols = [(10, 12), (16, 18), (22, 24), (28, 30)]
    assert place_row(cols, [(10, 12), (16, 18), (22, 24), (28, 30)], [0, 1, 2, 3]) == ([0, 1, 2, 3], "")
    # every column filled: in order, whatever the positions say
    assert place_row(cols, [(9, 11), (12, 14), (15, 17), (18, 20)], [0, 0, 1, 1])[0] == [0, 1, 2, 3]
    # one number clearly under the third column
    assert place_row(cols, [(10, 12), (22, 24)], [0, 2])[0] == [0, 2]
    # two numbers that fit the first column: never joined, placed only if clearly better
    where, why = place_row(cols, [(10, 12), (13, 15)], [0, 0])
    assert where is None and "more than one placement" in why
    assert place_row(cols, [(1, 2)] * 5, [0] * 5) == (None, "5 numbers for 4 columns")


def test_number_wrapped_onto_the_next_line_is_not_read_short():
    text = ("表\n"
            "  结果维持   结果纠正   其他结果   总计\n"
            "行政复议   45   31   0   11\n"
            "                        6\n"
            "行政诉讼   1   2   0   3\n")
    table = parse_text(text).tables[0]
    rows = {c.row for c in table.cells if c.text == "11"}
    assert rows and all(r in table.doubts for r in rows)
    assert "11 / 6" in table.doubts[next(iter(rows))]


def test_label_glued_to_its_first_number():
    text = ("信息内容      上一年项目数量     本年增/减             处理决定数量\n"
            "行政许可      55          6                 0\n"
            "其他对外管理服务 0            56                103\n")
    rows = parse_text(text).tables[0].rows()
    assert [c.text for c in rows[2]] == ["其他对外管理服务", "0", "56", "103"]
