"""The review: checks name their cells and culprit, cells carry source positions, and the review
site (driven in headless Chromium) shows each planted wrong cell in the tables and on its source."""
from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import pytest

import parsers
from cdp import Browser, chromium_binary, chromium_or_skip_reason
from parsers.encoding import decode
from parsers.text import source_text
from pipeline.batch import run
from pipeline.checks import Check, find_culprit
from pipeline.review import build_site
from pipeline.review.sources import parse_pos
from planted import TABLES, write_planted

ROOT = Path(__file__).resolve().parents[1]
NO_BROWSER = chromium_or_skip_reason()
needs_browser = pytest.mark.skipif(NO_BROWSER is not None, reason=f"browser tests skipped: {NO_BROWSER}")


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- culprits, without a browser
def _check(cid, scope, lhs_keys, rhs_keys, l, r, status="fail"):
    return Check(cid, "t", scope, "", l, r, status, "error", "", tuple(lhs_keys + rhs_keys), len(lhs_keys))


def test_culprit_is_the_one_cell_whose_correction_fixes_every_failure():
    a, b, c, d = ("t", "r1", "x"), ("t", "r1", "y"), ("t", "r2", "x"), ("t", "r2", "y")
    checks = [_check("ROW", "r1", [a], [b], 9, 2), _check("COL", "x", [a], [c], 9, 2),
              _check("ROW", "r2", [c], [d], 2, 2, "pass"), _check("COL", "y", [b], [d], 2, 2, "pass")]
    assert find_culprit(checks, "t") == a


def test_no_culprit_where_the_arithmetic_cannot_tell():
    a, b, c = ("t", "r1", "x"), ("t", "r1", "y"), ("t", "r1", "z")
    # one row identity fails and no other identity pins its cells: any of them could be wrong
    assert find_culprit([_check("ROW", "r1", [a, b], [c], 9, 2)], "t") is None
    # two failures that disagree on the correction
    d = ("t", "r2", "x")
    assert find_culprit([_check("ROW", "r1", [a], [b], 9, 2), _check("COL", "x", [a], [d], 5, 2)], "t") is None


# ---------------------------------------------------------------- planted errors: the run
@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    made = write_planted(base / "in", chromium=chromium_binary() if NO_BROWSER is None else None)
    run([str(base / "in")], str(base / "out"), workers=2, quiet=True)
    build_site(str(base / "out"))
    return base / "out", made


def test_planted_errors_cover_every_format_and_table(planted_run):
    _, made = planted_run
    from reportgen import LAYOUTS
    formats = {"text", "html", "docx"} | ({"pdf"} if NO_BROWSER is None else set())
    assert {(m.format, m.template, key[0]) for m in made for key, _ in m.plants} == \
        {(f, t, tb) for f in formats for t in ("2019", "2021") for tb in TABLES}
    assert len([m for m in made if m.format == "text"]) == 2 * len(LAYOUTS)


def test_checks_name_the_planted_culprit_and_its_cells(planted_run):
    out, made = planted_run
    reports = {r["source_path"]: r["report_id"] for r in _csv(out / "reports.csv")}
    checks = _csv(out / "checks.csv")
    for m in made:
        rid = reports[m.path]
        for key, _ in m.plants:
            failed = [c for c in checks if c["report_id"] == rid and c["status"] == "fail"
                      and c["severity"] == "error" and c["table"] == key[0]]
            assert failed, (m.path, key)
            assert {c["culprit"] for c in failed} == {"/".join(key)}, (m.path, key)
            assert all("/".join(key) in c["cells"].split(";") for c in failed), m.path
            assert {c["scope_kind"] for c in failed} <= {"row", "column", "table"}


