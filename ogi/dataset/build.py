"""`ogi dataset`: given `ogi parse` output folders, merge them into one dataset folder DIR and
rebuild every table (idempotent: adding a run twice changes nothing).

    DIR/ogi.duckdb            DuckDB database: the tables (schema main) and the staged run rows
    DIR/parquet/<t>.parquet   one file per table; large tables a folder partitioned by year
    DIR/csv/<t>.csv           the same tables as CSV (UTF-8 with the BOM by default)
    DIR/datapackage.json      Frictionless Data Package describing them
"""
from __future__ import annotations

import os
import time

from . import crossyear, derive, export, identity, indicators, schema
from .store import connect, ingest

DB_NAME = "ogi.duckdb"


def keys_rows() -> list[dict]:
    """The Chinese label of every table/row/col key of each template (from the template registry)."""
    from pipeline import templates as T

    out = []
    for tid, tpl in sorted(T.load().items()):
        for tkey, spec in tpl.tables.items():
            for row in spec.rows:
                for col in spec.row_columns(row, variant=True):
                    unit = "万元" if col.kind == "money" else "件"
                    out.append({"template": tid, "table": tkey, "table_label": spec.title, "row_key": row.key,
                                "row_label": row.label, "col_key": col.key, "col_label": col.label, "unit": unit})
    return out


def update(out_dir: str, run_dirs: list[str], agencies_csv: str | None = None, bom: bool = True,
           memory_mb: int = 450) -> dict:
    """Stage every run of run_dirs into out_dir's database and rebuild all tables and exports."""
    t0 = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    con = connect(os.path.join(out_dir, DB_NAME), memory_mb=memory_mb)
    try:
        added = [ingest(con, d) for d in run_dirs]
        t_ingest = time.perf_counter() - t0
        overrides = identity.read_overrides(agencies_csv)
        state = _state(con, overrides, bom)
        old = con.execute("SELECT value FROM staging.meta WHERE key = 'state'").fetchone()
        if old and old[0] == state and os.path.exists(os.path.join(out_dir, "datapackage.json")):
            summary = _summary(con)
            summary["unchanged"] = True
        else:
            summary = rebuild(con, overrides)
            export.write_all(con, out_dir, bom=bom)
            con.execute("INSERT OR REPLACE INTO staging.meta VALUES ('state', ?)", [state])
            con.execute("CHECKPOINT")
    finally:
        con.close()
    summary.update(runs=added, seconds=round(time.perf_counter() - t0, 3), ingest_seconds=round(t_ingest, 3))
    return summary


def _state(con, overrides: dict, bom: bool) -> str:
    """What the tables were built from: the staged runs, the overrides, the options, the tool version."""
    import hashlib

    from .. import __version__
    runs = con.execute("SELECT run_dir, fingerprint FROM staging.runs ORDER BY run_dir").fetchall()
    text = repr((runs, sorted(overrides.items()), bom, __version__, _code_digest()))
    return hashlib.sha256(text.encode()).hexdigest()


def _code_digest() -> str:
    """The dataset code and its data files: a new rule or crosswalk rebuilds the tables."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256()
    here = Path(__file__).parent
    for p in sorted(list(here.glob("*.py")) + list(here.glob("data/*.toml"))):
        h.update(p.read_bytes())
    return h.hexdigest()


def _summary(con) -> dict:
    out = {"agencies": con.execute("SELECT count(*) FROM main.agencies").fetchone()[0]}
    for name in ("reports", "versions", "indicators", "cells"):
        out[name] = con.execute(f"SELECT count(*) FROM main.{name}").fetchone()[0]
    out["cross_year_failed"] = dict(con.execute("SELECT check_id, count(*) FROM main.checks WHERE origin = 'cross_year' "
                                                "AND status = 'fail' GROUP BY 1 ORDER BY 1").fetchall())
    return out


def rebuild(con, overrides: dict[str, str]) -> dict:
    """Every derived table from the staged rows."""
    for t in ("reports", "cells", "checks", "log"):
        con.execute(f"CREATE TABLE IF NOT EXISTS staging.{t} (seq BIGINT, report_id VARCHAR)")
    summary = derive.agencies(con, overrides)
    derive._load(con, "keys", schema.KEYS, keys_rows())
    derive.reports(con)
    derive.cells(con)
    derive.checks_base(con)
    derive.versions(con)
    indicators.build(con)
    crossyear.run(con)
    con.execute("CREATE OR REPLACE TABLE main.sources AS SELECT run_dir, reports, cells, tool_version FROM staging.runs")
    return {**summary, **_summary(con)}
