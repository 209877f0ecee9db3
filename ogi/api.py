"""The public API behind `ogi.parse` and `ogi.open_dataset`: pandas DataFrames with numbers as
numbers, over the same outputs `ogi parse` and `ogi dataset` write."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

_NUMERIC = {
    "cells": ("value", "match_score", "page", "year"),
    "checks": ("lhs", "rhs", "diff"),
    "reports": ("pages", "year", "cells", "checks_failed", "seconds", "ambiguous_cells"),
    "log": ("page",),
}


def _read_csv(path: str, numeric: tuple[str, ...]):
    import pandas as pd

    if not os.path.exists(path):
        return pd.DataFrame()
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    for col in numeric:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
            if col != "value" and col not in ("lhs", "rhs", "diff", "seconds"):
                df[col] = df[col].astype("Int64")
    return df


@dataclass
class ParseResult:
    """The outputs of one parse as DataFrames; `out_dir` holds the CSV files they were read from."""
    cells: object
    checks: object
    reports: object
    log: object
    out_dir: str
    summary: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"ParseResult({len(self.reports)} reports, {len(self.cells)} cells, {len(self.checks)} checks, "
                f"out_dir={self.out_dir!r})")

    def dataset(self, out_dir: str, **options) -> "Dataset":
        """Merge this parse into the dataset folder out_dir and open it."""
        from .dataset.build import update
        update(out_dir, [self.out_dir], **options)
        return open_dataset(out_dir)


def parse(paths, out=None, workers: int | None = None, **options) -> ParseResult:
    """Given a path or a list of paths, run the pipeline (as `ogi parse`) and return DataFrames.

    `out`: where the CSV outputs go (default: a new temporary folder); other options as `ogi parse`
    (fmt, template, timeout, max_memory_mb, force, …)."""
    from pipeline.batch import run

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    out = os.fspath(out) if out else tempfile.mkdtemp(prefix="ogi-parse-")
    summary = run(paths, out, workers=workers, quiet=True, progress=False, **options)
    frames = {n: _read_csv(os.path.join(out, f"{n}.csv"), cols) for n, cols in _NUMERIC.items()}
    return ParseResult(frames["cells"], frames["checks"], frames["reports"], frames["log"], out, summary)


class Dataset:
    """A dataset folder: `con` is its DuckDB connection; every table is a DataFrame attribute
    (`ds.cells`, `ds.indicators`, …, read on first use); `ds.sql(query)` returns a DataFrame."""

    def __init__(self, path: str, read_only: bool = True):
        import duckdb

        from .dataset import schema
        from .dataset.build import DB_NAME

        db = path if path.endswith(".duckdb") else os.path.join(path, DB_NAME)
        if not os.path.exists(db):
            raise FileNotFoundError(f"{path}: no {DB_NAME} (build it with `ogi dataset RUN_DIR... --out DIR`)")
        self.path = db
        self.con = duckdb.connect(db, read_only=read_only)
        self.tables = list(schema.TABLES)
        self._frames: dict = {}

    def sql(self, query: str, params=None):
        return self.con.execute(query, params or []).df()

    def table(self, name: str):
        if name not in self.tables:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}")
        if name not in self._frames:
            cols = [r[0] for r in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema='main' AND table_name=? "
                "AND column_name <> 'seq' ORDER BY ordinal_position", [name]).fetchall()]
            self._frames[name] = self.con.execute(
                f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM main.{name}").df()
        return self._frames[name]

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self.__dict__.get("tables", ()):
            raise AttributeError(name)
        return self.table(name)

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"Dataset({self.path!r}, tables={self.tables})"


def open_dataset(path, read_only: bool = True) -> Dataset:
    return Dataset(os.fspath(path), read_only=read_only)
