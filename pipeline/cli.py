"""`ogi`: the command line.

    ogi parse PATH... [--out DIR] [--format FMT] [--template 2019|2021] [--no-bom]

Reads every report under the given files and folders (recursively), writes the outputs of
shared/reference/output-contract.md to DIR, prints a summary, and exits 0 when every file
was read (non-zero when any failed).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import datetime, timezone

from . import __version__
from .report import parse_file
from .writers import OutputWriter

SKIP_NAMES = {".DS_Store", "Thumbs.db"}


def iter_inputs(paths: list[str]) -> list[str]:
    """Files under the given paths, recursively, in a stable order; hidden files skipped."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and f not in SKIP_NAMES and not f.endswith(".expected.json"):
                        out.append(os.path.join(root, f))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise SystemExit(f"ogi: no such file or folder: {p}")
    return out


def cmd_parse(args) -> int:
    files = iter_inputs(args.paths)
    os.makedirs(args.out, exist_ok=True)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    writer = OutputWriter(args.out, bom=not args.no_bom)
    status = Counter()
    failed_checks = 0
    try:
        for k, path in enumerate(files, 1):
            parsed = parse_file(path, args.fmt, args.template)
            writer.add(parsed)
            r = parsed.report
            status[r["status"]] += 1
            failed_checks += int(r["checks_failed"] or 0)
            if not args.quiet and r["status"] == "failed":
                print(f"ogi: {path}: {r['error']}", file=sys.stderr)
    except BaseException:
        writer.abort()
        raise
    run = {"tool": "ogi-reports", "version": __version__, "command": "parse",
           "options": {"paths": args.paths, "out": args.out, "format": args.fmt, "template": args.template,
                       "bom": not args.no_bom},
           "started": started.isoformat(timespec="seconds"),
           "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "seconds": round(time.perf_counter() - t0, 3), "files": len(files), "status": dict(status),
           "checks_failed": failed_checks}
    writer.close(run)
    if not args.quiet:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
        print(f"{len(files)} files: {parts or 'none'}; {failed_checks} failed checks; outputs in {args.out}")
    return 1 if status.get("failed") else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return cmd_parse(args)


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
        epilog="Exit status: 0 when every file was read (ok, partial or not_a_report), 1 when any file failed.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--out", "-o", default="outputs", metavar="DIR", help="output folder (default: outputs)")
    p.add_argument("--format", "-f", dest="fmt", choices=["text", "pdf", "html", "docx", "doc"],
                   help="force the input format instead of detecting it from the file's content")
    p.add_argument("--template", choices=["2019", "2021"],
                   help="force the report template instead of detecting it from the table labels")
    p.add_argument("--no-bom", action="store_true",
                   help="write CSV without the UTF-8 byte-order mark (default: with BOM, so Excel opens it)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    return ap


if __name__ == "__main__":
    sys.exit(main())
