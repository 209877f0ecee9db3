"""Table shapes besides the official one (issue 10 items 3 and 4), generated in every text
layout and as HTML: the appeals table as three small tables (each with its own header row,
or under the applicant table's header repeated, under any heading), and a row of another
table or a section heading printed inside 主动公开."""
import random

import pytest

from helpers import mismatches
from pipeline.report import parse_file
from reportgen import grid_tables, random_report
from reportgen import variants as V

SHAPES = V.TEXT_LAYOUTS + ("html",)


def _parse(tmp_path, rep, tables, shape):
    path = tmp_path / ("r.html" if shape == "html" else "r.txt")
    path.write_text(V.render_html_tables(rep, tables) if shape == "html" else V.render_text_tables(rep, shape, tables),
                    "utf-8")
    out = parse_file(str(path))
    got = {f"{c['table']}/{c['row_key']}/{c['col_key']}": (float(c["value"]) if c["value"] else None) for c in out.cells}
    return out, got


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("repeat,heading", [(False, V.APPEALS_HEADING), (True, V.APPEALS_HEADING), (False, ""),
                                            (True, "四、复议诉讼情况"), (False, "四、行政复议和诉讼情况")])
def test_appeals_as_three_tables(tmp_path, shape, repeat, heading):
    for seed in range(2):
        rep = random_report(random.Random(seed), ["2019", "2021"][seed % 2])
        out, got = _parse(tmp_path, rep, V.with_three_table_appeals(rep, repeat, heading), shape)
        assert out.report["status"] == "ok", out.report["error"]
        assert mismatches(rep.expected(), got) == []


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("foreign", ["行政复议", "行政诉讼", "复议后起诉", "四、政府信息公开行政复议、行政诉讼情况",
                                     "三、收到和处理政府信息公开申请情况"])
def test_foreign_row_inside_active_is_not_taken(tmp_path, shape, foreign):
    """行政复议 scores above the weak bar against 行政许可/行政强制: where the report leaves out
    行政强制, the foreign row must not fill it."""
    for seed in range(2):
        template = ["2019", "2021"][seed % 2]
        rep = random_report(random.Random(seed), template, noise=False)
        width = 3 if template == "2019" else 1
        tables = V.with_foreign_row(V.without_active_row(grid_tables(rep), "行政强制"), "行政处罚", foreign,
                                    [str(7 + seed)] + [""] * (width - 1))
        for col in ("prev_items", "change", "decisions"):
            rep.values.pop(("active", "admin_coercion", col), None)
        out, got = _parse(tmp_path, rep, tables, shape)
        assert mismatches(rep.expected(), got) == []
        assert [k for k, v in got.items() if k.startswith("active/admin_coercion/") and v is not None] == []
