"""The output layer on its own: the schema (columns, the one report-row constructor, CSV
rendering with formulas neutralized), the writers (a generation of files, published as one
set), and the codebook generated from both."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from pipeline import codebook, schema, writers
from pipeline.report import ParsedReport

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- schema
def test_report_row_is_the_same_shape_for_parsed_and_failed_files():
    ok = schema.report_row("ab" * 32, "a/b.txt", "text", status="ok", agency="某局", cells=3, seconds=0.25)
    failed = schema.report_row("", "a/c.txt", error="timeout after 2 s", seconds=2)
    assert list(ok) == list(failed) == schema.REPORT_FIELDS
    assert ok["report_id"] == "ab" * 8 and ok["seconds"] == "0.250" and ok["cells"] == 3
    assert failed["status"] == "failed" and failed["report_id"] == "" and failed["seconds"] == "2.000"
    with pytest.raises(KeyError):
        schema.report_row("", "x", colour="red")


def test_every_file_has_its_fields_once_and_in_the_contract_order():
    assert schema.CELL_FIELDS[:15] == ["report_id", "agency", "year", "template", "table", "row_key", "col_key",
                                       "value", "raw", "row_label", "col_label", "match_score", "page", "bbox",
                                       "method"]
    assert schema.REPORT_FIELDS[:14] == ["report_id", "source_path", "sha256", "format", "pages", "agency", "year",
                                         "template", "status", "tables_found", "cells", "checks_failed", "error",
                                         "seconds"]
    for cols in list(schema.FILES.values()) + [schema.WIDE_META]:
        names = [c.name for c in cols]
        assert len(names) == len(set(names))
        assert all(c.label and c.meaning for c in cols)


def test_undecodable_file_names_are_written_as_escapes():
    name = os.fsdecode(b"dir/r\xff\xfe.txt")
    assert schema.display_path(name) == "dir/r\\xff\\xfe.txt"
    assert schema.display_path("普通/名字.txt") == "普通/名字.txt"


@pytest.mark.parametrize("text, safe", [
    ("=HYPERLINK(\"http://x\",\"点我\")", "'=HYPERLINK(\"http://x\",\"点我\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("+52", "+52"), ("-13", "-13"), ("-1,234.5", "-1,234.5"), ("+52件", "+52件"), ("-", "-"), ("--", "--"),
    ("秀洲区人民政府", "秀洲区人民政府"), ("", ""),
])
def test_formula_text_is_neutralized_and_numbers_never_change(text, safe):
    assert schema.neutralize(text) == safe


def test_rendering_neutralizes_text_columns_only():
    cells = [{"report_id": "r", "agency": "=1+1", "table": "active", "row_key": "admin_permit", "col_key": "change",
              "value": "-13", "raw": "-13", "row_label": "@行政许可", "col_label": "本年增/减", "match_score": "100",
              "method": "read"}]
    parts = schema.render_parts(cells, [], [])
    row = next(csv.reader(io.StringIO(parts["cells"])))
    got = dict(zip(schema.CELL_FIELDS, row))
    assert got["agency"] == "'=1+1" and got["row_label"] == "'@行政许可"
    assert got["value"] == "-13" and got["raw"] == "-13"
    assert parts["wide"]["active"][schema.wide_columns("active").index("admin_permit.change")] == "-13"


# ---------------------------------------------------------------- writers
def _report(path: str, sha: str = "cd" * 32) -> ParsedReport:
    rep = schema.report_row(sha, path, "text", status="ok", agency="+某局", year="2019", template="2019", cells=1)
    cell = {"report_id": sha[:16], "agency": "+某局", "year": "2019", "template": "2019", "table": "appeals",
            "row_key": "review", "col_key": "total", "value": "5", "raw": "5", "row_label": "行政复议",
            "col_label": "总计", "match_score": "100", "page": "", "bbox": "", "method": "read"}
    return ParsedReport(report=rep, cells=[cell])


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_writer_writes_a_generation_and_publishes_it_as_one_set(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    w = writers.OutputWriter(str(out))
    w.add(_report("a.txt"))
    w.add_report(schema.report_row("", "b.txt", error="cannot read file: Permission denied"))
    assert not (out / "cells.csv").exists()  # nothing visible before the publish
    w.close({"files": 2})
    assert _read(out / "cells.csv")[0] == schema.CELL_FIELDS
    assert _read(out / "cells.csv")[1][1] == "'+某局"
    reps = _read(out / "reports.csv")
    assert [r[1] for r in reps[1:]] == ["a.txt", "b.txt"] and reps[2][schema.REPORT_FIELDS.index("status")] == "failed"
    wide = _read(out / "wide" / "appeals.csv")
    assert wide[0][:5] == schema.META_FIELDS and wide[1][:3] == ["cd" * 8, "a.txt", "'+某局"]
    assert json.loads((out / "run.json").read_text(encoding="utf-8")) == {"files": 2}
    assert os.path.islink(out / "cells.csv") and writers.current_generation(str(out)) == w.generation
    with open(out / "cells.csv", "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"


def test_a_second_publish_switches_every_file_and_removes_the_older_set(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gens = []
    for i in range(3):
        w = writers.OutputWriter(str(out), bom=False)
        w.add(_report(f"run{i}.txt"))
        w.close({"run": i})
        gens.append(w.generation)
        assert _read(out / "reports.csv")[1][1] == f"run{i}.txt"
        assert json.loads((out / "run.json").read_text(encoding="utf-8")) == {"run": i}
    assert os.listdir(out / writers.GENERATIONS) == gens[-1:]
    with open(out / "cells.csv", "rb") as f:
        assert f.read(3) != b"\xef\xbb\xbf"


def test_an_aborted_writer_leaves_the_published_set_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    w = writers.OutputWriter(str(out))
    w.add(_report("kept.txt"))
    w.close({})
    w2 = writers.OutputWriter(str(out))
    w2.add(_report("lost.txt"))
    w2.abort()
    assert _read(out / "reports.csv")[1][1] == "kept.txt"
    assert os.listdir(out / writers.GENERATIONS) == [w.generation]


def test_discard_unpublished_removes_a_killed_runs_leftovers_only(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    w = writers.OutputWriter(str(out))
    w.add(_report("kept.txt"))
    w.close({})
    w2 = writers.OutputWriter(str(out))  # a run killed while writing (no abort, no publish)
    w2.add(_report("half.txt"))
    (out / ".tmp-123-cells.csv").symlink_to("nowhere")
    writers.discard_unpublished(str(out))
    assert os.listdir(out / writers.GENERATIONS) == [w.generation]
    assert not os.path.lexists(out / ".tmp-123-cells.csv")
    assert _read(out / "reports.csv")[1][1] == "kept.txt"


def test_publishing_over_the_old_layout_replaces_its_plain_files(tmp_path):
    out = tmp_path / "out"
    (out / "wide").mkdir(parents=True)
    (out / "cells.csv").write_text("old", encoding="utf-8")
    (out / "wide" / "active.csv").write_text("old", encoding="utf-8")
    (out / ".commit.json").write_text("{}", encoding="utf-8")  # an older version's publish record
    writers.discard_unpublished(str(out))
    w = writers.OutputWriter(str(out))
    w.add(_report("new.txt"))
    w.close({})
    assert _read(out / "cells.csv")[0] == schema.CELL_FIELDS
    assert _read(out / "wide" / "active.csv")[0][:5] == schema.META_FIELDS
    assert not (out / ".commit.json").exists()


# ---------------------------------------------------------------- codebook
def test_the_codebook_in_the_repo_is_the_generated_one():
    assert (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8") == codebook.render(), \
        "docs/codebook.md is stale: regenerate it with `ogi keys > docs/codebook.md`"


def test_the_codebook_names_every_column_and_every_key():
    from pipeline.templates import load
    text = codebook.render()
    for cols in list(schema.FILES.values()) + [schema.WIDE_META]:
        for c in cols:
            assert f"`{c.name}` | {c.label} |" in text
    for tpl in load().values():
        for t, spec in tpl.tables.items():
            assert f"table `{t}`" in text
            for r in spec.rows:
                assert f"`{r.key}`" in text and r.label in text
            for c in spec.columns.values():
                assert f"`{c.key}`" in text and c.label in text
        for i in tpl.identities:
            assert f"`{i.id}`" in text


def test_readme_links_the_codebook():
    assert "docs/codebook.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_check_id_made_in_code_is_in_the_codebook():
    import re
    text = codebook.render()
    made = set()
    for p in (ROOT / "pipeline").glob("*.py"):
        src = p.read_text(encoding="utf-8")
        made |= set(re.findall(r'Check\(\s*"([A-Z]\d+\w*)"', src)) | set(re.findall(r'CHECK_ID = "([A-Z]\d+\w*)"', src))
    assert made and all(f"`{k}`" in text for k in made), sorted(k for k in made if f"`{k}`" not in text)
