"""The output schema: every output file's columns, the one report-row constructor, CSV rendering.

Given the rows a parse produced (dicts keyed by column name), this module says which columns
each output file has and in which order (shared/reference/output-contract.md, extended only by
appending), builds the reports.csv row for parsed and failed files alike (`report_row`), and
renders rows as CSV text with spreadsheet formulas neutralized (`csv_text`, `render_parts`).
`docs/codebook.md` is generated from these declarations and the template registry
(`pipeline.codebook`), so the documentation cannot drift from what is written.

A new output column is one `Col(...)` appended to its file's list below (and nothing else).
"""
from __future__ import annotations

import csv
import functools
import io
import itertools
import operator
import os
from collections import namedtuple
from collections.abc import Iterable

import re


class Col(namedtuple("Col", "name label meaning text", defaults=(False,))):
    """One output column: its name, its Chinese label, what it holds, and whether it is text
    (text columns are neutralized against spreadsheet formulas; numbers never are)."""
    __slots__ = ()


CELLS = (
    Col("report_id", "报告编号", "stable id of the input: the first 16 hex digits of the SHA-256 of the file's bytes"),
    Col("agency", "发布机关", "publishing body as printed in the title, e.g. 秀洲区人民政府", text=True),
    Col("year", "报告年度", "the year the report covers (not the publication year)"),
    Col("template", "模板", "`2019` or `2021`: the national template the tables follow; `2008` for the "
                          "reports of 2008–2018 (era A)"),
    Col("table", "表格", "`active`, `requests` or `appeals` (see the keys below); `stats` in era A"),
    Col("row_key", "行键", "stable key of the template row (see the keys below)"),
    Col("col_key", "列键", "stable key of the template column (see the keys below)"),
    Col("value", "数值", "the number; empty where the printed cell is empty; money in 万元; signed changes keep "
                       "their sign; a printed —, -, /, 无 or 0 is 0"),
    Col("raw", "原文", "the cell's text as printed, whitespace-trimmed", text=True),
    Col("row_label", "行标签", "the row label as printed in this report", text=True),
    Col("col_label", "列标签", "the column label as printed in this report", text=True),
    Col("match_score", "匹配分", "0–100: how closely the printed row label matched the standard one"),
    Col("page", "页码", "1-based page of the cell, for paged inputs; empty otherwise"),
    Col("bbox", "位置框", "the cell's box on its page as `x0 top x1 bottom` in PDF points; empty otherwise"),
    Col("method", "取值方式", "`read` (printed in its own cell), `recovered` (the text ran cells together and "
                            "the split was settled by the template's arithmetic), `prose` (era A: a figure "
                            "stated in a sentence, the clause in `raw`) or `ocr` (read from the page image of a "
                            "scan or of a PDF page whose text layer is unusable)"),
    Col("confidence", "识别置信度", "OCR cells only: the engine's lowest character score in the cell, 0–1 "
                                 "(cells below 0.6 are listed in log.csv); empty for other methods"),
    Col("source_pos", "来源位置", "where the number is printed in sources without page boxes: text "
                                "`line=L chars=A-B` (1-based line, 0-based character offsets, B exclusive); "
                                "HTML and Word `table=T row=R col=C` (1-based table index in document order, "
                                "row and column in its span-resolved grid); empty for PDF cells (page and "
                                "bbox) and values recovered from a run of digits"),
)

REPORTS = (
    Col("report_id", "报告编号", "stable id of the input (first 16 hex digits of its SHA-256)"),
    Col("source_path", "文件路径", "the input file as found (undecodable bytes of a file name as \\xNN)", text=True),
    Col("sha256", "SHA-256", "SHA-256 of the file's bytes; empty when the file could not be read"),
    Col("format", "格式", "`text`, `pdf`, `html`, `docx` or `doc`, detected from the content; `pdf-ocr` when any "
                        "page of a PDF was read by OCR, `image-ocr` for image files (PNG, JPEG, TIFF)"),
    Col("pages", "页数", "number of pages, for paged inputs"),
    Col("agency", "发布机关", "publishing body as printed in the title", text=True),
    Col("year", "报告年度", "the year the report covers"),
    Col("template", "模板", "`2019` or `2021`"),
    Col("status", "状态", "`ok` (all three tables found), `partial` (some found), `not_a_report` (no template "
                        "table found), `failed` (could not be read: `error` says why)"),
    Col("tables_found", "已识别表格", "the tables found, `;`-separated"),
    Col("cells", "单元格数", "number of rows this report has in cells.csv"),
    Col("checks_failed", "未通过校验数", "number of failed error-severity checks in checks.csv"),
    Col("error", "原因", "why the status is not `ok`, in one line", text=True),
    Col("seconds", "耗时（秒）", "time spent on this file, including on a time or memory limit"),
    Col("ambiguous_cells", "存疑单元格数", "cells left empty because their placement was ambiguous (see log.csv)"),
    Col("warnings", "警告", "report-level warnings, `; `-separated (e.g. a `--template` forced although the labels "
                          "look like the other template's; also in log.csv)", text=True),
)

