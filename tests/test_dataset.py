"""`ogi dataset`, `ogi show`, `ogi parse --dataset` and the `ogi` API, on a generated archive
(every planted break found, no false warning, duplicates grouped, one agency_id per body, no two
bodies merged), on the real corpus, and piece by piece (identity, regions, indicators)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import archive as A

duckdb = pytest.importorskip("duckdb")


def _parse(paths, out):
    from pipeline.batch import run
    return run([str(p) for p in paths], str(out), workers=2, quiet=True, progress=False)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A small archive with every kind of planted case, parsed and built into a dataset."""
    from ogi.dataset.build import update

    arc = A.make_archive(seed=11, n_counties=3, bodies_per_county=3, duplicate_rate=0.12, p1_rate=0.4,
                         p2_rate=0.4, missing_rate=0.25, docx_limit=2,
                         prose_rate=0.6, prose_break_rate=0.25)
    root = tmp_path_factory.mktemp("archive")
    A.write_archive(arc, str(root / "files"))
    _parse([root / "files"], root / "run")
    update(str(root / "ds"), [str(root / "run")])
    return arc, root


def test_archive_has_every_planted_case(archive):
    arc, _ = archive
    assert len({r.year for r in arc.reports}) == 7 and {r.fmt for r in arc.reports} >= {"html", "docx"}
    assert arc.p1_breaks and arc.p2_breaks and arc.missing and any(r.duplicate_of for r in arc.reports)
    assert arc.prose_breaks and sum(1 for r in arc.reports if r.prose) > len(arc.prose_breaks)
    assert any(len({n for n in b.names.values()}) > 1 for b in arc.bodies)


def test_archive_dataset_matches_truth(archive):
    arc, root = archive
    problems = A.verify(arc, str(root / "ds"))
    assert problems == {k: [] for k in problems}


def test_unbroken_series_have_no_warnings(archive):
    arc, root = archive
    con = duckdb.connect(str(root / "ds" / "ogi.duckdb"), read_only=True)
    n_pass = con.execute("SELECT count(*) FROM checks WHERE origin='cross_year' AND status='pass'").fetchone()[0]
    fails = con.execute("SELECT count(*) FROM checks WHERE origin='cross_year' AND status='fail'").fetchone()[0]
    assert n_pass > 100
    assert fails == len(arc.p1_breaks) + len(arc.p2_breaks) + len(arc.missing) - sum(
        1 for b, y in arc.missing if y == max(A.YEARS))


def test_cross_year_check_names_both_reports_and_cells(archive):
    _, root = archive
    con = duckdb.connect(str(root / "ds" / "ogi.duckdb"), read_only=True)
    row = con.execute("SELECT report_id, other_report_id, cell_refs, message, severity FROM checks WHERE check_id='P1' "
                      "AND status='fail' LIMIT 1").fetchone()
    rid, other, refs, msg, sev = row
    assert sev == "warning" and rid in refs and other in refs and rid in msg and other in msg
    assert "carried_over" in refs and "carried_forward" in refs


def test_adding_a_run_twice_changes_nothing(archive, tmp_path):
    from ogi.dataset.build import update

    _, root = archive
    def digest(d):
        out = {}
        for p in sorted(Path(d).rglob("*")):
            if p.is_file() and (p.suffix in (".csv", ".json")):
                out[str(p.relative_to(d))] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out
    ds = tmp_path / "ds"
    update(str(ds), [str(root / "run")])
    first = digest(ds)
    update(str(ds), [str(root / "run")])
    update(str(ds), [str(root / "run"), str(root / "run")])
    assert digest(ds) == first
    assert first == digest(root / "ds")


