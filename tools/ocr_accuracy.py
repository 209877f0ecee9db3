"""OCR accuracy on whole documents: image-only scans of the fixture PDFs read by OCR, compared
cell by cell with the text-layer reading of the same PDF.

Every fixture PDF (or the PDFs given) is rendered to an image-only PDF (tests/scangen.py) at
each --dpi and --variant; the scan is parsed as `ogi parse` does (OCR, since it has no text
layer) and every cell compared with `--ocr never` on the source PDF:

    .venv/bin/python -m tools.ocr_accuracy [PDF...] [--dpi 150 200] [--variant clean jpeg60 ...]
                                           [--jobs N] [--show]
    .venv/bin/python -m tools.ocr_accuracy --real [DIR] [--dpi 150 200 300] [--variant seal binary ...]

--real scans the real reports of DIR (default ../shared/corpus/reports; skipped with a message
when absent) with the scanner variants of tests/scanreal.py (seal, faint, binary, jpeg35,
skew05/skew2, border, bleed, office = all together): PDFs as they are, text reports laid out
as PDFs first with the values their text parse reads. Where DIR/../expected holds the report's
hand-checked values, the column `expected` counts the cells the OCR reading gets right of them
(empty read as 0, as the scorer reads it) next to the text path's own count.

Per scan it prints: cells of the text layer with a value, how many OCR read exactly, how many
it left empty (flagged in log.csv or not), wrong values flagged (a low-confidence or identity
note names the cell), WRONG values written silently (the number that must stay 0), and exact
cells flagged all the same (false alarms). With
--show every cell that is not exact is listed with the log notes about it.
"""
from __future__ import annotations

import argparse
import glob
import multiprocessing as mp
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VARIANTS = ("clean", "jpeg60", "skew1", "rot90", "noise")
REAL_DIR = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "reports")


def _key(c) -> tuple:
    return (c["table"], c["row_key"], c["col_key"])


def compare(truth, got) -> dict:
    """Given the text-layer and the OCR `ParsedReport`s of one PDF, return the counts and the
    cells that are not exact: (key, label, truth, ocr value, flagged, notes)."""
    want = {_key(c): c for c in truth.cells if c["value"] != ""}
    have = {_key(c): c for c in got.cells}
    notes: dict = {}
    for n in got.log:
        if n["row_key"]:
            notes.setdefault((n["table"], n["row_key"], n["col_key"]), []).append(n["message"])
    row_notes = {}
    for n in got.log:
        if n["row_key"] and not n["col_key"]:
            row_notes.setdefault((n["table"], n["row_key"]), []).append(n["message"])
    out = {"cells": len(want), "exact": 0, "empty_flagged": 0, "empty_silent": 0,
           "wrong_flagged": 0, "wrong_silent": 0, "extra_silent": 0, "exact_flagged": 0,
           "misses": []}
    for k, c in want.items():
        v = have.get(k, {}).get("value", "")
        flagged = k in notes or (k[0], k[1]) in row_notes
        if v == c["value"]:
            out["exact"] += 1
            out["exact_flagged"] += flagged
            continue
        kind = ("empty" if v == "" else "wrong") + ("_flagged" if flagged else "_silent")
        out[kind] += 1
        out["misses"].append((k, c.get("row_label", ""), c["value"], v, kind, notes.get(k, [])))
    for k, c in have.items():
        if k not in want and c["value"] != "" and k not in notes:
            out["extra_silent"] += 1
            out["misses"].append((k, c.get("row_label", ""), "", c["value"], "extra_silent", []))
    out["template"] = (truth.report.get("template"), got.report.get("template"))
    return out


def expected_right(expected: dict, rep) -> int:
    """Of a report's hand-checked cells ("table/row/col" -> value), how many `rep` reads right,
    an empty or missing cell read as 0 (score.py's rule)."""
    have = {"/".join(_key(c)): c["value"] for c in rep.cells}
    num = lambda v: float(v) if v not in ("", None) else 0.0
    return sum(1 for k, v in expected.items() if abs(num(have.get(k, "")) - num(v)) < 1e-6)


