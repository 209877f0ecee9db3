"""`ogi review OUT_DIR`: the static review site of a finished run (see pipeline/review/).

`ogi parse` writes the same site at the end of a run unless `--no-review`.
"""
from __future__ import annotations

import argparse
import os
import sys

DESCRIPTION = ("Write OUT_DIR/review/: a static site (opens by double-click, no server, no network) with an "
               "index of every report of the run and a page per report showing its tables coloured by each "
               "cell's state beside the source (PDF page image with the cell's box, text lines, or the "
               "HTML/Word table), failed checks with their cells and every log entry. `ogi parse` writes it "
               "too unless --no-review.")
EPILOG = ("Source views and PDF page images are made only for reports with something to review (status not "
          "ok, a failed check, a warning, an ambiguous cell) unless --review-all; the source files must still "
          "be at the paths in reports.csv.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description, p.epilog = DESCRIPTION, EPILOG
    p.add_argument("out_dir", metavar="OUT_DIR", help="output folder of `ogi parse`")
    p.add_argument("--review-all", action="store_true",
                   help="build the full page with the source view for every report")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def write_review(out: str, everything: bool, quiet: bool) -> dict:
    """Given a run's output folder, write its review site and return the site's figures."""
    from .review import build_site

    stats = build_site(out, everything=everything)
    if not quiet:
        print_stats(stats)
    return stats


def print_stats(stats: dict) -> None:
    print(f"review: {stats['reports']} reports ({stats['reviewed']} to review, {stats['images']} page images, "
          f"{stats['bytes'] / 1e6:.1f} MB) in {stats['seconds']:.1f} s; "
          f"open {os.path.join(stats['path'], 'index.html')}")


def main(args) -> int:
    from .cli import EXIT_OK, EXIT_USAGE

    if not os.path.exists(os.path.join(args.out_dir, "reports.csv")):
        print(f"ogi: {args.out_dir} has no reports.csv: give the output folder of `ogi parse`", file=sys.stderr)
        return EXIT_USAGE
    write_review(args.out_dir, args.review_all, args.quiet)
    return EXIT_OK