CHECKS = (
    Col("report_id", "报告编号", "the report checked"),
    Col("check_id", "校验编号", "identity (E1–E5, E3b) or plausibility rule (P3–P5) of templates.md §7a"),
    Col("table", "表格", "the table the check is about"),
    Col("scope", "范围", "the column or row the identity was evaluated on", text=True),
    Col("expression", "表达式", "the identity in words, with the Chinese labels", text=True),
    Col("lhs", "左边", "value of the left-hand side"),
    Col("rhs", "右边", "value of the right-hand side"),
    Col("diff", "差额", "lhs − rhs"),
    Col("status", "结果", "`pass`, `fail` or `skipped` (the reason in `message`)"),
    Col("severity", "级别", "`error` (an identity of the template) or `warning` (plausibility)"),
    Col("message", "说明", "what failed, by how much, and the likely culprit cell", text=True),
    Col("cells", "涉及单元格", "`table/row_key/col_key` of every cell of the check, `;`-separated (left side "
                              "first)"),
    Col("culprit", "疑似出错单元格", "the cell whose correction alone would make every failed identity of its "
                                   "table hold without breaking one that holds; empty where none or several"),
    Col("scope_kind", "范围类型", "what `scope` names: `column` (the identity runs down that column), `row` "
                                "(along that row), `table` (the whole table) or `rule` (a prose rule, P7)"),
)

LOG = (
    Col("report_id", "报告编号", "the report"),
    Col("level", "级别", "`info` or `warning`"),
    Col("table", "表格", "the table concerned, if any"),
    Col("row_key", "行键", "the row concerned, if any"),
    Col("col_key", "列键", "the column concerned, if any"),
    Col("page", "页码", "page, for paged inputs"),
    Col("message", "说明", "what the parser was unsure of and what it did (never a guessed number)", text=True),
)

WIDE_META = (
    Col("report_id", "报告编号", "the report"),
    Col("source_path", "文件路径", "the input file", text=True),
    Col("agency", "发布机关", "publishing body", text=True),
    Col("year", "报告年度", "the year the report covers"),
    Col("template", "模板", "`2019` or `2021`"),
)

# output file -> its columns (wide/<table>.csv: WIDE_META, then one column per row_key.col_key)
FILES = {"cells.csv": CELLS, "reports.csv": REPORTS, "checks.csv": CHECKS, "log.csv": LOG}

CELL_FIELDS = [c.name for c in CELLS]
REPORT_FIELDS = [c.name for c in REPORTS]
CHECK_FIELDS = [c.name for c in CHECKS]
LOG_FIELDS = [c.name for c in LOG]
META_FIELDS = [c.name for c in WIDE_META]