def _run(job) -> tuple:
    src, dpi, variant, tmp, real = job[:5]
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import scangen
    import scanreal
    from pipeline.report import parse_file
    name = os.path.splitext(os.path.basename(src))[0]
    gen = scanreal if real else scangen
    scan = gen.scan_pdf(src, os.path.join(tmp, f"{name}-{dpi}-{variant}.pdf"), dpi, variant)
    truth = parse_file(job[5] if real else src, ocr="never")
    got = parse_file(scan)
    r = compare(truth, got)
    if real and job[6]:
        r["expected"] = f"{expected_right(job[6], got)}/{expected_right(job[6], truth)}/{len(job[6])}"
    return name, dpi, variant, r


def real_jobs(folder: str, dpis, variants, tmp: str) -> list:
    """Jobs for the real reports of `folder`: (scan source PDF, dpi, variant, tmp, True, the
    report itself, its expected cells or {}); text reports laid out as PDFs here, once."""
    import json
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import scanreal
    from pipeline.report import parse_file
    jobs = []
    for path in sorted(glob.glob(os.path.join(folder, "*"))):
        stem, ext = os.path.splitext(os.path.basename(path))
        if ext.lower() not in (".pdf", ".txt", ".md", ".html", ".htm", ".docx"):
            continue
        src = path
        if ext.lower() != ".pdf":
            src = scanreal.report_pdf(parse_file(path, ocr="never"), os.path.join(tmp, stem + ".pdf"), tmp)
            if not src:
                continue
        exp_path = os.path.join(os.path.dirname(os.path.abspath(folder)), "expected", stem + ".json")
        expected = json.load(open(exp_path, encoding="utf-8"))["cells"] if os.path.isfile(exp_path) else {}
        jobs += [(src, d, v, tmp, True, path, expected) for d in dpis for v in variants]
    return jobs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--dpi", type=int, nargs="+", default=[150])
    ap.add_argument("--variant", nargs="+", default=None)
    ap.add_argument("--real", nargs="?", const=REAL_DIR, default=None, metavar="DIR",
                    help="scan the real reports of DIR with the scanner variants (tests/scanreal.py)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="list every cell that is not exact")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    tmp = tempfile.mkdtemp(prefix="ocr_accuracy_")
    if args.real:
        sys.path.insert(0, os.path.join(ROOT, "tests"))
        import scanreal
        variants = args.variant or list(scanreal.VARIANTS)
        ap_bad = [v for v in variants if v not in scanreal.VARIANTS]
        if ap_bad:
            ap.error(f"unknown real-scan variant(s) {ap_bad}; choose from {list(scanreal.VARIANTS)}")
        if not os.path.isdir(args.real):
            print(f"no real reports at {args.real}: nothing to scan")
            return 0
        jobs = real_jobs(args.real, args.dpi, variants, tmp)
    else:
        variants = args.variant or ["clean"]
        if any(v not in VARIANTS for v in variants):
            ap.error(f"variants are {list(VARIANTS)} (with --real: those of tests/scanreal.py)")
        pdfs = args.pdfs or sorted(glob.glob(os.path.join(ROOT, "fixtures", "pdf", "*.pdf")))
        jobs = [(p, d, v, tmp, False) for p in pdfs for d in args.dpi for v in variants]
    if args.jobs > 1:
        with mp.get_context("fork").Pool(args.jobs) as pool:
            results = pool.map(_run, jobs, chunksize=1)
    else:
        results = [_run(j) for j in jobs]
    cols = ("cells", "exact", "empty_flagged", "empty_silent", "wrong_flagged", "wrong_silent", "extra_silent",
            "exact_flagged")
    print(f"{'scan':<34}" + "".join(f"{c:>14}" for c in cols) + ("    expected ocr/text/all" if args.real else ""))
    total = dict.fromkeys(cols, 0)
    for name, dpi, variant, r in results:
        tag = f"{name} {dpi} {variant}" + ("" if r["template"][0] == r["template"][1] else f" (template {r['template'][1]})")
        print(f"{tag:<34}" + "".join(f"{r[c]:>14}" for c in cols) + (f"    {r['expected']}" if "expected" in r else ""))
        for c in cols:
            total[c] += r[c]
        if args.show:
            for k, label, want, got, kind, notes in r["misses"]:
                print(f"    {kind:<14} {'/'.join(k):<48} want {want!r:<10} got {got!r:<10} {label[:20]}"
                      + (f"  [{'; '.join(n[:70] for n in notes)}]" if notes else ""))
    print(f"{'total':<34}" + "".join(f"{total[c]:>14}" for c in cols))
    return 1 if total["wrong_silent"] or total["extra_silent"] else 0


if __name__ == "__main__":
    sys.exit(main())
