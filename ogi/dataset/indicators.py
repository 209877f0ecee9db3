"""Harmonized indicators: given the canonical reports' cells and the crosswalk in
data/indicators.toml, return one value per (agency, year, indicator), plus the ratios users
compute (a zero or missing denominator gives an empty value, never 0).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from . import schema

_DATA = Path(__file__).with_name("data") / "indicators.toml"


@lru_cache(maxsize=1)
def definitions() -> dict:
    with open(_DATA, "rb") as f:
        return tomllib.load(f)


def crosswalk_rows() -> list[dict]:
    out = []
    d = definitions()
    for ind in d["indicator"]:
        for tpl, keys in sorted(ind["sources"].items()):
            for k in keys:
                t, r, c = k.split("/")
                out.append({"indicator": ind["key"], "template": tpl, "table": t, "row_key": r, "col_key": c,
                            "class": ind["class"], "why": ind["why"]})
    for a in d.get("approx", []):
        out.append({"indicator": "", "template": "2008", "table": "stats", "row_key": a["era_a"], "col_key": a["modern"],
                    "class": "approx", "why": a["why"]})
    return out


def definition_rows() -> list[dict]:
    d = definitions()
    out = []
    for ind in d["indicator"]:
        formula = "; ".join(f"{tpl}: {' + '.join(keys)}" for tpl, keys in sorted(ind["sources"].items()))
        out.append({"indicator": ind["key"], "label": ind["label"], "unit": ind["unit"], "class": ind["class"],
                    "formula": formula, "why": ind["why"]})
    for r in d["ratio"]:
        out.append({"indicator": r["key"], "label": r["label"], "unit": "ratio (0–1)", "class": "ratio",
                    "formula": r["formula"], "why": "empty when the denominator is 0 or missing"})
    return out


def build(con) -> None:
    """indicators: sums over the crosswalk keys of each canonical report, then the ratios."""
    from .derive import _load

    _load(con, "crosswalk", schema.CROSSWALK, crosswalk_rows())
    _load(con, "indicator_defs", schema.INDICATOR_DEFS, definition_rows())
    con.execute("""
        CREATE OR REPLACE TABLE main.indicators AS
        WITH src AS (
            SELECT c.agency_id, c.year, c.template, c.report_id, c."table", c.row_key, c.col_key, c.value, x.indicator
            FROM main.cells c JOIN main.crosswalk x ON x.template = c.template AND x."table" = c."table"
                 AND x.row_key = c.row_key AND x.col_key = c.col_key AND x.class <> 'approx'
            WHERE c.is_canonical AND c.col_key IN (SELECT DISTINCT col_key FROM main.crosswalk)
              AND c.row_key IN (SELECT DISTINCT row_key FROM main.crosswalk)
            QUALIFY row_number() OVER (PARTITION BY c.report_id, c."table", c.row_key, c.col_key, x.indicator
                                       ORDER BY coalesce(c.method, '') = 'prose', c.seq) = 1)
        , sums AS (
            SELECT agency_id, year, template, indicator, report_id, sum(value) AS value
            FROM src GROUP BY ALL HAVING count(value) > 0)
        SELECT s.agency_id, a.region_code, a.level, s.year, s.template, s.indicator, s.value,
               k.source_keys, s.report_id
        FROM sums s
        LEFT JOIN main.agencies a ON a.agency_id = s.agency_id
        LEFT JOIN (SELECT indicator, template, string_agg("table" || '/' || row_key || '/' || col_key, '+'
                          ORDER BY "table", row_key, col_key) AS source_keys
                   FROM main.crosswalk WHERE class <> 'approx' GROUP BY ALL) k
             ON k.indicator = s.indicator AND k.template = s.template
    """)
    for r in definitions()["ratio"]:
        num = ", ".join(f"'{k}'" for k in r["numerator"])
        den = ", ".join(f"'{k}'" for k in r["denominator"])
        con.execute(f"""
            INSERT INTO main.indicators
            SELECT agency_id, any_value(region_code), any_value(level), year, any_value(template), '{r['key']}',
                   CASE WHEN sum(value) FILTER (WHERE indicator IN ({den})) > 0
                        THEN sum(value) FILTER (WHERE indicator IN ({num}))
                             / sum(value) FILTER (WHERE indicator IN ({den})) END,
                   '{r['formula']}', any_value(report_id)
            FROM main.indicators WHERE indicator IN ({num}, {den})
            GROUP BY agency_id, year
            HAVING count(*) FILTER (WHERE indicator IN ({num})) > 0 AND count(*) FILTER (WHERE indicator IN ({den})) > 0
        """)
    # stored by agency, so one agency's series is read from a few row groups (zone maps)
    con.execute("CREATE OR REPLACE TABLE main.indicators AS SELECT * FROM main.indicators ORDER BY agency_id, year, "
                "indicator")
