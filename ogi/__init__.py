"""ogi: the public Python API of ogi-reports.

    import ogi
    res = ogi.parse("reports/")          # ParseResult with pandas DataFrames
    res.cells, res.checks, res.reports, res.log
    ds = ogi.open_dataset("dataset/")    # Dataset: ds.con (DuckDB), ds.cells, ds.indicators, …

Heavy libraries (pandas, DuckDB) are imported only when these functions are called.
"""
from __future__ import annotations

from pipeline import __version__

__all__ = ["parse", "open_dataset", "build_dataset", "__version__"]


def parse(paths, **options):
    """Given a file, a folder or a list of them, parse every report; return a ParseResult."""
    from .api import parse as _parse
    return _parse(paths, **options)


def open_dataset(path, read_only: bool = True):
    """Given a dataset folder (or its ogi.duckdb), return a Dataset (DuckDB connection + DataFrames)."""
    from .api import open_dataset as _open
    return _open(path, read_only=read_only)


def build_dataset(out_dir, run_dirs, agencies_csv=None, bom: bool = True) -> dict:
    """Given `ogi parse` output folders, merge them into the dataset folder out_dir; return a summary."""
    from .dataset.build import update
    return update(out_dir, list(run_dirs) if not isinstance(run_dirs, (str, bytes)) else [run_dirs],
                  agencies_csv=agencies_csv, bom=bom)
