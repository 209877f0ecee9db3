"""tools/compare_revisions.py: what counts as a difference between two runs' outputs."""
from pathlib import Path

from tools.compare_revisions import compare_runs

HEADER = "\ufeffreport_id,status,seconds,cells\n"


def _run(base: Path, rows: str, log: str = "2026-01-01 10:00:00,123 INFO run 1a2b: 3 files\n") -> Path:
    (base / "wide").mkdir(parents=True)
    (base / "reports.csv").write_text(HEADER + rows, "utf-8")
    (base / "wide" / "active.csv").write_text("report_id,x\nr1,1\n", "utf-8")
    (base / "run.json").write_text(str(hash(rows)), "utf-8")
    (base / "ogi.log").write_text(log, "utf-8")
    return base


def test_seconds_run_json_and_log_stamps_are_ignored(tmp_path):
    a = _run(tmp_path / "a", "r1,ok,0.101,198\n")
    b = _run(tmp_path / "b", "r1,ok,0.257,198\n", "2026-02-02 11:11:11,999 INFO run 9z8y: 3 files\n")
    n, report = compare_runs(a, b)
    assert n == 3 and report == []


def test_a_changed_value_a_missing_file_and_the_bom_are_differences(tmp_path):
    a = _run(tmp_path / "a", "r1,ok,0.1,198\n")
    b = _run(tmp_path / "b", "r1,ok,0.1,197\n")
    (b / "wide" / "active.csv").unlink()
    (b / "reports.csv").write_bytes((b / "reports.csv").read_bytes()[3:])
    _, report = compare_runs(a, b)
    text = "\n".join(report)
    assert "only in A: wide/active.csv" in text
    assert "byte-order mark" in text and "- ['r1', 'ok', '198']" in text and "+ ['r1', 'ok', '197']" in text


def test_the_era_a_group_holds_every_variant_layout_and_format(tmp_path):
    from tools.compare_revisions import generated_era_a
    from pipeline.report import parse_file
    from reportgen import era_a as G
    n = generated_era_a(tmp_path, 1)
    files = sorted(tmp_path.iterdir())
    assert n == len(files) == len(G.VARIANTS) * (len(G.LAYOUTS) + 2)
    assert {p.suffix for p in files} == {".txt", ".html", ".docx"}
    for p in files[:: len(G.LAYOUTS) + 2]:
        assert parse_file(str(p)).report["template"] == "2008", p.name


def test_published_generations_are_compared_by_name_without_their_time_stamp(tmp_path):
    for side, stamp, value in (("a", "20260101T000000Z-1", "1"), ("b", "20260202T111111Z-2", "1")):
        gen = tmp_path / side / ".generations" / stamp
        (gen / "wide").mkdir(parents=True)
        (gen / "cells.csv").write_text(f"report_id,value\nr1,{value}\n", "utf-8")
        (gen / "wide" / "stats.csv").write_text("report_id,x\nr1,2\n", "utf-8")
        (tmp_path / side / ".current").symlink_to(Path(".generations") / stamp)
        (tmp_path / side / "cells.csv").symlink_to(Path(".current") / "cells.csv")
    n, report = compare_runs(tmp_path / "a", tmp_path / "b")
    assert (n, report) == (2, [])
    (tmp_path / "b" / ".generations" / "20260202T111111Z-2" / "wide" / "stats.csv").write_text("report_id,x\nr1,3\n")
    assert " wide/stats.csv:" in compare_runs(tmp_path / "a", tmp_path / "b")[1]
