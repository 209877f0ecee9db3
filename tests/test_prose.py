"""Prose figures (pipeline/prose.py) and the prose-vs-table checks P7 (pipeline/prose_checks.py)."""
import random
from pathlib import Path

import pytest

from helpers import extract_text
from pipeline.prose import clean, find_figures, load_rules
from pipeline.prose_checks import prose_checks
from pipeline.report import parse_file
from pipeline.templates import get
from reportgen import random_report, render_text

RULES = load_rules("prose_checks")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def figures(text, year=2024):
    return {(f.rule.id, f.value, f.reason) for f in find_figures(clean(text), RULES, year)}


def test_plain_figures_are_found():
    got = figures("全年收到政府信息公开申请 34 件，上年结转政府信息公开申请 2 件。"
                  "同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2\n件。")
    assert got == {("new_received", 34, ""), ("carried_over", 2, ""), ("granted", 9, ""),
                   ("partially_granted", 0, ""), ("withheld", 2, "")}


def test_number_before_the_noun_and_carried_forward():
    got = figures("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。")
    assert got == {("new_received", 70, ""), ("carried_forward", 1, "")}


@pytest.mark.parametrize("text, reason", [
    ("全年共收到政府信息公开申请约30件。", "approximate figure"),
    ("全年收到政府信息公开申请30余件。", "approximate figure"),
    ("收到政府信息公开申请30件，同比增长20%。", ""),          # the comparison is another clause
    ("收到政府信息公开申请较上年增加30件。", "a comparison with another period"),
    ("其中收到网上申请12件。", "a sub-count (其中/包括)"),
    ("收到网上申请12件。", "a breakdown by channel or applicant"),
    ("2023年收到政府信息公开申请30件。", "another year (2023)"),
    ("各部门共收到政府信息公开申请30件。", "a figure of other bodies or of part of the body"),
    ("累计收到政府信息公开申请300件。", "a cumulative figure"),
])
def test_qualified_figures_are_skipped_with_their_reason(text, reason):
    (rule, value, why), = figures(text)
    assert rule == "new_received" and why == reason and (value is None) == bool(reason)


def test_zero_in_words():
    got = figures("本年度未收到政府信息公开申请，未发生因政府信息公开引起的行政复议、行政诉讼。")
    assert got == {("new_received", 0, ""), ("review", 0, ""), ("suits", 0, "")}


def test_years_dates_and_bare_numbers_are_not_figures():
    assert figures("2024年1月1日至12月31日，收到申请的处理情况见下表。第3页。") == set()


def _with_prose(rep, sentence: str, layout: str = "tab_cells") -> str:
    text = render_text(rep, layout)
    return text.replace("一、总体情况\n", f"一、总体情况\n{sentence}\n", 1)


def _p7(text):
    doc, ex = extract_text(text)
    return {c.scope: c for c in prose_checks(doc, ex, get(ex.template), None)}


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_generated_report_prose_agrees_and_a_planted_mismatch_is_found(template):
    rep = random_report(random.Random(7), template, blank_rate=0)
    new = rep.values[("requests", "new_received", "total")]
    review = rep.values[("appeals", "review", "total")]
    suits = rep.values[("appeals", "suit_direct", "total")] + rep.values[("appeals", "suit_after_review", "total")]
    sentence = f"全年共收到政府信息公开申请{new:g}件。发生行政复议{review:g}件，行政诉讼{suits:g}件。"
    ok = _p7(_with_prose(rep, sentence))
    assert {k: c.status for k, c in ok.items()} == {"new_received": "pass", "review": "pass", "suits": "pass"}
    bad = _p7(_with_prose(rep, f"全年共收到政府信息公开申请{new + 3:g}件。"))["new_received"]
    assert (bad.status, bad.severity, bad.lhs, bad.rhs) == ("fail", "warning", new + 3, new)
    assert ("requests", "new_received", "total") in bad.cells and "全年共收到" in bad.message


def test_group_figure_is_compared_with_the_group_total():
    rep = random_report(random.Random(3), "2021", blank_rate=0)
    keys = [r.key for r in get("2021").tables["requests"].rows if r.group == "（四）无法提供"]
    total = sum(rep.values[("requests", k, "total")] for k in keys)
    check = _p7(_with_prose(rep, f"其中予以公开{rep.values[('requests', 'granted', 'total')]:g}件，无法提供{total:g}件。"))
    assert check["unable"].status == "pass" and check["unable"].rhs == total
    assert check["granted"].status == "pass"


def test_p7_rows_reach_checks_csv(tmp_path):
    rep = random_report(random.Random(11), "2019", blank_rate=0)
    new = rep.values[("requests", "new_received", "total")]
    path = tmp_path / "r.txt"
    path.write_text(_with_prose(rep, f"全年共收到政府信息公开申请{new + 1:g}件。"), "utf-8")
    out = parse_file(str(path))
    p7 = [c for c in out.checks if c["check_id"] == "P7"]
    assert [(c["status"], c["severity"], c["lhs"], c["rhs"]) for c in p7] == [("fail", "warning", f"{new + 1:g}", f"{new:g}")]
    assert out.report["checks_failed"] == 0        # a warning, not an error


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_no_false_prose_warning_on_the_real_corpus():
    checked = 0
    for path in sorted((CORPUS / "reports").iterdir()):
        out = parse_file(str(path))
        p7 = [c for c in out.checks if c["check_id"] == "P7"]
        assert [c for c in p7 if c["status"] == "fail"] == [], path.name
        checked += sum(c["status"] == "pass" for c in p7)
    assert checked >= 15        # the corpus states at least this many figures its tables confirm
