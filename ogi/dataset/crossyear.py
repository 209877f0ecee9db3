"""Cross-year checks over the canonical report of each agency-year (severity warning; they never
change a value), appended to `checks` with both reports and every cell compared:

  P1  carried_over(t) = carried_forward(t−1), each of the requests columns, from report year 2020
  P2  2021 template: in_force(t) = in_force(t−1) + issued(t) − repealed(t), 规章 and 行政规范性文件;
      2019 template: prev_items(t) = prev_items(t−1) + change(t−1), every row with 上一年项目数量
  Y1  a year missing inside an agency's series

An empty cell reads as 0, except that a comparison one side of which is empty while the other
prints a non-zero number is skipped (that side was not printed), as in the per-report checks.
"""
from __future__ import annotations

P1_EXPR = "二、上年结转(t) = 四、结转下年度继续办理(t−1)"
P2_2021_EXPR = "现行有效件数(t) = 现行有效件数(t−1) + 本年制发件数(t) − 本年废止件数(t)"
P2_2019_EXPR = "上一年项目数量(t) = 上一年项目数量(t−1) + 本年增/减(t−1)"

_CANON = """CREATE OR REPLACE TEMP TABLE canon AS
    SELECT c.agency_id, c.year, c.template, c.report_id, c."table", c.row_key, c.col_key, c.value
    FROM main.cells c WHERE c.is_canonical AND c.template IN ('2019', '2021')
      AND c."table" IN ('requests', 'active') AND coalesce(c.method, '') <> 'prose'"""

# lhs/rhs with the present-flags: l_any / r_any (any cell printed), l_nz / r_nz (a non-zero number)
_INSERT = """
INSERT INTO main.checks BY NAME
SELECT report_id, check_id, "table", scope, expression, lhs, rhs, lhs - rhs AS diff,
       CASE WHEN (lhs_blank AND rhs <> 0) OR (rhs_blank AND lhs <> 0) THEN 'skipped'
            WHEN abs(lhs - rhs) < 1e-9 THEN 'pass' ELSE 'fail' END AS status,
       'warning' AS severity,
       CASE WHEN (lhs_blank AND rhs <> 0) OR (rhs_blank AND lhs <> 0)
                 THEN 'one side not printed (' || CASE WHEN lhs_blank THEN 'year ' || CAST(year AS VARCHAR) ELSE 'year ' || CAST(other_year AS VARCHAR) END || ')'
            WHEN abs(lhs - rhs) < 1e-9 THEN ''
            ELSE printf('%s ≠ %s (off by %s) between %s (%s) and %s (%s)', fmt(lhs), fmt(rhs), fmt(lhs - rhs),
                        report_id, CAST(year AS VARCHAR), other_report_id, CAST(other_year AS VARCHAR)) END AS message,
       agency_id, year, 'cross_year' AS origin, other_report_id, other_year, cell_refs, 0 AS seq
FROM ({query})
ORDER BY agency_id, year, report_id, scope
"""

P1_SQL = """
SELECT cur.agency_id, cur.year, cur.report_id, prev.report_id AS other_report_id, prev.year AS other_year,
       'P1' AS check_id, 'requests' AS "table", cur.col_key AS scope,
       '""" + P1_EXPR + """ [' || cur.col_key || ']' AS expression,
       coalesce(cur.value, 0) AS lhs, coalesce(prev.value, 0) AS rhs,
       cur.value IS NULL AS lhs_blank, prev.value IS NULL AS rhs_blank,
       cur.report_id || ':requests/carried_over/' || cur.col_key || '; ' || prev.report_id
           || ':requests/carried_forward/' || prev.col_key AS cell_refs
FROM canon cur JOIN canon prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
     AND prev."table" = 'requests' AND prev.row_key = 'carried_forward' AND prev.col_key = cur.col_key
WHERE cur."table" = 'requests' AND cur.row_key = 'carried_over' AND cur.year >= 2020
"""

