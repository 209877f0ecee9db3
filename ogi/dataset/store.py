"""The dataset's DuckDB file and its staging area: given `ogi parse` output folders, copy their
rows (reports, cells, checks, log) into `staging.*`, one version per report_id, so that adding a
run twice changes nothing and every derived table can be rebuilt from staging alone.
"""
from __future__ import annotations

import json
import os

STAGED = ("reports", "cells", "checks", "log")


def connect(path: str, memory_mb: int = 450, threads: int | None = None):
    """Open (or create) the dataset's DuckDB file with a memory limit that keeps the build flat."""
    import duckdb

    con = duckdb.connect(path)
    con.execute(f"SET memory_limit='{memory_mb}MB'")
    con.execute(f"SET threads={threads or min(2, os.cpu_count() or 1)}")
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), ".duckdb_tmp")
    con.execute(f"SET temp_directory='{tmp}'")
    con.execute("SET preserve_insertion_order=true")
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE TABLE IF NOT EXISTS staging.runs (run_dir VARCHAR PRIMARY KEY, reports BIGINT, cells BIGINT, "
                "tool_version VARCHAR)")
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con, schema_table: str) -> list[str]:
    schema, table = schema_table.split(".")
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema=? AND table_name=? "
                       "ORDER BY ordinal_position", [schema, table]).fetchall()
    return [r[0] for r in rows]


def _read(con, path: str, name: str):
    """A temporary view over one CSV of a run, every column text, with its row order as `seq`."""
    lit = "'" + path.replace("'", "''") + "'"
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_{name} AS SELECT row_number() OVER () AS seq, * FROM "
                f"read_csv({lit}, header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
                f"null_padding=true)")


def ingest(con, run_dir: str) -> dict:
    """Given an `ogi parse` output folder, stage its rows (replacing earlier rows of its reports)."""
    run_dir = os.path.abspath(run_dir)
    paths = {n: os.path.join(run_dir, f"{n}.csv") for n in STAGED}
    if not os.path.exists(paths["reports"]):
        raise FileNotFoundError(f"{run_dir}: no reports.csv (not an ogi parse output folder)")
    for name, path in paths.items():
        if os.path.exists(path):
            _read(con, path, name)
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE new_{name} AS SELECT NULL::BIGINT AS seq, NULL::VARCHAR "
                        f"AS report_id WHERE false")
    # one row per report_id (a file found under two names is listed twice: keep the first path)
    con.execute("CREATE OR REPLACE TEMP TABLE new_reports_u AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() "
                "OVER (PARTITION BY report_id ORDER BY source_path, seq) AS rn FROM new_reports) WHERE rn = 1")
    con.execute("ALTER TABLE new_reports_u ADD COLUMN run_dir VARCHAR")
    con.execute("UPDATE new_reports_u SET run_dir = ?", [run_dir])
    sources = {"reports": "new_reports_u", "cells": "new_cells", "checks": "new_checks", "log": "new_log"}
    for name, src in sources.items():
        _upsert(con, f"staging.{name}", src)
    n_rep = con.execute("SELECT count(*) FROM new_reports_u").fetchone()[0]
    n_cells = con.execute("SELECT count(*) FROM new_cells").fetchone()[0]
    version = ""
    try:
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
            version = str(json.load(f).get("version", ""))
    except (OSError, ValueError):
        pass
    con.execute("INSERT OR REPLACE INTO staging.runs VALUES (?, ?, ?, ?)", [run_dir, n_rep, n_cells, version])
    return {"run_dir": run_dir, "reports": n_rep, "cells": n_cells}


def _upsert(con, target: str, src: str) -> None:
    src_cols = [d[0] for d in con.execute(f"SELECT * FROM {src} LIMIT 0").description]
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema='staging' AND "
                         "table_name=?", [target.split(".")[1]]).fetchone()[0]
    if not exists:
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM {src} WHERE false")
    have = set(_columns(con, target))
    for c in src_cols:
        if c not in have:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {_q(c)} VARCHAR")
    con.execute(f"DELETE FROM {target} WHERE report_id IN (SELECT report_id FROM new_reports_u)")
    sel = ", ".join(f"CAST({_q(c)} AS {'BIGINT' if c == 'seq' else 'VARCHAR'}) AS {_q(c)}" for c in src_cols)
    con.execute(f"INSERT INTO {target} BY NAME SELECT {sel} FROM {src} "
                f"WHERE report_id IN (SELECT report_id FROM new_reports_u)")
