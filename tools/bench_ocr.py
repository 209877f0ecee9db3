"""OCR benchmark: pages per second per core and peak memory of the OCR reader, side by side with
the text-layer reader on the same pages.

Every fixture PDF (or the PDFs given) is rendered to an image-only PDF at --dpi (pypdfium2 +
Pillow, see tests/scangen.py); each reading runs in a fresh process, one thread (one worker's
share), timed in CPU seconds, its peak resident memory taken from the kernel.

    .venv/bin/python -m tools.bench_ocr [PDF...] [--dpi 150] [--variant clean] [--baseline DIR]
    .venv/bin/python -m tools.bench_ocr [PDF...] --accuracy [--variant clean,jpeg60,...]
    .venv/bin/python -m tools.bench_ocr [PDF...] --profile

With --accuracy, nothing is timed: `tools.ocr_accuracy` compares each scan's whole-document
reading cell by cell with the text-layer reading of the same PDF (`--ocr never`): cells exact,
left empty, and written wrong (with or without a flag in log.csv). With --profile, the
CPU seconds a page of each stage (render, model load, detection, recognition, skew, rules).

With --baseline DIR (a checkout of another revision, e.g. `git worktree add /tmp/base dc0ea04`),
every scan is also read by that revision's reader, alternating with this one, and the ratio
of their CPU seconds a page is printed.
"""
from __future__ import annotations

import argparse
import glob
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(path: str, mode: str, q, root: str = ROOT) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, root)
    import parsers
    t0 = time.process_time()
    doc = parsers.read(path, ocr=mode)
    cpu = time.process_time() - t0
    ocr_pages = sum(1 for w in doc.warnings if "read by OCR" in w)
    cells = sum(len(t.cells) for t in doc.tables)
    q.put((cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, ocr_pages, doc.pages, cells))


def _read_all(paths: list[str], mode: str, q, root: str = ROOT) -> None:
    """Every file in one process, as one batch worker reads them (one engine, loaded once)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, root)
    import parsers
    t0, sys0 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime
    ocr_pages = 0
    for path in paths:
        doc = parsers.read(path, ocr=mode)
        ocr_pages += sum(1 for w in doc.warnings if "read by OCR" in w)
    use = resource.getrusage(resource.RUSAGE_SELF)
    q.put((time.process_time() - t0, use.ru_maxrss / 1024, ocr_pages, use.ru_stime - sys0))


def measure(path, mode: str, root: str = ROOT) -> tuple:
    """One fresh process reads `path` (a list: every file in the same process); its CPU seconds,
    peak RSS (MB) and counts."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_read_all if isinstance(path, list) else _read, args=(path, mode, q, root))
    p.start()
    res = q.get()
    p.join()
    return res


STAGES = (("parsers.ocr", "pdf_page_blocks", "page (render + everything below)"),
          ("parsers.ocr.page", "read_page", "page image read (all but rendering)"),
          ("parsers.ocr.engine", "engine", "model load"),
          ("parsers.ocr.engine", "detect", "text-box detection (model + pre/post)"),
          ("parsers.ocr.engine", "_read_strip", "recognition strips (model + decode)"),
          ("parsers.ocr.image", "skew_angle", "skew search"),
          ("parsers.ocr.image", "rulings", "ruling lines"),
          ("parsers.ocr.image", "ink", "binarizing"),
          ("parsers.ocr", "has_rulings", "low-resolution scout"))