def test_source_positions_point_at_the_printed_number(planted_run):
    out, made = planted_run
    cells = _csv(out / "cells.csv")
    reports = {r["report_id"]: r for r in _csv(out / "reports.csv")}
    docs = {}
    checked = 0
    for c in cells:
        rep = reports[c["report_id"]]
        pos = parse_pos(c["source_pos"])
        if rep["format"] == "pdf" or not c["raw"]:
            continue
        assert pos is not None, (rep["source_path"], c["table"], c["row_key"], c["col_key"])
        if rep["format"] == "text":
            if rep["source_path"] not in docs:
                docs[rep["source_path"]] = source_text(decode(Path(rep["source_path"]).read_bytes())[0]).split("\n")
            line = docs[rep["source_path"]][pos["line"] - 1]
            assert line[pos["start"]:pos["end"]] == c["raw"], (rep["source_path"], pos)
        else:
            if rep["source_path"] not in docs:
                docs[rep["source_path"]] = parsers.read(rep["source_path"], rep["format"])
            table = next(t for t in docs[rep["source_path"]].tables if t.source_index == pos["table"])
            cell = next(x for x in table.cells if (x.row + 1, x.col + 1) == (pos["row"], pos["col"]))
            assert " ".join(cell.text.split()) == c["raw"]
        checked += 1
    assert checked > 1000


def test_clean_reports_write_no_page_images(tmp_path):
    pdfs = sorted((ROOT / "fixtures" / "pdf").glob("html_*.pdf"))[:2]
    run([str(p) for p in pdfs], str(tmp_path / "out"), workers=1, quiet=True)
    stats = build_site(str(tmp_path / "out"))
    assert stats["reports"] == 2 and stats["images"] == 0 and stats["reviewed"] == 0
    assert not list((tmp_path / "out" / "review" / "img").iterdir())
    stats = build_site(str(tmp_path / "out"), everything=True)
    assert stats["images"] >= 2 and stats["reviewed"] == 2


# ---------------------------------------------------------------- the site in a browser
@pytest.fixture(scope="module")
def browser():
    if NO_BROWSER is not None:
        pytest.skip(f"browser tests skipped: {NO_BROWSER}")
    b = Browser()
    yield b
    b.close()


def _open_report(b: Browser, out: Path, rid: str) -> None:
    b.open("about:blank", "true")
    b.events.clear()
    b.open((out / "review" / "report.html").as_uri() + "#" + rid,
           "document.querySelector('#tables td.cell') || document.querySelector('#source .why')")


_PDF_BOX = """(() => {
  const b = document.querySelector('#source .box.sel'); if (!b) return null;
  const page = b.closest('.page'), img = page.querySelector('img');
  const r = b.getBoundingClientRect(), i = img.getBoundingClientRect(), w = +page.dataset.w, h = +page.dataset.h;
  return {page: +page.dataset.page, x0: (r.left - i.left) / i.width * w, top: (r.top - i.top) / i.height * h,
          x1: (r.right - i.left) / i.width * w, bottom: (r.bottom - i.top) / i.height * h};
})()"""


def _chars_in_box(pdf_path: str, box: dict) -> str:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[box["page"] - 1]
        inside = [ch for ch in page.chars if ch["x0"] >= box["x0"] - 1 and ch["x1"] <= box["x1"] + 1
                  and ch["top"] >= box["top"] - 1 and ch["bottom"] <= box["bottom"] + 1 and ch["text"].strip()]
    return "".join(ch["text"] for ch in sorted(inside, key=lambda ch: (round(ch["top"]), ch["x0"])))