P2_2021_SQL = """
WITH a AS (
  SELECT agency_id, year, report_id, row_key,
         max(CASE WHEN col_key = 'in_force' THEN value END) AS in_force,
         max(CASE WHEN col_key = 'issued' THEN value END) AS issued,
         max(CASE WHEN col_key = 'repealed' THEN value END) AS repealed,
         bool_or(col_key = 'in_force') AS has_in_force
  FROM canon WHERE template = '2021' AND "table" = 'active' AND row_key IN ('rules', 'normative_docs')
  GROUP BY ALL)
SELECT cur.agency_id, cur.year, cur.report_id, prev.report_id AS other_report_id, prev.year AS other_year,
       'P2' AS check_id, 'active' AS "table", cur.row_key AS scope,
       '""" + P2_2021_EXPR + """ [' || cur.row_key || ']' AS expression,
       coalesce(cur.in_force, 0) AS lhs,
       coalesce(prev.in_force, 0) + coalesce(cur.issued, 0) - coalesce(cur.repealed, 0) AS rhs,
       cur.in_force IS NULL AS lhs_blank, prev.in_force IS NULL AND cur.issued IS NULL AND cur.repealed IS NULL AS rhs_blank,
       cur.report_id || ':active/' || cur.row_key || '/in_force; ' || prev.report_id || ':active/' || cur.row_key
           || '/in_force; ' || cur.report_id || ':active/' || cur.row_key || '/issued; ' || cur.report_id || ':active/'
           || cur.row_key || '/repealed' AS cell_refs
FROM a cur JOIN a prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1 AND prev.row_key = cur.row_key
WHERE cur.has_in_force AND prev.has_in_force
"""

P2_2019_SQL = """
WITH a AS (
  SELECT agency_id, year, report_id, row_key,
         max(CASE WHEN col_key = 'prev_items' THEN value END) AS prev_items,
         max(CASE WHEN col_key = 'change' THEN value END) AS change,
         bool_or(col_key = 'prev_items') AS has_prev
  FROM canon WHERE template = '2019' AND "table" = 'active' GROUP BY ALL)
SELECT cur.agency_id, cur.year, cur.report_id, prev.report_id AS other_report_id, prev.year AS other_year,
       'P2' AS check_id, 'active' AS "table", cur.row_key AS scope,
       '""" + P2_2019_EXPR + """ [' || cur.row_key || ']' AS expression,
       coalesce(cur.prev_items, 0) AS lhs, coalesce(prev.prev_items, 0) + coalesce(prev.change, 0) AS rhs,
       cur.prev_items IS NULL AS lhs_blank, prev.prev_items IS NULL AND prev.change IS NULL AS rhs_blank,
       cur.report_id || ':active/' || cur.row_key || '/prev_items; ' || prev.report_id || ':active/' || cur.row_key
           || '/prev_items; ' || prev.report_id || ':active/' || cur.row_key || '/change' AS cell_refs
FROM a cur JOIN a prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1 AND prev.row_key = cur.row_key
WHERE cur.has_prev AND prev.has_prev
"""

Y1_SQL = """
INSERT INTO main.checks BY NAME
WITH y AS (SELECT DISTINCT agency_id, year, report_id FROM main.reports WHERE is_canonical),
s AS (SELECT agency_id, year, report_id, lag(year) OVER w AS prev_year, lag(report_id) OVER w AS prev_report
      FROM y WINDOW w AS (PARTITION BY agency_id ORDER BY year))
SELECT report_id, 'Y1' AS check_id, NULL AS "table", CAST(m.missing AS VARCHAR) AS scope,
       'the series has a report for every year from its first to its last' AS expression,
       NULL AS lhs, NULL AS rhs, NULL AS diff, 'fail' AS status, 'warning' AS severity,
       printf('no report for %d between %s (%d) and %s (%d)', m.missing, prev_report, prev_year, report_id, year) AS message,
       agency_id, year, 'cross_year' AS origin, prev_report AS other_report_id, prev_year AS other_year,
       NULL AS cell_refs, 0 AS seq
FROM s, LATERAL (SELECT unnest(range(s.prev_year + 1, s.year)) AS missing) m
WHERE s.prev_year IS NOT NULL AND s.year - s.prev_year > 1
ORDER BY agency_id, year, m.missing
"""


def run(con) -> dict:
    """Append P1, P2 and Y1 rows to main.checks; return counts of failures by check id."""
    con.execute("CREATE OR REPLACE MACRO fmt(x) AS CASE WHEN x = round(x) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) "
                "ELSE CAST(x AS VARCHAR) END")
    con.execute(_CANON)
    for q in (P1_SQL, P2_2021_SQL, P2_2019_SQL):
        con.execute(_INSERT.format(query=q))
    con.execute(Y1_SQL)
    con.execute("DROP TABLE canon")
    rows = con.execute("SELECT check_id, count(*) FROM main.checks WHERE origin = 'cross_year' AND status = 'fail' "
                       "GROUP BY 1 ORDER BY 1").fetchall()
    return dict(rows)
