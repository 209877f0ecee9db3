"""`ogi parse`: its options (each validated with a clear error) and its run.

Given the parsed arguments, run `pipeline.batch.run`, print the summary (a one-line failure
summary on stderr even with --quiet) and return the exit status of `pipeline.cli`.
"""
from __future__ import annotations

import argparse
import os
import sys

from .cli import EXIT_FILE_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE

FORMATS = ["text", "pdf", "html", "docx", "doc", "image"]


def _template_id(value: str) -> str:
    """A template id of the registry (loaded only when --template is given: help stays fast)."""
    from .era_a.template import load as era_a
    from .templates import load

    known = [*load(), era_a().id]     # the national templates and era A's (its own data file)
    if value not in known:
        raise argparse.ArgumentTypeError(f"unknown template {value!r} (known: {', '.join(known)})")
    return value


def _whole(minimum: int, what: str):
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {s!r}")
        if v < minimum:
            raise argparse.ArgumentTypeError(f"{what} must be at least {minimum}, not {v}")
        return v
    return parse


def _seconds(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {s!r}")
    if not 0 <= v < float("inf"):
        raise argparse.ArgumentTypeError(f"must be ≥ 0 seconds (0: no limit), not {s}")
    return v


def _megabytes(s: str) -> int:
    v = _whole(0, "--max-memory")(s)
    if 0 < v < 64:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or at least 64 MB, not {v}")
    return v


def _dask_address(s: str) -> str:
    if s != "local" and "://" not in s and ":" not in s:
        raise argparse.ArgumentTypeError(f"must be a scheduler address such as tcp://host:8786, or 'local', not {s!r}")
    return s


EPILOG = ("Runs are resumable: the output folder's state/ records every parsed file by SHA-256, so running the "
          "same command again (e.g. after Ctrl-C or a crash) parses only what is missing. Exit status: "
          f"{EXIT_OK} every file was read (ok, partial or not_a_report); {EXIT_FILE_FAILED} some file failed (the "
          f"reasons are in reports.csv); {EXIT_USAGE} bad arguments; {EXIT_LOCKED} another run is using the output "
          f"folder; {EXIT_INTERNAL} the run itself failed (nothing published); {EXIT_INTERRUPTED} interrupted.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Parse reports (text, Markdown, PDF with a text layer, HTML, Word) found in the given files "
                     "and folders (searched recursively) and write cells.csv, reports.csv, checks.csv, log.csv, "
                     "wide/<table>.csv and run.json to the output folder.")
    p.epilog = EPILOG
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--out", "-o", default="outputs", metavar="DIR", help="output folder (default: outputs)")
    p.add_argument("--format", "-f", dest="fmt", choices=FORMATS,
                   help="force the input format instead of detecting it from the file's content")
    p.add_argument("--template", type=_template_id, metavar="ID",
                   help="force the report template (an id of the template registry, "
                        "pipeline/data/templates.toml) instead of detecting it from the table labels")
    p.add_argument("--ocr", choices=["never", "auto", "always"], default="auto",
                   help="read PDF pages from their image: auto (default) for pages without a usable text layer "
                        "(scans, glyphs without a Unicode map); always; never. Image files (PNG, JPEG, TIFF) "
                        "are always read by OCR (needs the 'ocr' extra)")
    p.add_argument("--no-bom", action="store_true",
                   help="write CSV without the UTF-8 byte-order mark (default: with BOM, so Excel opens it)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar and no summary; a one-line failure summary still goes to stderr")
    p.add_argument("--workers", "-j", type=_whole(1, "--workers"), default=None, metavar="N",
                   help="parallel worker processes (default: the number of cores)")
    p.add_argument("--timeout", type=_seconds, default=120.0, metavar="SECONDS",
                   help="time limit per file, reading included; a file over it is recorded failed "
                        "(default: 120; 0: none)")
    p.add_argument("--max-memory", type=_megabytes, default=2048, metavar="MB",
                   help="memory limit per worker while parsing a file; a file over it is recorded failed "
                        "(default: 2048; 0: none)")
    p.add_argument("--max-files-per-worker", type=_whole(0, "--max-files-per-worker"), default=2000, metavar="N",
                   help="replace each worker process after N files, so memory stays flat on long runs "
                        "(default: 2000; 0: never)")
    p.add_argument("--no-review", action="store_true",
                   help="do not write the review site (review/ in the output folder; see `ogi review`)")
    p.add_argument("--review-all", action="store_true",
                   help="review site: a full page with the source view for every report, not only those with "
                        "something to review (writes a page image per PDF page that holds a cell)")
    p.add_argument("--force", action="store_true",
                   help="re-parse every file, even those already recorded in the output folder's state")
    p.add_argument("--retry-failed", action="store_true",
                   help="re-parse files recorded as failed in earlier runs (e.g. after a timeout)")
    p.add_argument("--dataset", metavar="DIR",
                   help="when the run finishes, merge its outputs into the dataset folder DIR (see `ogi dataset`)")
    p.add_argument("--agencies", metavar="FILE", help="with --dataset: agency-identity overrides (see `ogi dataset`)")
    p.add_argument("--dask", metavar="ADDRESS", type=_dask_address,
                   help="run the work on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' to "
                        "start a local cluster with --workers processes (needs the 'cluster' extra)")


def main(args) -> int:
    """Run the parse (its first worker was forked by `pipeline.cli` before these options were
    even read, see `cli._runs_a_parse`)."""
    import signal

    from .batch import OutputLocked, UsageError, run

    def _terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _terminate)  # `kill`: stop as cleanly as Ctrl-C
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a shell
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        summary = run(args.paths, args.out, workers=args.workers, timeout=args.timeout,
                      max_memory_mb=args.max_memory or None, fmt=args.fmt, template=args.template, ocr=args.ocr,
                      bom=not args.no_bom, force=args.force, retry_failed=args.retry_failed, dask=args.dask,
                      quiet=args.quiet, max_files_per_worker=args.max_files_per_worker,
                      review=not args.no_review, review_all=args.review_all)
    except KeyboardInterrupt:
        print("ogi: interrupted; finished files are kept in the state, run the same command again to complete",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as e:
        print(f"ogi parse: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except OutputLocked as e:
        print(f"ogi: {e}", file=sys.stderr)
        return EXIT_LOCKED
    except Exception as e:
        import traceback
        traceback.print_exc()
        print(f"ogi: the run failed: {type(e).__name__}: {e}; nothing was published, the state keeps every "
              "finished file", file=sys.stderr)
        return EXIT_INTERNAL
    status = summary["status"]
    if "review" in summary and not args.quiet:
        from .cmd_review import print_stats
        print_stats(summary["review"])
    if args.dataset:
        from ogi.dataset.commands import update_after_parse
        update_after_parse(args)
    if not args.quiet:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
        print(f"{summary['files']} files: {parts or 'none'}; {summary['checks_failed']} failed checks; "
              f"{summary['parsed']} parsed, {summary['reused']} reused from earlier runs, {summary['duplicates']} "
              f"duplicate files; outputs in {args.out}")
    if status.get("failed"):
        print(f"ogi: {status['failed']} of {summary['files']} files failed; reasons in "
              f"{os.path.join(args.out, 'reports.csv')} and {os.path.join(args.out, 'ogi.log')}", file=sys.stderr)
        return EXIT_FILE_FAILED
    return EXIT_OK
