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

import binascii
import json
import logging
import os
import shutil
import time

from .entry import INDEX_FIELDS, Entry, _dumps, gzipped, page_data, report_entry, template_layouts, text_entry
from .load import load_run
from .sources import source_view

log = logging.getLogger("ogi")

CLEAN_PACK = 500
ASSETS = ("review.css", "review.js")


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
    return _js_packed_gz(var, gzipped(text.encode("utf-8")))


def _js_packed_gz(var: str, data: bytes) -> str:
    """_js_packed of a payload already gzipped (`entry.gzipped`)."""
    return f'OGI.packed("{var}","{binascii.b2a_base64(data, newline=False).decode("ascii")}");\n'


class SiteWriter:
    """Writes a site into a fresh folder of OUT_DIR, entry by entry in index order, and puts it
    in place as OUT_DIR/review on `close(layouts)` (`abort()` removes it)."""

    def __init__(self, out_dir: str, everything: bool = False):
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.out_dir, self.everything = out_dir, everything
        self.root = _fresh_folder(out_dir, ".review-")
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
        if entry.is_full:
            name = f"data/r/{summary['report_id']}.js"
            page = entry.page
            if page is None:
                source = entry.source
                if source is None:
                    source = _dumps(source_view(report, entry.wants, self.img, summary["report_id"]))
                page = page_data(entry.full, source)
            with open(os.path.join(self.root, name), "w", encoding="utf-8") as f:
                f.write(_js_packed_gz("report", page))
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
        if entry is not None and ((self.everything and not entry.is_full) or any(
                entry.summary[k] != row[k] for k in INDEX_FIELDS if k != "source_path")):
            entry = None
        if entry is None:
            entry = text_entry(row, parts or _NO_ROWS, self.layouts.get(tid), self.everything)
        elif entry.summary["source_path"] != row["source_path"]:   # parsed from another path
            entry.drop_page()
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


def _fresh_folder(parent: str, prefix: str) -> str:
    """A new private folder in `parent`, as tempfile.mkdtemp makes one (a run's parent then
    imports neither tempfile nor random for it)."""
    n = 0
    while True:
        path = os.path.join(parent, f"{prefix}{os.getpid()}-{n}")
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            n += 1


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