@needs_browser
def test_review_shows_each_planted_culprit_in_tables_and_source(planted_run, browser):
    out, made = planted_run
    reports = {r["source_path"]: r["report_id"] for r in _csv(out / "reports.csv")}
    for m in made:
        _open_report(browser, out, reports[m.path])
        assert browser.eval("document.querySelectorAll('#failed li[data-check]').length") >= 3, m.path
        if m.format == "pdf":
            browser.wait("Array.from(document.querySelectorAll('#source img')).every(i => i.complete && i.naturalWidth)")
        for key, printed in m.plants:
            key = "/".join(key)
            sel = f'#tables td.cell[data-key="{key}"]'
            assert browser.eval(f"document.querySelector('{sel}').classList.contains('culprit')"), (m.path, key)
            assert browser.eval(f"document.querySelector('{sel}').textContent") == printed
            browser.click(sel)
            src = f'#source [data-src="{key}"]'
            browser.wait(f"document.querySelector('{src}') && document.querySelector('{src}').classList.contains('sel')", 5)
            assert browser.eval(f"document.querySelector('{src}').classList.contains('culprit')")
            if m.format == "pdf":
                box = browser.eval(_PDF_BOX)
                assert _chars_in_box(m.path, box) == printed, (m.path, key, box)
            else:
                assert browser.eval(f"document.querySelector('{src}').textContent.trim()") == printed, (m.path, key)
            # and back: clicking the source selects the cell in the tables
            browser.eval("document.querySelectorAll('.sel').forEach(x => x.classList.remove('sel'))")
            browser.click(src)
            browser.wait(f"document.querySelector('{sel}').classList.contains('sel')", 5)
        assert browser.console_errors() == [], m.path


def _set(b: Browser, selector: str, value: str, event: str) -> None:
    b.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};"
           f" e.dispatchEvent(new Event({json.dumps(event)})); }})()")


@needs_browser
def test_index_filters_sorts_and_searches(planted_run, browser):
    out, made = planted_run
    browser.open((out / "review" / "index.html").as_uri(), "document.querySelectorAll('#reports tbody tr').length")
    rows = lambda: browser.eval("document.querySelectorAll('#reports tbody tr').length")
    assert rows() == len(made)
    _set(browser, "#filter-check", "E5", "change")
    assert rows() == len(made)
    _set(browser, "#filter-check", "-", "change")
    assert rows() == 0
    _set(browser, "#filter-check", "", "change")
    _set(browser, "#filter-format", "html", "change")
    assert rows() == sum(1 for m in made if m.format == "html")
    _set(browser, "#filter-format", "", "change")
    _set(browser, "#search", "planted_2021_tab", "input")
    assert rows() == sum(1 for m in made if "planted_2021_tab" in m.path) > 0
    _set(browser, "#search", "", "input")
    browser.click('#reports th[data-sort="source_path"]')
    paths = browser.eval("Array.from(document.querySelectorAll('#reports tbody tr td:last-child')).map(t => t.textContent)")
    assert paths == sorted(paths)
    first = browser.eval("document.querySelector('#reports tbody tr').dataset.id")
    browser.eval("document.querySelector('#reports tbody tr a').click()")
    browser.wait("location.pathname.endsWith('report.html') && document.querySelector('#title').textContent !== 'Loading…'")
    assert browser.eval("location.hash") == "#" + first
    assert browser.console_errors() == []


@needs_browser
def test_review_works_with_the_network_off(planted_run, browser):
    out, made = planted_run
    browser.offline()
    browser.events.clear()
    browser.open((out / "review" / "index.html").as_uri(), "document.querySelectorAll('#reports tbody tr').length")
    rid = browser.eval("document.querySelector('#reports tbody tr').dataset.id")
    _open_report(browser, out, rid)
    assert browser.eval("document.querySelectorAll('#tables td.cell').length") > 100
    urls = browser.requested_urls()
    assert urls and all(u.split(":")[0] in ("file", "data", "blob", "about") for u in urls), urls
    assert browser.console_errors() == []


