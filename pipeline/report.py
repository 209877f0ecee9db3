"""One file in, one parsed report out: read → extract → metadata → checks, as output rows.

`parse_file` never raises for bad input: a file that cannot be read comes back with status
`failed` and a one-line reason, so a batch goes on.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import Optional

import parsers
from parsers.model import ReadError

from .checks import run_checks
from .extract import extract
from .metadata import extract_metadata
from .prose_checks import prose_checks
from .templates import get
from .values import fmt

CELL_FIELDS = ["report_id", "agency", "year", "template", "table", "row_key", "col_key", "value", "raw",
               "row_label", "col_label", "match_score", "page", "bbox", "method"]
REPORT_FIELDS = ["report_id", "source_path", "sha256", "format", "pages", "agency", "year", "template", "status",
                 "tables_found", "cells", "checks_failed", "error", "seconds", "ambiguous_cells", "warnings"]
CHECK_FIELDS = ["report_id", "check_id", "table", "scope", "expression", "lhs", "rhs", "diff", "status",
                "severity", "message"]
LOG_FIELDS = ["report_id", "level", "table", "row_key", "col_key", "page", "message"]


@dataclass
class ParsedReport:
    report: dict
    cells: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _first_line(msg: str) -> str:
    return " ".join(str(msg).split())[:300]


def parse_file(path: str, fmt_: Optional[str] = None, template: Optional[str] = None,
               sha256: Optional[str] = None) -> ParsedReport:
    t0 = time.perf_counter()
    digest = sha256 or sha256_file(path)
    rid = digest[:16]
    row = {"report_id": rid, "source_path": path, "sha256": digest, "format": fmt_ or "", "pages": "",
           "agency": "", "year": "", "template": "", "status": "failed", "tables_found": "", "cells": 0,
           "checks_failed": 0, "error": "", "seconds": "", "ambiguous_cells": 0, "warnings": ""}
    out = ParsedReport(report=row)
    try:
        fmt_ = fmt_ or parsers.detect_format(path)
        row["format"] = fmt_
        doc = parsers.read(path, fmt_)
        row["pages"] = doc.pages or ""
        ex = extract(doc, template)
        meta = extract_metadata(doc)
    except ReadError as e:
        row["error"] = _first_line(e)
        row["seconds"] = f"{time.perf_counter() - t0:.3f}"
        return out
    except MemoryError:
        row["error"] = "out of memory while reading"
        return out
    except Exception as e:  # a bug or an input no reader anticipated: report it, keep the batch going
        row["error"] = _first_line(f"internal error: {type(e).__name__}: {e}")
        row["seconds"] = f"{time.perf_counter() - t0:.3f}"
        return out
    row.update(agency=meta.agency, year=meta.year or "", template=ex.template or "",
               tables_found=";".join(t for t in ("active", "requests", "appeals") if t in ex.tables_found),
               ambiguous_cells=ex.ambiguous, warnings="; ".join(ex.warnings))
    for w in doc.warnings:
        out.log.append({"report_id": rid, "level": "warning", "table": "", "row_key": "", "col_key": "",
                        "page": "", "message": w})
    if ex.refused:   # a forced template the labels contradict: nothing is filed under it
        row.update(template="", error=_first_line(ex.refused), seconds=f"{time.perf_counter() - t0:.3f}")
        out.log.append({"report_id": rid, "level": "error", "table": "", "row_key": "", "col_key": "",
                        "page": "", "message": ex.refused})
        return out
    if not ex.tables_found:
        row["status"] = "not_a_report"
        row["error"] = "no template table found" + ("" if ex.template else " (no template labels in the text)")
    else:
        row["status"] = "ok" if len(set(ex.tables_found)) == 3 else "partial"
        if row["status"] == "partial":
            missing = [t for t in ("active", "requests", "appeals") if t not in ex.tables_found]
            row["error"] = "table not found: " + ", ".join(missing)
        checks = run_checks(ex, get(ex.template)) + prose_checks(doc, ex, get(ex.template), meta.year)
        row["checks_failed"] = sum(1 for c in checks if c.status == "fail" and c.severity == "error")
        for c in checks:
            out.checks.append({"report_id": rid, "check_id": c.check_id, "table": c.table, "scope": c.scope,
                               "expression": c.expression, "lhs": fmt(c.lhs), "rhs": fmt(c.rhs),
                               "diff": fmt(c.diff), "status": c.status, "severity": c.severity,
                               "message": c.message})
    for c in ex.cells:
        out.cells.append({"report_id": rid, "agency": meta.agency, "year": meta.year or "",
                          "template": ex.template, "table": c.table, "row_key": c.row_key, "col_key": c.col_key,
                          "value": fmt(c.value), "raw": c.raw, "row_label": c.row_label, "col_label": c.col_label,
                          "match_score": f"{c.match_score:g}", "page": c.page or "",
                          "bbox": " ".join(f"{x:.1f}" for x in c.bbox) if c.bbox else "", "method": c.method})
    row["cells"] = len(out.cells)
    for n in ex.notes:
        out.log.append({"report_id": rid, "level": n.level, "table": n.table, "row_key": n.row_key,
                        "col_key": n.col_key, "page": n.page or "", "message": n.message})
    row["seconds"] = f"{time.perf_counter() - t0:.3f}"
    return out
