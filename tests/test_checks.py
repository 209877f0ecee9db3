"""Injected arithmetic errors make the right identity fail and name the right cell."""
import random

import pytest

from helpers import extract_text
from pipeline.checks import run_checks
from pipeline.templates import get
from reportgen import random_report, render_text

RESULT_ROWS = ["granted", "withheld_third_party", "unable_not_held", "not_processed_duplicate"]


@pytest.mark.parametrize("seed", range(6))
def test_injected_error_names_the_cell(seed):
    rng = random.Random(seed)
    template = rng.choice(["2019", "2021"])
    rep = random_report(rng, template, blank_rate=0)
    row = rng.choice(RESULT_ROWS)
    col = rng.choice(["natural_person", "commercial", "research"])
    key = ("requests", row, col)
    rep.values[key] = (rep.values[key] or 0) + 7
    rep.printed[key] = str(rep.values[key])
    _, ex = extract_text(render_text(rep, "tab_rows"))
    checks = run_checks(ex, get(template))
    failed = {(c.check_id, c.scope) for c in checks if c.status == "fail" and c.severity == "error"}
    assert failed == {("E2", col), ("E3", row)}
    msgs = [c.message for c in checks if c.status == "fail" and c.severity == "error"]
    assert msgs and all(f"{row}" and "×" in m for m in msgs)
    assert all("likely culprit" in m for m in msgs)


def test_blank_total_column_is_skipped_not_failed():
    rep = random_report(random.Random(3), "2019", blank_rate=0)
    for r in get("2019").result_rows():
        rep.values[("requests", r, "total")] = None
        rep.printed[("requests", r, "total")] = ""
    _, ex = extract_text(render_text(rep, "tab_cells"))
    checks = run_checks(ex, get("2019"))
    e3 = [c for c in checks if c.check_id == "E3" and c.scope == "granted"][0]
    assert e3.status == "skipped" and "not printed" in e3.message
    assert not [c for c in checks if c.status == "fail" and c.severity == "error"]


def test_expression_uses_chinese_labels():
    rep = random_report(random.Random(1), "2021")
    _, ex = extract_text(render_text(rep, "markdown"))
    e1 = [c for c in run_checks(ex, get("2021")) if c.check_id == "E1" and c.scope == "natural_person"][0]
    assert e1.expression == "一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度 [自然人]"
