"""Write the review site: OUT_DIR/review/ with index.html, report.html, assets/ and data/.

Everything is local and opens from the file system (no server, no network): the pages load
their data as `<script>` files (browsers allow that on file:// where fetch is refused).
Reports with something to review get a data file of their own with every cell, check and log
entry and their source view (PDF page images in img/); clean reports are packed, values only,
into shared files of CLEAN_PACK reports, and get no source view unless `everything` is set.

One report's share of the site is its `Entry` (index row, and its clean values or its full page
without the source view), made by `report_entry` from its rows as the CSV files hold them.
`ogi review` makes the entries from the output folder's CSV files; `ogi parse` has each worker
make them beside the rows it renders (`pipeline.worker`), so the run's parent only adds the
source view and writes files (`SiteWriter`). Both ways the site is the same, byte for byte.
"""
from __future__ import annotations

import base64
import functools
import gzip
import json
import logging
import operator
import os
import shutil
import tempfile
import time

from .load import ReportRecord, cell_notes, load_run, record_of_rows
from .sources import parse_bbox, parse_pos, source_view, source_wants

log = logging.getLogger("ogi")

CLEAN_PACK = 500
ASSETS = ("review.css", "review.js")
INDEX_FIELDS = ("report_id", "source_path", "format", "pages", "agency", "year", "template", "status", "error",
                "tables_found", "cells", "ambiguous_cells")
CHECK_KEYS = ("check_id", "table", "scope", "scope_kind", "expression", "lhs", "rhs", "diff", "status", "severity",
              "message", "cells", "culprit")


def _js(var: str, payload) -> str:
    """A data file: one call that hands its payload to the page (no fetch on file://)."""
    return f"OGI.{var}({json.dumps(payload, ensure_ascii=False, separators=(',', ':'))});\n"


def _js_packed(var: str, payload) -> str:
    """A data file for many reports, gzipped and base64-encoded (the page inflates it with the
    browser's own DecompressionStream): the index and clean reports of a big batch stay small."""
    return _js_packed_text(var, _dumps(payload))


def _js_packed_text(var: str, text: str) -> str:
    """_js_packed of a payload already JSON text (level 1: most of the size saved, a third of
    the time)."""
    packed = base64.b64encode(gzip.compress(text.encode("utf-8"), 1, mtime=0)).decode("ascii")
    return f'OGI.packed("{var}","{packed}");\n'


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
    empty: dict = {}
    for x in rec.cell_rows:
        t, r, c, value, raw, method, page, bbox, pos, row_label, col_label = get(x)
        key = f"{t}/{r}/{c}"
        note = notes.get(key, empty)
        out[key] = [value, raw, method, int(page) if page else None, parse_bbox(bbox) if bbox else None,
                    parse_pos(pos) if pos else None, row_label, col_label, note.get("state", ""), note.get("cands", [])]
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
    values = {f"{x[t]}/{x[r]}/{x[c]}": x[v] for x in rec.cell_rows}
    out = {"id": rec.id, "v": ",".join(values.pop(k) if k in values else "~" for k in keys)}
    if values:
        out["x"] = values
    methods = {f"{x[t]}/{x[r]}/{x[c]}": x[m] for x in rec.cell_rows if x[m] != "read"}
    if methods:
        out["m"] = methods
    return out


def _dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class Entry:
    """One report's share of the site: `summary` (its index row, without the data file's name);
    a clean report's `clean` values (JSON text), or a full page's `full` data (JSON text of
    _full, its source view still to add), `wants` (what of the source the view shows) and, where
    a worker made it, the `source` view (JSON text) of the file at summary["source_path"]."""

    __slots__ = ("summary", "clean", "full", "wants", "source")

    def __init__(self, summary: dict, clean: str | None = None, full: str | None = None,
                 wants: dict | None = None, source: str | None = None):
        self.summary, self.clean, self.full, self.wants, self.source = summary, clean, full, wants, source