def test_datapackage_validates_and_parquet_reads(archive):
    _, root = archive
    ds = root / "ds"
    pkg = json.loads((ds / "datapackage.json").read_text("utf-8"))
    cells = next(r for r in pkg["resources"] if r["name"] == "cells")
    fields = {f["name"]: f for f in cells["schema"]["fields"]}
    assert fields["row_key"]["labels"]["new_received"] == "一、本年新收政府信息公开申请数量"
    assert fields["value"]["type"] == "number" and fields["value"]["unit"]
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{ds}/parquet/cells.parquet/*/*.parquet', "
                    "hive_partitioning=true)").fetchone()[0]
    db = duckdb.connect(str(ds / "ogi.duckdb"), read_only=True)
    assert n == db.execute("SELECT count(*) FROM cells").fetchone()[0] > 0
    assert (ds / "csv" / "cells.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ds / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_show_and_xlsx(archive, tmp_path):
    import zipfile

    from rich.console import Console

    from ogi.dataset import show

    arc, root = archive
    con = duckdb.connect(str(root / "ds" / "ogi.duckdb"), read_only=True)
    b = arc.bodies[0]
    ids = show.select_agencies(con, agency=b.names[2019])
    assert len(ids) == 1
    console = Console(record=True, width=200)
    show.render(con, ids, console)
    text = console.export_text()
    assert "新收申请" in text and "2019" in text and "2025" in text
    code = con.execute("SELECT region_code FROM agencies WHERE agency_id=?", ids).fetchone()[0]
    assert ids[0] in show.select_agencies(con, region=code[:4] + "00")
    out = tmp_path / "panel.xlsx"
    counts = show.write_xlsx(con, ids, str(out))
    assert counts["agencies"] == 1 and counts["cells"] > 0
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        text = "".join(z.read(n).decode() for n in sheets)
        if "xl/sharedStrings.xml" in z.namelist():
            text += z.read("xl/sharedStrings.xml").decode()
        assert "机构编号" in text and "单元格" in z.read("xl/workbook.xml").decode() and len(sheets) == 12


def test_cli_parse_with_dataset_and_agencies_override(tmp_path):
    from pipeline.cli import main

    from reportgen import random_report, render_text
    import random

    files = tmp_path / "in"
    files.mkdir()
    for i, (name, year) in enumerate([("秀洲区人民政府", 2019), ("嘉兴市秀洲区人民政府", 2020), ("秀洲区人民政府办公室", 2020)]):
        rep = random_report(random.Random(i), "2019", year=year)
        rep.agency = name
        (files / f"r{i}.txt").write_text(render_text(rep, "tab_rows"), "utf-8")
    assert main(["parse", str(files), "--out", str(tmp_path / "run"), "--quiet", "--dataset", str(tmp_path / "ds")]) == 0
    con = duckdb.connect(str(tmp_path / "ds" / "ogi.duckdb"), read_only=True)
    ids = dict(con.execute("SELECT agency, agency_id FROM reports").fetchall())
    assert ids["秀洲区人民政府"] == ids["嘉兴市秀洲区人民政府"] != ids["秀洲区人民政府办公室"]
    con.close()
    (tmp_path / "over.csv").write_text("\ufeffname,agency_id\n秀洲区人民政府办公室,my-office\n", "utf-8")
    assert main(["dataset", str(tmp_path / "run"), "--out", str(tmp_path / "ds"), "--agencies",
                 str(tmp_path / "over.csv")]) == 0
    con = duckdb.connect(str(tmp_path / "ds" / "ogi.duckdb"), read_only=True)
    assert con.execute("SELECT agency_id FROM reports WHERE agency='秀洲区人民政府办公室'").fetchone()[0] == "my-office"
    assert con.execute("SELECT count(*) FROM log WHERE event='override'").fetchone()[0] == 1


def test_help_imports_no_dataset_library():
    code = ("import sys; from pipeline import cli; cli._parser(['parse']).format_help(); "
            "print([m for m in ('duckdb', 'pandas', 'pyarrow', 'ogi.dataset') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- pieces
def test_identity_rules():
    from ogi.dataset import identity as I

    g = I.group([("秀洲区人民政府", 2019, 1), ("嘉兴市秀洲区人民政府", 2021, 1), ("# 秀洲區人民政府", 2022, 1),
                 ("浙江省嘉兴市秀洲区人民政府", 2023, 1), ("秀洲区人民政府办公室", 2019, 1),
                 ("秀洲区发展和改革局", 2019, 1), ("秀洲区财政局", 2019, 1), ("秀洲区民政局", 2020, 1),
                 ("秀洲区市场监督管理局", 2019, 1), ("秀洲区市场监督管理局", 2021, 1), ("秀洲区市场监督管埋局", 2020, 1),
                 ("南湖区市场监督管埋局", 2020, 1), ("秀洲区卫生健康局", 2019, 1), ("秀洲区卫生建康局", 2019, 1)])
    ids = {(r["name_printed"], r["year"]): r["agency_id"] for r in g.names}
    gov = ids[("秀洲区人民政府", 2019)]
    assert ids[("嘉兴市秀洲区人民政府", 2021)] == ids[("# 秀洲區人民政府", 2022)] == ids[("浙江省嘉兴市秀洲区人民政府", 2023)] == gov
    assert len({gov, ids[("秀洲区人民政府办公室", 2019)], ids[("秀洲区发展和改革局", 2019)]}) == 3
    assert ids[("秀洲区财政局", 2019)] != ids[("秀洲区民政局", 2020)]            # short bodies: not a typo
    assert ids[("秀洲区市场监督管埋局", 2020)] == ids[("秀洲区市场监督管理局", 2019)]  # typo, same region and kind
    assert ids[("南湖区市场监督管埋局", 2020)] != ids[("秀洲区市场监督管理局", 2019)]  # another region
    assert ids[("秀洲区卫生健康局", 2019)] != ids[("秀洲区卫生建康局", 2019)]        # printed in the same year
    assert [x["event"] for x in g.log if x["name"] == "秀洲区市场监督管埋局"] == ["typo_joined"]
    kinds = {a["canonical_name"]: (a["kind"], a["level"]) for a in g.agencies}
    assert kinds["浙江省嘉兴市秀洲区人民政府"] == ("government", "county")
    assert kinds["秀洲区人民政府办公室"] == ("general_office", "county")


def test_identity_zone_committee_and_township():
    from ogi.dataset import identity as I

    g = I.group([("平潭综合实验区", 2019, 1), ("平潭综合实验区管委会", 2014, 1), ("柞水县凤凰镇人民政府", 2021, 1)])
    ids = {r["name_printed"]: r["agency_id"] for r in g.names}
    assert ids["平潭综合实验区"] == ids["平潭综合实验区管委会"]
    zone = next(a for a in g.agencies if a["agency_id"] == ids["平潭综合实验区"])
    assert (zone["region_code"], zone["kind"]) == ("350128", "government")
    town = next(a for a in g.agencies if a["canonical_name"] == "柞水县凤凰镇人民政府")
    assert town["level"] == "township" and town["kind"] == "government" and town["region_code"] == "611026"


def test_regions_across_revisions_and_unknowns():
    from ogi.dataset import regions as R

    assert R.resolve("会理县人民政府", 2020).code == "513425"      # became 会理市 in 2021
    assert R.resolve("会理市人民政府", 2023).code == "513402"
    assert R.resolve("莱芜市人民政府", 2018).code == "371200"      # merged into 济南 in 2019
    assert R.resolve("莱芜区人民政府", 2021).code == "370116"
    assert R.resolve("龙港市人民政府", 2020).code == "330383"      # created 2019
    assert (R.resolve("淮安市人民政府", 2024).level, R.resolve("上海市科委", 2024).level) == ("prefecture", "province")
    amb = R.resolve("朝阳区人民政府", 2021)
    assert amb.code == "" and "110105" in amb.reason and "220104" in amb.reason
    assert R.resolve("北京市朝阳区人民政府", 2021).code == "110105"
    assert R.resolve("某某单位", 2021).code == "" and R.resolve("某某单位", 2021).reason


def test_indicator_crosswalk_and_zero_denominator(tmp_path):
    from ogi.dataset.build import update

    run = tmp_path / "run"
    run.mkdir()
    (run / "reports.csv").write_text(
        "report_id,source_path,sha256,format,pages,agency,year,template,status,tables_found,cells,checks_failed,error,seconds\n"
        "r2019,a.txt,x,text,,秀洲区人民政府,2019,2019,ok,active;requests;appeals,3,0,,0.1\n"
        "r2021,b.txt,y,text,,秀洲区人民政府,2021,2021,ok,active;requests;appeals,3,0,,0.1\n", "utf-8")
    head = "report_id,agency,year,template,table,row_key,col_key,value,raw,row_label,col_label,match_score,page,bbox,method\n"
    rows = [("r2019", 2019, "active", "normative_docs", "new_made", 4), ("r2021", 2021, "active", "normative_docs", "issued", 6),
            ("r2019", 2019, "requests", "total_processed", "total", 0), ("r2019", 2019, "requests", "granted", "total", 0),
            ("r2021", 2021, "requests", "total_processed", "total", 8), ("r2021", 2021, "requests", "granted", "total", 2),
            ("r2021", 2021, "requests", "partially_granted", "total", 2)]
    (run / "cells.csv").write_text(head + "".join(
        f"{r},秀洲区人民政府,{y},{y if y == 2019 else 2021},{t},{rk},{ck},{v},{v},,,100,,,read\n" for r, y, t, rk, ck, v in rows),
        "utf-8")
    update(str(tmp_path / "ds"), [str(run)])
    con = duckdb.connect(str(tmp_path / "ds" / "ogi.duckdb"), read_only=True)
    got = {(y, i): v for y, i, v in con.execute("SELECT year, indicator, value FROM indicators").fetchall()}
    assert got[(2019, "normative_docs_issued")] == 4 and got[(2021, "normative_docs_issued")] == 6
    assert got[(2019, "share_granted")] is None and got[(2021, "share_granted")] == 0.5
    formula = con.execute("SELECT formula FROM indicator_defs WHERE indicator='share_granted'").fetchone()[0]
    assert "requests_total_processed" in formula
    # a missing year 2020 between the two reports
    assert con.execute("SELECT scope FROM checks WHERE check_id='Y1'").fetchall() == [("2020",)]


def test_api_parse_and_open_dataset(tmp_path):
    import ogi

    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seed_xiuzhou_2019.txt"
    if not seed.exists():
        pytest.skip("seed fixture not bundled")
    res = ogi.parse(seed, out=tmp_path / "run")
    assert res.cells["value"].dtype.kind == "f"
    c = res.cells.set_index(["table", "row_key", "col_key"])["value"]
    assert c[("requests", "new_received", "total")] == 208
    assert res.reports.loc[0, "status"] == "ok" and set(res.checks["status"]) <= {"pass", "fail", "skipped"}
    ds = res.dataset(str(tmp_path / "ds"))
    assert ds.agencies.loc[0, "region_code"] == "330411"
    assert ds.sql("SELECT count(*) AS n FROM cells")["n"][0] == len(res.cells)
    ds.close()


def test_real_corpus_in_one_dataset(shared_corpus, tmp_path):
    from ogi.dataset.build import update

    _parse([shared_corpus / "reports"], tmp_path / "run")
    update(str(tmp_path / "ds"), [str(tmp_path / "run")])
    con = duckdb.connect(str(tmp_path / "ds" / "ogi.duckdb"), read_only=True)
    rows = con.execute("SELECT r.source_path, a.region_code, a.level, r.agency_id FROM reports r "
                       "JOIN agencies a USING (agency_id)").fetchall()
    assert len(rows) == len(list((shared_corpus / "reports").iterdir()))
    assert all(code and level for _, code, level, _ in rows)
    pingtan = {aid for p, _, _, aid in rows if "pingtan" in p}
    assert len(pingtan) == 1
    bad = con.execute("SELECT check_id, message FROM checks WHERE origin='cross_year' AND status='fail' "
                      "AND check_id <> 'Y1'").fetchall()
    assert bad == []


def test_key_labels_do_not_depend_on_row_order():
    """datapackage.json's labels: one label per key whatever order DuckDB returns the keys in (CI once
    saw two builds of the same runs differ here), the latest template's label first."""
    import duckdb
    from ogi.dataset.export import _key_labels

    rows = [("2019", "active", "r1", "规章", "c1", "新制发件数"), ("2021", "active", "r1", "规章 ", "c1", "本年制发件数"),
            ("2021", "active", "r2", "规范性文件", "c1", "本年制发件数")]
    seen = []
    for order in (rows, rows[::-1]):
        con = duckdb.connect()
        con.execute('CREATE TABLE keys (template VARCHAR, "table" VARCHAR, row_key VARCHAR, row_label VARCHAR, '
                    'col_key VARCHAR, col_label VARCHAR)')
        con.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", order)
        seen.append(json.dumps(_key_labels(con), ensure_ascii=False))
    assert seen[0] == seen[1]
    assert json.loads(seen[0]) == {"row_key": {"r1": "规章 ", "r2": "规范性文件"}, "col_key": {"c1": "本年制发件数"}}
