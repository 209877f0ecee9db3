"""A finished run's output folder → one record per report, streamed, for the review site.

reports.csv, checks.csv and log.csv are read whole (one row per report or per check); cells.csv,
the big file, is read report by report (a run writes each report's cells together), so memory
holds one report's cells at a time.
"""
from __future__ import annotations

import csv
import itertools
import os
import re
from collections.abc import Iterator

_CANDIDATES = re.compile(r"\(candidates: ([^)]*)\)")
_ROW_NUMBERS = re.compile(r"\(([^()]*)\); cannot tell which column")
_PLACED = ("by its position", "was put back into")


class _Grouped:
    """The rows of a CSV that a run writes report by report (cells.csv, checks.csv), handed out
    per report id in one pass over the file: memory holds one report's rows (plus any group
    read past, should a file not follow reports.csv's order)."""

    def __init__(self, path: str):
        self.f = open(path, encoding="utf-8-sig", newline="") if os.path.exists(path) else None
        reader = csv.reader(self.f) if self.f else iter(())
        self.fields = next(reader, [])
        self.at = {f: i for i, f in enumerate(self.fields)}
        self.groups = itertools.groupby(reader, key=lambda r: r[0])
        self.pending: dict[str, list[list[str]]] = {}

    def get(self, rid: str) -> list[list[str]]:
        if rid in self.pending:
            return self.pending.pop(rid)
        for gid, rows in self.groups:
            rows = list(rows)
            if gid == rid:
                return rows
            self.pending.setdefault(gid, []).extend(rows)
        return []

    def close(self) -> None:
        if self.f:
            self.f.close()


class ReportRecord:
    """One report of the run: its reports.csv row, its cells and checks (rows as read, `cells_at`
    and `checks_fields` their columns; checks turned into dicts only on demand) and its log
    entries."""

    def __init__(self, report: dict, cells: list[list[str]], cells_at: dict, checks: list[list[str]],
                 checks_fields: list[str], log: list[dict]):
        self.report, self.cell_rows, self.cells_at, self.log = report, cells, cells_at, log
        self.check_rows, self.checks_fields = checks, checks_fields
        self._checks = None
        s, v = checks_fields.index("status") if checks_fields else 0, checks_fields.index("severity") if checks_fields else 0
        self._failed = [(r[1], r[v]) for r in checks if r[s] == "fail"]

    @property
    def id(self) -> str:
        return self.report["report_id"]

    @property
    def checks(self) -> list[dict]:
        if self._checks is None:
            self._checks = [dict(zip(self.checks_fields, r)) for r in self.check_rows]
        return self._checks

    def failed(self, severity: str) -> list[str]:
        """check_id of every failed check of this severity (error | warning)."""
        return [cid for cid, sev in self._failed if sev == severity]

    def warnings(self) -> list[dict]:
        return [e for e in self.log if e["level"] in ("warning", "error")]

    def needs_review(self) -> bool:
        """Something for a person to look at: the file was not read whole, an identity failed, or
        the log doubts a cell or row (ambiguous or unplaced numbers, unreadable values). Failed
        plausibility warnings and reader notes about the whole file are listed, but alone do
        not make a report one to review (a batch of clean reports writes no page images)."""
        return (self.report.get("status") != "ok" or bool(self.failed("error"))
                or any(e["table"] for e in self.warnings())
                or str(self.report.get("ambiguous_cells") or "0") not in ("", "0"))


def record_of_rows(report: dict, cells: list[list[str]], checks: list[list[str]], log: list[list[str]],
                   cell_fields=None) -> ReportRecord:
    """A report's record from its rows as the CSV files hold them (lists of text in the
    columns of pipeline.schema, as a CSV reader gives them back; the cells' columns
    `cell_fields`, default all), `report` its reports.csv row."""
    from ..schema import CELL_FIELDS, CHECK_FIELDS, LOG_FIELDS

    return ReportRecord(report, cells, {f: i for i, f in enumerate(cell_fields or CELL_FIELDS)}, checks,
                        CHECK_FIELDS, [dict(zip(LOG_FIELDS, r)) for r in log])


def _rows(path: str) -> Iterator[dict]:
    if not os.path.exists(path):
        return iter(())
    with open(path, encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def load_run(out_dir: str) -> Iterator[ReportRecord]:
    """Every report of the run in reports.csv order, with its cells, checks and log entries."""
    if not os.path.exists(os.path.join(out_dir, "reports.csv")):
        raise FileNotFoundError(f"{out_dir}: no reports.csv (not the output folder of `ogi parse`)")
    reports = list(_rows(os.path.join(out_dir, "reports.csv")))
    log: dict[str, list[dict]] = {}
    for r in _rows(os.path.join(out_dir, "log.csv")):
        log.setdefault(r["report_id"], []).append(r)
    cells = _Grouped(os.path.join(out_dir, "cells.csv"))
    checks = _Grouped(os.path.join(out_dir, "checks.csv"))
    seen = set()
    try:
        for rep in reports:
            rid = rep["report_id"]
            if rid in seen:       # the same file under two names: one page
                continue
            seen.add(rid)
            yield ReportRecord(rep, cells.get(rid), cells.at, checks.get(rid), checks.fields, log.get(rid, []))
    finally:
        cells.close()
        checks.close()


def cell_notes(rec: ReportRecord) -> dict[str, dict]:
    """Per cell key: what the log says about it: candidates of an ambiguous split, numbers of a
    row that could not be placed, placement by position."""
    out: dict[str, dict] = {}
    row_cells: dict[tuple, list[str]] = {}
    rows = {(e["table"], e["row_key"]) for e in rec.log if not (e["col_key"] and e["row_key"])}
    if rows:   # entries about a whole row: the cells of those rows
        at = rec.cells_at
        t, r, c = at["table"], at["row_key"], at["col_key"]
        for x in rec.cell_rows:
            if (x[t], x[r]) in rows:
                row_cells.setdefault((x[t], x[r]), []).append(f"{x[t]}/{x[r]}/{x[c]}")
    for e in rec.log:
        msg = e["message"]
        if e["col_key"] and e["row_key"]:
            keys = [f'{e["table"]}/{e["row_key"]}/{e["col_key"]}']
        else:
            keys = row_cells.get((e["table"], e["row_key"]), [])
        if not keys:
            continue
        m = _CANDIDATES.search(msg)
        n = _ROW_NUMBERS.search(msg)
        # what the entry says, worked out once for all its cells (a row's entry names many)
        if m and e["col_key"]:
            state, cands = "ambiguous", _listed(m.group(1), ",")
        elif n or ("left empty" in msg and e["level"] == "warning"):
            state, cands = "unplaced", _listed(n.group(1), "|") if n else None
        elif any(p in msg for p in _PLACED):
            state, cands = "placed", None
        else:
            state = cands = None
        for k in keys:
            note = out.setdefault(k, {})
            if state == "placed":
                note.setdefault("state", "placed")
            elif state is not None:
                note["state"] = state
                if cands is not None:
                    note["cands"] = list(cands)
    return out


def _listed(text: str, sep: str) -> list[str]:
    """The non-empty items of a list printed in a log message, stripped."""
    return [x.strip() for x in text.split(sep) if x.strip()]