def report_entry(rec: ReportRecord, layout: dict | None, everything: bool = False) -> Entry:
    """Given a report's record and its template's layout (None: no template), its site entry:
    a full page when it has something to review (or `everything`), else its clean values
    (`rec` need hold only the cell columns PAGE_COLS, or CLEAN_COLS for a clean report)."""
    notes = cell_notes(rec) if rec.log else {}
    summary = _summary(rec, notes)
    if summary["review"] or everything:
        return Entry(summary, full=_dumps(_full(rec, notes)), wants=source_wants(rec.cell_rows, rec.cells_at))
    return Entry(summary, clean=_dumps(_clean(rec, template_keys(layout) if layout else [])))


CLEAN_COLS = ("table", "row_key", "col_key", "value", "method")   # the cell columns a clean entry reads
PAGE_COLS = _ENTRY_COLS   # and a full page (its cells, notes and source view)


def rendered_entry(report: dict, rows: dict[str, list], everything: bool = False) -> Entry:
    """report_entry of a report as a worker has it: its report row (a dict) and its cells, checks
    and log rows as `schema.render_rows` made them."""
    from ..schema import CELL_FIELDS, REPORTS, as_read, read_row

    rep = read_row(report, REPORTS)
    checks, log = ([as_read(r) for r in rows[k]] for k in ("checks", "log"))
    full = everything or record_of_rows(rep, [], checks, log).needs_review()
    cols = PAGE_COLS if full else CLEAN_COLS   # the cell columns the entry reads
    narrow = operator.itemgetter(*(CELL_FIELDS.index(k) for k in cols))
    rec = record_of_rows(rep, [as_read(narrow(x)) for x in rows["cells"]], checks, log, cell_fields=cols)
    tid = rep["template"]
    layout = template_layout(tid) if tid else None
    entry = report_entry(rec, layout, everything)
    if entry.full is not None and rep["format"] in WORKER_VIEWS:   # the worker has the readers loaded
        entry.source = _dumps(source_view(rep, entry.wants, "", rep["report_id"]))
    return entry


WORKER_VIEWS = ("text", "html", "docx", "doc")   # source views that write no file (PDF pages are images)


def text_entry(report: dict, parts: dict, layout: dict | None, everything: bool = False) -> Entry:
    """report_entry of a report as the run's build has it: its reports.csv row (text) and its
    rows as CSV text (`parts`, as pipeline.worker packs them)."""
    import csv
    import io

    rows = [list(csv.reader(io.StringIO(parts[k], newline=""))) for k in ("cells", "checks", "log")]
    return report_entry(record_of_rows(report, *rows), layout, everything)