STRUCTURE = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]; };
  const tables = Array.from(document.querySelectorAll('#tables table.tpl'));
  return {
    tables: tables.map(t => ({key: t.dataset.table, cells: t.querySelectorAll('td.cell').length,
                              rows: t.querySelectorAll('tr').length, box: box(t)})),
    panes: [box(document.querySelector('#tables-pane')), box(document.querySelector('#source-pane'))],
    source: document.querySelector('#source').dataset.kind,
    marks: document.querySelectorAll('#source [data-src]').length,
    legend: Array.from(document.querySelectorAll('#legend .cell')).map(e => e.className),
  };
})()"""


@needs_browser
def test_report_page_structure_matches_the_recorded_layout(tmp_path, browser):
    """The page's structure (elements, counts, boxes) against a recorded snapshot, not its pixels."""
    run([str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")], str(tmp_path / "out"), workers=1, quiet=True)
    build_site(str(tmp_path / "out"), everything=True)
    rid = _csv(tmp_path / "out" / "reports.csv")[0]["report_id"]
    _open_report(browser, tmp_path / "out", rid)
    got = browser.eval(STRUCTURE)
    want = json.loads((ROOT / "tests" / "data" / "review_structure_seed.json").read_text("utf-8"))
    assert [(t["key"], t["cells"], t["rows"]) for t in got["tables"]] == \
        [(t["key"], t["cells"], t["rows"]) for t in want["tables"]]
    assert (got["source"], got["marks"], got["legend"]) == (want["source"], want["marks"], want["legend"])
    for g, w in zip([t["box"] for t in got["tables"]] + got["panes"], [t["box"] for t in want["tables"]] + want["panes"]):
        assert all(abs(a - b) <= max(24, 0.1 * abs(b)) for a, b in zip(g, w)), (g, w)
    left, right = got["panes"]
    assert left[0] + left[2] <= right[0], "the source sits beside the tables"


@needs_browser
def test_every_corpus_report_renders_with_its_candidates(shared_corpus, tmp_path, browser):
    out = tmp_path / "out"
    run([str(shared_corpus / "reports")], str(out), workers=2, quiet=True)
    build_site(str(out))
    log, cells = _csv(out / "log.csv"), _csv(out / "cells.csv")
    for rep in _csv(out / "reports.csv"):
        rid = rep["report_id"]
        _open_report(browser, out, rid)
        assert browser.console_errors() == [], rep["source_path"]
        if rep["status"] in ("ok", "partial"):
            # one td per distinct cell key (era A may print a key in the appendix and in prose)
            keys = {(c["table"], c["row_key"], c["col_key"]) for c in cells if c["report_id"] == rid}
            assert browser.eval("document.querySelectorAll('#tables td.cell:not(.missing)').length") == len(keys)
        with_cands = {f'{e["table"]}/{e["row_key"]}/{e["col_key"]}': e["message"] for e in log
                      if e["report_id"] == rid and e["col_key"] and "(candidates:" in e["message"]}
        for key, msg in with_cands.items():
            first = msg.split("(candidates: ")[1].split(",")[0].split(")")[0].strip()
            cell = f'#tables td.cell[data-key="{key}"]'
            assert browser.eval(f"document.querySelector('{cell}').classList.contains('st-ambiguous')"), key
            shown = browser.eval(f"document.querySelector('{cell} .cands').textContent")
            assert shown.split(" | ")[0] == first, (rep["source_path"], key, shown)


def test_parse_writes_the_review_unless_told_not_to(tmp_path):
    from pipeline.cli import main

    seed = str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")
    assert main(["parse", seed, "--out", str(tmp_path / "a"), "-q", "--workers", "1"]) == 0
    assert (tmp_path / "a" / "review" / "index.html").is_file()
    assert (tmp_path / "a" / "review" / "report.html").is_file()
    assert main(["parse", seed, "--out", str(tmp_path / "b"), "-q", "--workers", "1", "--no-review"]) == 0
    assert not (tmp_path / "b" / "review").exists()
    assert main(["review", str(tmp_path / "b"), "-q"]) == 0
    assert list((tmp_path / "b" / "review" / "data" / "clean").iterdir())   # a clean report: packed
    assert main(["review", str(tmp_path / "nothing"), "-q"]) == 2
