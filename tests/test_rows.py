"""The output rows a parse makes, and their quicker forms: each gives exactly what the plain
computation gives (csv.writer's text; the rows as the CSV files hold them)."""
from __future__ import annotations

import csv
import io
import itertools
import random
import re
import sys
from pathlib import Path

import pytest

from pipeline import prose as PR
from pipeline import schema
from pipeline.report import cell_rows, parse_file
from pipeline.result import CellValue
from parsers.model import SourcePos

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _written(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


# characters the writer treats specially, and some it does not
_PIECES = ["", "a", "秀洲", ",", '"', "\r", "\n", "\r\n", " ", "'", "=1", "\t", "\x00", "\u2028", "1.5", "—", ";"]


@pytest.mark.parametrize("seed", range(40))
def test_csv_text_is_what_the_csv_writer_writes(seed):
    rnd = random.Random(seed)
    rows = [[("".join(rnd.choice(_PIECES) for _ in range(rnd.randrange(4)))
              if rnd.random() < 0.9 or seed % 2 else rnd.choice([None, 3, 2.5]))
             for _ in range(rnd.choice([1, 1, 2, 7]))]
            for _ in range(rnd.randrange(6))]
    assert schema.csv_text(rows) == _written(rows)
    assert schema.csv_text(iter(rows)) == _written(rows)
    assert schema.csv_text([tuple(r) for r in rows]) == _written(rows)


@pytest.mark.parametrize("rows", [
    [], [[]], [[""]], [["", ""]], [["a"], [""]], [[""], ["a"]], [["a"], [""], ["b"]], [[], ["a", "b"]],
    [["a,b", "c"]], [["a", 'b"']], [["a\nb", "c"]], [["a\rb", "c"]], [["x", "y"], ["", "z"]],
    [["", "", ""], ["", "", ""]], [["a", "b"]] * 3,
])
def test_csv_text_edge_rows(rows):
    assert schema.csv_text(rows) == _written(rows)


def test_cell_rows_hold_text_as_the_csv_holds_it():
    cells = [CellValue("active", "r1", "c1", 12.0, "12", "行", "列", 97.5, page=3, bbox=(1, 2.25, 3, 4),
                       method="ocr", confidence=0.91234),
             CellValue("active", "r2", "c1", None, "", "行2", "列", 100.0, pos=SourcePos(4, 0, 2))]
    rows = cell_rows("ab" * 8, "某局", 2019, "2019", cells)
    assert all(v.__class__ is str for r in rows for v in r.values())
    assert [rows[0][k] for k in ("year", "value", "match_score", "page", "bbox", "confidence", "source_pos")] == \
        ["2019", "12", "97.5", "3", "1.0 2.2 3.0 4.0", "0.912", ""]
    assert [rows[1][k] for k in ("value", "match_score", "page", "bbox", "confidence", "source_pos")] == \
        ["", "100", "", "", "", "line=4 chars=0-2"]
    assert cell_rows("r", "", None, None, cells)[0]["year"] == "" and cell_rows("r", "", None, None, cells)[0]["template"] == ""


@pytest.mark.parametrize("name", ["seed_xiuzhou_2019.txt", "pdf/docx_2021.pdf"])
def test_a_parse_gives_rows_of_text_only(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{name} not in fixtures")
    p = parse_file(str(path))
    assert p.cells and p.checks
    for rows, cols in ((p.cells, schema.CELLS), (p.checks, schema.CHECKS), (p.log, schema.LOG)):
        assert all(v.__class__ is str for r in schema.render_rows(rows, cols) for v in r)


# ---------------------------------------------------------------- prose text, by lines
_LINE_SPACE = re.compile(r"[^\S\n]+")
_SOFT_BREAK = re.compile(r"(?<![。；;！!？?\x00\n])\n+(?![\x00\n])")
_ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def test_lines_lose_what_re_reads_as_white_space():
    assert "\n".join(PR._unspaced_lines(_ALL)) == _LINE_SPACE.sub("", _ALL)
    text = " a\u3000b\t\n\n c \u00a0\n\x1f\x1c"
    assert PR.clean_lines(text) == _LINE_SPACE.sub("", PR.half_width(text)).split("\n")


def test_soft_breaks_go_as_the_pattern_takes_them():
    """Every text of up to 7 characters over the characters that matter, and random longer ones."""
    alphabet = ["a", "。", "\x00", "\n", "?"]
    texts = ["".join(t) for n in range(8) for t in itertools.product(alphabet, repeat=n)]
    rnd = random.Random(3)
    texts += ["".join(rnd.choice(alphabet + ["秀洲", " "]) for _ in range(rnd.randrange(60))) for _ in range(3000)]
    for text in texts:
        assert PR._soft_breaks_joined(text.split("\n")) == _SOFT_BREAK.sub("", text), repr(text)


def test_prose_text_is_the_plain_join():
    from parsers.model import Document, Paragraph, Table
    rnd = random.Random(5)
    pieces = ["收到申请 3 件", "。", "\n", " ", "，", "\u3000", "未收到", "12", "件；", "\n\n", "！"]
    for _ in range(500):
        blocks = [Table() if rnd.random() < 0.15 else Paragraph("".join(rnd.choice(pieces) for _ in range(rnd.randrange(6))))
                  for _ in range(rnd.randrange(8))]
        doc = Document(blocks=blocks)
        text = "\n".join("\x00" if not isinstance(b, Paragraph) else b.text for b in blocks)
        assert PR.prose_text(doc) == _SOFT_BREAK.sub("", _LINE_SPACE.sub("", text)).replace("\x00", "\n")


# ---------------------------------------------------------------- rendering rows
_VALUES = ["", "a", "=1+1", "+52", "-13", "-x", "@a", "\tb", "\rc", "秀洲", 3, None, "—"]


_PLAIN_VALUES = ["", "a", "秀洲", "12", "a=b", "x\x00y", "—"]


@pytest.mark.parametrize("cols", [schema.CELLS, schema.CHECKS, schema.LOG])
@pytest.mark.parametrize("rare", [0.0, 0.002, 0.05, 1.0])
def test_render_rows_is_row_values_of_each_row(cols, rare):
    """`rare`: how often a field is formula-like, not text or missing (most batches: never)."""
    rnd = random.Random(len(cols))
    rows = []
    for _ in range(400):
        row = {c.name: rnd.choice(_VALUES if rnd.random() < rare else _PLAIN_VALUES) for c in cols}
        if rnd.random() < rare / 2:
            row.pop(rnd.choice(cols).name)
        if rnd.random() < rare / 2:
            row[rnd.choice(cols).name] = "\x00=x"
        rows.append(row)
    assert [list(v) for v in schema.render_rows(rows, cols)] == [schema.row_values(r, cols) for r in rows]
    assert [list(v) for v in schema.render_rows(iter(rows), cols)] == [schema.row_values(r, cols) for r in rows]


def _plain_wide(cells):
    tables = schema.wide_tables()
    read, prose = {}, {}
    for c in cells:
        if c["table"] in tables:
            (prose if c.get("method") == "prose" else read).setdefault(c["table"], {})[
                f"{c['row_key']}.{c['col_key']}"] = c["value"]
    return {t: [{**prose.get(t, {}), **read.get(t, {})}.get(k, "") for k in schema.wide_columns(t)]
            for t in tables if t in read or t in prose}


def test_wide_values_as_plainly_computed():
    rnd = random.Random(11)
    keys = [(t, *k.split(".")) for t in schema.wide_tables() for k in schema.wide_columns(t)]
    for _ in range(50):
        cells = [{"table": t, "row_key": r, "col_key": c, "value": str(rnd.randrange(9)),
                  "method": rnd.choice(["read", "prose", "recovered"])}
                 for t, r, c in rnd.sample(keys, rnd.randrange(60))]
        cells += [{"table": "other", "row_key": "x", "col_key": "y", "value": "1", "method": "read"}]
        assert schema.wide_values(cells) == _plain_wide(cells)
        for c in cells[::3]:
            del c["method"]       # rows made by hand may lack it
        assert schema.wide_values(cells) == _plain_wide(cells)


def test_match_scores_kept_as_text_print_as_formatted():
    """cell_rows keeps the text of each match score it formats: every score prints as
    f"{score:g}" whatever came before it (0.0 and -0.0, equal keys, print apart)."""
    from pipeline.result import CellValue
    scores = [100.0, 95.3, 0.0, -0.0, 62, 62.0, 88.8, 100, 1e-7, 0.0, float("nan"), 95.3]
    cells = [CellValue("requests", "r", "c", 1.0, "1", "l", "c", s) for s in scores]
    for _ in range(2):
        assert [r["match_score"] for r in cell_rows("r", "", None, None, cells)] == [f"{s:g}" for s in scores]


def test_check_cells_text_remembered_equals_joined():
    """checks.csv `cells`: remembered per cells tuple, joined each time for lists; each cell once, in order."""
    from pipeline.report import cells_text
    cells = (("requests", "a", "total"), ("requests", "b", "total"), ("requests", "a", "total"))
    for given in (cells, cells, list(cells), ()):
        assert cells_text(given) == ("requests/a/total;requests/b/total" if given else "")
