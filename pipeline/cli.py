"""`ogi`: the command line.

    ogi parse PATH... [--out DIR] [--format FMT] [--template 2019|2021] [--no-bom]
                      [--workers N] [--timeout S] [--max-memory MB] [--force] [--retry-failed]
                      [--dask ADDRESS|local] [--quiet]

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
    return 1 if status.get("failed") else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return cmd_parse(args)


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
    return ap


if __name__ == "__main__":
    sys.exit(main())
