"""Output files of a run (shared/reference/output-contract.md), written so a crash never
leaves a half-written file: rows stream into temporary files in the output folder as reports
finish, and each file is moved into place only when the run closes.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import tempfile
from typing import Iterable

from .report import CELL_FIELDS, CHECK_FIELDS, LOG_FIELDS, REPORT_FIELDS, ParsedReport
from .era_a.template import load as era_a_template
from .templates import TABLES, load

WIDE_TABLES = (*TABLES, era_a_template().table)
META_FIELDS = ["report_id", "source_path", "agency", "year", "template"]


@functools.lru_cache(maxsize=None)
def wide_columns(table: str) -> tuple[str, ...]:
    """row_key.col_key for every cell of the table in either template, template order."""
    if table not in TABLES:   # era A's `stats` (template 2008)
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


def _csv_text(rows: Iterable[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def render_parts(cells: list[dict], checks: list[dict], log: list[dict]) -> dict:
    """A report's rows as the CSV text of cells.csv, checks.csv and log.csv, and its wide rows
    (values in wide-column order, without the per-path metadata columns)."""
    wide = {}
    for t in WIDE_TABLES:
        # era A prints a key in the appendix and in prose: the appendix (read/recovered) wins
        values = {f"{c['row_key']}.{c['col_key']}": c["value"] for c in cells
                  if c["table"] == t and c.get("method") == "prose"}
        values.update({f"{c['row_key']}.{c['col_key']}": c["value"] for c in cells
                       if c["table"] == t and c.get("method") != "prose"})
        if values:
            wide[t] = [values.get(k, "") for k in wide_columns(t)]
    return {"cells": _csv_text([r.get(k, "") for k in CELL_FIELDS] for r in cells),
            "checks": _csv_text([r.get(k, "") for k in CHECK_FIELDS] for r in checks),
            "log": _csv_text([r.get(k, "") for k in LOG_FIELDS] for r in log),
            "wide": wide}


class _AtomicCsv:
    def __init__(self, path: str, fields: list[str], encoding: str):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=os.path.dirname(path))
        self.f = os.fdopen(fd, "w", encoding=encoding, newline="", buffering=1 << 20)
        self.fields = fields
        self.w = csv.writer(self.f)
        self.w.writerow(fields)

    def write_lists(self, rows: Iterable[list]) -> None:
        self.w.writerows(rows)

    def write_text(self, text: str) -> None:
        """Rows already rendered as CSV text (by `render_parts`)."""
        self.f.write(text)

    def write(self, rows: Iterable[dict]) -> None:
        """Rows as dicts; a missing field is written empty, an extra key is ignored."""
        fields = self.fields
        self.w.writerows([row.get(k, "") for k in fields] for row in rows)

    def finish(self) -> None:
        """Flush the temporary file to disk; `os.replace(self.tmp, self.path)` then publishes it."""
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()

    def commit(self) -> None:
        self.finish()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.f.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


class OutputWriter:
    """Streams parsed reports to cells.csv, reports.csv, checks.csv, log.csv and wide/*.csv."""

    def __init__(self, out_dir: str, bom: bool = True):
        self.out_dir = out_dir
        enc = "utf-8-sig" if bom else "utf-8"
        self.files = {
            "cells": _AtomicCsv(os.path.join(out_dir, "cells.csv"), CELL_FIELDS, enc),
            "reports": _AtomicCsv(os.path.join(out_dir, "reports.csv"), REPORT_FIELDS, enc),
            "checks": _AtomicCsv(os.path.join(out_dir, "checks.csv"), CHECK_FIELDS, enc),
            "log": _AtomicCsv(os.path.join(out_dir, "log.csv"), LOG_FIELDS, enc),
        }
        self.wide_cols = {t: wide_columns(t) for t in WIDE_TABLES}
        for t in WIDE_TABLES:
            self.files[f"wide/{t}"] = _AtomicCsv(os.path.join(out_dir, "wide", f"{t}.csv"),
                                                 META_FIELDS + list(self.wide_cols[t]), enc)

    def fields(self) -> dict:
        """Column lists of the row files (for code that adds rows to rendered parts)."""
        return {"cells": CELL_FIELDS, "checks": CHECK_FIELDS, "log": LOG_FIELDS,
                "wide_stats": self.wide_cols.get(era_a_template().table, ())}

    def add(self, parsed: ParsedReport) -> None:
        self.add_packed(parsed.report, render_parts(parsed.cells, parsed.checks, parsed.log))

    def add_packed(self, report: dict, parts: dict) -> None:
        """One report: its reports.csv row, and the CSV text of its other rows as
        `render_parts` made it (in a worker, so the run's final build only copies text)."""
        self.files["reports"].write([report])
        for name in ("cells", "checks", "log"):
            self.files[name].write_text(parts[name])
        for t, values in parts["wide"].items():
            meta = [report.get(k, "") for k in META_FIELDS]
            self.files[f"wide/{t}"].write_lists([meta + values])

    def close(self, run_info: dict) -> None:
        """Publish every file as one unit: all temporary files are flushed, an intent record
        (`.commit.json`) listing the moves is written, then the files are moved into place. A run
        killed during the moves is completed by `recover()` at the start of the next run, so the
        output folder never mixes two runs' files."""
        for f in self.files.values():
            f.finish()
        fd, tmp_json = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.out_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(run_info, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        moves = [[f.tmp, f.path] for f in self.files.values()]
        moves.append([tmp_json, os.path.join(self.out_dir, "run.json")])
        write_json_atomic(os.path.join(self.out_dir, COMMIT_INTENT), {"moves": moves})
        recover(self.out_dir)

    def abort(self) -> None:
        for f in self.files.values():
            f.abort()


COMMIT_INTENT = ".commit.json"


def recover(out_dir: str) -> None:
    """Finish an interrupted publish (see `OutputWriter.close`) and remove stale temporary files."""
    intent = os.path.join(out_dir, COMMIT_INTENT)
    if os.path.exists(intent):
        try:
            with open(intent, encoding="utf-8") as fh:
                moves = json.load(fh)["moves"]
        except (ValueError, KeyError):  # a torn intent: the moves had not started
            moves = []
        for src, dst in moves:
            if os.path.exists(src):
                os.replace(src, dst)
        _fsync_dir(out_dir)
        os.unlink(intent)
    for d in (out_dir, os.path.join(out_dir, "wide")):
        if os.path.isdir(d):
            for name in os.listdir(d):
                if name.startswith(".tmp-"):
                    try:
                        os.unlink(os.path.join(d, name))
                    except FileNotFoundError:
                        pass


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: str, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=os.path.dirname(path) or ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
