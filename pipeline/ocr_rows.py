"""OCR rows checked by where their numbers stand: a number read into the next row is left empty.

On a page read by OCR a rule lost in the scan, or grain read as text, can join two printed
rows into one line: the line then carries one row's numbers beside the next row's label
(`规章 0 66 0` over `行政规范性文件 830 406 0` read as one line labelled 行政规范性文件 with
0 66 0), and since the label matches its template row the numbers would be filed under it
with nothing to say so. The text layer of a PDF places every cell exactly, so only OCR cells
are checked: each must stand vertically inside the band of the label cells its row was
matched on (the shortest run of the line's last label cells that scores as well against the
row as any longer run does, so a wrapped label counts as one band). A cell outside the band is
left empty, marked unplaced (checks skip it) and logged with the number it held.
"""
from __future__ import annotations

from . import match as M
from .result import Note
from .templates import Template

SLACK = 0.25             # share of the label band's height a number's middle may stand beyond it


def unplace_shifted(ex, tpl: Template) -> None:
    """Given an extraction, empty every OCR cell of a labelled row that stands outside its
    label's row band (module docstring), with a warning note per cell."""
    ocr = [c for c in ex.cells if c.method == "ocr" and c.bbox and c.raw and c.row_label]
    if not ocr:
        return
    line_of = {(c.page, c.bbox): ln for ln in ex.lines for c in ln.values if c.bbox}
    rows = {(t, r.key): r for t, spec in tpl.tables.items() if spec.reading != "side_by_side" for r in spec.rows}
    placed = {key for key, _ in ex.placed}
    bands: dict = {}
    for c in ocr:
        ln, row = line_of.get((c.page, c.bbox)), rows.get((c.table, c.row_key))
        if ln is None or row is None or c.key in placed:
            continue
        if id(ln) not in bands:
            bands[id(ln)] = label_band(ln, row, c.page)
        band = bands[id(ln)]
        if band is None or inside(c.bbox, band):
            continue
        ex.notes.append(Note("warning", c.table, c.row_key, c.col_key,
                             f"OCR: number {c.raw!r} stands outside the row of its label {row.label!r} "
                             f"(page {c.page}, {c.bbox[1]:.0f}-{c.bbox[3]:.0f} pt, label {band[0]:.0f}-"
                             f"{band[1]:.0f} pt): it may belong to the next row; left empty, check", c.page))
        c.value, c.raw, c.unplaced = None, "", True
        ex.ambiguous += 1


def label_band(ln, row, page) -> tuple[float, float] | None:
    """(top, bottom) in points of the label cells on `page` that carry the line's match with
    `row`: its last label cell, with the cells before it as long as joining them scores
    higher; None when the labels have no position."""
    labels = [c for c in ln.labels if c.bbox and c.page == page and c.text.strip()]
    if not labels:
        return None
    k = len(labels) - 1
    best = M.score_text(labels[k].text, row)
    while k > 0:
        joined = M.score_text("".join(c.text for c in labels[k - 1:]), row)
        if joined <= best:
            break
        k, best = k - 1, joined
    return min(c.bbox[1] for c in labels[k:]), max(c.bbox[3] for c in labels[k:])


def inside(bbox, band: tuple[float, float]) -> bool:
    """Whether a cell's vertical middle lies within the band (SLACK of its height around it)."""
    top, bottom = band
    slack = SLACK * (bottom - top)
    mid = (bbox[1] + bbox[3]) / 2
    return top - slack <= mid <= bottom + slack


def distrust_splits(ex) -> None:
    """Given the extraction of a document read (in part) by OCR, empty every cell that
    run-together recovery split out of a longer printed run (method `recovered`). In scraped
    text every digit is printed, so a split that makes the arithmetic hold is evidence; an OCR
    reading can drop a digit or a whole number (8 | 26 | 66 read as '26 66': the splits
    2 | 6 | 66 and 26 | 6 | 6 agree on a 6 between them), so the split is a guess. Each such
    cell is left empty, counted ambiguous and logged with the run it came from."""
    if ex.recovery is None:
        return
    for c in ex.cells:
        if c.method != "recovered" or c.value is None:
            continue
        ex.notes.append(Note("warning", c.table, c.row_key, c.col_key,
                             f"split {c.raw!r} out of a run read by OCR, which may have lost digits; left empty",
                             c.page))
        c.value, c.method = None, "read"
        ex.recovery.ambiguous.add((c.table, c.row_key, c.col_key))
        ex.ambiguous += 1
