"""The codebook: every output file, column, row key and column key with its Chinese label and
meaning, generated from the output schema (`pipeline.schema`) and the template registry
(`pipeline.templates`), so it cannot drift from what a run writes. `ogi keys` prints it;
docs/codebook.md is this text (a test fails when the two differ: regenerate it with
`ogi keys > docs/codebook.md`).
"""
from __future__ import annotations

import argparse
import sys

from . import schema

FILE_PURPOSE = {
    "cells.csv": "one row per table cell of a parsed report: the normalized long table (the main product)",
    "reports.csv": "one row per input file: what was read, what was found, the status and why",
    "checks.csv": "one row per consistency check evaluated on a report (identities and plausibility)",
    "log.csv": "one row per thing the parser was unsure of, per cell or row (an addition to the contract)",
}

OTHER_FILES = [
    ("wide/<table>.csv", "one row per report and table: the columns below, then one column per `row_key.col_key` "
                         "of the table (the keys below), for comparison datasets"),
    ("run.json", "the run: tool version, options, start and end time, counts by status"),
    ("ogi.log", "warnings of every run into this folder (appended)"),
    ("state/", "the resumable state of the runs (SQLite): which files were parsed, by SHA-256"),
]


# checks made in code rather than from the registry's identities (pipeline/checks.py,
# pipeline/prose_checks.py); a test fails when a check id is made there and not listed here
PLAUSIBILITY = {
    "E5": ("each table", "error: every count is a non-negative integer (本年增/减 is signed)"),
    "P3": ("active", "plausibility: 本年新公开数量 ≤ 本年新制作数量 ≤ 对外公开总数量"),
    "P4": ("active", "plausibility: 上一年项目数量 + 本年增/减 ≥ 0"),
    "P5": ("active", "plausibility: 本年收费金额 is in 万元 (not 元)"),
    "P7": ("any", "prose vs table: a figure stated in the report's prose agrees with the table cells it names"),
}


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(s: str) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return out


def _columns_section(name: str, cols: tuple[schema.Col, ...], purpose: str) -> list[str]:
    lines = [f"### `{name}`", "", purpose + ".", ""]
    lines += _md_table(["column", "中文", "meaning"], [[f"`{c.name}`", c.label, c.meaning] for c in cols])
    return lines + [""]


def _keys_section(templates: dict) -> list[str]:
    """Per table: every row key and column key in every template, with its label."""
    lines = ["## Keys", "",
             "Stable keys of `table`, `row_key` and `col_key` (cells.csv, wide/*.csv). A key never changes "
             "meaning; the label is the template's official wording (reports print variants of it, kept in "
             "`row_label` / `col_label`). A template column marked *(variant)* appears only in reports that "
             "print it.", ""]
    tables: list[str] = []
    for tpl in templates.values():
        tables += [t for t in tpl.tables if t not in tables]
    for t in tables:
        specs = [(tid, tpl.tables[t]) for tid, tpl in templates.items() if t in tpl.tables]
        lines += [f"### table `{t}` — {specs[0][1].title}", "", "Row keys:", ""]
        rows: dict[str, dict[str, str]] = {}
        for tid, spec in specs:
            for r in spec.rows:
                rows.setdefault(r.key, {})[tid] = f"{r.group} › {r.label}" if r.group else r.label
        tids = [tid for tid, _ in specs]
        lines += _md_table(["row_key"] + [f"label ({tid})" for tid in tids],
                           [[f"`{k}`"] + [labels.get(tid, "—") for tid in tids] for k, labels in rows.items()])
        lines += ["", "Column keys (the rows each column belongs to):", ""]
        cols: dict[str, dict[str, str]] = {}
        for tid, spec in specs:
            for c in spec.columns.values():
                on = [r.key for r in spec.rows if c.key in [x.key for x in spec.row_columns(r, variant=True)]]
                extra = " *(variant)*" if c.variant else ""
                unit = " (万元)" if c.kind == "money" and "万元" not in c.label else ""
                sign = " (signed)" if c.kind == "signed" else ""
                where = "all rows" if len(on) == len(spec.rows) else ", ".join(f"`{k}`" for k in on)
                cols.setdefault(c.key, {})[tid] = f"{c.label}{unit}{sign}{extra} — {where}"
        lines += _md_table(["col_key"] + [f"label ({tid})" for tid in tids],
                           [[f"`{k}`"] + [labels.get(tid, "—") for tid in tids] for k, labels in cols.items()])
        lines.append("")
    return lines


def _checks_section(templates: dict) -> list[str]:
    seen: dict[str, tuple[str, str]] = {}
    for tpl in templates.values():
        for i in tpl.identities:
            seen.setdefault(i.id, (i.table, i.name))
    lines = ["## Check ids (checks.csv `check_id`)", ""]
    rows = [[f"`{k}`", t, n] for k, (t, n) in seen.items()]
    rows += [[f"`{k}`", t, n] for k, (t, n) in PLAUSIBILITY.items()]
    from .era_a.codebook import checks as era_a_checks
    rows += era_a_checks()
    return lines + _md_table(["check_id", "table", "what it checks"], rows) + [""]


def render() -> str:
    """The codebook as Markdown."""
    from .templates import load
    templates = load()
    lines = ["# Codebook of ogi-reports outputs", "",
             "Generated by `ogi keys` from the output schema (`pipeline/schema.py`) and the template registry "
             "(`pipeline/data/templates.toml`); do not edit by hand. Extends "
             "shared/reference/output-contract.md by adding, never renaming.", "",
             "## Files", ""]
    lines += _md_table(["file", "one row per / holds"],
                       [[f"`{n}`", FILE_PURPOSE[n]] for n in schema.FILES] + [[f"`{n}`", p] for n, p in OTHER_FILES])
    lines += ["", "All CSV files are UTF-8, with a byte-order mark unless `--no-bom`. A text field that a "
              "spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, "
              "and not a plain number) is written with a leading `'`.", "", "## Columns", ""]
    for name, cols in schema.FILES.items():
        lines += _columns_section(name, cols, FILE_PURPOSE[name])
    lines += _columns_section("wide/<table>.csv", schema.WIDE_META,
                              "the first columns of every wide file; then one column per `row_key.col_key`")
    lines += _keys_section(templates)
    from .era_a.codebook import section as era_a_section
    lines += era_a_section() + [""]
    lines += _checks_section(templates)
    return "\n".join(lines).rstrip("\n") + "\n"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Print the codebook (Markdown): every output file, column, row key and column key."


def main(args) -> int:
    sys.stdout.write(render())
    return 0
