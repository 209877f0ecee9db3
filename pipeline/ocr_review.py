"""OCR cells checked by the template's arithmetic: what log.csv says about numbers read from images.

Given an extraction with OCR cells (method `ocr`, an engine score per cell and per character),
its identity checks and the template, return log notes: every OCR cell read with low
confidence, every OCR cell an identity failure involves, and, where changing exactly one
low-confidence digit of one cell makes every identity hold, that reading as a candidate.
Candidates are only offered: a value is never changed here.
"""
from __future__ import annotations

from .checks import run_checks
from .extract import Extraction, Note
from .values import fmt

LOW_CONFIDENCE = 0.6      # a cell whose weakest character scored below this is flagged
DOUBT_DIGIT = 0.95        # digits scored below this are the ones a candidate may change
MAX_TRIALS = 400          # candidate readings tried per report (each is one run of the checks)


def review(ex: Extraction, checks: list, tpl) -> list[Note]:
    ocr = [c for c in ex.cells if c.method == "ocr"]
    if not ocr:
        return []
    notes = [Note("warning", c.table, c.row_key, c.col_key,
                  f"OCR: low confidence {c.confidence:.2f} reading {c.raw!r}; check it against the page", c.page)
             for c in ocr if c.confidence is not None and c.confidence < LOW_CONFIDENCE and c.raw]
    notes += _gaps(ex, ocr)
    failed = [k for k in checks if k.status == "fail" and k.severity == "error"]
    by_key = {(c.table, c.row_key, c.col_key): c for c in ocr}
    involved: dict[tuple, list[str]] = {}
    for k in failed:
        for key in k.cells:
            if key in by_key:
                involved.setdefault(key, []).append(f"{k.check_id} {k.scope}".strip())
    for key, ids in involved.items():
        c = by_key[key]
        notes.append(Note("warning", c.table, c.row_key, c.col_key,
                          f"OCR: value {c.raw!r} is in a failed identity ({', '.join(sorted(set(ids)))}); "
                          "it may be misread", c.page))
    if failed:
        notes += _candidates(ex, tpl, [by_key[k] for k in involved])
    return notes + _echoes(checks, by_key)


def _weak(c) -> bool:
    return c.confidence is not None and c.confidence < LOW_CONFIDENCE and bool(c.raw)


def _echoes(checks: list, by_key: dict) -> list[Note]:
    """A passing identity whose only two non-zero numbers are a low-confidence OCR cell and one
    other OCR cell (a total equal to its one non-zero part): the two are the same printed
    number, and the same glyphs misread the same way would pass too (34 | 34 read 31 | 31), so
    the other cell is flagged with the weak one instead of being vouched for by it."""
    notes, seen = [], set()
    for k in checks:
        if k.status != "pass" or k.severity != "error":
            continue
        members = [by_key.get(key) for key in k.cells]
        nonzero = [c for c in members if c is not None and c.value]
        if len(nonzero) != 2 or any(c is None for c in members) or sum(map(_weak, nonzero)) != 1:
            continue
        weak, other = nonzero if _weak(nonzero[0]) else nonzero[::-1]
        if other.key not in seen:
            seen.add(other.key)
            notes.append(Note("warning", other.table, other.row_key, other.col_key,
                              f"OCR: value {other.raw!r} passes {k.check_id} {k.scope}".rstrip() +
                              f" only by equalling the low-confidence {weak.row_key}/{weak.col_key} "
                              f"({weak.raw!r}); check both against the page", other.page))
    return notes


def _gaps(ex: Extraction, ocr: list) -> list[Note]:
    """Cells left empty in a row the engine read (its other numbers are there): the page may
    print a number the engine missed, so the gap is named, never filled."""
    rows = {(c.table, c.row_key) for c in ocr}
    return [Note("warning", c.table, c.row_key, c.col_key,
                 "OCR: nothing read in this cell of a row read by OCR; left empty, check it against the page",
                 c.page)
            for c in ex.cells if (c.table, c.row_key) in rows and c.value is None and not c.raw] + _empty_rows(ex, ocr)


