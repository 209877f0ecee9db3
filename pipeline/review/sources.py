"""The source beside the tables: what the reader saw, where each cell was printed.

Given a report's source file and its cells' positions (cells.csv `page`/`bbox`/`source_pos`),
return a JSON-ready view: PDF pages rendered to images (boxes are drawn by the page, over the
image), the text lines that hold the cells, or the HTML/Word tables re-drawn from the reader's
grid. Only reports that are reviewed get a view, so a clean batch reads no source twice.
"""
from __future__ import annotations

import os
import re

_TEXT_POS = re.compile(r"line=(\d+) chars=(\d+)-(\d+)")
_GRID_POS = re.compile(r"table=(\d+) row=(\d+) col=(\d+)")
CONTEXT_LINES = 4
MAX_TEXT_LINES = 600
MAX_GRID_CELLS = 5000
PDF_SCALE = 1.5           # 108 dpi: the printed digits stay legible
MAX_PDF_PAGES = 8


def parse_pos(text: str) -> dict | None:
    """cells.csv source_pos → {"line", "start", "end"} or {"table", "row", "col"}."""
    m = _TEXT_POS.fullmatch(text or "")
    if m:
        return {"line": int(m[1]), "start": int(m[2]), "end": int(m[3])}
    m = _GRID_POS.fullmatch(text or "")
    if m:
        return {"table": int(m[1]), "row": int(m[2]), "col": int(m[3])}
    return None


def parse_bbox(text: str) -> list[float] | None:
    try:
        box = [float(x) for x in (text or "").split()]
    except ValueError:
        return None
    return box if len(box) == 4 else None


def source_wants(cells: list[list[str]], at: dict[str, int]) -> dict:
    """What of the source a report's view shows, from its cells (rows as cells.csv holds them,
    `at` the column positions): how many there are, the PDF pages that hold one (the first
    MAX_PDF_PAGES), the first and last text line, the HTML/Word tables."""
    pages, lines, tables = set(), [], set()
    pg, sp = at["page"], at["source_pos"]
    for x in cells:
        if x[pg]:
            pages.add(int(x[pg]))
        if x[sp]:
            p = parse_pos(x[sp])
            if p and "line" in p:
                lines.append(p["line"])
            elif p:
                tables.add(p["table"])
    return {"cells": len(cells), "pages": sorted(pages)[:MAX_PDF_PAGES],
            "lines": [min(lines), max(lines)] if lines else [], "tables": sorted(tables)}


def source_view(report: dict, wants: dict, img_dir: str, img_prefix: str) -> dict:
    """The view of one report's source: {"kind": "pdf"|"text"|"grid"|"none", ...}; `wants` is
    `source_wants` of its cells."""
    path = report.get("source_path", "")
    fmt = report.get("format", "")
    if not wants["cells"]:
        return {"kind": "none", "why": "no table cell was read from this file: " + (report.get("error") or "")}
    if not path or not os.path.exists(path):
        return {"kind": "none", "why": f"source file not found: {path}" if path else "no source path"}
    try:
        if fmt == "pdf":
            return _pdf_view(path, wants["pages"], img_dir, img_prefix)
        if fmt == "text":
            return _text_view(path, wants["lines"])
        if fmt in ("html", "docx", "doc"):
            return _grid_view(path, fmt, set(wants["tables"]))
    except Exception as e:  # a source that cannot be shown must not stop the review of a batch
        return {"kind": "none", "why": f"source not shown: {type(e).__name__}: {e}"[:300]}
    return {"kind": "none", "why": f"no source view for format {fmt!r}"}


def _pdf_view(path: str, wanted: list[int], img_dir: str, img_prefix: str) -> dict:
    import pypdfium2 as pdfium   # lazily: only reviews of PDF reports need it

    pages = []
    pdf = pdfium.PdfDocument(path)
    try:
        os.makedirs(img_dir, exist_ok=True)
        for no in wanted:
            if not 1 <= no <= len(pdf):
                continue
            page = pdf[no - 1]
            w, h = page.get_size()
            image = page.render(scale=PDF_SCALE, grayscale=True).to_pil()
            name = f"{img_prefix}-p{no}.png"
            image.save(os.path.join(img_dir, name), optimize=False, compress_level=3)
            pages.append({"page": no, "img": name, "w": round(w, 2), "h": round(h, 2)})
            page.close()
    finally:
        pdf.close()
    return {"kind": "pdf", "pages": pages}


def _text_view(path: str, used: list[int]) -> dict:
    """`used`: the first and last line that holds a cell (empty: none does)."""
    from parsers.encoding import decode
    from parsers.text import source_text

    with open(path, "rb") as f:
        text = source_text(decode(f.read())[0])
    lines = text.split("\n")
    if not used:
        return {"kind": "text", "first": 1, "lines": lines[:MAX_TEXT_LINES]}
    first = max(1, min(used) - CONTEXT_LINES)
    last = min(len(lines), max(used) + CONTEXT_LINES, first + MAX_TEXT_LINES - 1)
    return {"kind": "text", "first": first, "lines": lines[first - 1:last], "total": len(lines)}


def _grid_view(path: str, fmt: str, wanted: set[int]) -> dict:
    import parsers

    doc = parsers.read(path, fmt)
    tables = []
    for t in doc.tables:
        if t.source_index not in wanted:
            continue
        grid = [[c.text, c.row + 1, c.col + 1, c.rowspan, c.colspan] for c in
                sorted(t.cells, key=lambda c: (c.row, c.col))[:MAX_GRID_CELLS]]
        tables.append({"table": t.source_index, "rows": t.n_rows, "cols": t.n_cols, "cells": grid})
    return {"kind": "grid", "tables": tables}
