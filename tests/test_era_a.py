"""Era A (template 2008, table `stats`): the corpus reports, generated reports in every layout
and format, run-together splits against a brute-force oracle, planted breaks, X1 across a run,
and the guards (2019+ never read as 2008, unrelated text stays not_a_report)."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from helpers import X1_PAIR
from pipeline.report import parse_file
from reportgen import era_a as G

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ERA_A_FILES = ["010_pingtan_syq_2012.txt", "014_pingtan_syq_2014.txt", "017_pingtan_syq_2017.txt"]
EXACT = {"A1", "A2", "A4", "A5", "A6", "A7", "A11"}


def _parse(tmp_path: Path, text: str, name: str = "r.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(str(p))


def _cells(parsed, prose: bool = False) -> dict[str, float]:
    return {f"{c['table']}/{c['row_key']}/{c['col_key']}": float(c["value"]) for c in parsed.cells
            if (c["method"] == "prose") == prose and c["value"] != ""}


def _error_fails(parsed) -> list[str]:
    return [c["check_id"] for c in parsed.checks if c["status"] == "fail" and c["severity"] == "error"]


def _same(exp: dict, got: dict) -> list:
    return [(k, v, got.get(k)) for k, v in exp.items() if got.get(k) is None or abs(got[k] - v) > 1e-9] + \
           [(k, None, v) for k, v in got.items() if k not in exp]


# ---------------------------------------------------------------- the real reports
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not present")
@pytest.mark.parametrize("name", ERA_A_FILES)
def test_corpus_era_a_report(name):
    truth = json.loads((CORPUS / "expected" / (Path(name).stem + ".json")).read_text("utf-8"))
    p = parse_file(str(CORPUS / "reports" / name))
    assert p.report["template"] == "2008" and p.report["status"] == "ok" and p.report["tables_found"] == "stats"
    methods = {f"{c['table']}/{c['row_key']}/{c['col_key']}": c["method"] for c in p.cells if c["method"] != "prose"}
    for k, v in truth["prose"].items():
        methods.setdefault(k, "prose")
    appendix = {k: v for k, v in truth["cells"].items() if truth["methods"][k] != "prose"}
    assert _same({k: float(v) for k, v in appendix.items()}, _cells(p)) == []
    assert _same({k: float(v["value"]) for k, v in truth["prose"].items()}, _cells(p, prose=True)) == []
    assert {k: methods[k] for k in truth["methods"]} == truth["methods"]
    expected_flags = {e.split()[0] for e in truth["arith_errors"]} & EXACT
    assert set(_error_fails(p)) == expected_flags
    printed = {e.split()[0] for e in truth["arith_errors"] if e.split()[0] == "P1"}
    warned = {c["check_id"] for c in p.checks if c["status"] == "fail" and c["severity"] == "warning"}
    assert printed <= warned and warned <= {"P1", "A3", "A12", "A8"}


# ---------------------------------------------------------------- generated reports, every layout
@pytest.mark.parametrize("variant", list(G.VARIANTS))
@pytest.mark.parametrize("layout", G.LAYOUTS + ("html",))
def test_generated_layouts_recover_every_value(tmp_path, variant, layout):
    for seed in range(4):
        rep = G.random_report(random.Random(f"{variant}-{layout}-{seed}"), variant)
        if layout.startswith("run_together") and variant != "N":
            continue   # two-column run-together rows are the split test's
        text = G.render_html(rep) if layout == "html" else G.render_text(rep, layout)
        p = _parse(tmp_path, text, "r.html" if layout == "html" else "r.txt")
        assert p.report["status"] == "ok" and p.report["template"] == "2008", p.report["error"]
        assert _same(rep.expected(), _cells(p)) == []
        assert _same(rep.expected_prose(), _cells(p, prose=True)) == []
        assert _error_fails(p) == []
        assert not any(c["row_key"] == "portal_visits" and c["method"] == "prose" for c in p.cells)  # 约… not emitted


def test_generated_word_documents(tmp_path):
    pytest.importorskip("docx")
    for variant in G.VARIANTS:
        rep = G.random_report(random.Random(f"docx-{variant}"), variant)
        path = tmp_path / f"{variant}.docx"
        G.render_docx(rep, str(path))
        p = parse_file(str(path))
        assert p.report["status"] == "ok", p.report["error"]
        assert _same(rep.expected(), _cells(p)) == []
        assert _same(rep.expected_prose(), _cells(p, prose=True)) == []


# ---------------------------------------------------------------- run-together splits (property)
@pytest.mark.parametrize("variant", ["F11", "F14", "S"])
def test_run_together_splits_match_the_oracle(tmp_path, variant):
    """Every row the rules settle is recovered exactly; every genuinely ambiguous one is left
    empty with its candidates in the log; nothing else is written."""
    settled = ambiguous = 0
    for seed in range(25):
        rng = random.Random(f"split-{variant}-{seed}")
        rep = G.random_report(rng, variant, small=True)
        oracle = G.settled_rows(rep)
        if oracle is None:
            continue
        p = _parse(tmp_path, G.render_text(rep, rng.choice(["run_together", "run_together_lines"])))
        got = _cells(p)
        exp = rep.expected()
        for row, ok in oracle.items():
            keys = [f"stats/{row}/this_year", f"stats/{row}/cumulative"]
            if ok:
                settled += 1
                assert [got.get(k) for k in keys] == [exp[k] for k in keys], (seed, row)
                assert all(c["method"] == "recovered" for c in p.cells if c["row_key"] == row and c["method"] != "prose")
            else:
                ambiguous += 1
                assert all(k not in got for k in keys), (seed, row, "guessed")
                assert any(r["row_key"] == row and "candidates" in r["message"] for r in p.log)
        assert _error_fails(p) == []
        assert int(p.report["ambiguous_cells"]) == 2 * sum(1 for ok in oracle.values() if not ok)
    assert settled > 100 and ambiguous > 0


def test_prose_settles_a_split_the_identities_leave_open(tmp_path):
    text = ("某县人民政府2017年政府信息公开工作年度报告。2017年全区主动公开政府信息2122条。"
            "政府信息公开情况统计表指标名称计量单位2017年度历年累计主动公开文件数条212210037其中：1、政府网站公开数条212210037"
            "2、政府公报公开数条00受理政府信息依申请公开总数条00其中：1、当面申请数条00")
    p = _parse(tmp_path, text)
    got = _cells(p)
    assert got["stats/active_published/this_year"] == 2122 and got["stats/active_via_website/cumulative"] == 10037
    assert any("settled by A3, the prose figure" in r["message"] for r in p.log)
    # without the prose sentence the four splits stay open: nothing is written, candidates logged
    p = _parse(tmp_path, text.replace("2017年全区主动公开政府信息2122条。", ""))
    assert "stats/active_published/this_year" not in _cells(p)
    msg = next(r["message"] for r in p.log if r["row_key"] == "active_published")
    assert "2 | 12210037; 21 | 2210037; 212 | 210037; 2122 | 10037" in msg


# ---------------------------------------------------------------- planted breaks
def test_planted_breaks_are_flagged(tmp_path):
    seen = set()
    for seed in range(40):
        rng = random.Random(f"plant-{seed}")
        rep = G.random_report(rng, rng.choice(["F11", "F14", "S", "N"]))
        kind = G.plant(rng, rep)
        p = _parse(tmp_path, G.render_text(rep, rng.choice(["tab_rows", "spaces", "dump", "layout"])))
        fails = _error_fails(p)
        assert kind in fails, (seed, kind, fails)
        assert set(fails) == {kind}
        seen.add(kind)
    assert seen == {"A2", "A4", "A5", "A11"}


def test_culprit_named_when_one_identity_pins_it(tmp_path):
    rep = G.random_report(random.Random("culprit"), "F14")
    rep.values[("complaints", "this_year")] = rep.values[("complaints", "cumulative")] + 3   # A11 only
    rep.values[("requests_online", "this_year")] = rep.values[("requests_online", "cumulative")] + 2
    p = _parse(tmp_path, G.render_text(rep, "tab_rows"))
    a4 = [c for c in p.checks if c["check_id"] == "A4" and c["scope"] == "this_year"][0]
    assert a4["status"] == "fail" and "likely culprit: requests_online.this_year" in a4["message"]


# ---------------------------------------------------------------- X1 across a run
def test_x1_across_a_run_settles_and_checks(tmp_path):
    from pipeline.batch import run
    d = tmp_path / "in"
    d.mkdir()
    (d / "a2016.txt").write_text(X1_PAIR[2016], encoding="utf-8")
    (d / "b2017.txt").write_text(X1_PAIR[2017], encoding="utf-8")
    out = tmp_path / "out"
    run([str(d)], str(out), workers=1, quiet=True, progress=False)
    cells = list(csv.DictReader(open(out / "cells.csv", encoding="utf-8-sig")))
    got = {(c["year"], c["row_key"], c["col_key"]): c["value"] for c in cells}
    assert got[("2017", "active_published", "this_year")] == "2122"
    assert got[("2017", "active_via_website", "cumulative")] == "10037"
    checks = [c for c in csv.DictReader(open(out / "checks.csv", encoding="utf-8-sig")) if c["check_id"] == "X1"]
    by_row = {c["scope"]: c for c in checks}
    assert by_row["requests_received"]["status"] == "fail" and by_row["requests_received"]["severity"] == "warning"
    assert by_row["active_published"]["status"] == "pass"
    reports = {r["year"]: r for r in csv.DictReader(open(out / "reports.csv", encoding="utf-8-sig"))}
    assert reports["2017"]["ambiguous_cells"] == "0" and "era_a" not in reports["2017"]
    wide = {r["year"]: r for r in csv.DictReader(open(out / "wide" / "stats.csv", encoding="utf-8-sig"))}
    assert wide["2017"]["active_published.this_year"] == "2122"


# ---------------------------------------------------------------- guards and precedence
def test_appendix_wins_over_prose_in_wide(tmp_path):
    from pipeline.schema import render_parts, wide_columns
    rep = G.random_report(random.Random("wide"), "F11")
    rep.prose[0] = (rep.prose[0][0].replace("主动公开政府信息", "主动公开政府信息1"), {})
    p = _parse(tmp_path, G.render_text(rep, "tab_rows"))
    wide = render_parts(p.cells, p.checks, p.log)["wide"]["stats"]
    i = list(wide_columns("stats")).index("active_published.this_year")
    assert float(wide[i]) == rep.values[("active_published", "this_year")]
    keys = [(c["row_key"], c["col_key"], c["method"]) for c in p.cells]
    assert len(keys) == len(set(keys))   # unique on report/table/row/col/method


def test_a_2019_report_is_never_read_as_2008(tmp_path):
    rep = G.random_report(random.Random("2019"), "F14")
    rep.year = 2019
    p = _parse(tmp_path, G.render_text(rep, "tab_rows"))
    assert p.report["template"] != "2008" and p.report["status"] == "not_a_report"
    assert not any(c["table"] == "stats" for c in p.cells)


def test_prose_only_report_is_partial_and_unrelated_text_is_not_a_report(tmp_path):
    p = _parse(tmp_path, "某某局2015年政府信息公开工作年度报告\n2015年度主动公开政府信息62条，"
                         "其中通过门户网站公开政府信息60条。2015年未收到信息公开的申请。")
    assert p.report["status"] == "partial" and p.report["template"] == "2008"
    assert "prose" in p.report["error"]
    assert _cells(p, prose=True) == {"stats/active_published/this_year": 62.0,
                                      "stats/active_via_website/this_year": 60.0,
                                      "stats/requests_received/this_year": 0.0}
    p = _parse(tmp_path, "关于召开2015年度安全生产工作会议的通知\n各单位：定于下周召开会议，请准时参加。")
    assert p.report["status"] == "not_a_report" and p.cells == []


def test_approximate_and_zero_in_words(tmp_path):
    p = _parse(tmp_path, "某某局2013年政府信息公开工作年度报告\n全年主动公开政府信息约300条。"
                         "接受咨询4900人次左右。2013年主动公开政府信息70多条。"
                         "未发生因政府信息公开申请行政复议、提起行政诉讼的情况。依申请提供政府信息暂不收费。")
    got = _cells(p, prose=True)
    assert got == {"stats/admin_review/this_year": 0.0, "stats/admin_suit/this_year": 0.0,
                   "stats/fees_collected_10k_yuan/this_year": 0.0}
    assert sum("approximate" in r["message"] for r in p.log) == 3


# ---------------------------------------------------------------- committed fixtures (PDF, Word, scraped)
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "era_a"


@pytest.mark.parametrize("name", sorted(p.name[:-len(".expected.json")] for p in FIX.glob("*.expected.json")))
def test_era_a_fixture(name):
    """PDF from Word (LibreOffice) and from HTML (Chromium), Word, scraped run-together text
    (tools/make_era_a_fixtures.py)."""
    truth = json.loads((FIX / f"{name}.expected.json").read_text("utf-8"))
    src = next(p for p in FIX.glob(f"{name}.*") if not p.name.endswith(".json"))
    p = parse_file(str(src))
    assert p.report["status"] == "ok" and p.report["template"] == "2008"
    assert p.report["year"] == truth["year"] and truth["agency"].startswith(p.report["agency"])
    assert _same(truth["cells"], _cells(p)) == []
    assert _same(truth["prose"], _cells(p, prose=True)) == []
    assert _error_fails(p) == []
    for row in truth["ambiguous"]:
        assert any(r["row_key"] == row and "candidates" in r["message"] for r in p.log)


def test_crosswalk_names_only_real_keys():
    from pipeline.era_a.template import crosswalk, load
    from pipeline.templates import get
    era = {f"stats/{r}/{c}" for r, c in load().keys()}
    for x in crosswalk():
        assert x["era_a"] in era and x["class"] in ("same", "approx")
        for tid, keys in x["modern"].items():
            assert set(keys) <= {f"{t}/{r}/{c}" for t, r, c in get(tid).all_keys()}
    assert {x["era_a"] for x in crosswalk() if x["class"] == "same"} >= {
        "stats/requests_received/this_year", "stats/replies_granted/this_year", "stats/admin_review/this_year",
        "stats/admin_suit/this_year"}


def test_traditional_characters_and_cumulative_first(tmp_path):
    opencc = pytest.importorskip("opencc")
    rep = G.random_report(random.Random("trad"), "F11")
    text = opencc.OpenCC("s2t").convert(G.render_text(rep, "spaces"))
    p = _parse(tmp_path, text)
    assert p.report["status"] == "ok" and _same(rep.expected(), _cells(p)) == []
    p = _parse(tmp_path, "某某县人民政府2013年政府信息公开工作年度报告\n政府信息公开情况统计表指标名称计量单位历年累计2013年度"
                         "主动公开信息数条9000212其中：1、网站公开条90002122、政府公报公开条00受理依申请公开信息总数条123")
    got = _cells(p)
    assert got["stats/requests_received/this_year"] == 3 and got["stats/requests_received/cumulative"] == 12
    assert "stats/active_published/this_year" not in got


def test_an_unknown_local_row_does_not_break_the_appendix(tmp_path):
    p = _parse(tmp_path, "某某县人民政府2013年政府信息公开工作年度报告\n政府信息公开情况统计表\n指标名称 计量单位 2013年度 历年累计\n"
                         "主动公开信息数 条 20 300\n其中：1、网站公开 条 15 200\n2、政府公报公开 条 5 100\n"
                         "3、政务微博发布 条 7 9\n受理依申请公开信息总数 条 3 10\n其中：1、当面申请数 条 1 4\n")
    got = _cells(p)
    assert got["stats/requests_in_person/cumulative"] == 4 and len(got) == 10
    assert any("not keyed: 政务微博发布" in r["message"] for r in p.log)


def test_template_2008_can_be_forced(tmp_path):
    rep = G.random_report(random.Random("force"), "F14")
    path = tmp_path / "r.txt"
    path.write_text(G.render_text(rep, "tab_rows"), encoding="utf-8")
    p = parse_file(str(path), template="2008")
    assert p.report["template"] == "2008" and _same(rep.expected(), _cells(p)) == []
    from pipeline.cli import _parser
    argv = ["parse", "x", "--template", "2008"]
    assert _parser(argv).parse_args(argv).template == "2008"


def test_another_years_column_and_dashes_are_not_read(tmp_path):
    p = _parse(tmp_path, "某某县人民政府2012年政府信息公开工作年度报告\n政府信息公开情况统计表\n"
                         "指标名称 计量单位 2011年度 2012年度 历年累计\n主动公开信息数 条 20 30 300\n"
                         "其中：1、网站公开 条 15 25 200\n2、政府公报公开 条 5 5 —\n受理依申请公开信息总数 条 3 4 10\n")
    got = _cells(p)
    assert got["stats/active_published/this_year"] == 30 and got["stats/active_published/cumulative"] == 300
    assert "stats/active_via_gazette/cumulative" not in got     # a dash: not applicable, not 0
    assert any("2011年度 is not the report's year" in r["message"] for r in p.log)


def test_run_together_digits_after_a_spaced_unit(tmp_path):
    """A scraper that kept the space after the unit but ran the two numbers together: the
    zeros printed as "00" show the cells ran together."""
    p = _parse(tmp_path, "某某县人民政府2017年政府信息公开工作年度报告。2017年全区主动公开政府信息2122条。\n"
                         "政府信息公开情况统计表 指标名称 计量单位 2017年度 历年累计 主动公开文件数 条 212210037 "
                         "其中：1、政府网站公开数 条 212210037 2、政府公报公开数 条 00 受理政府信息依申请公开总数 条 00")
    got = _cells(p)
    assert got["stats/active_via_website/this_year"] == 2122 and got["stats/requests_received/cumulative"] == 0


def test_codebook_section_lists_every_key_and_check():
    from pipeline.era_a import codebook
    from pipeline.era_a.template import load
    text = "\n".join(codebook.section())
    assert all(f"`{r.key}`" in text for r in load().rows) and "`recovered`" in text
    ids = {row[0].strip("`") for row in codebook.checks()}
    assert ids == {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A11", "A12", "P1", "X1"}


def test_x1_settles_generated_series(tmp_path):
    """Pairs of consecutive reports of one agency: the earlier printed apart, the later run
    together with no prose to help; X1 recovers every row of the later one."""
    from pipeline.batch import run
    d = tmp_path / "in"
    d.mkdir()
    truth = {}
    for k in range(5):
        rng = random.Random(f"series-{k}")
        later = G.random_report(rng, rng.choice(["F11", "F14"]), small=True)
        later.agency = f"第{k}号县人民政府"
        later.prose = []
        earlier = G.EraAReport(later.variant, later.agency, later.year - 1)
        for (row, col), v in later.values.items():
            if col == "cumulative":
                base = v - later.values[(row, "this_year")]
                earlier.values[(row, "this_year")] = min(base, rng.randint(0, 3))
                earlier.values[(row, "cumulative")] = base
        (d / f"a{k}.txt").write_text(G.render_text(earlier, "tab_rows"), encoding="utf-8")
        (d / f"b{k}.txt").write_text(G.render_text(later, "run_together"), encoding="utf-8")
        truth[(later.agency, str(later.year))] = later.expected()
    out = tmp_path / "out"
    run([str(d)], str(out), workers=1, quiet=True, progress=False)
    got: dict = {}
    for c in csv.DictReader(open(out / "cells.csv", encoding="utf-8-sig")):
        if c["method"] != "prose" and c["value"] != "":
            got.setdefault((c["agency"], c["year"]), {})[f"stats/{c['row_key']}/{c['col_key']}"] = float(c["value"])
    for key, exp in truth.items():
        assert _same(exp, got.get(key, {})) == [], key
    log = [r["message"] for r in csv.DictReader(open(out / "log.csv", encoding="utf-8-sig"))]
    assert any("settled by X1" in m for m in log)