# ------------------------------------------------------------------ report rows
def display_path(path: str) -> str:
    """A path as text for the outputs: a file name's undecodable bytes shown as \\xNN, so any
    name can be written to UTF-8 CSV and JSON."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def report_row(sha: str, path: str, fmt: str = "", *, status: str = "failed", error: str = "",
               seconds: float | None = None, **fields) -> dict:
    """The reports.csv row of one file: given its hash (empty when it could not be read), its
    path and format, and whatever else is known; every other column empty or zero."""
    row = {"report_id": sha[:16], "source_path": display_path(path), "sha256": sha, "format": fmt or "",
           "pages": "", "agency": "", "year": "", "template": "", "status": status, "tables_found": "",
           "cells": 0, "checks_failed": 0, "error": error,
           "seconds": "" if seconds is None else f"{seconds:.3f}", "ambiguous_cells": 0, "warnings": ""}
    unknown = set(fields) - set(row)
    if unknown:
        raise KeyError(f"not a reports.csv column: {', '.join(sorted(unknown))}")
    row.update(fields)
    return row


def one_line(msg: str, limit: int = 300) -> str:
    """A reason as one line of at most `limit` characters."""
    return " ".join(str(msg).split())[:limit]


# ------------------------------------------------------------------ CSV rendering
# A text field a spreadsheet would run as a formula (OWASP "CSV injection"): it starts with
# = + - @ or a tab / carriage return. Such a field is written with a leading apostrophe, the
# mark spreadsheet tools read as "this is text". A field that is a plain number (a signed
# change such as +52 or -13, with or without its unit) is left as printed: numbers never change.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")    # as str.startswith takes them
_FORMULA_START = frozenset(_FORMULA_PREFIXES)
_PLAIN_NUMBER = re.compile(r"[+\-]?(\d[\d,.]*|\.\d+)\s*(万元|萬元|万|萬|元|件|个|個|条|條|项|項|人|家|次|%)?|[+\-]+")


def neutralize(value) -> str:
    """A text field made safe to open in a spreadsheet (see above)."""
    s = value if isinstance(value, str) else str(value)
    if s[:1] in _FORMULA_START and s and not _PLAIN_NUMBER.fullmatch(s):
        return "'" + s
    return s


@functools.lru_cache(maxsize=None)
def _text_positions(cols: tuple[Col, ...]) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(cols) if c.text)


def row_values(row: dict, cols: tuple[Col, ...]) -> list:
    """A row dict as a list in the file's column order; missing columns empty, text neutralized."""
    values = [row.get(c.name, "") for c in cols]
    for i in _text_positions(cols):
        v = values[i]
        if isinstance(v, str) and v[:1] in _FORMULA_START and v:
            values[i] = neutralize(v)
    return values


def csv_text(rows: Iterable[list]) -> str:
    """Rows (lists in column order) as CSV text, as `csv.writer` writes them. Most rows are text
    that needs no quoting, and joining them is several times quicker than the writer: a joined
    row is kept when it shows that no field needed quoting (no `"` or line break, every `,` one
    the join put there) and is not empty (the writer writes a lone empty field as `""`); the
    other rows are written by the writer."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return ""
    try:
        lines = list(map(",".join, rows))
    except TypeError:          # a value that is not text (a number, None): as text, as the writer makes it
        rows = [list(map(_as_field, row)) for row in rows]
        lines = list(map(",".join, rows))
    text = "\r\n".join(lines)
    n = len(rows)
    if ('"' not in text and text.count("\n") == n - 1 and text.count("\r") == n - 1
            and text.count(",") == sum(map(len, rows)) - n and all(lines)):
        return text + "\r\n"
    return "".join([line + "\r\n" if line and '"' not in line and "\n" not in line and "\r" not in line
                    and line.count(",") == len(row) - 1 else _written([row]) for line, row in zip(lines, rows)])


def _as_field(v) -> str:
    """A value as `csv.writer` writes it before quoting: text as it is, None empty, a float its
    repr, anything else str()."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    return repr(v) if isinstance(v, float) else str(v)


def _written(rows: list) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


@functools.lru_cache(maxsize=None)
def _getter(cols: tuple[Col, ...]):
    return operator.itemgetter(*(c.name for c in cols))


@functools.lru_cache(maxsize=None)
def _text_fields(cols: tuple[Col, ...]):
    """Given a row's values (in `cols` order), its text fields as a tuple."""
    pos = _text_positions(cols)
    if len(pos) == 1:
        return lambda values, i=pos[0]: (values[i],)
    return operator.itemgetter(*pos) if pos else (lambda values: ())


_FORMULA_AFTER_NUL = re.compile("\x00[=+\\-@\t\r]")


def render_rows(rows: Iterable[dict], cols: tuple[Col, ...]) -> list:
    """Row dicts as `row_values` gives them (a worker renders every report's rows, so rows that
    have every column and no formula-like text take a quicker path: all their text fields are
    looked at at once, joined behind NULs)."""
    get = _getter(cols)
    rows = rows if isinstance(rows, list) else list(rows)
    try:
        values = list(map(get, rows))
        texts = "\x00" + "\x00".join(itertools.chain.from_iterable(map(_text_fields(cols), values)))
    except (KeyError, TypeError):     # a row without some column, a text field that is not text
        return _rendered_one_by_one(rows, cols)
    if _FORMULA_AFTER_NUL.search(texts) is None:
        return values
    return _rendered_one_by_one(rows, cols)


