"""Write the HTML and Word fixtures under fixtures/html and fixtures/docx, each with a
NAME.expected.json sidecar (NAME without the extension) (the generator's expected cells plus template, agency and year).

Deterministic seeds; run from the repository root:

    python -m tools.make_web_fixtures

The Word-exported HTML pages and the .doc/.wps files need LibreOffice (soffice); without it
they are left as they are and the script says so.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


from tests.reportgen import random_report, render_docx, render_html  # noqa: E402
from tests.reportgen.web import render_docx_web, render_html_cms, render_html_split  # noqa: E402

HTML = ROOT / "fixtures" / "html"
DOCX = ROOT / "fixtures" / "docx"


def _report(seed: int, template: str):
    rng = random.Random(seed)
    return rng, random_report(rng, template=template)


def _sidecar(path: Path, rep, what: str) -> None:
    data = {"template": rep.template, "agency": rep.agency, "year": rep.year, "fixture": what,
            "cells": rep.expected()}
    path.with_suffix(".expected.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                                  encoding="utf-8")


def _stable_zip(path: Path) -> None:
    """Rewrite a .docx with fixed member dates, so regenerated fixtures differ only when their content does."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(fixed, data)


def _soffice(src: Path, fmt: str, outdir: Path) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, f"-env:UserInstallation={Path(tmp).as_uri()}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=300)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    return out if out.exists() else None


def html_fixtures() -> None:
    HTML.mkdir(parents=True, exist_ok=True)
    for name, seed, tpl in [("plain_2019", 101, "2019"), ("plain_2021", 102, "2021")]:
        rng, rep = _report(seed, tpl)
        (HTML / f"{name}.html").write_text(render_html(rep), encoding="utf-8")
        _sidecar(HTML / f"{name}.html", rep, "reportgen.render_html, UTF-8")
    for name, seed, tpl in [("split_2019", 103, "2019"), ("split_2021", 104, "2021")]:
        rng, rep = _report(seed, tpl)
        (HTML / f"{name}.html").write_text(render_html_split(rep, rng), encoding="utf-8")
        _sidecar(HTML / f"{name}.html", rep, "requests table cut in two <table>s, active sub-tables apart")
    rng, rep = _report(105, "2021")
    (HTML / "gbk_meta_2021.html").write_bytes(render_html(rep, "gbk").encode("gbk"))
    _sidecar(HTML / "gbk_meta_2021.html", rep, "GBK bytes, <meta charset=gbk>")
    rng, rep = _report(106, "2019")
    (HTML / "gbk_cms_httpequiv_2019.html").write_bytes(
        render_html_cms(rep, rng, encoding="gb2312", declare="http-equiv").encode("gbk"))
    _sidecar(HTML / "gbk_cms_httpequiv_2019.html", rep, "CMS page, GBK bytes, http-equiv charset=gb2312")
    rng, rep = _report(107, "2021")
    (HTML / "gbk_undeclared_2021.html").write_bytes(
        render_html_cms(rep, rng, encoding="gb18030", declare=None, split=True).encode("gb18030"))
    _sidecar(HTML / "gbk_undeclared_2021.html", rep, "CMS page, GB18030 bytes, no charset declared, split tables")
    for name, seed, tpl, split in [("cms_2019", 108, "2019", True), ("cms_2021", 109, "2021", False)]:
        rng, rep = _report(seed, tpl)
        (HTML / f"{name}.html").write_text(render_html_cms(rep, rng, split=split), encoding="utf-8")
        _sidecar(HTML / f"{name}.html", rep, "CMS page chrome, layout table, Word-pasted markup"
                 + (", split tables" if split else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for name, seed, tpl, split, fmt in [("word_export_2019", 110, "2019", False, "html"),
                                            ("word_export_2021", 111, "2021", True, "html"),
                                            ("word_export_xhtml_2021", 112, "2021", True, "html:XHTML Writer File:UTF8")]:
            rng, rep = _report(seed, tpl)
            src = Path(tmp) / f"{name}.docx"
            render_docx_web(rep, str(src), rng, split=split, framed=fmt != "html")
            out = _soffice(src, fmt, Path(tmp))
            if out is None:
                print(f"skipped {name}.html: LibreOffice (soffice) not installed")
                continue
            text = out.read_text("utf-8")
            text = re.sub(r'\s*<meta name="(created|changed)"[^>]*>', "", text)   # keep regeneration diffs quiet
            (HTML / f"{name}.html").write_text(text, encoding="utf-8")
            _sidecar(HTML / f"{name}.html", rep, f"a .docx saved as HTML by LibreOffice ({fmt})"
                     + (", tables split by page breaks" if split else "")
                     + (", inside a frame table" if fmt != "html" else ""))


def docx_fixtures() -> None:
    DOCX.mkdir(parents=True, exist_ok=True)
    for name, seed, tpl in [("plain_2019", 201, "2019"), ("plain_2021", 202, "2021")]:
        rng, rep = _report(seed, tpl)
        render_docx(rep, str(DOCX / f"{name}.docx"))
        _stable_zip(DOCX / f"{name}.docx")
        _sidecar(DOCX / f"{name}.docx", rep, "reportgen.render_docx: gridSpan and vMerge merges")
    for name, seed, tpl, split, framed in [("split_2019", 203, "2019", True, False),
                                           ("split_2021", 204, "2021", True, False),
                                           ("framed_2021", 205, "2021", True, True)]:
        rng, rep = _report(seed, tpl)
        render_docx_web(rep, str(DOCX / f"{name}.docx"), rng, split=split, framed=framed)
        _stable_zip(DOCX / f"{name}.docx")
        _sidecar(DOCX / f"{name}.docx", rep, "tables split by page breaks" + (", inside a frame table" if framed else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for name, seed, tpl, ext in [("legacy_2019", 206, "2019", "doc"), ("legacy_2021", 207, "2021", "wps")]:
            rng, rep = _report(seed, tpl)
            src = Path(tmp) / f"{name}.docx"
            render_docx(rep, str(src))
            out = _soffice(src, "doc:MS Word 97", Path(tmp))
            if out is None:
                print(f"skipped {name}.{ext}: LibreOffice (soffice) not installed")
                continue
            shutil.copyfile(out, DOCX / f"{name}.{ext}")
            _sidecar(DOCX / f"{name}.{ext}", rep, "binary Word 97 written by LibreOffice"
                     + (" under a .wps name, as WPS Office saves" if ext == "wps" else ""))


if __name__ == "__main__":
    html_fixtures()
    docx_fixtures()
    for d in (HTML, DOCX):
        for p in sorted(d.iterdir()):
            print(f"{p.relative_to(ROOT)}\t{p.stat().st_size}")
