"""One report's share of the review site (`Entry`), made from its rows: the part of the site a
parse worker builds beside the rows it renders (pipeline.worker), so it imports only what that
needs (no file writing, no compression module but zlib); `site` writes the entries out.
"""
from __future__ import annotations

import functools
import itertools
import json
import operator
import sys
import zlib

from .load import ReportRecord, cell_notes, record_of_rows
from .sources import parse_bbox, parse_pos, source_view, source_wants

INDEX_FIELDS = ("report_id", "source_path", "format", "pages", "agency", "year", "template", "status", "error",
                "tables_found", "cells", "ambiguous_cells")
CHECK_KEYS = ("check_id", "table", "scope", "scope_kind", "expression", "lhs", "rhs", "diff", "status", "severity",
              "message", "cells", "culprit")


def template_keys(layout: dict) -> list[str]:
    """Cell keys of a template layout in print order: the order of a clean report's values."""
    return [f'{t["key"]}/{r["key"]}/{c}' for t in layout["tables"] for r in t["rows"] for c in r["cols"]]


def template_layouts() -> dict:
    """Every template of the registries as the review lays it out: tables in order, their
    columns and rows with labels (no template is named in code: any template renders the same way)."""
    from ..templates import load

    out = {tid: template_layout(tid) for tid in load()}
    out.update(_stats_layouts())
    return out


@functools.lru_cache(maxsize=None)
def template_layout(tid: str) -> dict | None:
    """One template's layout (see template_layouts); None for an unknown id."""
    from ..templates import load

    tpl = load().get(tid)
    if tpl is None:
        return _stats_layouts().get(tid)
    tables = []
    for key, spec in tpl.tables.items():
        cols = {k: {"label": c.label, "variant": c.variant} for k, c in spec.columns.items()}
        rows = [{"key": r.key, "label": r.label, "group": r.group,
                 "cols": [c.key for c in spec.row_columns(r, variant=True)]} for r in spec.rows]
        tables.append({"key": key, "title": spec.title, "columns": cols, "rows": rows})
    return {"name": tpl.name, "tables": tables}


@functools.lru_cache(maxsize=1)
def _stats_layouts() -> dict:
    """Templates of the one-table statistics registry (era A, pipeline/era_a), where installed:
    rows and columns with their first printed label; a row that names a parent row is grouped
    under it; rows stated only in prose have the first column only."""
    try:
        from ..era_a.template import load as load_stats
    except ImportError:
        return {}
    tpl = load_stats()
    label = {r.key: (r.labels[0] if r.labels else r.key) for r in tpl.rows}
    cols = {c.key: {"label": c.labels[0] if c.labels else c.key, "variant": False} for c in tpl.columns}
    rows = [{"key": r.key, "label": label[r.key], "group": label.get(r.parent, ""),
             "cols": [c.key for c in (tpl.columns if r.labels else tpl.columns[:1])]} for r in tpl.rows]
    title = tpl.headings[0] if tpl.headings else tpl.name
    # sparse: a report prints a few of the registry's many rows (each local table its own), so only
    # the rows it has are drawn
    return {tpl.id: {"name": tpl.name, "tables": [{"key": tpl.table, "title": title, "columns": cols, "rows": rows,
                                                   "sparse": True}]}}


_ENTRY_COLS = ("table", "row_key", "col_key", "value", "raw", "method", "page", "bbox", "source_pos", "row_label",
               "col_label")


def _cell_entries(rec: ReportRecord, notes: dict) -> dict[str, list]:
    """Per cell key: [value, raw, method, page, bbox, pos, row_label, col_label, state, candidates]."""
    get = operator.itemgetter(*(rec.cells_at[k] for k in _ENTRY_COLS))
    out = {}
    for x in rec.cell_rows:
        t, r, c, value, raw, method, page, bbox, pos, row_label, col_label = get(x)
        key = f"{t}/{r}/{c}"
        note = notes.get(key)
        out[key] = [value, raw, method, int(page) if page else None, parse_bbox(bbox) if bbox else None,
                    parse_pos(pos) if pos else None, row_label, col_label,
                    *((note.get("state", ""), note.get("cands", [])) if note else ("", []))]
    return out


