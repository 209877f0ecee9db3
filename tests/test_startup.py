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