class SiteWriter:
    """Writes a site into a fresh folder of OUT_DIR, entry by entry in index order, and puts it
    in place as OUT_DIR/review on `close(layouts)` (`abort()` removes it)."""

    def __init__(self, out_dir: str, everything: bool = False):
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.out_dir, self.everything = out_dir, everything
        self.root = tempfile.mkdtemp(prefix=".review-", dir=out_dir)
        self.img = os.path.join(self.root, "img")
        for sub in ("assets", "data/r", "data/clean", "img"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        for name in ASSETS + ("index.html", "report.html"):
            dest = os.path.join(self.root, name if name.endswith(".html") else f"assets/{name}")
            with open(dest, "w", encoding="utf-8") as f:
                f.write(_asset(name))
        self.index: list[dict] = []
        self.pack: list[str] = []
        self.n_pack = self.full = 0

    def add(self, entry: Entry, report: dict) -> None:
        """One report's entry; `report`: its reports.csv row (the source view reads its file)."""
        summary = entry.summary
        if entry.full is not None:
            name = f"data/r/{summary['report_id']}.js"
            source = entry.source
            if source is None:
                source = _dumps(source_view(report, entry.wants, self.img, summary["report_id"]))
            with open(os.path.join(self.root, name), "w", encoding="utf-8") as f:
                f.write(_js_packed_text("report", f'{entry.full[:-1]},"source":{source}}}'))
            self.full += 1
        else:
            name = f"data/clean/{self.n_pack}.js"
            self.pack.append(entry.clean)
            if len(self.pack) == CLEAN_PACK:
                self._write_pack()
        summary["data"] = name
        self.index.append(summary)

    def _write_pack(self) -> None:
        with open(os.path.join(self.root, f"data/clean/{self.n_pack}.js"), "w", encoding="utf-8") as f:
            f.write(_js_packed_text("reports", "[" + ",".join(self.pack) + "]"))
        self.pack, self.n_pack = [], self.n_pack + 1

    def close(self, layouts: dict) -> dict:
        """Write the index and put the site in place; returns counts, size and time."""
        if self.pack:
            self._write_pack()
        with open(os.path.join(self.root, "data/index.js"), "w", encoding="utf-8") as f:
            f.write(_js("templates", layouts))
            f.write(_js_packed("index", self.index))
        stats = {"reports": len(self.index), "reviewed": self.full, "clean": len(self.index) - self.full,
                 "images": len(os.listdir(self.img))}
        final = os.path.join(self.out_dir, "review")
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(self.root, final)
        stats.update(seconds=round(time.perf_counter() - self.t0, 3),
                     cpu_seconds=round(time.process_time() - self.c0, 3), bytes=_size(final), path=final)
        return stats

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class RunSite:
    """The review site of a run, written while its output files are (pipeline.batch): every
    file's reports.csv row (text) in input order, with the rows of the file whose rows the run
    writes. A report id's page is made from its first row, as `build_site` reads reports.csv;
    the entry the worker made is used where it still holds (else it is made here from the
    rows). `layouts`: review layouts by template id as workers reported them."""

    def __init__(self, out_dir: str, everything: bool, layouts: dict):
        self.site = SiteWriter(out_dir, everything)
        self.out_dir, self.everything = out_dir, everything
        self.layouts = layouts or template_layouts()
        self.seen: set[str] = set()
        self.templates: set[str] = set()
        self.from_csv = False   # a case only build_site reads exactly: it builds the site instead


    def add(self, row: dict, parts: dict | None = None, amended: bool = False, rows_later: bool = False) -> None:
        """One file's row; `parts`: its packed rows where this file's rows are written (`amended`:
        changed since the worker packed them); `rows_later`: its content's rows are written for
        a later file."""
        rid = row["report_id"]
        if rid in self.seen or self.from_csv:
            return
        self.seen.add(rid)
        if parts is None and rows_later:   # its first row is not the one its rows come with
            self._leave_to_csv()
            return
        try:
            self._add(row, parts, amended)
        except Exception:   # the review must never cost the run its outputs: build_site tries again
            import traceback
            log.warning("review site: %s", traceback.format_exc(limit=3).strip().replace("\n", " | "))
            self._leave_to_csv()

    def _leave_to_csv(self) -> None:
        self.from_csv = True
        self.site.abort()

    def _add(self, row: dict, parts: dict | None, amended: bool) -> None:
        tid = row["template"]
        self.templates.add(tid)
        entry = parts.get("review") if parts and not amended else None
        if entry is not None and ((self.everything and entry.full is None) or any(
                entry.summary[k] != row[k] for k in INDEX_FIELDS if k != "source_path")):
            entry = None
        if entry is None:
            entry = text_entry(row, parts or _NO_ROWS, self.layouts.get(tid), self.everything)
        elif entry.summary["source_path"] != row["source_path"]:   # parsed from another path
            entry.source = None
        entry.summary["source_path"] = row["source_path"]
        self.site.add(entry, row)

    def close(self) -> dict:
        """Put the site in place (after the output files are published)."""
        if self.from_csv:
            return build_site(self.out_dir, self.everything)
        return self.site.close(self.layouts)

    def abort(self) -> None:
        if not self.from_csv:
            self.site.abort()


_NO_ROWS = {"cells": "", "checks": "", "log": ""}


def _asset(name: str) -> str:
    """A file of the page (assets/ beside this module; through importlib.resources where the
    package is not plain files, e.g. zipped)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", name)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    from importlib import resources
    return resources.files("pipeline.review").joinpath("assets").joinpath(name).read_text("utf-8")


def build_site(out_dir: str, everything: bool = False) -> dict:
    """Write OUT_DIR/review/ from the run's CSVs; returns counts, size and time."""
    site = SiteWriter(out_dir, everything)
    layouts = template_layouts()
    try:
        for rec in load_run(out_dir):
            site.add(report_entry(rec, layouts.get(rec.report.get("template", "")), everything), rec.report)
        return site.close(layouts)
    except BaseException:
        site.abort()
        raise


def _size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
