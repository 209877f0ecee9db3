"""The era-A part of the codebook (template 2008, table `stats`), from data/template_2008.toml
and data/prose_2008.toml: row keys with their printed label variants, column keys, methods and
check ids. Markdown lines for `ogi keys` / docs/codebook.md.
"""
from __future__ import annotations

from .template import load

METHODS = [
    ("read", "an appendix cell printed apart from its neighbours"),
    ("recovered", "appendix cells run together (`主动公开文件数条212210037`): the split was settled by a unique "
                  "candidate, the identities A3–A5, X1 against the neighbouring years or the prose; `raw` keeps the run"),
    ("prose", "a figure stated in a sentence; `raw` = the clause, `col_label` = `prose`"),
]
CHECKS = [
    ("A11", "cumulative ≥ this year, every appendix row"),
    ("P1", "a prose figure equals the appendix cell of the same key (this_year)"),
    ("X1", "cumulative(t) = cumulative(t−1) + this_year(t) against the previous year's report of the same "
           "agency in the run (written for the later report)"),
]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
           ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]


def section() -> list[str]:
    tpl = load()
    lines = [f"### table `{tpl.table}` — template `{tpl.id}` ({tpl.name})", "",
             "Reports of 2008–2018 (shared/reference/era-a.md): the statistics appendix and the figures stated in "
             "prose. cells.csv is unique on (report_id, table, row_key, col_key, method); wide/stats.csv takes "
             "`read`/`recovered` over `prose`. Money rows are in 万元.", "", "Row keys:", ""]
    lines += _table(["row_key", "printed labels"],
                    [[f"`{r.key}`" + (" (万元)" if r.kind == "money" else ""),
                      " · ".join(r.labels) if r.labels else "prose only"] for r in tpl.rows])
    lines += ["", "Column keys:", ""]
    lines += _table(["col_key", "printed labels"],
                    [[f"`{c.key}`", " · ".join(c.labels + tuple(f"`{p}`" for p in c.patterns))] for c in tpl.columns])
    lines += ["", "Methods (`method`):", ""]
    lines += _table(["method", "meaning"], [[f"`{m}`", t] for m, t in METHODS])
    return lines + [""]


def checks() -> list[list[str]]:
    """Check-id rows (check_id, table, what it checks) for the codebook's check table."""
    tpl = load()
    seen: dict[str, list[str]] = {}
    for i in tpl.identities:
        expr = " + ".join(i.lhs) + {"eq": " = ", "le": " ≤ ", "le_each": " ≥ each of "}[i.op] + " + ".join(i.rhs)
        seen.setdefault(i.id, []).append(expr)
    rows = [[f"`{k}`", tpl.table, f"{'error' if tpl.severity(k) == 'error' else 'plausibility'}: " + "; or ".join(v)]
            for k, v in seen.items()]
    rows += [[f"`{k}`", tpl.table, f"{'error' if tpl.severity(k) == 'error' else 'plausibility'}: {t}"]
             for k, t in CHECKS]
    return rows
