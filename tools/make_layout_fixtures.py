"""`pdftotext -layout` text of generated multi-page reports, for the whitespace-layout tests.

Renders generated reports to PDF (tools/make_pdf_fixtures.py: Word → LibreOffice, HTML →
Chromium), the requests table's research and social-organisation columns empty on the first
page and printed on the next (tests/reportgen/pages.py), runs poppler's `pdftotext -layout`
on them and on the committed PDF fixtures, and writes fixtures/layout/NAME.txt with
NAME.expected.json. Needs libreoffice-writer-nogui, fonts-noto-cjk, chromium and
poppler-utils; the tests only need the committed text.

    .venv/bin/python -m tools.make_layout_fixtures [--out fixtures/layout]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.reportgen import pages as reportgen_pages
from tools import make_pdf_fixtures as PDF

ROOT = Path(__file__).resolve().parents[1]

# name, seed, template, route, render options
PAGED = [
    ("paged_docx_2019", 1, "2019", "docx", {"font_pt": 12}),
    ("paged_docx_2021", 2, "2021", "docx", {"font_pt": 12}),
    ("paged_html_2019", 3, "2019", "html", {"font_px": 18}),
    ("paged_html_2021", 4, "2021", "html", {"font_px": 18}),
    ("paged_html_2021_noruling", 5, "2021", "html", {"font_px": 17, "no_ruling": True}),
    ("paged_docx_2019_noruling", 6, "2019", "docx", {"font_pt": 11, "no_ruling": True}),
]


def pdftotext(pdf: Path, txt: Path) -> None:
    subprocess.run(["pdftotext", "-layout", str(pdf), str(txt)], check=True, timeout=120)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "fixtures" / "layout"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, seed, template, route, opts in PAGED:
            rep = reportgen_pages.paged_blanks(seed, template)
            pdf = Path(tmp) / f"{name}.pdf"
            (PDF.render_docx_pdf if route == "docx" else PDF.render_html_pdf)(rep, pdf, opts, Path(tmp))
            pdftotext(pdf, out / f"{name}.txt")
            meta = {"file": f"{name}.txt", **PDF.sidecar(rep, "libreoffice" if route == "docx" else "chromium")}
            meta.update(seed=seed, options=opts, blank_first_page=["research", "social_org"])
            (out / f"{name}.expected.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
            print(out / f"{name}.txt")
    for pdf in sorted((ROOT / "fixtures" / "pdf").glob("*.pdf")):   # the PDF fixtures as poppler reads them
        pdftotext(pdf, out / f"pdf_{pdf.stem}.txt")
        meta = json.loads(pdf.with_suffix(".expected.json").read_text("utf-8"))
        meta = {"file": f"pdf_{pdf.stem}.txt", **meta}
        (out / f"pdf_{pdf.stem}.expected.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
        print(out / f"pdf_{pdf.stem}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
