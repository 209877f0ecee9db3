"""`ogi dataset RUN_DIR... --out DIR` and the `ogi parse --dataset DIR` hook (pipeline.cli's
subcommand registry imports this module only for these commands)."""
from __future__ import annotations

import os
import sys


def add_arguments(d) -> None:
    d.description = ("Merge the outputs of any number of `ogi parse` runs into the dataset folder DIR: ogi.duckdb "
                     "(DuckDB), parquet/<table>.parquet, csv/<table>.csv and datapackage.json, with one agency_id per "
                     "body across years, GB/T 2260 regions, canonical versions, harmonized indicators and cross-year "
                     "checks. Adding a run twice changes nothing.")
    d.add_argument("runs", nargs="+", metavar="RUN_DIR", help="ogi parse output folders")
    d.add_argument("--out", "-o", required=True, metavar="DIR", help="dataset folder (created or updated)")
    d.add_argument("--agencies", metavar="FILE",
                   help="CSV with columns name,agency_id: names (as printed or normalized) whose agency_id you set")
    d.add_argument("--no-bom", action="store_true", help="write the CSV tables without the UTF-8 byte-order mark")


def main(args) -> int:
    from .build import update

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


def update_after_parse(args) -> None:
    from .build import update

    ds = update(args.dataset, [args.out], agencies_csv=args.agencies, bom=not args.no_bom)
    if not args.quiet:
        print(f"dataset {args.dataset}: {ds['agencies']} agencies, {ds['reports']} reports, {ds['cells']} cells")