def _summary(rec: ReportRecord, notes: dict) -> dict:
    row = {k: rec.report.get(k, "") for k in INDEX_FIELDS}
    row.update(failed=sorted(set(rec.failed("error"))), failed_warn=sorted(set(rec.failed("warning"))),
               n_failed=len(rec.failed("error")),
               warnings=len(rec.warnings()),
               ambiguous=sum(1 for n in notes.values() if n.get("state") == "ambiguous"),
               unplaced=sum(1 for n in notes.values() if n.get("state") == "unplaced"),
               review=rec.needs_review())
    return row


def _full(rec: ReportRecord, notes: dict) -> dict:
    """A full page's data, all but its source view."""
    cells = _cell_entries(rec, notes)
    if set(CHECK_KEYS) <= set(rec.checks_fields):
        get = operator.itemgetter(*(rec.checks_fields.index(k) for k in CHECK_KEYS))
        checks = [list(get(x)) for x in rec.check_rows]
    else:   # the checks.csv of an older version, without some column
        checks = [[c.get(k, "") for k in CHECK_KEYS] for c in rec.checks]
    log = [[e["level"], e["table"], e["row_key"], e["col_key"], e["page"], e["message"]] for e in rec.log]
    return {"id": rec.id, "cells": cells, "checks": checks, "log": log}


def _clean(rec: ReportRecord, keys: list[str]) -> dict:
    """Values only, in the template's print order (a clean report's cells were all read and every
    identity held); cells outside that order are listed by key, methods other than `read` too."""
    at = rec.cells_at
    t, r, c, v, m = at["table"], at["row_key"], at["col_key"], at["value"], at["method"]
    rows = rec.cell_rows
    cell_keys = [f"{x[t]}/{x[r]}/{x[c]}" for x in rows]
    values = dict(zip(cell_keys, map(operator.itemgetter(v), rows)))
    out = {"id": rec.id, "v": ",".join(map(values.pop, keys, itertools.repeat("~")))}
    if values:
        out["x"] = values
    methods = {k: x[m] for k, x in zip(cell_keys, rows) if x[m] != "read"}
    if methods:
        out["m"] = methods
    return out


def _dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def gzipped(data: bytes) -> bytes:
    """`gzip.compress(data, 1, mtime=0)`, the site's compression: Python 3.11+ makes it with
    zlib alone (zlib writes the gzip header), so a worker need not import gzip for it."""
    if sys.version_info >= (3, 11):
        return zlib.compress(data, 1, wbits=31)
    import gzip
    return gzip.compress(data, 1, mtime=0)


def page_data(full: str, source: str) -> bytes:
    """A full page's data file content (JSON text, `full` with its `source` view added),
    gzipped as the site packs it."""
    return gzipped(f'{full[:-1]},"source":{source}}}'.encode("utf-8"))


class Entry:
    """One report's share of the site: `summary` (its index row, without the data file's name);
    a clean report's `clean` values (JSON text), or a full page's `full` data (JSON text of
    _full, its source view still to add), `wants` (what of the source the view shows) and, where
    a worker made it, the `source` view (JSON text) of the file at summary["source_path"] and
    `page`, the page's data with that view as the site writes it (`page_data`), so the run's
    parent only copies it; a changed path drops both (`drop_page`: its view is made again).

    An entry read back from a worker's packed rows may hold its full data only inside `page`
    (`full_len`: the length in bytes of that JSON text, which opens the page): `full` is then
    taken from the page when first asked for, which only a changed path does."""

    __slots__ = ("summary", "clean", "_full", "wants", "source", "page", "full_len")

    def __init__(self, summary: dict, clean: str | None = None, full: str | None = None,
                 wants: dict | None = None, source: str | None = None, page: bytes | None = None,
                 full_len: int = 0):
        self.summary, self.clean, self._full, self.wants, self.source = summary, clean, full, wants, source
        self.page, self.full_len = page, full_len

    @property
    def is_full(self) -> bool:
        """A full page (not a clean report's values)."""
        return self._full is not None or bool(self.full_len)

    @property
    def full(self) -> str | None:
        if self._full is None and self.full_len:   # the page opens with it, its last `}` aside
            self._full = zlib.decompress(self.page, 31)[:self.full_len - 1].decode("utf-8") + "}"
        return self._full

    def drop_page(self) -> None:
        """Forget the source view and page (made for another path); the full data stays."""
        self._full = self.full
        self.source = self.page = None
        self.full_len = 0


