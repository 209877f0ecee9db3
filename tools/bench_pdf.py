"""Benchmark (not a test): the whole pipeline on PDFs vs plain pdfplumber `extract_tables()` on
every page, on the same files in one run. Prints pages/s for both, their ratio, peak memory
(tracemalloc, Python allocations) and whether the tables are identical.

    python -m tools.bench_pdf [PDF ...] [--repeat N]

Default set: fixtures/pdf/*.pdf plus ../shared/corpus/reports/*.pdf where present.
"Identical tables": every table pdfplumber finds (cells with text) is found by the reader on
the same page with the same cell texts (whitespace ignored, radicals repaired on both sides).
"""
from __future__ import annotations

import argparse
import gc
import re
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def default_set() -> list[Path]:
    files = sorted(p for p in (ROOT / "fixtures" / "pdf").glob("*.pdf") if not p.name.startswith("bad_"))
    shared = ROOT.parent / "shared" / "corpus" / "reports"
    if shared.is_dir():
        files += sorted(shared.glob("*.pdf"))
    return files


def baseline(path: Path):
    import pdfplumber
    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            out.append((page.page_number, page.extract_tables()))
            page.close()
    return out


def pipeline(path: Path):
    try:
        from pipeline.report import parse_file
    except ImportError:  # before the pipeline lands: the reader alone
        from parsers import read
        return read(str(path))
    return parse_file(str(path))


def timed(fn, files, repeat):
    """Seconds for `repeat` passes (no tracing: tracemalloc slows allocation-heavy code unevenly),
    then the peak of Python allocations over one traced pass."""
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(repeat):
        for f in files:
            fn(f)
    dt = time.perf_counter() - t0
    tracemalloc.start()
    for f in files:
        fn(f)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak


def reader(path: Path):
    from parsers import read
    return read(str(path))


def _squash(s):
    from pipeline.normalize import fix_glyphs
    return re.sub(r"\s+", "", fix_glyphs(s or ""))


def compare(path: Path) -> tuple[int, int, int]:
    """(pdfplumber tables, of those reproduced cell for cell by the reader's page tables, of the
    rest those the reader holds whole with more cells: pdfplumber drops the cells of a table cut
    by a page break where the frame has no closing rule, which the reader closes)."""
    from parsers.pdf import page_tables
    ours = {}
    for t in page_tables(str(path)):
        ours.setdefault(t.page, []).append(sorted(_squash(s) for row in t.grid() for s in row if s is not None))
    from collections import Counter
    n = same = sup = 0
    for page, tables in baseline(path):
        for tb in tables:
            cells = sorted(_squash(s) for row in tb for s in row if s is not None)
            if len([c for c in cells if c]) < 2 or len(tb[0]) < 2:
                continue   # pdfplumber's one-column "tables" are frames around prose
            n += 1
            if any(cells == o for o in ours.get(page, [])):
                same += 1
            elif any(not (Counter(cells) - Counter(o)) for o in ours.get(page, [])):
                sup += 1
    return n, same, sup


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    files = [Path(p) for p in args.pdfs] or default_set()
    import logging
    logging.getLogger("pdfminer").setLevel(logging.ERROR)   # FontBBox chatter from the baseline
    import pypdfium2 as pdfium
    pages = 0
    for f in files:
        d = pdfium.PdfDocument(str(f))
        pages += len(d)
        d.close()
    pages *= args.repeat
    pipeline(files[0]); baseline(files[0])   # imports and first-call costs out of the timing
    t_base, m_base = timed(baseline, files, args.repeat)
    t_pipe, m_pipe = timed(pipeline, files, args.repeat)
    t_read, m_read = timed(reader, files, args.repeat)
    print(f"{len(files)} PDFs, {pages // args.repeat} pages, x{args.repeat}")
    print(f"PDF reader alone (parsers.pdf.read):               {pages / t_read:8.1f} pages/s  peak {m_read / 2**20:6.1f} MiB"
          f"  ({t_base / t_read:.1f}x)")
    print(f"baseline pdfplumber extract_tables, every page: {pages / t_base:8.1f} pages/s  peak {m_base / 2**20:6.1f} MiB")
    print(f"pipeline (parse_file: reader + extract + checks): {pages / t_pipe:8.1f} pages/s  peak {m_pipe / 2**20:6.1f} MiB")
    print(f"speed-up: {t_base / t_pipe:.1f}x")
    tot = ok = more = 0
    for f in files:
        n, same, sup = compare(f)
        tot += n; ok += same; more += sup
        print(f"  {f.name}: pdfplumber tables {n}, identical in reader {same}"
              + (f", reader holds all its cells and more {sup}" if sup else ""))
    print(f"identical tables: {ok}/{tot}; all pdfplumber cells plus cells it drops at a page break: {more}; "
          f"different: {tot - ok - more}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
