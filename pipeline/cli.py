"""`ogi`: the command line.

    ogi parse PATH... [--out DIR] [--format FMT] [--template 2019|2021] [--no-bom]
                      [--workers N] [--timeout S] [--max-memory MB] [--force] [--retry-failed]
                      [--dask ADDRESS|local] [--quiet] [--no-review] [--review-all]
    ogi review OUT_DIR [--review-all] [--quiet]

Reads every report under the given files and folders (recursively) in parallel
(`pipeline.batch`), writes the outputs of shared/reference/output-contract.md to DIR, prints a
summary, and exits 0 when every file was read (non-zero when any failed). Runs resume: see
`pipeline.batch`.
"""
from __future__ import annotations

import argparse
import os
import sys

from . import __version__


def cmd_parse(args) -> int:
    import signal

    from .batch import run

    def _terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _terminate)  # `kill`: stop as cleanly as Ctrl-C
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a shell
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        summary = run(args.paths, args.out, workers=args.workers, timeout=args.timeout,
                      max_memory_mb=args.max_memory or None, fmt=args.fmt, template=args.template,
                      bom=not args.no_bom, force=args.force, retry_failed=args.retry_failed, dask=args.dask,
                      quiet=args.quiet, max_files_per_worker=args.max_files_per_worker)
    except KeyboardInterrupt:
        print("ogi: interrupted; finished files are kept in the state, run the same command again to complete",
              file=sys.stderr)
        return 130
    status = summary["status"]
    if not args.quiet:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
        print(f"{summary['files']} files: {parts or 'none'}; {summary['checks_failed']} failed checks; "
              f"{summary['parsed']} parsed, {summary['reused']} reused from earlier runs, {summary['duplicates']} "
              f"duplicate files; outputs in {args.out}")
        if status.get("failed"):
            print(f"ogi: {status['failed']} files failed; reasons in reports.csv and {os.path.join(args.out, 'ogi.log')}",
                  file=sys.stderr)
    if not args.no_review:
        _review(args.out, args.review_all, args.quiet)
    if getattr(args, "dataset", None):
        from ogi.dataset.build import update
        ds = update(args.dataset, [args.out], agencies_csv=args.agencies, bom=not args.no_bom)
        if not args.quiet:
            print(f"dataset {args.dataset}: {ds['agencies']} agencies, {ds['reports']} reports, {ds['cells']} cells")
    return 1 if status.get("failed") else 0


def _review(out: str, everything: bool, quiet: bool) -> dict:
    from .review import build_site

    stats = build_site(out, everything=everything)
    if not quiet:
        print(f"review: {stats['reports']} reports ({stats['reviewed']} to review, {stats['images']} page images, "
              f"{stats['bytes'] / 1e6:.1f} MB) in {stats['seconds']:.1f} s; open {os.path.join(stats['path'], 'index.html')}")
    return stats


def cmd_review(args) -> int:
    if not os.path.exists(os.path.join(args.out_dir, "reports.csv")):
        print(f"ogi: {args.out_dir} has no reports.csv: give the output folder of `ogi parse`", file=sys.stderr)
        return 2
    _review(args.out_dir, args.review_all, args.quiet)
    return 0


def cmd_dataset(args) -> int:
    from ogi.dataset.build import update

    for d in args.runs:
        if not os.path.exists(os.path.join(d, "reports.csv")):
            print(f"ogi: {d}: no reports.csv (not an `ogi parse` output folder)", file=sys.stderr)
            return 2
    s = update(args.out, args.runs, agencies_csv=args.agencies, bom=not args.no_bom)
    failed = ", ".join(f"{k} {v}" for k, v in sorted(s["cross_year_failed"].items())) or "none"
    print(f"dataset {args.out}: {s['agencies']} agencies, {s['reports']} reports, {s['cells']} cells, "
          f"{s['indicators']} indicator values, {s['versions']} version differences; cross-year warnings: {failed} "
          f"({s['seconds']} s)")
    return 0


def cmd_show(args) -> int:
    from ogi.dataset.show import main as show
    return show(args)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"parse": cmd_parse, "review": cmd_review, "dataset": cmd_dataset, "show": cmd_show}[args.command](args)


