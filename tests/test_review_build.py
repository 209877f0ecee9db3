"""The review site `ogi parse` writes while it builds the outputs (from the entries its workers
made) is the site `ogi review` writes from the published CSV files, byte for byte: duplicates
under two names, failed files, era-A reports amended by X1 across years, --review-all, a
content whose first file failed, and results reused from an earlier run."""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from helpers import X1_PAIR
from pipeline import batch
from pipeline.review import build_site
from pipeline.review.entry import rendered_entry, template_layouts, text_entry
from pipeline.schema import CELLS, CHECKS, LOG, REPORTS, read_row, render_rows, rows_text
from planted import write_planted
from reportgen import LAYOUTS, random_report, render_text

ROOT = Path(__file__).resolve().parents[1]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _inputs(folder: Path) -> None:
    folder.mkdir()
    seed = (ROOT / "fixtures" / "seed_xiuzhou_2019.txt").read_bytes()
    (folder / "a_seed.txt").write_bytes(seed)
    (folder / "b_same_as_a.txt").write_bytes(seed)              # a duplicate: one page
    (folder / "c_junk.pdf").write_bytes(b"%PDF-1.4 not really\n")  # failed
    (folder / "d_prose.txt").write_text("本机关年度工作总结。\n", encoding="utf-8")  # not a report
    rng = random.Random(11)
    for i in range(4):
        (folder / f"e_gen{i}.txt").write_text(render_text(random_report(rng), LAYOUTS[i % len(LAYOUTS)]),
                                              encoding="utf-8")
    # era A, two years of one agency: X1 settles the later one's cells and checks both (as in test_era_a)
    for year, text in X1_PAIR.items():
        (folder / f"f{year}.txt").write_text(text, encoding="utf-8")
    for p in sorted((ROOT / "fixtures" / "era_a").glob("s_2010*.pdf")):
        shutil.copy(p, folder / p.name)
    for p in sorted((ROOT / "fixtures" / "html").glob("*.html"))[:2]:
        shutil.copy(p, folder / p.name)
    # reports with a planted wrong cell in text, HTML and Word: pages with source views
    write_planted(folder / "planted", templates=("2019",), layouts=LAYOUTS[:2])


def _same_as_review_command(out: Path, everything: bool) -> None:
    by_parse = _files(out / "review")
    build_site(str(out), everything=everything)
    by_review = _files(out / "review")
    assert sorted(by_parse) == sorted(by_review)
    for name in by_parse:
        assert by_parse[name] == by_review[name], name


@pytest.mark.parametrize("everything", [False, True])
def test_the_site_of_a_run_is_the_site_of_ogi_review(tmp_path, everything):
    _inputs(tmp_path / "in")
    out = tmp_path / "out"
    s = batch.run([str(tmp_path / "in")], str(out), workers=2, quiet=True, review=True, review_all=everything)
    assert s["review"]["reports"] == s["files"] - 1     # the duplicate shares its page
    assert s["review"]["reviewed"] >= 1 and (everything or s["review"]["clean"] >= 1)
    _same_as_review_command(out, everything)
    # again, every result reused from the state (no worker runs)
    s = batch.run([str(tmp_path / "in")], str(out), workers=2, quiet=True, review=True, review_all=everything)
    assert s["parsed"] == 0
    _same_as_review_command(out, everything)


def test_results_reused_under_new_names(tmp_path):
    """The folder renamed after a run: every result is reused, each page made for the old path
    (its source view inside the worker's packed page) is made again for the new one."""
    _inputs(tmp_path / "in")
    out = tmp_path / "out"
    batch.run([str(tmp_path / "in")], str(out), workers=2, quiet=True, review=True)
    (tmp_path / "in").rename(tmp_path / "moved")
    s = batch.run([str(tmp_path / "moved")], str(out), workers=2, quiet=True, review=True)
    assert s["parsed"] == 0 and s["review"]["reviewed"] >= 1
    assert b"/moved/" in (out / "reports.csv").read_bytes()
    _same_as_review_command(out, False)


def test_a_content_whose_first_file_failed(tmp_path, monkeypatch):
    """The first file of a content fails (its worker crashes), a later one with another name is
    read: the content's page shows the first row with the later file's cells, as in reports.csv."""
    from pipeline.review import site

    monkeypatch.setenv("OGI_TEST_FAULTS", "1")
    from_csv = []
    monkeypatch.setattr(site, "build_site", lambda *a, **k: from_csv.append(1) or build_site(*a, **k))
    src = tmp_path / "in"
    src.mkdir()
    seed = (ROOT / "fixtures" / "seed_xiuzhou_2019.txt").read_bytes()
    (src / "a__crash__.md").write_bytes(seed)
    (src / "b.txt").write_bytes(seed)
    out = tmp_path / "out"
    s = batch.run([str(src)], str(out), workers=1, quiet=True, review=True)
    assert s["status"] == {"failed": 1, "ok": 1} and s["review"]["reports"] == 1
    assert from_csv == [1]   # the run left this case to `build_site`
    _same_as_review_command(out, False)


def test_no_review_unless_asked(tmp_path):
    s = batch.run([str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")], str(tmp_path / "out"), quiet=True)
    assert "review" not in s and not (tmp_path / "out" / "review").exists()


def test_a_workers_entry_is_the_entry_of_the_csv_rows(tmp_path):
    """The entry a worker makes from its rows equals the one made from their CSV text, also for
    rows whose text a spreadsheet would read as a formula."""
    from pipeline.report import parse_file

    p = parse_file(str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt"), sha256="ab" * 32)
    p.cells[0]["raw"] = "=1+1"
    p.log.append({"report_id": p.report["report_id"], "level": "warning", "table": "requests",
                  "row_key": p.cells[5]["row_key"], "col_key": "", "page": None, "message": "+x left empty"})
    rows = {"cells": render_rows(p.cells, CELLS), "checks": render_rows(p.checks, CHECKS), "log": render_rows(p.log, LOG)}
    entry = rendered_entry(p.report, rows)
    layout = template_layouts()[p.report["template"]]
    parts = {"cells": rows_text(p.cells, CELLS), "checks": rows_text(p.checks, CHECKS), "log": rows_text(p.log, LOG)}
    again = text_entry(read_row(p.report, REPORTS), parts, layout)
    assert entry.full is not None and entry.summary["review"]
    assert (entry.summary, entry.full, entry.wants, entry.clean) == (again.summary, again.full, again.wants, again.clean)


def test_a_failing_entry_leaves_the_site_to_build_site(tmp_path, monkeypatch):
    """A bug in the run's own site writing never costs the run its outputs: the run publishes
    them and the site is built from the CSVs instead."""
    from pipeline.review import site

    def broken(*a, **k):
        raise ValueError("planted")
    monkeypatch.setattr(site.RunSite, "_add", broken)
    out = tmp_path / "out"
    s = batch.run([str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")], str(out), workers=1, quiet=True, review=True)
    assert s["status"] == {"ok": 1} and (out / "cells.csv").exists()
    assert s["review"]["reports"] == 1 and (out / "review" / "data" / "index.js").exists()
    assert "review site" in (out / "ogi.log").read_text()
