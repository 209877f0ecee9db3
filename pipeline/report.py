"""One file in, one parsed report out: read → extract → metadata → checks, as output rows.

`parse_file` never raises for bad input: a file that cannot be read comes back with status
`failed` and a one-line reason, so a batch goes on.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import parsers
from parsers.model import ReadError

from .checks import run_checks, scope_kind
from .extract import extract
from .metadata import extract_metadata
from .ocr_review import review as review_ocr
from .result import Extraction
from .prose_checks import prose_checks
from .schema import CELL_FIELDS, CHECK_FIELDS, LOG_FIELDS, REPORT_FIELDS, one_line, report_row  # noqa: F401
from .templates import TABLES, get
from .values import fmt


def _is_era_a(template: Optional[str]) -> bool:
    """Is `template` era A's id? (Era A's modules load only for a report that needs them.)"""
    if template is None:
        return False
    from .era_a.template import load
    return template == load().id


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


SMALL = 1 << 20     # bytes: a plain-text file up to this size is read once, for its hash, format and reader


def read_once(path: str, fmt_: Optional[str], want_hash: bool) -> tuple[str, Optional[bytes], Optional[str]]:
    """Given a path, return from one opening of the file: its format (`fmt_` when given, else
    detected from its first bytes and its name, as parsers.detect_format does), its bytes when
    it is plain text of at most SMALL bytes (the text reader reads bytes as it reads the file;
    other formats are read from their path) and, when `want_hash`, its sha256."""
    with open(path, "rb") as f:
        first = f.read(2048)
        fmt_ = fmt_ or parsers.detect(first, os.fspath(path))
        if fmt_ != "text" and not want_hash:
            return fmt_, None, None
        data = first + f.read(SMALL + 1 - len(first))
        digest = None
        if want_hash:
            h = hashlib.sha256(data)
            if len(data) > SMALL:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digest = h.hexdigest()
    return fmt_, (data if fmt_ == "text" and len(data) <= SMALL else None), digest


def _second_reading(path, fmt_, template, doc, ex):
    """A PDF whose text layer looks wrong (see ocr_review.suspect_text_layer) read again by OCR;
    the reading that breaks fewer identities is kept, and the log says which and why."""
    from .ocr_review import failed_identities, suspect_text_layer
    reason = suspect_text_layer(doc, ex, get(ex.template) if ex.template else None)
    if not reason:
        return doc, ex
    try:
        doc2 = parsers.read(path, fmt_, ocr="always")
    except ReadError as e:
        doc.warnings.append(f"{reason}; OCR not possible: {e}")
        return doc, ex
    ex2 = extract(doc2, template)
    before = failed_identities(ex, get(ex.template) if ex.template else None)
    after = failed_identities(ex2, get(ex2.template) if ex2.template else None)
    if after < before:
        doc2.warnings.insert(0, f"{reason}: read by OCR instead ({before} failed checks in the text layer, "
                                f"{after} by OCR)")
        return doc2, ex2
    doc.warnings.append(f"{reason}; OCR read no better ({after} failed checks against {before}), text layer kept")
    return doc, ex


def _joined(cells) -> str:
    join = "/".join
    return ";".join([join(k) for k in dict.fromkeys(cells)])


_kept_cells_text = lru_cache(maxsize=4096)(_joined)


def cells_text(cells) -> str:
    """The checks.csv `cells` of a check's cells: each `table/row_key/col_key` once, in order.
    Remembered for cells given as tuples (a template's identities name the same cells in every
    report); cells given as lists are joined each time."""
    try:
        return _kept_cells_text(cells)
    except TypeError:       # unhashable: lists
        return _joined(cells)


def _add_checks(out: ParsedReport, rid: str, checks: list, tpl=None) -> None:
    """The checks.csv rows of `checks` (cells named `table/row_key/col_key`)."""
    join = "/".join
    out.checks += [{"report_id": rid, "check_id": c.check_id, "table": c.table, "scope": c.scope,
                    "expression": c.expression, "lhs": fmt(c.lhs), "rhs": fmt(c.rhs),
                    "diff": fmt(c.diff), "status": c.status, "severity": c.severity,
                    "message": c.message, "cells": cells_text(c.cells),
                    "culprit": join(c.culprit) if c.culprit else "",
                    "scope_kind": scope_kind(c, tpl) if tpl is not None else c.scope_kind} for c in checks]


_SCORE_TEXT: dict[float, str] = {}     # f"{score:g}" of each match score met (a few dozen distinct)


def _score_text(score: float) -> str:
    """f"{score:g}", kept for a score other than zero (0.0 and -0.0 are one key, two texts)."""
    got = f"{score:g}"
    if score:
        _SCORE_TEXT[score] = got
    return got


def cell_rows(rid: str, agency: str, year, template: Optional[str], cells: list) -> list[dict]:
    """The cells.csv rows of a report's cells, every value as the CSV file holds it (text).
    Each row a copy of one made for the report (a copy of a dict is cheaper than building
    one of 17 keys)."""
    proto = dict.fromkeys(CELL_FIELDS, "")
    proto.update(report_id=rid, agency=agency, year=str(year) if year else "", template=template or "")
    score, out = _SCORE_TEXT.get, []
    for c in cells:
        row = proto.copy()
        row["table"], row["row_key"], row["col_key"] = c.table, c.row_key, c.col_key
        row["value"], row["raw"], row["row_label"], row["col_label"] = fmt(c.value), c.raw, c.row_label, c.col_label
        row["match_score"] = score(c.match_score) or _score_text(c.match_score)
        if c.page:
            row["page"] = str(c.page)
        if c.bbox:
            row["bbox"] = " ".join([f"{x:.1f}" for x in c.bbox])
        row["method"] = c.method
        if c.confidence is not None:
            row["confidence"] = f"{c.confidence:.3f}"
        if c.pos:
            row["source_pos"] = str(c.pos)
        out.append(row)
    return out


def parse_file(path: str, fmt_: Optional[str] = None, template: Optional[str] = None,
               sha256: Optional[str] = None, ocr: Optional[str] = None) -> ParsedReport:
    t0 = time.perf_counter()
    found = read_once(path, fmt_, True) if sha256 is None else None    # an unreadable file raises, as hashing it did
    digest = sha256 or found[2]
    rid = digest[:16]
    row = report_row(digest, path, fmt_ or "")
    out = ParsedReport(report=row)
    try:
        fmt_, data, _ = found or read_once(path, fmt_, False)
        row["format"] = fmt_
        src = data if data is not None else path
        doc = parsers.read(src, fmt_) if (ocr or "auto") == "auto" else parsers.read(src, fmt_, ocr=ocr)
        row["format"] = doc.format if doc.format.endswith("-ocr") else fmt_
        row["pages"] = doc.pages or ""
        ex = extract(doc, template) if not _is_era_a(template) else Extraction(template=None)
        if (ocr or "auto") == "auto" and ex.tables_found:
            doc, ex = _second_reading(path, fmt_, template, doc, ex)
            row["format"] = doc.format if doc.format.endswith("-ocr") else fmt_
        meta = extract_metadata(doc)
        if not ex.tables_found and (template is None or _is_era_a(template)):
            from .era_a import stage as era_a_stage
            ex = era_a_stage.extract(doc, meta.year) or ex   # a 2008–2018 report (template 2008)
    except ReadError as e:
        row["error"] = one_line(e)
        row["seconds"] = f"{time.perf_counter() - t0:.3f}"
        return out
    except MemoryError:
        row["error"] = "out of memory while reading"
        row["seconds"] = f"{time.perf_counter() - t0:.3f}"
        return out
    except Exception as e:  # a bug or an input no reader anticipated: report it, keep the batch going
        row["error"] = one_line(f"internal error: {type(e).__name__}: {e}")
        row["seconds"] = f"{time.perf_counter() - t0:.3f}"
        return out
    row.update(agency=meta.agency, year=meta.year or "", template=ex.template or "",
               tables_found=";".join([t for t in TABLES if t in ex.tables_found]
                                      + [t for t in dict.fromkeys(ex.tables_found) if t not in TABLES]),
               ambiguous_cells=ex.ambiguous, warnings="; ".join(ex.warnings))
    for w in doc.warnings:
        out.log.append({"report_id": rid, "level": "warning", "table": "", "row_key": "", "col_key": "",
                        "page": "", "message": w})
    if ex.refused:   # a forced template the labels contradict: nothing is filed under it
        row.update(template="", error=one_line(ex.refused), seconds=f"{time.perf_counter() - t0:.3f}")
        out.log.append({"report_id": rid, "level": "error", "table": "", "row_key": "", "col_key": "",
                        "page": "", "message": ex.refused})
        return out
    if ex.era_a is not None:
        from .era_a import checks as era_a_checks, series as era_a_series
        row["status"], row["error"] = ex.era_a["status"], ex.era_a["reason"]
        _add_checks(out, rid, era_a_checks.run(ex))
        row["era_a"] = era_a_series.summary(ex, meta.agency, meta.year)   # for X1 across the run
    elif not ex.tables_found:
        row["status"] = "not_a_report"
        row["error"] = "no template table found" + ("" if ex.template else " (no template labels in the text)")
    else:
        row["status"] = "ok" if len(set(ex.tables_found)) == 3 else "partial"
        if row["status"] == "partial":
            missing = [t for t in ("active", "requests", "appeals") if t not in ex.tables_found]
            row["error"] = "table not found: " + ", ".join(missing)
        tpl = get(ex.template)
        checks = run_checks(ex, tpl) + prose_checks(doc, ex, tpl, meta.year)
        ex.notes += review_ocr(ex, checks, tpl)
        _add_checks(out, rid, checks, tpl)
    row["checks_failed"] = sum(1 for c in out.checks if c["status"] == "fail" and c["severity"] == "error")
    out.cells = cell_rows(rid, meta.agency, meta.year, ex.template, ex.cells)
    row["cells"] = len(out.cells)
    out.log += [{"report_id": rid, "level": n.level, "table": n.table, "row_key": n.row_key, "col_key": n.col_key,
                 "page": str(n.page) if n.page else "", "message": n.message} for n in ex.notes]
    row["seconds"] = f"{time.perf_counter() - t0:.3f}"
    return out
