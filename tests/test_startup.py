"""Start-up (issue 11 item 3): `ogi --help` imports no reader, the parent of a run imports no
parser, a one-file run starts no pool of new interpreters."""
from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from helpers import modules_after  # noqa: E402
from reportgen import LAYOUTS, random_report, render_text  # noqa: E402

HEAVY = ("parsers.", "pipeline.report", "pipeline.extract", "pipeline.recover", "pipeline.checks", "pipeline.match",
         "rapidfuzz", "regex", "opencc", "pdfplumber", "pypdfium2", "lxml", "rich", "dask")


def heavy(mods: list[str]) -> list[str]:
    return [m for m in mods if m.startswith(HEAVY)]


def test_help_imports_no_reader_and_nothing_heavy():
    for argv in (["--help"], ["parse", "--help"], ["keys", "--help"]):
        mods = modules_after(f"from pipeline.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass")
        assert heavy(mods) == [], (argv, heavy(mods))
        assert "parsers" not in mods


def test_the_parent_of_a_run_imports_no_parser(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    rng = random.Random(3)
    for i in range(3):
        (src / f"r{i}.txt").write_text(render_text(random_report(rng), LAYOUTS[i]), encoding="utf-8")
    for paths in ([str(src)], [str(src / "r0.txt")]):  # a pool of workers, and a one-file run
        # as `ogi parse` runs it: the review site written too (its entries come from the workers)
        mods = modules_after(f"from pipeline.cli import main\nmain(['parse', *{paths!r}, '--out', "
                             f"{str(tmp_path / 'out')!r}, '-q', '--force'])")
        assert [m for m in heavy(mods) if m != "rich" and not m.startswith("rich.")] == [], heavy(mods)
        assert (tmp_path / "out" / "review" / "index.html").exists()


def test_a_one_file_run_starts_no_new_interpreter(tmp_path, monkeypatch):
    import subprocess as sp

    from pipeline import batch

    def no_popen(*a, **k):
        raise AssertionError("a one-file run started a new interpreter")
    monkeypatch.setattr(sp, "Popen", no_popen)
    p = tmp_path / "one.txt"
    p.write_text(render_text(random_report(random.Random(5)), LAYOUTS[0]), encoding="utf-8")
    s = batch.run([str(p)], str(tmp_path / "out"), quiet=True)
    assert s["status"] == {"ok": 1} and s["parsed"] == 1


def test_ogi_parse_starts_its_worker_early_and_logs_its_errors(tmp_path, monkeypatch, capfd):
    """`ogi parse` forks its first worker before it plans the run (the import of the parser
    overlaps the parent's start-up); that worker learns where its error output goes once the
    output folder exists, and a run with nothing to parse ends it."""
    import pipeline.worker as W
    from pipeline.cli import main

    forks = []
    real_init = W._ForkedChild.__init__

    def counting_init(self, *a, **k):
        forks.append(1)
        real_init(self, *a, **k)
    monkeypatch.setattr(W._ForkedChild, "__init__", counting_init)
    # what the forked worker runs for each file (a copy of this process): a stray message on stderr
    monkeypatch.setattr(W, "_faults", lambda path: print("stray-message-from-the-worker", file=sys.stderr, flush=True))
    src = tmp_path / "in"
    src.mkdir()
    for i in range(2):
        (src / f"r{i}.txt").write_text(render_text(random_report(random.Random(i)), LAYOUTS[i]), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["parse", str(src), "--out", str(out), "-q", "--workers", "1"]) == 0
    assert forks == [1]                                     # the early worker parsed both files
    assert "stray-message-from-the-worker" in (out / "state" / "worker-stderr.log").read_text()
    assert "stray-message-from-the-worker" not in capfd.readouterr().err
    assert W._EARLY == []
    assert main(["parse", str(src), "--out", str(out), "-q", "--workers", "1"]) == 0   # all reused
    assert forks == [1, 1] and W._EARLY == []               # started early, then ended unused
    assert main(["parse", str(tmp_path / "missing"), "--out", str(tmp_path / "o2"), "-q"]) == 2
    assert W._EARLY == [] and not (tmp_path / "o2").exists()


def test_the_early_worker_gets_the_runs_memory_limit(tmp_path, monkeypatch):
    """The worker `ogi parse` forks before it has read its options learns --max-memory from
    the run before its first file: its address space is capped (the parent's is not)."""
    import resource

    import pipeline.worker as W
    from pipeline.cli import main

    seen = tmp_path / "limits"
    monkeypatch.setattr(W, "_faults", lambda path: seen.open("a").write(
        f"{resource.getrlimit(resource.RLIMIT_AS)[0]}\n"))
    p = tmp_path / "in" / "one.txt"
    p.parent.mkdir()
    p.write_text(render_text(random_report(random.Random(8)), LAYOUTS[0]), encoding="utf-8")
    # a limit well above what the worker holds: a forked worker's resident size counts the pages
    # it shares with its parent, and the parent here is this test session, however big it grew
    for mb, capped in ((4096, True), (0, False)):
        assert main(["parse", str(p), "--out", str(tmp_path / f"out{mb}"), "-q", "--workers", "1",
                     "--max-memory", str(mb)]) == 0
        limit = int(seen.read_text().split()[-1])
        assert (limit != resource.RLIM_INFINITY) is capped, (mb, limit)
        assert W._EARLY == []
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY


def test_runs_a_parse_forks_only_for_a_local_parse():
    from pipeline.cli import _runs_a_parse

    assert _runs_a_parse(["parse", "a.txt", "--out", "o"])
    assert _runs_a_parse(["parse", "-q", "a.txt", "--workers", "2"])
    for argv in (["parse", "--help"], ["parse", "-h"], ["--version"], ["keys"], ["review", "out"],
                 ["parse", "a.txt", "--dask", "local"], ["parse", "a.txt", "--dask=tcp://h:8786"], []):
        assert not _runs_a_parse(argv), argv


def test_the_console_script_exits_with_the_runs_status_and_complete_outputs(tmp_path):
    """`ogi` (pipeline.cli:entry) skips the interpreter's tear-down: its exit status, its
    summary on stdout, the reason on stderr and every output file are still all there."""
    import subprocess

    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.txt").write_text(render_text(random_report(random.Random(9)), LAYOUTS[1]), encoding="utf-8")
    (src / "bad.txt").write_bytes(b"")
    out = tmp_path / "out"
    code = ("import sys; from pipeline.cli import entry; "
            f"sys.argv = ['ogi', 'parse', {str(src)!r}, '--out', {str(out)!r}, '--workers', '1']; entry()")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "2 files:" in r.stdout and "1 of 2 files failed" in r.stderr
    assert (out / "reports.csv").read_text(encoding="utf-8-sig").count("\n") == 3
    assert (out / "cells.csv").stat().st_size > 1000 and (out / "review" / "index.html").exists()
    assert "finished" in (out / "ogi.log").read_text().splitlines()[-1]
    r = subprocess.run([sys.executable, "-c", "import sys; from pipeline.cli import entry; "
                        "sys.argv = ['ogi', 'keys']; entry()"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.startswith("# Codebook")


def test_a_parse_worker_packs_its_review_entry_without_the_site_writer():
    """A worker makes each report's review entry (pipeline.review.entry); the site writer, with
    its file, compression and logging modules, is the parent's alone."""
    seed = str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")
    mods = modules_after("from pipeline.report import parse_file\nfrom pipeline.worker import pack_parts\n"
                         f"p = parse_file({seed!r})\nassert pack_parts(p.report, p.cells, p.checks, p.log, True)")
    assert "pipeline.review.entry" in mods
    assert not {"pipeline.review.site", "gzip", "shutil", "tempfile"} & set(mods), sorted(mods)


def test_the_early_worker_takes_the_parents_code_digest(tmp_path, monkeypatch):
    """The parser's code digest (some 100 files read and hashed) is made once a run: the parent
    makes it for the batch state, and the worker it forked before that takes it from the
    run's config message instead of reading every file again for its kept label scores."""
    import os

    from pipeline import datafiles
    from pipeline.batch import parser_fingerprint
    from pipeline.cli import main

    calls = tmp_path / "hashed"
    monkeypatch.setenv("OGI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(datafiles, "_digest", [])
    monkeypatch.setattr(datafiles, "_hash_code", lambda: calls.open("a").write(f"{os.getpid()}\n") and "d" * 64)
    p = tmp_path / "one.txt"
    p.write_text(render_text(random_report(random.Random(3)), LAYOUTS[0]), encoding="utf-8")
    parser_fingerprint.cache_clear()
    try:
        assert main(["parse", str(p), "--out", str(tmp_path / "out"), "-q", "--workers", "1"]) == 0
    finally:
        parser_fingerprint.cache_clear()    # made from the stand-in digest
    assert calls.read_text().split() == [str(os.getpid())]


def test_a_runs_parent_imports_no_module_it_does_not_use(tmp_path):
    """The parent of `ogi parse` (planning, state, output files, review site, era A's X1 index)
    loads neither typing nor tempfile, random or base64: each is start-up time of every run."""
    src = ROOT / "fixtures" / "era_a" / "f14_2016_scraped.txt"
    out = tmp_path / "out"
    mods = modules_after("from pipeline.cli import main\n"
                         f"assert main(['parse', {str(src)!r}, '--out', {str(out)!r}, '-q', '--workers', '1']) == 0")
    assert {"pipeline.batch", "pipeline.review.site", "pipeline.era_a.series"} <= set(mods)
    assert not {"typing", "tempfile", "random", "base64"} & set(mods), sorted(mods)
    assert (out / "review" / "index.html").exists()
