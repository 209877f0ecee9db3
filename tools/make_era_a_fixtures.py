"""Render generated era-A reports (tests/reportgen/era_a.py) to PDF, Word and text fixtures.

Word route: render_docx → `libreoffice --headless --convert-to pdf`; web route: render_html →
headless Chromium `--print-to-pdf`; plus the .docx itself and a run-together scraper text.
Writes fixtures/era_a/NAME.{pdf,docx,txt} and NAME.expected.json (appendix and prose values).
Needs Debian's libreoffice-writer-nogui, fonts-noto-cjk and chromium; the tests only need the
committed output.

    .venv/bin/python -m tools.make_era_a_fixtures [--out fixtures/era_a]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.reportgen import era_a as G

# name, seed, variant, route
FIXTURES = [
    ("f11_2012_word", 21, "F11", "docx_pdf"),
    ("f14_2015_web", 22, "F14", "html_pdf"),
    ("s_2010_word", 23, "S", "docx_pdf"),
    ("n_2016_web", 24, "N", "html_pdf"),
    ("n_2017_docx", 25, "N", "docx"),
    ("f14_2016_scraped", 26, "F14", "run_together"),
]
CSS = ("@page { size: A4; margin: 2cm; } body { font-family: 'Noto Serif CJK SC', serif; font-size: 14px; }"
       " table { border-collapse: collapse; width: 100%; } td { border: 1px solid #000; padding: 2px 4px; }")


def make(name: str, seed: int, variant: str, route: str, out: Path, tmp: Path) -> None:
    rep = G.random_report(random.Random(seed), variant, small=route == "run_together")
    if route == "run_together":
        rep = _settled(rep, seed)
        (out / f"{name}.txt").write_text(G.render_text(rep, "run_together"), "utf-8")
    elif route == "docx":
        G.render_docx(rep, str(out / f"{name}.docx"))
    elif route == "docx_pdf":
        src = tmp / f"{name}.docx"
        G.render_docx(rep, str(src))
        subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(src)],
                       check=True, capture_output=True, timeout=180)
        shutil.move(str(tmp / f"{name}.pdf"), out / f"{name}.pdf")
    else:
        src = tmp / f"{name}.html"
        src.write_text(G.render_html(rep).replace("</head>", f"<style>{CSS}</style></head>"), "utf-8")
        profile = tempfile.mkdtemp(prefix="chromium-")
        try:
            subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--no-pdf-header-footer", f"--user-data-dir={profile}",
                            f"--print-to-pdf={out / (name + '.pdf')}", src.as_uri()],
                           check=True, capture_output=True, timeout=180)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    settled = G.settled_rows(rep) if route == "run_together" else None
    cells = rep.expected()
    if settled is not None:
        cells = {k: v for k, v in cells.items() if settled[k.split("/")[1]]}
    (out / f"{name}.expected.json").write_text(json.dumps({
        "variant": variant, "route": route, "agency": rep.agency, "year": rep.year, "template": "2008",
        "cells": cells, "prose": rep.expected_prose(),
        "ambiguous": sorted(k for k, ok in (settled or {}).items() if not ok)}, ensure_ascii=False, indent=1), "utf-8")


def _settled(rep, seed: int):
    """A scraped report whose splits the oracle can enumerate."""
    rng = random.Random(seed)
    while G.settled_rows(rep) is None:
        rep = G.random_report(rng, rep.variant, small=True)
    return rep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "fixtures" / "era_a"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for f in FIXTURES:
            make(*f, out, Path(tmp))
            print("wrote", f[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