def _empty_rows(ex: Extraction, ocr: list) -> list[Note]:
    """Rows of a table read by OCR in which nothing at all was read (the engine may have lost
    the row's label or its numbers): named once a row, never filled."""
    tables = {c.table for c in ocr}
    rows: dict[tuple, list] = {}
    for c in ex.cells:
        if c.table in tables:
            rows.setdefault((c.table, c.row_key), []).append(c)
    return [Note("warning", t, r, "", "OCR: nothing read in this row of a table read by OCR; "
                 "left empty, check it against the page", cells[0].page)
            for (t, r), cells in rows.items() if all(c.value is None and not c.raw for c in cells)]


def _candidates(ex: Extraction, tpl, cells: list) -> list[Note]:
    """Single-digit changes of doubtful digits after which no error-level identity fails."""
    out: list[Note] = []
    trials = 0
    for c in cells:
        for pos, old, score in _doubtful_digits(c):
            for new in "0123456789":
                if new == old or trials >= MAX_TRIALS:
                    continue
                text = c.raw[:pos] + new + c.raw[pos + 1:]
                value = _number(text)
                if value is None:
                    continue
                trials += 1
                saved = c.value
                c.value = value
                try:
                    ok = not any(k.status == "fail" and k.severity == "error" for k in run_checks(ex, tpl))
                finally:
                    c.value = saved
                if ok:
                    out.append(Note("info", c.table, c.row_key, c.col_key,
                                    f"OCR candidate: {c.raw!r} read as {text!r} (digit {pos + 1} '{old}' scored "
                                    f"{score:.2f}) makes every identity hold; not applied, value kept as read "
                                    f"({fmt(saved)})", c.page))
    return out


def _doubtful_digits(c) -> list[tuple[int, str, float]]:
    """(position in raw, digit, score) of the cell's digits the engine was unsure of; the k-th
    digit of raw is the k-th digit the engine read."""
    read = [(ch, s) for ch, s in c.char_confidence if ch.isdigit()]
    pos = [i for i, ch in enumerate(c.raw) if ch.isdigit()]
    if len(read) != len(pos):
        return []
    return [(i, c.raw[i], s) for i, (ch, s) in zip(pos, read) if s < DOUBT_DIGIT]


def _number(text: str):
    from .values import parse
    v = parse(text)
    return v.value if v.ok else None


SUSPECT_FAIL_SHARE = 0.25  # a text layer whose tables fail this share of identities (and ≥ 3) may lie
SUSPECT_MIN_FAILS = 3


def suspect_text_layer(doc, ex: Extraction, tpl) -> str:
    """Why a PDF's text layer may be wrong although every glyph decodes ('' if none): its tables'
    labels match no template while ruled tables are there, or its numbers break many identities
    (a font whose Unicode map sends digits to the wrong characters)."""
    if doc.format != "pdf":
        return ""
    if not ex.tables_found:
        big = [t for t in doc.tables if t.n_rows >= 5 and t.n_cols >= 3]
        return "tables found but their labels match no template" if big else ""
    if tpl is None:
        return ""
    idents = [k for k in run_checks(ex, tpl) if k.severity == "error" and k.check_id.startswith("E")
              and k.status in ("pass", "fail")]
    fails = [k for k in idents if k.status == "fail"]
    if len(fails) >= SUSPECT_MIN_FAILS and len(fails) >= SUSPECT_FAIL_SHARE * max(1, len(idents)):
        return f"text layer fails {len(fails)} of {len(idents)} identities"
    return ""


def failed_identities(ex: Extraction, tpl) -> int:
    if tpl is None or not ex.tables_found:
        return 10 ** 6
    return sum(1 for k in run_checks(ex, tpl) if k.status == "fail" and k.severity == "error")
