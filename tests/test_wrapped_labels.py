"""Row labels wrapped AROUND their number line in whitespace layouts (issue 10 item 2): the first
part above the numbers, the rest below (or three parts, the middle one on the number line).
The row must be found and its identities must hold: no false flag on a clean report."""
import random

import pytest

from helpers import cell_map, extract_text, mismatches
from pipeline.checks import run_checks
from pipeline.templates import get
from reportgen import random_report
from reportgen import variants as V


@pytest.mark.parametrize("middle,max_label", [(False, 8), (False, 10), (False, 14), (False, 20),
                                              (True, 10), (True, 14), (True, 20)])
def test_wrapped_around_rows_are_found(middle, max_label):
    for seed in range(4):
        template = ["2019", "2021"][seed % 2]
        rep = random_report(random.Random(seed * 13 + max_label), template)
        text = V.layout_wrapped_labels(rep, max_label, middle)
        _, ex = extract_text(text)
        assert mismatches(rep.expected(), cell_map(ex)) == [], (seed, template)
        failed = [c for c in run_checks(ex, get(template)) if c.status == "fail" and c.severity == "error"]
        assert failed == []


def test_the_issue_example():
    rep = random_report(random.Random(2), "2019")
    text = V.layout_wrapped_labels(rep, 24, False)
    above = [l for l in text.split("\n") if l.startswith("（二）部分公开")]
    assert above and not any(ch.isdigit() for ch in above[0])    # the numbers are on the next line
    _, ex = extract_text(text)
    row = [c for c in ex.cells if c.row_key == "partially_granted"]
    assert row and all(c.value == rep.values[("requests", "partially_granted", c.col_key)] for c in row)
    assert row[0].row_label.endswith("不计其他情形）")


def test_label_continued_below_its_number_line():
    """A narrow top-aligned label cell: the numbered label starts on the number line and runs on
    below it, beside pieces of the group label (LibreOffice PDF through pdftotext -layout)."""
    text = ("表\n"
            "                    自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
            "（三）  1.属于    0   1    0   0   0   0   1\n"
            "不予公  国家秘\n"
            "开    密\n"
            "      2.其他   3   0    0   0   0   0   3\n"
            "      法律行\n"
            "      政法规\n"
            "      禁止公\n"
            "      开\n"
            "      3.危    0   0    0   0   0   0   0\n")
    from pipeline.lines import document_lines
    from parsers.text import parse_text
    labels = [" ".join(c.text for c in ln.labels) for ln in document_lines(parse_text(text)) if ln.filled]
    assert labels[:2] == ["（三）不予公开 1.属于国家秘密", "2.其他法律行政法规禁止公开"]
