"""pipeline.report loads the era-A stage only for a report that needs it, and the values it
remembers are the values it would compute (issue 11: the per-report and import cost)."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import modules_after
from pipeline import values as V
from pipeline.report import _is_era_a, parse_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "seed_xiuzhou_2019.txt"
ERA_A_FIXTURES = sorted((ROOT / "fixtures" / "era_a").glob("*.txt"))


def test_a_2019_report_never_loads_the_era_a_stage():
    mods = modules_after(f"from pipeline.report import parse_file\nr = parse_file({str(SEED)!r})\n"
                          "assert r.report['status'] == 'ok', r.report")
    assert not [m for m in mods if m.startswith("pipeline.era_a")]


@pytest.mark.skipif(not ERA_A_FIXTURES, reason="no era-A text fixture")
def test_an_era_a_report_still_goes_through_the_era_a_stage():
    rep = parse_file(str(ERA_A_FIXTURES[0])).report
    assert rep["template"] and _is_era_a(rep["template"]), rep


def test_era_a_id_is_the_data_files():
    from pipeline.era_a.template import load
    assert _is_era_a(load().id) and not _is_era_a(None) and not _is_era_a("2019")


@pytest.mark.parametrize("raw,kind", [("0", "count"), ("1,234", "count"), ("—", "count"), ("12.5万元", "money"),
                                      ("3 4", "count"), ("-2", "signed"), ("见附件", "count")])
def test_remembered_parse_is_the_computed_one(raw, kind):
    first = V.parse(raw, kind)
    V.parse.cache_clear()
    again = V.parse(raw, kind)
    assert first == again and V.parse(raw, kind) is V.parse(raw, kind)
    with pytest.raises(Exception):
        first.value = 1.0          # frozen: a remembered Value cannot be changed by a caller


@pytest.mark.parametrize("v,text", [(None, ""), (0.0, "0"), (-0.0, "0"), (3, "3"), (3.0, "3"), (0.1 + 0.2, "0.30000000000000004"),
                                    (12.5, "12.5"), (-4.0, "-4"), (1e6, "1000000")])
def test_remembered_fmt(v, text):
    assert V.fmt(v) == text and V.fmt(v) == text


def test_identity_plan_remembered_is_the_computed_one():
    """checks' remembered plan of an identity (keys and expressions) equals the plan computed
    afresh, with and without a variant column."""
    from pipeline import checks as C
    from pipeline.templates import load
    for tpl in load().values():
        for ident in tpl.identities:
            for variant in (False, True):
                assert C._identity_plan(tpl.id, ident, (), variant) == C._plan(tpl, ident, (), variant)
                for m in tpl.merged_rows:
                    assert C._identity_plan(tpl.id, ident, (m,), variant) == C._plan(tpl, ident, (m,), variant)


def _read_plain(path: str, fmt_=None):
    """What parse_file read before: the hash in chunks, the format from the head, the path to the reader."""
    import parsers
    from pipeline.report import sha256_file
    fmt_ = fmt_ or parsers.detect_format(path)
    try:
        doc = parsers.read(path, fmt_)
    except parsers.ReadError as e:       # an empty file
        doc = str(e)
    return fmt_, doc, sha256_file(path)


def test_one_read_gives_the_hash_format_and_document_of_reading_the_file_thrice(tmp_path, monkeypatch):
    """parse_file reads a small plain-text file once: its hash, its format and the text reader's
    document are those of hashing it, detecting it and reading it from its path; a larger one,
    or another format, is hashed in chunks and read from its path."""
    import parsers
    from pipeline import report as R
    monkeypatch.setattr(R, "SMALL", 4096)
    seed = SEED.read_bytes()
    files = {"small.txt": seed[:3000], "large.txt": seed + b"\n" * 5000, "page.html": b"<html><body>" + seed + b"</body></html>",
             "empty.txt": b"", "named.md": seed[:100], "forced.txt": seed[:2000]}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        path = str(tmp_path / name)
        forced = "html" if name == "forced.txt" else None
        fmt_, got, digest = R.read_once(path, forced, True)
        want_fmt, want_doc, want_digest = _read_plain(path, forced)
        assert (fmt_, digest) == (want_fmt, want_digest), name
        assert (got is not None) == (name in ("small.txt", "empty.txt", "named.md")), name
        assert R.read_once(path, forced, False) == (fmt_, got, None), name
        if got is not None:
            try:
                assert parsers.read(got, fmt_) == want_doc, name
            except parsers.ReadError as e:
                assert str(e) == want_doc, name
        want = parse_file(path).report
        assert {k: v for k, v in want.items() if k != "seconds"} == \
               {k: v for k, v in parse_file(path, sha256=want_digest).report.items() if k != "seconds"}, name
