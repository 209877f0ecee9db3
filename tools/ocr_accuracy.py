"""OCR accuracy on whole documents: image-only scans of the fixture PDFs read by OCR, compared
cell by cell with the text-layer reading of the same PDF.

Every fixture PDF (or the PDFs given) is rendered to an image-only PDF (tests/scangen.py) at
each --dpi and --variant; the scan is parsed as `ogi parse` does (OCR, since it has no text
layer) and every cell compared with `--ocr never` on the source PDF:

    .venv/bin/python -m tools.ocr_accuracy [PDF...] [--dpi 150 200] [--variant clean jpeg60 ...]
                                           [--jobs N] [--show]

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


def _run(job) -> tuple:
    src, dpi, variant, tmp = job
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import scangen
    from pipeline.report import parse_file
    name = os.path.splitext(os.path.basename(src))[0]
    scan = scangen.scan_pdf(src, os.path.join(tmp, f"{name}-{dpi}-{variant}.pdf"), dpi, variant)
    truth = parse_file(src, ocr="never")
    got = parse_file(scan)
    return name, dpi, variant, compare(truth, got)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--dpi", type=int, nargs="+", default=[150])
    ap.add_argument("--variant", nargs="+", default=["clean"], choices=VARIANTS)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="list every cell that is not exact")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    pdfs = args.pdfs or sorted(glob.glob(os.path.join(ROOT, "fixtures", "pdf", "*.pdf")))
    tmp = tempfile.mkdtemp(prefix="ocr_accuracy_")
    jobs = [(p, d, v, tmp) for p in pdfs for d in args.dpi for v in args.variant]
    if args.jobs > 1:
        with mp.get_context("fork").Pool(args.jobs) as pool:
            results = pool.map(_run, jobs, chunksize=1)
    else:
        results = [_run(j) for j in jobs]
    cols = ("cells", "exact", "empty_flagged", "empty_silent", "wrong_flagged", "wrong_silent", "extra_silent",
            "exact_flagged")
    print(f"{'scan':<34}" + "".join(f"{c:>14}" for c in cols))
    total = dict.fromkeys(cols, 0)
    for name, dpi, variant, r in results:
        tag = f"{name} {dpi} {variant}" + ("" if r["template"][0] == r["template"][1] else f" (template {r['template'][1]})")
        print(f"{tag:<34}" + "".join(f"{r[c]:>14}" for c in cols))
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
