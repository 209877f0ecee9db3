"""Render generated reports to PDF the way agencies make them, for the PDF reader's tests.

Word route: reportgen.render_docx → `libreoffice --headless --convert-to pdf`.
Web route:  reportgen.render_html (+ print CSS) → headless Chromium `--print-to-pdf`.

Writes fixtures/pdf/NAME.pdf and NAME.expected.json (the report's expected values, template,
agency, year and the printed grid with spans). Needs Debian's libreoffice-writer-nogui,
fonts-noto-cjk and chromium; the tests only need the committed output.

    python -m tools.make_pdf_fixtures [--out fixtures/pdf]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


from tests import reportgen  # noqa: E402

# name, seed, template, route, options
FIXTURES = [
    ("docx_2021", 11, "2021", "docx", {}),
    ("docx_2019_bigfont", 12, "2019", "docx", {"font_pt": 14, "margins_cm": 3.0}),
    ("html_2021_vertical", 13, "2021", "html", {"vertical_group": True}),
    ("html_2019_split_thead", 14, "2019", "html", {"font_px": 19, "thead": True, "vertical_group": True}),
    ("html_2021_blanks", 15, "2021", "html", {"blank_rate": 1.0, "font_px": 16}),
    ("html_2019_noruling", 16, "2019", "html", {"no_ruling": True, "font_px": 13}),
    ("docx_2021_noruling", 17, "2021", "docx", {"no_ruling": True}),
    ("docx_2019_noruling", 18, "2019", "docx", {"no_ruling": True, "font_pt": 10.5}),
]

BASE_CSS = """
@page { size: A4; margin: 2cm 2.2cm; }
body { font-family: 'Noto Serif CJK SC', serif; font-size: %(font)spx; }
table { border-collapse: collapse; width: 100%%; }
td { border: 1px solid #000; padding: 2px 4px; text-align: center; }
"""
NO_RULING_CSS = "td { border: none !important; padding: 3px 6px; } table { border: none; }"
VERTICAL_CSS = ".vgroup { width: 1.3em; max-width: 1.3em; word-break: break-all; line-break: anywhere; padding: 2px 1px; }"


def report(seed: int, template: str, opts: dict) -> reportgen.GenReport:
    rng = random.Random(seed)
    return reportgen.random_report(rng, template=template, blank_rate=opts.get("blank_rate", 0.3))


def sidecar(rep: reportgen.GenReport, route: str) -> dict:
    tables = [{"heading": h, "rows": [[[c.text, c.rowspan, c.colspan] for c in row] for row in rows]}
              for h, rows in reportgen.grid_tables(rep)]
    return {"template": rep.template, "agency": rep.agency, "year": rep.year, "producer": route,
            "cells": rep.expected(), "tables": tables}


def render_docx_pdf(rep, out_pdf: Path, opts: dict, tmp: Path) -> None:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    src = tmp / (out_pdf.stem + ".docx")
    reportgen.render_docx(rep, str(src))
    if opts:
        d = docx.Document(str(src))
        for s in d.sections:
            m = Cm(opts.get("margins_cm", 2.5))
            s.left_margin = s.right_margin = s.top_margin = s.bottom_margin = m
        for t in d.tables:
            for row in list(t.rows)[:3]:   # header rows stay whole (Word: "allow row to break" off)
                tr_pr = row._tr.get_or_add_trPr()
                tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))
            for row in t.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        for run in p.runs:
                            run.font.size = Pt(opts.get("font_pt", 9))
        if opts.get("no_ruling"):
            for t in d.tables:   # Word's plain table: no borders at all
                t.style = d.styles["Normal Table"]
                tbl_pr = t._tbl.tblPr
                for old in tbl_pr.findall(qn("w:tblBorders")):
                    tbl_pr.remove(old)
                borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
                for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                    borders.append(borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "nil"}))
                tbl_pr.append(borders)
        d.save(str(src))
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(src)],
                   check=True, capture_output=True, timeout=180)
    shutil.move(str(tmp / (out_pdf.stem + ".pdf")), out_pdf)


def render_html_pdf(rep, out_pdf: Path, opts: dict, tmp: Path) -> None:
    html = reportgen.render_html(rep)
    css = BASE_CSS % {"font": opts.get("font_px", 14)}
    if opts.get("no_ruling"):
        html = html.replace('<table border="1" cellspacing="0">', '<table border="0" cellspacing="0">')
        css += NO_RULING_CSS
    if opts.get("vertical_group"):
        # the row-group label of the requests table, set in a column one character wide
        html = re.sub(r'<td rowspan="(\d+)">(三、本年度办理结果)</td>', r'<td rowspan="\1" class="vgroup">\2</td>', html)
        css += VERTICAL_CSS
    if opts.get("thead"):
        # the requests table's 3 header rows as <thead>: Chromium repeats them on every page
        def wrap(m):
            rows = re.findall(r"<tr>.*?</tr>", m.group(1))
            return ('<table border="1" cellspacing="0"><thead>' + "".join(rows[:3]) + "</thead><tbody>"
                    + "".join(rows[3:]) + "</tbody></table>")
        html = re.sub(r'<table border="1" cellspacing="0">((?:(?!</table>).)*勾稽关系(?:(?!</table>).)*)</table>', wrap, html)
    html = html.replace("</head>", f"<style>{css}</style></head>")
    src = tmp / (out_pdf.stem + ".html")
    src.write_text(html, "utf-8")
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                        f"--user-data-dir={profile}", f"--print-to-pdf={out_pdf}", src.as_uri()],
                       check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "fixtures" / "pdf"))
    ap.add_argument("--only", nargs="*", help="fixture names to (re)make")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, seed, template, route, opts in FIXTURES:
            if args.only and name not in args.only:
                continue
            rep = report(seed, template, opts)
            pdf = out / f"{name}.pdf"
            (render_docx_pdf if route == "docx" else render_html_pdf)(rep, pdf, opts, Path(tmp))
            meta = sidecar(rep, "libreoffice" if route == "docx" else "chromium")
            meta.update(seed=seed, options=opts)
            (out / f"{name}.expected.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
            print(f"{pdf}  {pdf.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
