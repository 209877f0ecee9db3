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
    con.execute("SET enable_progress_bar=false")
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE TABLE IF NOT EXISTS staging.runs (run_dir VARCHAR PRIMARY KEY, reports BIGINT, cells BIGINT, "
                "tool_version VARCHAR, fingerprint VARCHAR)")
    con.execute("CREATE TABLE IF NOT EXISTS staging.meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con, schema_table: str) -> list[str]:
    schema, table = schema_table.split(".")
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema=? AND table_name=? "
                       "ORDER BY ordinal_position", [schema, table]).fetchall()
    return [r[0] for r in rows]


def _csv_source(path: str) -> str:
    lit = "'" + path.replace("'", "''") + "'"
    return (f"read_csv({lit}, header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
            f"null_padding=true)")


def _ensure(con, target: str, columns: list[str]) -> None:
    """staging table `target` with seq and every column of the run (text), adding new ones."""
    typed = TYPED.get(target.split(".")[1], {})
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema='staging' AND "
                         "table_name=?", [target.split(".")[1]]).fetchone()[0]
    if not exists:
        cols = ", ".join(f"{_q(c)} {typed.get(c, 'VARCHAR')}" for c in columns if c != "seq")
        con.execute(f"CREATE TABLE {target} (seq BIGINT, {cols})")
        return
    have = set(_columns(con, target))
    for c in columns:
        if c not in have:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {_q(c)} {typed.get(c, 'VARCHAR')}")


# cells.csv columns typed when staged (one pass over the file); others stay text
TYPED = {"cells": {"value": "DOUBLE", "year": "BIGINT", "match_score": "BIGINT", "page": "BIGINT"}}


def fingerprint(run_dir: str) -> str:
    """Size and modification time of the run's CSV files: unchanged → the run is not staged again."""
    parts = []
    for name in STAGED:
        path = os.path.join(run_dir, f"{name}.csv")
        if os.path.exists(path):
            st = os.stat(path)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def ingest(con, run_dir: str) -> dict:
    """Given an `ogi parse` output folder, stage its rows (replacing earlier rows of its reports);
    a run staged before and unchanged since is skipped (`skipped` in the answer)."""
    run_dir = os.path.abspath(run_dir)
    path = os.path.join(run_dir, "reports.csv")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{run_dir}: no reports.csv (not an ogi parse output folder)")
    fp = fingerprint(run_dir)
    old = con.execute("SELECT fingerprint, reports, cells FROM staging.runs WHERE run_dir = ?", [run_dir]).fetchone()
    if old and old[0] == fp:
        return {"run_dir": run_dir, "reports": old[1], "cells": old[2], "skipped": True}
    # one row per report_id (a file found under two names is listed twice: keep the first path)
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_reports_u AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() "
                f"OVER (PARTITION BY report_id ORDER BY source_path, seq) AS rn FROM (SELECT row_number() OVER () AS "
                f"seq, * FROM {_csv_source(path)})) WHERE rn = 1")
    con.execute("ALTER TABLE new_reports_u ADD COLUMN run_dir VARCHAR")
    con.execute("UPDATE new_reports_u SET run_dir = ?", [run_dir])
    cols = [d[0] for d in con.execute("SELECT * FROM new_reports_u LIMIT 0").description]
    _ensure(con, "staging.reports", cols)
    con.execute("DELETE FROM staging.reports WHERE report_id IN (SELECT report_id FROM new_reports_u)")
    sel = ", ".join(f"CAST({_q(c)} AS {'BIGINT' if c == 'seq' else 'VARCHAR'}) AS {_q(c)}" for c in cols)
    con.execute(f"INSERT INTO staging.reports BY NAME SELECT {sel} FROM new_reports_u")
    counts = {"reports": con.execute("SELECT count(*) FROM new_reports_u").fetchone()[0]}
    for name in STAGED[1:]:
        target = f"staging.{name}"
        _ensure(con, target, ["report_id"])
        con.execute(f"DELETE FROM {target} WHERE report_id IN (SELECT report_id FROM new_reports_u)")
        path = os.path.join(run_dir, f"{name}.csv")
        counts[name] = 0
        if not os.path.exists(path) or os.path.getsize(path) < 4:
            continue
        src = _csv_source(path)
        header = [d[0] for d in con.execute(f"SELECT * FROM {src} LIMIT 0").description]
        _ensure(con, target, header)
        casts = [f"TRY_CAST(TRY_CAST({_q(c)} AS DOUBLE) AS {t}) AS {_q(c)}" if t == "BIGINT" else
                 f"TRY_CAST({_q(c)} AS {t}) AS {_q(c)}" for c, t in TYPED.get(name, {}).items() if c in header]
        star = f"* REPLACE ({', '.join(casts)})" if casts else "*"
        counts[name] = con.execute(f"INSERT INTO {target} BY NAME SELECT row_number() OVER () AS seq, {star} "
                                   f"FROM {src}").fetchone()[0]
    version = ""
    try:
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
            version = str(json.load(f).get("version", ""))
    except (OSError, ValueError):
        pass
    con.execute("INSERT OR REPLACE INTO staging.runs VALUES (?, ?, ?, ?, ?)",
                [run_dir, counts["reports"], counts["cells"], version, fp])
    return {"run_dir": run_dir, "reports": counts["reports"], "cells": counts["cells"], "skipped": False}
