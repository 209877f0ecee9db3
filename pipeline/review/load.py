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
from dataclasses import dataclass, field
from typing import Iterator

_CANDIDATES = re.compile(r"\(candidates: ([^)]*)\)")
_ROW_NUMBERS = re.compile(r"\(([^()]*)\); cannot tell which column")
_PLACED = ("by its position", "was put back into")


@dataclass
class ReportRecord:
    report: dict
    cells: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)   # every check (flagged reports) or the failed ones
    log: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.report["report_id"]

    def failed_checks(self) -> list[dict]:
        return [c for c in self.checks if c["status"] == "fail"]

    def warnings(self) -> list[dict]:
        return [e for e in self.log if e["level"] in ("warning", "error")]

    def needs_review(self) -> bool:
        """Something for a person to look at: the file was not read whole, an identity failed, or
        the log doubts a cell or row (ambiguous or unplaced numbers, unreadable values). Failed
        plausibility warnings and reader notes about the whole file are listed, but alone do
        not make a report one to review (a batch of clean reports writes no page images)."""
        return (self.report.get("status") != "ok"
                or any(c["severity"] == "error" for c in self.failed_checks())
                or any(e["table"] for e in self.warnings())
                or str(self.report.get("ambiguous_cells") or "0") not in ("", "0"))


def _rows(path: str) -> Iterator[dict]:
    if not os.path.exists(path):
        return iter(())
    f = open(path, encoding="utf-8-sig", newline="")
    return csv.DictReader(f)


def _by_report(path: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in _rows(path):
        out.setdefault(r["report_id"], []).append(r)
    return out


def load_run(out_dir: str) -> Iterator[ReportRecord]:
    """Every report of the run in reports.csv order, with its cells, checks and log entries."""
    reports = list(_rows(os.path.join(out_dir, "reports.csv")))
    if not reports and not os.path.exists(os.path.join(out_dir, "reports.csv")):
        raise FileNotFoundError(f"{out_dir}: no reports.csv (not the output folder of `ogi parse`)")
    checks = _by_report(os.path.join(out_dir, "checks.csv"))
    log = _by_report(os.path.join(out_dir, "log.csv"))
    cells = _cells_by_report(os.path.join(out_dir, "cells.csv"), {r["report_id"] for r in reports})
    seen = set()
    for rep in reports:
        rid = rep["report_id"]
        if rid in seen:       # the same file under two names: one page
            continue
        seen.add(rid)
        yield ReportRecord(rep, cells(rid), checks.get(rid, []), log.get(rid, []))


def _cells_by_report(path: str, ids: set[str]):
    """A lookup rid → cells that reads cells.csv once, in order, keeping only the groups not yet
    asked for (none when the file lists reports in the order of reports.csv)."""
    groups = itertools.groupby(_rows(path), key=lambda r: r["report_id"])
    pending: dict[str, list[dict]] = {}

    def get(rid: str) -> list[dict]:
        if rid in pending:
            return pending.pop(rid)
        for gid, rows in groups:
            rows = list(rows)
            if gid == rid:
                return rows
            pending.setdefault(gid, []).extend(rows)
        return []
    return get


def cell_notes(rec: ReportRecord) -> dict[str, dict]:
    """Per cell key: what the log says about it: candidates of an ambiguous split, numbers of a
    row that could not be placed, placement by position."""
    out: dict[str, dict] = {}
    row_cells: dict[tuple, list[str]] = {}
    for c in rec.cells:
        row_cells.setdefault((c["table"], c["row_key"]), []).append(f'{c["table"]}/{c["row_key"]}/{c["col_key"]}')
    for e in rec.log:
        msg = e["message"]
        if e["col_key"] and e["row_key"]:
            keys = [f'{e["table"]}/{e["row_key"]}/{e["col_key"]}']
        else:
            keys = row_cells.get((e["table"], e["row_key"]), [])
        m = _CANDIDATES.search(msg)
        n = _ROW_NUMBERS.search(msg)
        for k in keys:
            note = out.setdefault(k, {})
            if m and e["col_key"]:
                note["state"] = "ambiguous"
                note["cands"] = [x.strip() for x in m.group(1).split(",") if x.strip()]
            elif n or ("left empty" in msg and e["level"] == "warning"):
                note["state"] = "unplaced"
                if n:
                    note["cands"] = [x.strip() for x in n.group(1).split("|") if x.strip()]
            elif any(p in msg for p in _PLACED):
                note.setdefault("state", "placed")
    return out