def _rendered_one_by_one(rows: list, cols: tuple[Col, ...]) -> list:
    get, text = _getter(cols), _text_positions(cols)
    out = []
    for r in rows:
        try:
            values = get(r)
        except KeyError:
            out.append(row_values(r, cols))
            continue
        for i in text:
            v = values[i]
            if v.__class__ is str and v.startswith(_FORMULA_PREFIXES):
                out.append(row_values(r, cols))
                break
        else:
            out.append(values)
    return out


def rows_text(rows: Iterable[dict], cols: tuple[Col, ...]) -> str:
    """Row dicts as CSV text in the order of `cols`."""
    return csv_text(render_rows(rows, cols))


def as_read(values) -> list[str]:
    """Rendered values as a CSV reader gives them back (None empty, numbers as text)."""
    try:
        "".join(values)     # every value is text already (the usual case; checked at C speed)
        return values
    except TypeError:
        return [v if v.__class__ is str else "" if v is None else str(v) for v in values]


def read_row(row: dict, cols: tuple[Col, ...]) -> dict:
    """A row dict as a CSV reader gives it back from its file (every column, as text)."""
    return dict(zip((c.name for c in cols), as_read(row_values(row, cols))))


@functools.lru_cache(maxsize=None)
def wide_columns(table: str) -> tuple[str, ...]:
    """row_key.col_key for every cell of the table in any template, in template order."""
    from .templates import TABLES, load
    if table not in TABLES:   # era A's `stats` (template 2008, its own data file)
        from .era_a.template import load as era_a_template
        return tuple(f"{r}.{c}" for r, c in era_a_template().keys())
    seen: list[str] = []
    for tpl in load().values():
        spec = tpl.tables[table]
        for r in spec.rows:
            for c in spec.row_columns(r, variant=True):
                k = f"{r.key}.{c.key}"
                if k not in seen:
                    seen.append(k)
    return tuple(seen)


@functools.lru_cache(maxsize=1)
def wide_tables() -> tuple[str, ...]:
    from .era_a.template import load as era_a_template
    from .templates import TABLES
    return (*TABLES, era_a_template().table)


def wide_layout() -> dict[str, list[str]]:
    """Every wide/<table>.csv's value columns, by table (workers hand this to the parent, so the
    parent need not load the template registry)."""
    return {t: list(wide_columns(t)) for t in wide_tables()}


_WIDE_GET = operator.itemgetter("table", "row_key", "col_key", "value", "method")


def wide_values(cells: list[dict]) -> dict[str, list]:
    """A report's wide rows: per table with a value, its values in wide-column order (without the
    per-path metadata columns). Era A prints a key in the appendix and in prose: the appendix
    (read/recovered) wins; otherwise the last cell of a key wins."""
    tables = wide_tables()
    read: dict[str, dict] = {}
    prose: dict[str, dict] = {}
    try:
        quads = list(map(_WIDE_GET, cells))
    except KeyError:        # a row without a method (rows made by hand)
        quads = [(c["table"], c["row_key"], c["col_key"], c["value"], c.get("method")) for c in cells]
    for t, r, k, v, method in quads:
        if t in tables:
            by = prose if method == "prose" else read
            values = by.get(t)
            if values is None:
                values = by[t] = {}
            values[f"{r}.{k}"] = v
    wide = {}
    for t in tables:
        if t in read or t in prose:
            values = {**prose.get(t, {}), **read.get(t, {})}
            cols = wide_columns(t)
            wide[t] = list(map(values.get, cols, itertools.repeat("", len(cols))))
    return wide


def render_parts(cells: list[dict], checks: list[dict], log: list[dict]) -> dict:
    """A report's rows as the CSV text of cells.csv, checks.csv and log.csv, and its wide rows
    (`wide_values`)."""
    return {"cells": rows_text(cells, CELLS), "checks": rows_text(checks, CHECKS), "log": rows_text(log, LOG),
            "wide": wide_values(cells)}


def wide_row(report: dict, values: list) -> list:
    """A wide/<table>.csv row: the report's metadata columns, then its values."""
    return row_values(report, WIDE_META) + values
