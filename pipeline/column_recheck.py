"""Rows placed by character position, checked by the column identities of their table.

A whitespace row with blank cells is placed by its numbers' positions, each row on its own
evidence. When the requests table's column identities (E1, E2) then fail, a number may sit in
the wrong column of one of those rows — and which one cannot be told. The position-placed rows
are then left empty (logged with their numbers): never trade a gap for a guess. A table whose
identities hold, or that has no such rows, is left as read.
"""
from __future__ import annotations

from .templates import Template

def unplace_doubtful_rows(ex, tpl: Template) -> list[tuple[str, str, str, str]]:
    """Given an extraction, empty the position-placed rows of every table whose column
    identities fail or cannot be evaluated. Returns (table, row key, printed numbers, failed
    identities) per row emptied."""
    out = []
    for table in sorted({i.table for i in tpl.identities if i.over == "columns"}):
        out += [(table, *x) for x in _unplace_table(ex, tpl, table)]
    return out


def _unplace_table(ex, tpl: Template, table: str) -> list[tuple[str, str, str]]:
    from .checks import _Evaluator   # checks imports this module's caller: imported late

    rows = {c.row_key for c in ex.cells if c.table == table and c.by_position}
    if not rows or table not in ex.tables_found:
        return []
    ev = _Evaluator(ex, tpl)
    checks = [ch for ident in tpl.identities if ident.table == table and ident.over == "columns"
              for ch in ev.identity(ident)]
    failed = sorted({ch.check_id for ch in checks if ch.status == "fail"})
    if not failed and any(ch.status == "skipped" and ch.message.startswith("cell missing") for ch in checks):
        failed = ["unverifiable " + "/".join(sorted({ch.check_id for ch in checks if ch.status == "skipped"}))]
    if not failed:
        return []
    out = []
    for key in sorted(rows):
        cells = [c for c in ex.cells if c.table == table and c.row_key == key]
        out.append((key, " ".join(c.raw for c in cells if c.raw), "/".join(failed)))
        for c in cells:
            c.value, c.raw, c.unplaced, c.by_position = None, "", True, False
        ex.ambiguous += len(cells)
    return out
