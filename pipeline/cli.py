"""`ogi`: the command line.

    ogi parse PATH... [--out DIR] [--format FMT] [--template 2019|2021] [--no-bom]
                      [--workers N] [--timeout S] [--max-memory MB] [--max-files-per-worker N]
                      [--force] [--retry-failed] [--dask ADDRESS|local] [--quiet] [--no-review] [--review-all]
    ogi review OUT_DIR [--review-all] [--quiet]
    ogi keys          print the codebook (every output file, column and key)

Given the arguments, run one subcommand and return its exit status (`EXIT_*` below). Each
subcommand lives in `SUBCOMMANDS`: a module path whose `add_arguments(parser)` declares its
options and whose `main(args) -> int` runs it; a module is imported only when its subcommand
runs (or, for its options, when `ogi <subcommand> --help` asks), so `ogi --help` imports no
reader and starts fast. A new subcommand is one line in `SUBCOMMANDS` and one module.
"""
from __future__ import annotations

import importlib
import os
import sys

from . import __version__

# exit statuses (documented in README and `ogi parse --help`)
EXIT_OK = 0            # every file was read (ok, partial or not_a_report)
EXIT_FILE_FAILED = 1   # the run completed, but at least one file failed (reasons in reports.csv)
EXIT_USAGE = 2         # bad arguments: an invalid option, no such input path
EXIT_LOCKED = 3        # another run is using the output folder
EXIT_INTERNAL = 4      # the run itself failed (a bug, a full disk): nothing was published
EXIT_INTERRUPTED = 130  # Ctrl-C or kill: finished files are kept, the same command completes the run

# name -> (module implementing add_arguments/main, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("pipeline.cmd_parse", "parse report files and folders into CSV outputs"),
    "review": ("pipeline.cmd_review", "write the review site of a finished run (OUT_DIR/review/index.html)"),
    "keys": ("pipeline.codebook", "print the codebook: every output file, column, row key and column key"),
    "dataset": ("ogi.dataset.commands", "merge ogi parse output folders into one comparison dataset"),
    "show": ("ogi.dataset.show", "show an agency's or a region's indicators year by year, or write them to Excel"),
}


def _parser(argv: list[str]):
    import argparse   # after the early fork of `ogi parse` (see `_runs_a_parse`)

    ap = argparse.ArgumentParser(
        prog="ogi",
        description="Turn 政府信息公开工作年度报告 (open government information annual reports) into "
                    "normalized CSV tables with a consistency-check log.",
        epilog="Run `ogi COMMAND --help` for a command's options.")
    ap.add_argument("--version", action="version", version=f"ogi-reports {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name == chosen:  # only the chosen subcommand's module is imported, for its options
            importlib.import_module(module).add_arguments(p)
    return ap


def _runs_a_parse(argv: list[str]) -> bool:
    """Will `argv` run a parse on this machine (not ask for help, not send the work to Dask)?
    Then its first worker is forked before anything else is imported or parsed."""
    chosen = next((a for a in argv if not a.startswith("-")), None)
    return chosen == "parse" and not any(a in ("-h", "--help", "--version") or a.startswith("--dask")
                                         for a in argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    early = _runs_a_parse(argv)
    if early:
        from . import worker
        worker.start_early()
    try:
        args = _parser(argv).parse_args(argv)
        module = importlib.import_module(SUBCOMMANDS[args.command][0])
        return module.main(args)
    finally:
        if early:
            worker.discard_early()


def entry() -> None:
    """The `ogi` console script: `main`, then exit at once. By then the outputs are written,
    closed and synced and every worker is reaped, so the interpreter's tear-down (freeing every
    module and object one by one, a tenth of a one-file run) is skipped, unless something may
    still need it: a thread still running, or a Dask cluster (its own exit hooks)."""
    code = main()              # argparse's SystemExit (usage, --help) exits the usual way
    threading = sys.modules.get("threading")
    if "distributed" in sys.modules or (threading is not None and threading.active_count() > 1):
        sys.exit(code)
    if "logging" in sys.modules:   # flush and close the run's log file
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (`ogi keys | head`) or stream
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