def _template_id(value: str) -> str:
    """A template id of the registry (loaded only when --template is given: help stays fast)."""
    from .templates import load

    if value not in load():
        raise argparse.ArgumentTypeError(f"unknown template {value!r} (known: {', '.join(load())})")
    return value


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ogi",
        description="Turn 政府信息公开工作年度报告 (open government information annual reports) into "
                    "normalized CSV tables with a consistency-check log.")
    ap.add_argument("--version", action="version", version=f"ogi-reports {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "parse", help="parse report files and folders into CSV outputs",
        description="Parse reports (text, Markdown, PDF with a text layer, HTML, Word) found in the given files "
                    "and folders (searched recursively) and write cells.csv, reports.csv, checks.csv, log.csv, "
                    "wide/<table>.csv and run.json to the output folder.",
        epilog="Runs are resumable: the output folder's state/ records every parsed file by SHA-256, so running "
               "the same command again (e.g. after Ctrl-C or a crash) parses only what is missing. Exit status: 0 "
               "when every file was read (ok, partial or not_a_report), 1 when any file failed, 130 when "
               "interrupted.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--out", "-o", default="outputs", metavar="DIR", help="output folder (default: outputs)")
    p.add_argument("--format", "-f", dest="fmt", choices=["text", "pdf", "html", "docx", "doc"],
                   help="force the input format instead of detecting it from the file's content")
    p.add_argument("--template", type=_template_id, metavar="ID",
                   help="force the report template (an id of the template registry, "
                        "pipeline/data/templates.toml) instead of detecting it from the table labels")
    p.add_argument("--no-bom", action="store_true",
                   help="write CSV without the UTF-8 byte-order mark (default: with BOM, so Excel opens it)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors (no progress bar)")
    p.add_argument("--workers", "-j", type=int, default=None, metavar="N",
                   help="parallel worker processes (default: the number of cores)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="time limit per file; a file over it is recorded failed (default: 120; 0: none)")
    p.add_argument("--max-memory", type=int, default=2048, metavar="MB",
                   help="memory limit per worker while parsing a file; a file over it is recorded failed "
                        "(default: 2048; 0: none)")
    p.add_argument("--no-review", action="store_true",
                   help="do not write the review site (review/ in the output folder; see `ogi review`)")
    p.add_argument("--review-all", action="store_true",
                   help="review site: a full page with the source view for every report, not only those with "
                        "something to review (writes a page image per PDF page that holds a cell)")
    p.add_argument("--max-files-per-worker", type=int, default=500, metavar="N",
                   help="replace each worker process after N files, so memory stays flat on long runs "
                        "(default: 500; 0: never)")
    p.add_argument("--force", action="store_true",
                   help="re-parse every file, even those already recorded in the output folder's state")
    p.add_argument("--retry-failed", action="store_true",
                   help="re-parse files recorded as failed in earlier runs (e.g. after a timeout)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run the work on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' to "
                        "start a local cluster with --workers processes (needs the 'cluster' extra)")
    p.add_argument("--dataset", metavar="DIR",
                   help="when the run finishes, merge its outputs into the dataset folder DIR (see `ogi dataset`)")
    p.add_argument("--agencies", metavar="FILE", help="with --dataset: agency-identity overrides (see `ogi dataset`)")
    _dataset_parsers(sub)
    r = sub.add_parser(
        "review", help="write the review site of a finished run (OUT_DIR/review/index.html)",
        description="Write OUT_DIR/review/: a static site (opens by double-click, no server, no network) with an "
                    "index of every report of the run and a page per report showing its tables coloured by each "
                    "cell's state beside the source (PDF page image with the cell's box, text lines, or the "
                    "HTML/Word table), failed checks with their cells and every log entry. `ogi parse` writes it "
                    "too unless --no-review.",
        epilog="Source views and PDF page images are made only for reports with something to review (status not "
               "ok, a failed check, a warning, an ambiguous cell) unless --review-all; the source files must still "
               "be at the paths in reports.csv.")
    r.add_argument("out_dir", metavar="OUT_DIR", help="output folder of `ogi parse`")
    r.add_argument("--review-all", action="store_true",
                   help="build the full page with the source view for every report")
    r.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    return ap


def _dataset_parsers(sub) -> None:
    d = sub.add_parser(
        "dataset", help="merge ogi parse output folders into one comparison dataset",
        description="Merge the outputs of any number of `ogi parse` runs into the dataset folder DIR: ogi.duckdb "
                    "(DuckDB), parquet/<table>.parquet, csv/<table>.csv and datapackage.json, with one agency_id per "
                    "body across years, GB/T 2260 regions, canonical versions, harmonized indicators and cross-year "
                    "checks. Adding a run twice changes nothing.")
    d.add_argument("runs", nargs="+", metavar="RUN_DIR", help="ogi parse output folders")
    d.add_argument("--out", "-o", required=True, metavar="DIR", help="dataset folder (created or updated)")
    d.add_argument("--agencies", metavar="FILE",
                   help="CSV with columns name,agency_id: names (as printed or normalized) whose agency_id you set")
    d.add_argument("--no-bom", action="store_true", help="write the CSV tables without the UTF-8 byte-order mark")
    s = sub.add_parser("show", help="show an agency's or a region's indicators year by year, or write them to Excel",
                       description="Print a year-by-year table of the main indicators of the agencies selected from a "
                                   "dataset folder, or write the selection (every table) to an Excel file.")
    s.add_argument("dir", metavar="DIR", help="dataset folder built by `ogi dataset`")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--agency", metavar="NAME|ID", help="agency_id, or a name as printed (exact or part of it)")
    g.add_argument("--region", metavar="CODE", help="GB/T 2260 code: every agency in that division")
    s.add_argument("--xlsx", metavar="FILE", help="write the selection's panel to FILE (one sheet per table)")


if __name__ == "__main__":
    sys.exit(main())