def profile(scans: list[str]) -> None:
    """CPU seconds a page by stage, every scan read in this process: each stage's function is
    wrapped with a timer (a stage inside another is counted in both)."""
    import importlib
    spent = {label: 0.0 for *_, label in STAGES}
    depth = {label: 0 for *_, label in STAGES}

    def timed(fn, label):
        def run(*a, **k):
            depth[label] += 1
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                depth[label] -= 1
                if not depth[label]:
                    spent[label] += time.process_time() - t
        return run
    for mod, name, label in STAGES:
        m = importlib.import_module(mod)
        setattr(m, name, timed(getattr(m, name), label))
    import parsers
    t0, pages = time.process_time(), 0
    for scan in scans:
        doc = parsers.read(scan, ocr="auto")
        pages += sum(1 for w in doc.warnings if "read by OCR" in w)
    total = time.process_time() - t0
    print(f"{pages} pages in {total:.1f} CPU s (one process, engine loaded once): {total / max(pages, 1):.2f} s a page")
    for label, sec in spent.items():
        print(f"  {label:40} {sec / max(pages, 1):6.3f} s a page  ({100 * sec / total:4.1f}%)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--variant", default="clean")
    ap.add_argument("--baseline", help="checkout of another revision to read the same scans with")
    ap.add_argument("--accuracy", action="store_true",
                    help="compare each scan's cells with the text layer's instead of timing (--variant may list several)")
    ap.add_argument("--profile", action="store_true", help="CPU seconds a page by stage instead (one process)")
    args = ap.parse_args(argv)
    from tests import scangen
    pdfs = args.pdfs or sorted(glob.glob(os.path.join(ROOT, "fixtures", "pdf", "*.pdf")))
    tmp = tempfile.mkdtemp(prefix="bench_ocr_")
    if args.accuracy:   # the cell-by-cell comparison is tools/ocr_accuracy's
        from tools import ocr_accuracy
        return ocr_accuracy.main([*pdfs, "--dpi", str(args.dpi), "--variant", *args.variant.split(",")])
    if args.profile:
        profile([scangen.scan_pdf(p, os.path.join(tmp, os.path.basename(p)), args.dpi, args.variant) for p in pdfs])
        return 0
    tot = {"ocr_cpu": 0.0, "text_cpu": 0.0, "ocr_pages": 0, "pages": 0}
    peak = {"ocr": 0.0, "text": 0.0}
    base = {"cpu": 0.0, "pages": 0, "peak": 0.0}
    print(f"{'file':34} {'pages':>5} {'ocr pages':>9} {'ocr cpu s':>9} {'text cpu s':>10} "
          f"{'ocr MB':>7} {'text MB':>7}")
    scans = []
    for pdf in pdfs:
        scan = scangen.scan_pdf(pdf, os.path.join(tmp, os.path.basename(pdf)), args.dpi, args.variant)
        scans.append(scan)
        o_cpu, o_mem, o_pages, pages, _ = measure(scan, "auto")
        t_cpu, t_mem, _, _, _ = measure(pdf, "never")
        print(f"{os.path.basename(pdf):34} {pages:5} {o_pages:9} {o_cpu:9.2f} {t_cpu:10.3f} {o_mem:7.0f} {t_mem:7.0f}")
        if args.baseline:
            b_cpu, b_mem, b_pages, _, _ = measure(scan, "auto", os.path.abspath(args.baseline))
            print(f"{'  baseline':34} {pages:5} {b_pages:9} {b_cpu:9.2f} {'':10} {b_mem:7.0f}")
            base["cpu"] += b_cpu; base["pages"] += b_pages; base["peak"] = max(base["peak"], b_mem)
        tot["ocr_cpu"] += o_cpu; tot["text_cpu"] += t_cpu
        tot["ocr_pages"] += o_pages; tot["pages"] += pages
        peak["ocr"] = max(peak["ocr"], o_mem); peak["text"] = max(peak["text"], t_mem)
    ocr_rate = tot["ocr_pages"] / tot["ocr_cpu"] if tot["ocr_cpu"] else 0.0
    text_rate = tot["pages"] / tot["text_cpu"] if tot["text_cpu"] else 0.0
    print(f"\nOCR: {tot['ocr_pages']} pages read by OCR in {tot['ocr_cpu']:.1f} CPU s = {ocr_rate:.3f} pages/s per core "
          f"(goal ≥ 1 at {args.dpi} dpi); peak {peak['ocr']:.0f} MB per worker (goal < 1024)")
    print(f"text layer: {tot['pages']} pages in {tot['text_cpu']:.2f} CPU s = {text_rate:.1f} pages/s per core; "
          f"peak {peak['text']:.0f} MB")
    if tot["ocr_pages"]:
        print(f"OCR: {tot['ocr_cpu'] / tot['ocr_pages']:.2f} CPU s a page")
    if base["pages"] and tot["ocr_pages"]:
        b_page = base["cpu"] / base["pages"]
        print(f"baseline {args.baseline}: {base['pages']} pages, {b_page:.2f} CPU s a page = {1 / b_page:.3f} pages/s "
              f"per core, peak {base['peak']:.0f} MB; this revision is {b_page / (tot['ocr_cpu'] / tot['ocr_pages']):.1f}× "
              "faster a page")
    if text_rate and ocr_rate:
        print(f"OCR is {text_rate / ocr_rate:.0f}× slower per page than the text layer")
    _one_worker(scans, tot["ocr_pages"], args.baseline)
    return 0


def _one_worker(scans: list[str], pages: int, baseline) -> None:
    """All scans read in one process (a batch worker keeps its engine across files): CPU
    seconds a page with the model loaded once, this revision and the baseline alternating,
    with the system time among them (page faults of memory taken and given back: a sign
    that allocations, not the models, cost the time)."""
    if not pages:
        return
    cpu, mem, _, sys_s = measure(scans, "auto")
    print(f"one worker, all {len(scans)} scans: {cpu:.1f} CPU s ({sys_s:.1f} of it system time) = "
          f"{cpu / pages:.2f} CPU s a page = {pages / cpu:.3f} pages/s per core, peak {mem:.0f} MB")
    if baseline:
        b_cpu, b_mem, _, b_sys = measure(scans, "auto", os.path.abspath(baseline))
        print(f"  baseline: {b_cpu:.1f} CPU s ({b_sys:.1f} system) = {b_cpu / pages:.2f} CPU s a page = "
              f"{pages / b_cpu:.3f} pages/s per core, peak {b_mem:.0f} MB; this revision is {b_cpu / cpu:.2f}× faster")


if __name__ == "__main__":
    sys.exit(main())
