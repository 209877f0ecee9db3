"""`ogi show DIR --agency NAME|ID | --region CODE [--xlsx FILE]`: given a dataset folder and a
selection, print a year-by-year table of the main indicators (rich) and the failed cross-year
checks, or write the selection's panel to Excel (one sheet per table, Chinese headers)."""
from __future__ import annotations

import os

from . import schema

MAIN_INDICATORS = {"requests_new_received": "新收申请", "requests_carried_over": "上年结转",
                   "requests_granted": "予以公开", "requests_partially_granted": "部分公开",
                   "requests_total_processed": "办理总计", "requests_carried_forward": "结转下年",
                   "share_granted": "公开比例", "review_total": "复议", "share_reviews_corrected": "复议纠正",
                   "suit_total": "诉讼", "normative_docs_issued": "规范性文件"}
EXCEL_MAX_ROWS = 1_048_575
_BY_AGENCY = ("agencies", "agency_names", "reports", "cells", "checks", "indicators", "versions", "log")


def select_agencies(con, agency: str | None = None, region: str | None = None) -> list[str]:
    """agency_ids for an agency (its id, a region code of it, or a name as printed / normalized /
    canonical, exact or contained) or a region (6-digit code; every division inside it)."""
    if region:
        code = region.strip()
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        rows = con.execute("SELECT agency_id FROM agencies WHERE region_code LIKE ? ORDER BY region_code, agency_id",
                           [prefix + "%"]).fetchall()
        return [r[0] for r in rows]
    if not agency:
        return [r[0] for r in con.execute("SELECT agency_id FROM agencies ORDER BY agency_id").fetchall()]
    from .identity import normalize

    a = agency.strip()
    exact = con.execute("""SELECT DISTINCT agency_id FROM agency_names WHERE agency_id = ? OR name_printed = ?
                           OR name_normalized = ? UNION SELECT agency_id FROM agencies WHERE canonical_name = ?
                           OR (region_code = ? AND kind = 'government') ORDER BY 1""",
                        [a, a, normalize(a), normalize(a), a]).fetchall()
    if exact:
        return [r[0] for r in exact]
    rows = con.execute("SELECT DISTINCT agency_id FROM agency_names WHERE name_normalized LIKE ? ORDER BY 1",
                       ["%" + normalize(a) + "%"]).fetchall()
    return [r[0] for r in rows]


def _fmt(v, ratio: bool) -> str:
    if v is None:
        return ""
    if ratio:
        return f"{v:.1%}"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def render(con, ids: list[str], console=None) -> None:
    """A rich table per agency: one row per year, the main indicators as columns."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    qs = ", ".join("?" * len(ids))
    for aid in ids:
        name, code, rname, level, kind = con.execute(
            "SELECT canonical_name, region_code, region_name, level, kind FROM agencies WHERE agency_id = ?",
            [aid]).fetchone()
        t = Table(title=f"{name}  [{aid}]  {code or '—'} {rname or ''} · {level or '?'} · {kind}", show_lines=False)
        t.add_column("年度", justify="right")
        t.add_column("模板")
        for short in MAIN_INDICATORS.values():
            t.add_column(short, justify="right", no_wrap=True)
        rows = con.execute("SELECT year, any_value(template), " + ", ".join(
            f"max(value) FILTER (WHERE indicator = '{i}')" for i in MAIN_INDICATORS)
            + " FROM indicators WHERE agency_id = ? GROUP BY year ORDER BY year", [aid]).fetchall()
        for year, tpl, *vals in rows:
            t.add_row(str(year), tpl or "", *[_fmt(v, ind.startswith("share")) for v, ind in zip(vals, MAIN_INDICATORS)])
        console.print(t)
    console.print("indicators: " + ", ".join(f"{v} = {k}" for k, v in MAIN_INDICATORS.items()), style="dim")
    if not ids:
        return
    fails = con.execute(f"""SELECT year, check_id, scope, message FROM checks WHERE agency_id IN ({qs})
                            AND origin = 'cross_year' AND status = 'fail' ORDER BY agency_id, year, check_id, scope""",
                        ids).fetchall()
    for year, cid, scope, msg in fails:
        console.print(f"[yellow]{cid}[/] {year} {scope or ''}: {msg}")


def write_xlsx(con, ids: list[str] | None, path: str) -> dict:
    """The selection's rows of every table, one sheet per table with Chinese headers."""
    import xlsxwriter

    counts = {}
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    head = wb.add_format({"bold": True})
    try:
        for t in schema.TABLES.values():
            cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                              "table_schema='main' AND table_name=? AND column_name <> 'seq' "
                                              "ORDER BY ordinal_position", [t.name]).fetchall()]
            where, params = "", []
            if ids is not None and t.name in _BY_AGENCY:
                where, params = f" WHERE agency_id IN ({', '.join('?' * len(ids))})", ids
            order = f" ORDER BY {t.order_by}" if t.order_by else ""
            n = con.execute(f"SELECT count(*) FROM main.{t.name}{where}", params).fetchone()[0]
            if n > EXCEL_MAX_ROWS:
                raise ValueError(f"table {t.name} has {n} rows for this selection, over Excel's {EXCEL_MAX_ROWS}: "
                                 f"choose fewer agencies (--agency / --region) or read the Parquet files")
            ws = wb.add_worksheet(t.title[:31])
            titles = {c.name: c.title for c in t.columns}
            for j, c in enumerate(cols):
                ws.write_string(0, j, titles.get(c, c), head)
            cur = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM main.{t.name}{where}{order}",
                              params)
            i = 1
            while batch := cur.fetchmany(10_000):
                for row in batch:
                    for j, v in enumerate(row):
                        if v is None:
                            continue
                        if isinstance(v, bool):
                            ws.write_boolean(i, j, v)
                        elif isinstance(v, (int, float)):
                            ws.write_number(i, j, v)
                        else:
                            ws.write_string(i, j, str(v))
                    i += 1
            counts[t.name] = n
    finally:
        wb.close()
    return counts


def add_arguments(s) -> None:
    s.description = ("Print a year-by-year table of the main indicators of the agencies selected from a dataset "
                     "folder, or write the selection (every table) to an Excel file.")
    s.add_argument("dir", metavar="DIR", help="dataset folder built by `ogi dataset`")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--agency", metavar="NAME|ID", help="agency_id, or a name as printed (exact or part of it)")
    g.add_argument("--region", metavar="CODE", help="GB/T 2260 code: every agency in that division")
    s.add_argument("--xlsx", metavar="FILE", help="write the selection's panel to FILE (one sheet per table)")


def main(args) -> int:
    from .build import DB_NAME
    import duckdb

    db = os.path.join(args.dir, DB_NAME)
    if not os.path.exists(db):
        print(f"ogi: {args.dir}: no {DB_NAME} (build it with `ogi dataset RUN_DIR... --out {args.dir}`)")
        return 2
    con = duckdb.connect(db, read_only=True)
    try:
        ids = select_agencies(con, args.agency, args.region)
        if (args.agency or args.region) and not ids:
            print(f"ogi: no agency matches {args.agency or args.region!r}")
            return 1
        if args.xlsx:
            counts = write_xlsx(con, ids if (args.agency or args.region) else None, args.xlsx)
            print(f"wrote {args.xlsx}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            return 0
        if not (args.agency or args.region) and len(ids) > 20:
            print(f"{len(ids)} agencies in the dataset; showing the first 20 (choose with --agency or --region)")
            ids = ids[:20]
        render(con, ids)
    except ValueError as e:
        print(f"ogi: {e}")
        return 1
    finally:
        con.close()
    return 0