def report_entry(rec: ReportRecord, layout: dict | None, everything: bool = False) -> Entry:
    """Given a report's record and its template's layout (None: no template), its site entry:
    a full page when it has something to review (or `everything`), else its clean values
    (`rec` need hold only the cell columns PAGE_COLS, or CLEAN_COLS for a clean report)."""
    notes = cell_notes(rec) if rec.log else {}
    summary = _summary(rec, notes)
    if summary["review"] or everything:
        return Entry(summary, full=_dumps(_full(rec, notes)), wants=source_wants(rec.cell_rows, rec.cells_at))
    return Entry(summary, clean=_dumps(_clean(rec, _keys_of(layout) if layout else [])))


_KEYS: dict[int, tuple] = {}   # id(layout) -> (layout, its template_keys): a few layouts a process


def _keys_of(layout: dict) -> list[str]:
    """template_keys(layout), made once a layout (layouts are made once and never changed; the
    layout is kept beside its keys, so its id cannot be reused while cached)."""
    hit = _KEYS.get(id(layout))
    if hit is None or hit[0] is not layout:
        hit = _KEYS[id(layout)] = (layout, template_keys(layout))
    return hit[1]


CLEAN_COLS = ("table", "row_key", "col_key", "value", "method")   # the cell columns a clean entry reads
PAGE_COLS = _ENTRY_COLS   # and a full page (its cells, notes and source view)


def rendered_entry(report: dict, rows: dict[str, list], everything: bool = False) -> Entry:
    """report_entry of a report as a worker has it: its report row (a dict) and its cells, checks
    and log rows as `schema.render_rows` made them."""
    from ..schema import CELL_FIELDS, REPORTS, read_row

    rep = read_row(report, REPORTS)
    checks, log = _as_read_rows(rows["checks"]), _as_read_rows(rows["log"])
    rec = record_of_rows(rep, [], checks, log)
    full = everything or rec.needs_review()
    cols = PAGE_COLS if full else CLEAN_COLS   # the cell columns the entry reads
    rec.cell_rows = _as_read_rows(list(map(operator.itemgetter(*(CELL_FIELDS.index(k) for k in cols)), rows["cells"])))
    rec.cells_at = {f: i for i, f in enumerate(cols)}
    tid = rep["template"]
    layout = template_layout(tid) if tid else None
    entry = report_entry(rec, layout, everything)
    if entry.full is not None and rep["format"] in WORKER_VIEWS:   # the worker has the readers loaded
        entry.source = _dumps(source_view(rep, entry.wants, "", rep["report_id"]))
        entry.page = page_data(entry.full, entry.source)
    return entry


def _as_read_rows(rows: list) -> list:
    """Rendered rows as a CSV reader gives them back (`schema.as_read` of each): the rows
    themselves when every value is text, as they almost always are (checked at once: a join
    fails on any other value)."""
    try:
        "".join(itertools.chain.from_iterable(rows))
        return rows
    except TypeError:
        from ..schema import as_read
        return [as_read(r) for r in rows]


WORKER_VIEWS = ("text", "html", "docx", "doc")   # source views that write no file (PDF pages are images)


def text_entry(report: dict, parts: dict, layout: dict | None, everything: bool = False) -> Entry:
    """report_entry of a report as the run's build has it: its reports.csv row (text) and its
    rows as CSV text or its UTF-8 bytes (`parts`, as pipeline.worker packs them)."""
    import csv
    import io

    texts = [parts[k] if isinstance(parts[k], str) else parts[k].decode() for k in ("cells", "checks", "log")]
    rows = [list(csv.reader(io.StringIO(t, newline=""))) for t in texts]
    return report_entry(record_of_rows(report, *rows), layout, everything)
