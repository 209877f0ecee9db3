"""Derived tables: given the staged rows of every run, build agencies, reports (with the canonical
version of each agency-year), cells, versions and the base of checks, in DuckDB. Indicators and
cross-year checks are in `indicators.py` and `crossyear.py`.

Versions rule (documented in README): among the files of one agency-year, the canonical one is the
first by (status ok, partial, not_a_report, failed), then fewest failed checks, then most cells,
then format (html, docx, doc, pdf, text, other), then report_id.
"""
from __future__ import annotations

from . import identity, schema
from .store import _columns, _q

STATUS_ORDER = {"ok": 0, "partial": 1, "not_a_report": 2, "failed": 3}
FORMAT_ORDER = {"html": 0, "docx": 1, "doc": 2, "pdf": 3, "text": 4}


def _case(column: str, order: dict, default: int) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in order.items())
    return f"CASE {column} {whens} ELSE {default} END"


def agencies(con, overrides: dict[str, str]) -> dict:
    """Group every printed (agency, year) into agencies; write agencies, agency_names, log."""
    rows = con.execute("SELECT agency, TRY_CAST(year AS INTEGER) AS y, count(*) FROM staging.reports "
                       "WHERE agency IS NOT NULL AND agency <> '' GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    g = identity.group([(a, y, n) for a, y, n in rows], overrides)
    _load(con, "agency_names", schema.AGENCY_NAMES, g.names)
    counts: dict[str, int] = {}
    for r in g.names:
        counts[r["agency_id"]] = counts.get(r["agency_id"], 0) + r["reports"]
    for a in g.agencies:
        a["reports"] = counts.get(a["agency_id"], 0)
    _load(con, "agencies", schema.AGENCIES, g.agencies)
    _load(con, "log", schema.LOG, g.log)
    return {"agencies": len(g.agencies), "names": len(g.names)}


def _load(con, name: str, table: schema.Table, rows: list[dict]) -> None:
    """Create table `name` with the schema's columns from rows (list of dicts), via Arrow."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    arrow_schema = pa.schema([(c.name, types[c.type]) for c in table.columns])
    data = pa.Table.from_pylist([{n: r.get(n) for n in table.names()} for r in rows], schema=arrow_schema)
    con.register("_rows", data)
    con.execute(f"CREATE OR REPLACE TABLE main.{name} AS SELECT * FROM _rows")
    con.unregister("_rows")


def _extras(con, staged: str, table: schema.Table) -> list[str]:
    known = set(table.names()) | {"seq"}
    return [c for c in _columns(con, f"staging.{staged}") if c not in known]


_SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}


def _null(col: schema.Col) -> str:
    return f"CAST(NULL AS {_SQL_TYPES[col.type]})"


def _typed(col: schema.Col, expr: str) -> str:
    if col.type == "integer":
        return f"TRY_CAST(TRY_CAST({expr} AS DOUBLE) AS BIGINT)"
    if col.type == "number":
        return f"TRY_CAST({expr} AS DOUBLE)"
    if col.type == "boolean":
        return f"TRY_CAST({expr} AS BOOLEAN)"
    return expr


def reports(con) -> None:
    """reports: staged reports + agency_id + version rank (canonical = rank 1)."""
    base = [c for c in schema.REPORTS.columns if c.name not in ("agency_id", "is_canonical", "version_rank", "versions",
                                                                  "run_dir")]
    have = set(_columns(con, "staging.reports"))
    sel = ", ".join(f"{_typed(c, 's.' + _q(c.name)) if c.name in have else _null(c)} AS {_q(c.name)}" for c in base)
    extras = _extras(con, "reports", schema.REPORTS)
    extra_sel = "".join(f", s.{_q(c)}" for c in extras)
    con.execute(f"""
        CREATE OR REPLACE TABLE main.reports AS
        WITH r AS (
            SELECT {sel}, n.agency_id, s.run_dir{extra_sel},
                   {_case('s.status', STATUS_ORDER, 9)} AS _status_rank, {_case('s.format', FORMAT_ORDER, 9)} AS _format_rank
            FROM staging.reports s
            LEFT JOIN main.agency_names n ON n.name_printed = s.agency
                 AND n.year IS NOT DISTINCT FROM TRY_CAST(s.year AS INTEGER))
        SELECT * EXCLUDE (_status_rank, _format_rank, agency_id, run_dir{''.join(', ' + _q(c) for c in extras)}),
               agency_id,
               (agency_id IS NOT NULL AND year IS NOT NULL AND rank = 1) AS is_canonical,
               rank AS version_rank, versions, run_dir{extra_sel.replace('s.', '')}
        FROM (SELECT *, row_number() OVER w AS rank, count(*) OVER (PARTITION BY agency_id, year) AS versions
              FROM r WINDOW w AS (PARTITION BY agency_id, year ORDER BY _status_rank, coalesce(checks_failed, 0),
                                  coalesce(cells, 0) DESC, _format_rank, report_id))
    """)


def cells(con) -> None:
    """cells: a view over the staged (typed) cells with agency_id and is_canonical of their report
    (a view, not a copy: the largest table is stored once)."""
    base = [c for c in schema.CELLS.columns if c.name not in ("agency_id", "is_canonical")]
    have = set(_columns(con, "staging.cells"))
    sel = ", ".join(f"c.{_q(c.name)}" if c.name in have else f"{_null(c)} AS {_q(c.name)}" for c in base)
    extras = "".join(f", c.{_q(x)}" for x in _extras(con, "cells", schema.CELLS))
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'cells'").fetchone()[0]:
        con.execute("DROP TABLE main.cells")
    con.execute(f"""
        CREATE OR REPLACE VIEW main.cells AS
        SELECT {sel}{extras}, r.agency_id, coalesce(r.is_canonical, false) AS is_canonical, c.seq
        FROM staging.cells c LEFT JOIN main.reports r USING (report_id)
    """)


def checks_base(con) -> None:
    """checks (per-report part): staged checks typed, with agency_id and year of their report."""
    base = [c for c in schema.CHECKS.columns if c.name in ("report_id", "check_id", "table", "scope", "expression",
                                                            "lhs", "rhs", "diff", "status", "severity", "message")]
    have = set(_columns(con, "staging.checks"))
    sel = ", ".join(f"{_typed(c, 'k.' + _q(c.name)) if c.name in have else _null(c)} AS {_q(c.name)}" for c in base)
    extras = _extras(con, "checks", schema.CHECKS)
    extra_sel = "".join(f", k.{_q(x)}" for x in extras)
    con.execute(f"""
        CREATE OR REPLACE TABLE main.checks AS
        SELECT {sel}, r.agency_id, r.year, 'report' AS origin, NULL::VARCHAR AS other_report_id,
               NULL::BIGINT AS other_year, NULL::VARCHAR AS cell_refs{extra_sel}, k.seq
        FROM staging.checks k LEFT JOIN main.reports r USING (report_id)
    """)


def versions(con) -> None:
    """versions: every cell on which a non-canonical file of an agency-year differs from the canonical one."""
    con.execute("""
        CREATE OR REPLACE TABLE main.versions AS
        WITH pairs AS (
            SELECT o.agency_id, o.year, c.report_id AS canon_id, o.report_id AS other_id
            FROM main.reports o JOIN main.reports c ON c.agency_id = o.agency_id AND c.year = o.year AND c.is_canonical
            WHERE o.versions > 1 AND NOT o.is_canonical AND o.agency_id IS NOT NULL),
        cc AS (SELECT p.agency_id, p.year, p.other_id, k."table", k.row_key, k.col_key, coalesce(k.method, '') AS method,
                      k.value, k.raw, p.canon_id FROM pairs p JOIN main.cells k ON k.report_id = p.canon_id),
        oc AS (SELECT p.agency_id, p.year, p.other_id, k."table", k.row_key, k.col_key, coalesce(k.method, '') AS method,
                      k.value, k.raw, p.canon_id FROM pairs p JOIN main.cells k ON k.report_id = p.other_id)
        SELECT coalesce(cc.agency_id, oc.agency_id) AS agency_id, coalesce(cc.year, oc.year) AS year,
               coalesce(cc."table", oc."table") AS "table", coalesce(cc.row_key, oc.row_key) AS row_key,
               coalesce(cc.col_key, oc.col_key) AS col_key, coalesce(cc.method, oc.method) AS method,
               coalesce(cc.canon_id, oc.canon_id) AS canonical_report_id, cc.value AS canonical_value,
               cc.raw AS canonical_raw, coalesce(cc.other_id, oc.other_id) AS report_id, oc.value AS value, oc.raw AS raw,
               CASE WHEN cc.row_key IS NULL THEN 'only_other' WHEN oc.row_key IS NULL THEN 'only_canonical'
                    ELSE 'value' END AS difference
        FROM cc FULL OUTER JOIN oc ON cc.other_id = oc.other_id AND cc."table" = oc."table"
             AND cc.row_key = oc.row_key AND cc.col_key = oc.col_key AND cc.method = oc.method
        WHERE cc.value IS DISTINCT FROM oc.value
    """)
    con.execute("""
        INSERT INTO main.log
        SELECT agency_id, year, NULL, 'version_chosen',
               'canonical ' || string_agg(CASE WHEN is_canonical THEN report_id || ' (' || coalesce(format, '?') || ', '
                   || coalesce(checks_failed, 0) || ' failed checks, ' || coalesce(cells, 0) || ' cells)' END, '')
               || ' over ' || string_agg(CASE WHEN NOT is_canonical THEN report_id || ' (' || coalesce(format, '?') || ', '
                   || coalesce(checks_failed, 0) || ' failed checks, ' || coalesce(cells, 0) || ' cells)' END, ', '
                   ORDER BY version_rank)
        FROM main.reports WHERE versions > 1 AND agency_id IS NOT NULL AND year IS NOT NULL GROUP BY agency_id, year
    """)
