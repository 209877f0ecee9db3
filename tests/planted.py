"""Reports with one planted wrong cell, in every format, for the review tests and benchmarks.

`planted_report(seed, template, tables)` takes a random valid report and misprints one cell of
each table so that the checks can tell which: a count printed negative in the tables without
column identities (E5 names it), a number off by 7 in the requests table (its row and column
identities meet at it). `write_planted(dir, ...)` renders them as text (every layout), HTML,
Word and PDF (headless Chromium, when there) and returns what was planted where.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from pipeline import templates as T

try:
    import reportgen            # in tests: pytest puts tests/ on the path
except ImportError:             # in tools, run as python -m tools.NAME from the repository root
    from tests import reportgen

TABLES = ("active", "requests", "appeals")
TEXT_LAYOUTS = reportgen.LAYOUTS


@dataclass
class Planted:
    path: str
    format: str
    template: str
    plants: list         # (key, printed): (table, row_key, col_key) of each misprinted cell, what it prints


def _count_cell(tpl: T.Template, table: str) -> tuple:
    spec = tpl.tables[table]
    for r in spec.rows:
        for c in spec.row_columns(r):
            if c.kind == "count":
                return (table, r.key, c.key)
    raise LookupError(table)


def planted_report(seed: int, template: str, tables=TABLES) -> tuple[reportgen.GenReport, list]:
    rng = random.Random(seed)
    # zeros printed as numbers: an identity with one side left blank is skipped, not failed
    rep = reportgen.random_report(rng, template=template, noise=False, blank_rate=0.0)
    tpl = T.get(template)
    plants = []
    for table in tables:
        if table == "requests":
            key = ("requests", tpl.result_rows()[0], "natural_person")
            printed = str((rep.values.get(key) or 0) + 7)
        else:
            key = _count_cell(tpl, table)
            printed = str(-(abs(int(rep.values.get(key) or 0)) + 4))
        rep.printed[key] = printed
        plants.append((key, printed))
    return rep, plants


def html_to_pdf(html_path: Path, pdf_path: Path, chromium: str) -> None:
    profile = tempfile.mkdtemp(prefix="ogi-chromium-")
    try:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
                        html_path.as_uri()], check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


PDF_CSS = ("<style>@page { size: A4; margin: 2cm; } body { font-family: 'Noto Serif CJK SC', serif; font-size: 14px; }"
           " table { border-collapse: collapse; width: 100%; } td { border: 1px solid #000; padding: 2px 4px;"
           " text-align: center; }</style>")


def write_planted(out: Path, templates=("2019", "2021"), layouts=TEXT_LAYOUTS, docx: bool = True,
                  chromium: Optional[str] = None, seed: int = 1, tables=TABLES) -> list[Planted]:
    """For every template, a report with one planted wrong cell in each of `tables`, in every
    format (text in each of `layouts`), written under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for ti, template in enumerate(templates):
        rep, plants = planted_report(seed * 1000 + ti, template, tables)
        stem = f"planted_{template}"
        for layout in layouts:
            p = out / f"{stem}_{layout}.txt"
            p.write_text(reportgen.render_text(rep, layout), "utf-8")
            made.append(Planted(str(p), "text", template, plants))
        html = out / f"{stem}.html"
        html.write_text(reportgen.render_html(rep), "utf-8")
        made.append(Planted(str(html), "html", template, plants))
        if docx:
            p = out / f"{stem}.docx"
            reportgen.render_docx(rep, str(p))
            made.append(Planted(str(p), "docx", template, plants))
        if chromium:
            src = out / f"{stem}.print.htm"
            src.write_text(reportgen.render_html(rep).replace("</head>", PDF_CSS + "</head>"), "utf-8")
            p = out / f"{stem}.pdf"
            html_to_pdf(src, p, chromium)
            src.unlink()
            made.append(Planted(str(p), "pdf", template, plants))
    return made
