"""Prose-vs-table checks (P7 of templates.md §7b): the figures section 一 states against the cells.

Prose often states a sub-count or another scope, so a figure is compared only where the wording
of its rule (data/prose_checks.toml) pins down one quantity — one cell, or the total of one group
of cells; a figure whose clause qualifies it is written as `skipped` with the reason. Severity is
always `warning`: prose is secondary evidence, and no value is ever changed by it.
"""
from __future__ import annotations

from typing import Optional

from parsers.model import Document

from .checks import Check
from .result import Extraction
from .prose import Figure, find_figures, load_rules, prose_text
from .templates import Template
from .values import fmt

CHECK_ID = "P7"


def _target(fig: Figure, cells: dict, tpl: Template) -> Optional[tuple[tuple[str, str, str], ...]]:
    """The first alternative of the rule's targets whose cells the report's tables all hold."""
    for alt in fig.rule.targets:
        keys = tuple(tuple(k.split("/")) for k in alt)
        if all(k in cells for k in keys):
            return keys
    return None


def _table_side(keys: tuple, tpl: Template) -> str:
    spec = tpl.tables[keys[0][0]]
    rows = [spec.row(k[1]) for k in keys]
    col = spec.columns[keys[0][2]].label
    groups = {r.group for r in rows}
    if len(rows) > 1 and len(groups) == 1 and next(iter(groups)):
        return f"{next(iter(groups))} [{col}]"
    return " + ".join((f"{r.group}·" if r.group and keys[0][0] == "appeals" else "") + r.label
                      for r in rows) + f" [{col}]"


def _compare(fig: Figure, keys: tuple, cells: dict, tpl: Template) -> Check:
    expr = f"正文「{fig.clause}」 = {_table_side(keys, tpl)}"
    table, scope = keys[0][0], fig.rule.id
    if fig.value is None:
        return Check(CHECK_ID, table, scope, expr, None, None, "skipped", "warning",
                     f"{fig.reason}: {fig.sentence}", keys, scope_kind="rule")
    printed = [cells[k].value for k in keys if cells[k].value is not None]
    if not printed:
        return Check(CHECK_ID, table, scope, expr, fig.value, None, "skipped", "warning",
                     "the table does not print this cell", keys, scope_kind="rule")
    total = float(sum(printed))
    if abs(total - fig.value) < 1e-6:
        return Check(CHECK_ID, table, scope, expr, fig.value, total, "pass", "warning", "", keys, scope_kind="rule")
    return Check(CHECK_ID, table, scope, expr, fig.value, total, "fail", "warning",
                 f"prose says {fmt(fig.value)}, the table {fmt(total)}: {fig.sentence}", keys, scope_kind="rule")


def prose_checks(doc: Document, ex: Extraction, tpl: Template, year: Optional[int]) -> list[Check]:
    """Given a report's document, its extraction and template, return one P7 check per distinct
    figure whose rule's cells are in the report's tables."""
    found = set(ex.tables_found)
    cells = {(c.table, c.row_key, c.col_key): c for c in ex.cells if c.table in found}
    if not cells:
        return []
    out, seen = [], set()
    rules = load_rules("prose_checks")
    for fig in find_figures(prose_text(doc, rules.gate), rules, year):
        keys = _target(fig, cells, tpl)
        if keys is None or (fig.rule.id, fig.value, fig.clause) in seen:
            continue
        seen.add((fig.rule.id, fig.value, fig.clause))
        out.append(_compare(fig, keys, cells, tpl))
    return out
