"""What a parse worker keeps for the next process (issue 11, start-up): label scores
(pipeline.label_scores), in $OGI_CACHE_DIR. Kept
state must give exactly what computing gives, be ignored when made by other code, and be off when
OGI_CACHE_DIR is empty; a run with it writes the same outputs as one without."""
from __future__ import annotations

import json
import marshal
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

from reportgen import LAYOUTS, random_report, render_text  # noqa: E402

@pytest.fixture
def fresh_scores(monkeypatch, tmp_path):
    """label_scores as a new process finds it, with its cache folder in tmp_path."""
    from pipeline import label_scores as L
    from pipeline import match as M
    monkeypatch.setenv("OGI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(L, "_kept", None)
    monkeypatch.setattr(L, "_added", {})
    monkeypatch.setattr(L, "_state", {"key": "", "saved_at": 0.0, "collect": True})
    M._score_row.cache_clear()
    M.score_header.cache_clear()
    yield L
    M._score_row.cache_clear()
    M.score_header.cache_clear()


def _cases():
    from pipeline.templates import load
    rows = [r for t in load().values() for table in t.tables.values() for r in table.rows]
    labels = [("一、本年新收政府信息公开申请数量",), ("（三）不予公开", "1.属于国家秘密"), ("2.重复申请",),
              ("行政许可",), ("其他",), ("", "合计"), ("x",)]
    contexts = [(), ("（五）不予处理",), ("（四）无法提供",)]
    return [(lab, ctx, r) for lab in labels for ctx in contexts for r in rows[::3]]


def test_kept_label_scores_are_the_computed_ones(fresh_scores, monkeypatch):
    from pipeline import match as M
    L = fresh_scores
    cases = _cases()
    computed = [M._compute_score_row(*c) for c in cases]
    assert [M.score_row(list(a), list(b), r) for a, b, r in cases] == computed
    assert len(L._added) == len(set((a, b, r.label, r.aliases, r.group) for a, b, r in cases))
    L.save(force=True)
    # a new process: every score from the file, none computed, the same values
    monkeypatch.setattr(L, "_kept", None)
    monkeypatch.setattr(L, "_state", {"key": "", "saved_at": 0.0, "collect": True})
    M._score_row.cache_clear()
    monkeypatch.setattr(M, "_compute_score_row", lambda *a: pytest.fail("computed again"))
    assert [M.score_row(list(a), list(b), r) for a, b, r in cases] == computed
    assert L._added == {}


def test_kept_header_scores_are_the_computed_ones(fresh_scores, monkeypatch):
    """Column header scores are kept like row scores: a new process reads a misprinted header
    ("申请人情况", "商业 企业") with the score computing gives, without fuzzy scoring."""
    from pipeline import match as M
    from pipeline.templates import load
    L = fresh_scores
    cols = [c for t in load().values() for table in t.tables.values() for c in table.columns.values()][::2]
    printed = ["申请人情况", "商业 企业", "自然人", "科研机构", "法律服务机构", "其他", "总计", "x"]
    cases = [(p, c.label, c.aliases) for p in printed for c in cols]
    computed = [M._compute_score_header(*c) for c in cases]
    assert [M.score_header(*c) for c in cases] == computed
    assert len(L._added) == len(set(("header", *c) for c in cases))
    L.save(force=True)
    monkeypatch.setattr(L, "_kept", None)
    monkeypatch.setattr(L, "_state", {"key": "", "saved_at": 0.0, "collect": True})
    M.score_header.cache_clear()
    monkeypatch.setattr(M, "_compute_score_header", lambda *a: pytest.fail("computed again"))
    assert [M.score_header(*c) for c in cases] == computed
    assert L._added == {}


def test_label_scores_of_other_code_are_ignored(fresh_scores, monkeypatch, tmp_path):
    from pipeline import match as M
    L = fresh_scores
    cases = _cases()[:20]
    for c in cases:
        M.score_row(list(c[0]), list(c[1]), c[2])
    L.save(force=True)
    assert list(tmp_path.glob("label-scores.*.marshal"))
    monkeypatch.setattr(L, "_kept", None)
    monkeypatch.setattr(L, "code_key", lambda: "another parser")
    M._score_row.cache_clear()
    M.score_row(list(cases[0][0]), list(cases[0][1]), cases[0][2])
    assert L._kept == {}      # the file was made by other code: nothing of it is used


def test_label_scores_stay_bounded(fresh_scores, monkeypatch):
    from pipeline import match as M
    L = fresh_scores
    monkeypatch.setattr(L, "LIMIT", 5)
    for a, b, r in _cases()[:40]:
        M.score_row(list(a), list(b), r)
    assert len(L._added) == 5
    L.save(force=True)
    assert len(L.datafiles.read_derived(L.NAME, L._state["key"], L._FORMAT)) == 5


def test_label_scores_are_held_only_where_they_are_saved(fresh_scores, monkeypatch):
    from pipeline import match as M
    L = fresh_scores
    monkeypatch.setitem(L._state, "collect", False)     # not a parse worker (e.g. the library API)
    for a, b, r in _cases()[:10]:
        M.score_row(list(a), list(b), r)
    assert L._added == {}


def test_label_scores_off_without_cache_folder(fresh_scores, monkeypatch, tmp_path):
    from pipeline import match as M
    L = fresh_scores
    monkeypatch.setenv("OGI_CACHE_DIR", "")
    for a, b, r in _cases()[:10]:
        M.score_row(list(a), list(b), r)
    L.save(force=True)
    assert L._added == {} and list(tmp_path.iterdir()) == []


def _outputs(out: Path) -> dict:
    return {name: (out / name).read_bytes() for name in ("cells.csv", "checks.csv", "log.csv")}


def test_a_run_with_kept_state_writes_the_same_outputs(tmp_path):
    """The worker keeps its label scores after a run; the next run uses them and
    writes byte for byte what a run without any kept state writes (each run `ogi parse` in a
    fresh process, as a user starts it: its worker imports the parser itself)."""
    src = tmp_path / "r.txt"
    src.write_text(render_text(random_report(random.Random(11)), LAYOUTS[1]), encoding="utf-8")
    cache = tmp_path / "cache"

    def ogi_parse(out: str, cache_dir: str) -> None:
        env = dict(os.environ, OGI_CACHE_DIR=cache_dir, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(src), "--out", str(tmp_path / out), "-q"],
                       env=env, cwd=ROOT, check=True)
    ogi_parse("plain", "")
    ogi_parse("first", str(cache))
    kept = sorted(p.name.split(".")[0] for p in cache.iterdir())
    assert "label-scores" in kept
    ogi_parse("second", str(cache))
    plain = _outputs(tmp_path / "plain")
    assert _outputs(tmp_path / "first") == plain == _outputs(tmp_path / "second")


def test_a_report_whose_scores_are_all_kept_needs_no_rapidfuzz(tmp_path):
    """A process whose label scores are all kept does not import rapidfuzz (about a tenth of a
    worker's start-up), and reads the report exactly as the process that computed them."""
    seed = str(ROOT / "fixtures" / "seed_xiuzhou_2019.txt")
    code = ("import sys, json\nfrom pipeline import label_scores\nlabel_scores.collect()\n"
            "from pipeline.report import parse_file\n"
            f"p = parse_file({seed!r})\nlabel_scores.save(force=True)\n"
            "print(json.dumps(['rapidfuzz' in sys.modules, p.cells]))")
    env = dict(os.environ, OGI_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                                      text=True, timeout=300, check=True).stdout.splitlines()[-1])
            for _ in range(2)]
    assert runs[0][0] is True and runs[1][0] is False
    assert runs[0][1] == runs[1][1]
