"""Write the review site: OUT_DIR/review/ with index.html, report.html, assets/ and data/.

Everything is local and opens from the file system (no server, no network): the pages load
their data as `<script>` files (browsers allow that on file:// where fetch is refused).
Reports with something to review get a data file of their own with every cell, check and log
entry and their source view (PDF page images in img/); clean reports are packed, values only,
into shared files of CLEAN_PACK reports, and get no source view unless `everything` is set.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import tempfile
import time
from importlib import resources

from ..templates import load
from .load import ReportRecord, cell_notes, load_run
from .sources import parse_bbox, parse_pos, source_view

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
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f'OGI.packed("{var}","{base64.b64encode(gzip.compress(raw, 6, mtime=0)).decode("ascii")}");\n'


def template_keys(layout: dict) -> list[str]:
    """Cell keys of a template layout in print order: the order of a clean report's values."""
    return [f'{t["key"]}/{r["key"]}/{c}' for t in layout["tables"] for r in t["rows"] for c in r["cols"]]


def template_layouts() -> dict:
    """Every template of the registries as the review lays it out: tables in order, their
    columns and rows with labels (no template is named in code: any template renders the same way)."""
    out = {}
    for tid, tpl in load().items():
        tables = []
        for key, spec in tpl.tables.items():
            cols = {k: {"label": c.label, "variant": c.variant} for k, c in spec.columns.items()}
            rows = [{"key": r.key, "label": r.label, "group": r.group,
                     "cols": [c.key for c in spec.row_columns(r, variant=True)]} for r in spec.rows]
            tables.append({"key": key, "title": spec.title, "columns": cols, "rows": rows})
        out[tid] = {"name": tpl.name, "tables": tables}
    out.update(_stats_layouts())
    return out


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


def _cell_entry(c: dict, note: dict) -> list:
    """[value, raw, method, page, bbox, pos, row_label, col_label, state, candidates]."""
    return [c["value"], c["raw"], c["method"], int(c["page"]) if c.get("page") else None,
            parse_bbox(c.get("bbox", "")), parse_pos(c.get("source_pos", "")), c["row_label"], c["col_label"],
            note.get("state", ""), note.get("cands", [])]


def _summary(rec: ReportRecord, data_file: str) -> dict:
    row = {k: rec.report.get(k, "") for k in INDEX_FIELDS}
    notes = cell_notes(rec) if rec.log else {}
    row.update(failed=sorted(set(rec.failed("error"))), failed_warn=sorted(set(rec.failed("warning"))),
               n_failed=len(rec.failed("error")),
               warnings=len(rec.warnings()),
               ambiguous=sum(1 for n in notes.values() if n.get("state") == "ambiguous"),
               unplaced=sum(1 for n in notes.values() if n.get("state") == "unplaced"),
               review=rec.needs_review(), data=data_file)
    return row


def _full(rec: ReportRecord, img_dir: str) -> dict:
    notes = cell_notes(rec)
    cells = {f'{c["table"]}/{c["row_key"]}/{c["col_key"]}': _cell_entry(c, notes.get(
        f'{c["table"]}/{c["row_key"]}/{c["col_key"]}', {})) for c in rec.cells}
    checks = [[c.get(k, "") for k in CHECK_KEYS] for c in rec.checks]
    log = [[e["level"], e["table"], e["row_key"], e["col_key"], e["page"], e["message"]] for e in rec.log]
    return {"id": rec.id, "cells": cells, "checks": checks, "log": log,
            "source": source_view(rec.report, rec.cells, img_dir, rec.id)}


def _clean(rec: ReportRecord, keys: dict[str, list[str]]) -> dict:
    """Values only, in the template's print order (a clean report's cells were all read and every
    identity held); cells outside that order are listed by key, methods other than `read` too."""
    at = rec.cells_at
    t, r, c, v, m = at["table"], at["row_key"], at["col_key"], at["value"], at["method"]
    values = {f"{x[t]}/{x[r]}/{x[c]}": x[v] for x in rec.cell_rows}
    order = keys.get(rec.report.get("template", ""), [])
    out = {"id": rec.id, "v": ",".join(values.pop(k) if k in values else "~" for k in order)}
    if values:
        out["x"] = values
    methods = {f"{x[t]}/{x[r]}/{x[c]}": x[m] for x in rec.cell_rows if x[m] != "read"}
    if methods:
        out["m"] = methods
    return out


def build_site(out_dir: str, everything: bool = False) -> dict:
    """Write OUT_DIR/review/ from the run's CSVs; returns counts, size and time."""
    t0, c0 = time.perf_counter(), time.process_time()
    final = os.path.join(out_dir, "review")
    tmp = tempfile.mkdtemp(prefix=".review-", dir=out_dir)
    try:
        stats = _write(out_dir, tmp, everything)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    stats.update(seconds=round(time.perf_counter() - t0, 3), cpu_seconds=round(time.process_time() - c0, 3),
                 bytes=_size(final), path=final)
    return stats


def _write(out_dir: str, root: str, everything: bool) -> dict:
    for sub in ("assets", "data/r", "data/clean", "img"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    pkg = resources.files("pipeline.review").joinpath("assets")
    for name in ASSETS + ("index.html", "report.html"):
        dest = os.path.join(root, name if name.endswith(".html") else f"assets/{name}")
        with open(dest, "w", encoding="utf-8") as f:
            f.write(pkg.joinpath(name).read_text("utf-8"))
    layouts = template_layouts()
    keys = {tid: template_keys(lay) for tid, lay in layouts.items()}
    index, pack, n_pack, full = [], [], 0, 0
    for rec in load_run(out_dir):
        if rec.needs_review() or everything:
            name = f"data/r/{rec.id}.js"
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(_js_packed("report", _full(rec, os.path.join(root, "img"))))
            full += 1
        else:
            name = f"data/clean/{n_pack}.js"
            pack.append(_clean(rec, keys))
            if len(pack) == CLEAN_PACK:
                _write_pack(root, n_pack, pack)
                pack, n_pack = [], n_pack + 1
        index.append(_summary(rec, name))
    if pack:
        _write_pack(root, n_pack, pack)
    with open(os.path.join(root, "data/index.js"), "w", encoding="utf-8") as f:
        f.write(_js("templates", layouts))
        f.write(_js_packed("index", index))
    return {"reports": len(index), "reviewed": full, "clean": len(index) - full,
            "images": len(os.listdir(os.path.join(root, "img")))}


def _write_pack(root: str, k: int, pack: list[dict]) -> None:
    with open(os.path.join(root, f"data/clean/{k}.js"), "w", encoding="utf-8") as f:
        f.write(_js_packed("reports", pack))


def _size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
