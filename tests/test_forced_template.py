"""`--template` forced against the labels (issue 10 item 5): refused where the labels are the
other template's, used with a warning where they are mixed, silent where they agree."""
import random

import pytest

from pipeline.forced import judge_forced
from pipeline.report import REPORT_FIELDS, parse_file
from reportgen import grid_tables, random_report, render_text

SIZES = {"2019": 7, "2021": 7}


def _write(tmp_path, text, name="r.txt"):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return str(p)


def test_warnings_is_the_last_reports_column():
    assert REPORT_FIELDS[-2:] == ["ambiguous_cells", "warnings"]


@pytest.mark.parametrize("layout", ["tab_rows", "markdown", "layout", "tab_cells"])
@pytest.mark.parametrize("real,forced", [("2019", "2021"), ("2021", "2019")])
def test_contradicted_template_is_refused(tmp_path, layout, real, forced):
    for seed in range(3):
        rep = random_report(random.Random(seed), real)
        out = parse_file(_write(tmp_path, render_text(rep, layout)), template=forced)
        r = out.report
        assert r["status"] == "failed" and out.cells == [], r
        assert f"--template {forced} refused" in r["error"] and f"the {real} template" in r["error"]
        assert any(l["level"] == "error" and "refused" in l["message"] for l in out.log)


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_agreeing_template_is_silent_and_identical(tmp_path, template):
    rep = random_report(random.Random(5), template)
    path = _write(tmp_path, render_text(rep, "tab_rows"))
    forced, detected = parse_file(path, template=template), parse_file(path)
    assert forced.report["warnings"] == "" and forced.cells == detected.cells
    assert forced.report["status"] == "ok"


def _mixed(seed: int) -> tuple[str, dict]:
    """A 2021 report whose 主动公开 table is printed with the 2019 template's columns (seen when an
    agency reuses last year's form): 2021 signature labels in the requests table, 2019 ones above."""
    rep21 = random_report(random.Random(seed), "2021")
    rep19 = random_report(random.Random(seed), "2019")
    tables19 = grid_tables(rep19)
    text = render_text(rep21, "tab_rows")
    old = "\n".join("\t".join(c.text for c in row) for row in tables19[0][1])
    head, rest = text.split("二、主动公开政府信息情况", 1)
    _, tail = rest.split("三、收到和处理政府信息公开申请情况", 1)
    return head + "二、主动公开政府信息情况\n\n" + old + "\n\n三、收到和处理政府信息公开申请情况" + tail, rep21


def test_mixed_labels_warn_in_reports_and_log(tmp_path):
    text, _ = _mixed(3)
    path = _write(tmp_path, text)
    # 2019 column labels above, 2021 row labels (逾期不补正 …) below: forcing 2021 is suspicious
    out = parse_file(path, template="2021")
    assert out.report["status"] in ("ok", "partial")
    w = out.report["warnings"]
    assert "--template 2021 forced" in w and "the 2019 template" in w
    assert any(l["level"] == "warning" and l["message"] == w for l in out.log)


def test_verdicts():
    assert judge_forced("2019", {"2019": 7, "2021": 0}, SIZES).action == "use"
    assert judge_forced("2019", {"2019": 3, "2021": 3}, SIZES).action == "use"
    assert judge_forced("2021", {"2019": 7, "2021": 0}, SIZES).action == "refuse"
    assert judge_forced("2021", {"2019": 1, "2021": 0}, SIZES).action == "warn"   # one label: maybe prose
    assert judge_forced("2021", {"2019": 5, "2021": 2}, SIZES).action == "warn"
    assert judge_forced("2021", {"2019": 0, "2021": 0}, SIZES).action == "use"     # nothing to contradict
