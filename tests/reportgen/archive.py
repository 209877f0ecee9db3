"""A generated archive for the dataset: bodies with a report for every year 2019–2025, values
continuous across years (P1 and P2 hold), printed names that change between years, duplicate
files of one agency-year with one changed cell, planted P1/P2 breaks and missing years, rendered
in several formats. `truth` says what the dataset must find; `verify` compares a built dataset
with it. Used by tests/test_dataset_archive.py (small) and tools/bench_dataset.py (full size).
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

from . import APPLICANT_COLS, LAYOUTS, random_report, render_docx, render_html, render_text

YEARS = tuple(range(2019, 2026))
BODIES = ("人民政府", "人民政府办公室", "发展和改革局", "财政局", "民政局", "市场监督管理局")
TYPO = {"发展和改革局": "发展和改草局", "市场监督管理局": "市场监督管埋局"}
# two districts of one name in different cities: always printed with their city, never merged
TWINS = (("北京市", "朝阳区"), ("长春市", "朝阳区"))


@dataclass
class Body:
    body_id: str
    county: str
    city: str
    province: str
    body: str
    names: dict = field(default_factory=dict)     # year -> printed name


@dataclass
class ArchiveReport:
    body_id: str
    year: int
    rep: object
    fmt: str
    name: str = ""            # file name
    duplicate_of: str = ""    # file name of the original when this is a republished copy
    changed_key: str = ""     # table/row/col changed in the copy
    prose: str = ""           # a section-一 sentence stating table figures (text formats)


@dataclass
class Archive:
    bodies: list
    reports: list
    p1_breaks: set = field(default_factory=set)     # (body_id, year, col_key)
    p2_breaks: set = field(default_factory=set)     # (body_id, year, row_key)
    missing: set = field(default_factory=set)       # (body_id, year)
    prose_breaks: set = field(default_factory=set)  # (body_id, year): the prose states a wrong figure


def _counties(n: int, rng: random.Random):
    """n counties whose names resolve to one division in every code table (no guessing needed)."""
    from ogi.dataset import regions

    revs = regions.revisions()
    cur = revs[-1]
    pool = []
    for code, name in sorted(cur.names.items()):
        if code.endswith("00") or len(cur.full.get(name, [])) != 1:
            continue
        if any(len(r.full.get(name, [])) > 1 for r in revs) or name.endswith("市辖区"):
            continue
        city, prov = cur.names.get(code[:4] + "00", ""), cur.names.get(code[:2] + "0000", "")
        if not city or not prov or len(cur.full.get(city, [])) != 1 or code[:2] in ("11", "12", "31", "50"):
            continue
        if all(code in r.names and r.names[code] == name for r in revs[-2:]):
            pool.append((name, city, prov))
    return rng.sample(pool, n)


def _style(rng: random.Random, b: Body) -> dict:
    """Printed name per year: with or without the city / province prefix, traditional script once."""
    import opencc

    forms = [b.county + b.body, b.city + b.county + b.body, b.province + b.city + b.county + b.body]
    names = {}
    for y in YEARS:
        names[y] = forms[0] if y < 2021 else rng.choice(forms[:2]) if rng.random() < 0.5 else forms[1]
    if rng.random() < 0.3:
        names[rng.choice(YEARS)] = opencc.OpenCC("s2t").convert(names[2019])
    if b.body in TYPO and rng.random() < 0.5:
        y = rng.choice(YEARS[1:-1])
        names[y] = names[y].replace(b.body, TYPO[b.body])
    return names


def make_archive(seed: int, n_counties: int, bodies_per_county: int = 3, duplicate_rate: float = 0.05,
                 p1_rate: float = 0.08, p2_rate: float = 0.08, missing_rate: float = 0.05,
                 docx_limit: int | None = None, prose_rate: float = 0.5, prose_break_rate: float = 0.1) -> Archive:
    """`docx_limit`: at most that many Word files (python-docx renders slowly)."""
    rng = random.Random(seed)
    n_docx = 0
    bodies = []
    for county, city, prov in _counties(n_counties, rng):
        for body in rng.sample(BODIES, bodies_per_county):
            b = Body(f"B{len(bodies):05d}", county, city, prov, body)
            b.names = _style(rng, b)
            bodies.append(b)
    for city, county in TWINS:
        b = Body(f"B{len(bodies):05d}", county, city, "", "人民政府")
        b.names = {y: city + county + "人民政府" for y in YEARS}
        bodies.append(b)
    arc = Archive(bodies, [])
    for b in bodies:
        series = _series(rng, b)
        _plant(rng, arc, b, series, p1_rate, p2_rate)
        gone = set()
        if rng.random() < missing_rate:
            y = rng.choice(YEARS[1:-1])
            gone.add(y)
            arc.missing.add((b.body_id, y))
        for y, rep in series.items():
            if y in gone:
                continue
            _blank_zeros(rng, rep, keep=_involved(arc, b.body_id, y))
            fmt = rng.choice(LAYOUTS + ("html", "html", "docx"))
            if fmt == "docx":
                n_docx += 1
                if docx_limit is not None and n_docx > docx_limit:
                    fmt = "html"
            r = ArchiveReport(b.body_id, y, rep, fmt, name=f"{b.body_id}_{y}_{fmt}")
            if fmt in LAYOUTS and rng.random() < prose_rate:
                r.prose = _prose(rng, arc, b.body_id, y, rep, prose_break_rate)
            arc.reports.append(r)
            if rng.random() < duplicate_rate:
                arc.reports.append(_duplicate(rng, r))
    # a missing year leaves no P1/P2 break to find at the report after it
    arc.p1_breaks = {k for k in arc.p1_breaks if (k[0], k[1]) not in arc.missing and (k[0], k[1] - 1) not in arc.missing}
    arc.p2_breaks = {k for k in arc.p2_breaks if (k[0], k[1]) not in arc.missing and (k[0], k[1] - 1) not in arc.missing}
    return arc


def _series(rng: random.Random, b: Body) -> dict:
    """One report per year, each valid, carried-over = last year's carried-forward, in-force and
    item counts continuous."""
    out, prev = {}, None
    for y in YEARS:
        rep = random_report(rng, "2019" if y < 2021 else "2021", blank_rate=0.0, year=y)
        rep.agency = b.names[y]
        if prev is not None:
            _continue(rng, prev, rep)
        out[y] = prev = rep
    for rep in out.values():
        _reprint(rep)
    return out


def _continue(rng: random.Random, prev, rep) -> None:
    v, pv = rep.values, prev.values
    for c in APPLICANT_COLS:
        co = pv[("requests", "carried_forward", c)]
        processed = v[("requests", "total_processed", c)]
        fwd = rng.randint(0, max(1, processed // 10)) if processed else 0
        new = processed + fwd - co
        if new < 0:
            fwd, new = fwd - new, 0
        v[("requests", "carried_over", c)], v[("requests", "carried_forward", c)] = co, fwd
        v[("requests", "new_received", c)] = new
    for rk in ("new_received", "carried_over", "carried_forward"):
        v[("requests", rk, "total")] = sum(v[("requests", rk, c)] for c in APPLICANT_COLS)
    if rep.template == "2021" and prev.template == "2021":
        for rk in ("rules", "normative_docs"):
            issued = v[("active", rk, "issued")]
            rep_ = min(v[("active", rk, "repealed")], pv[("active", rk, "in_force")] + issued)
            v[("active", rk, "repealed")] = rep_
            v[("active", rk, "in_force")] = pv[("active", rk, "in_force")] + issued - rep_
    if rep.template == "2019" and prev.template == "2019":
        for (t, rk, ck) in list(v):
            if t == "active" and ck == "prev_items":
                total = pv[(t, rk, "prev_items")] + pv[(t, rk, "change")]
                if total < 0:
                    pv[(t, rk, "change")] = -pv[(t, rk, "prev_items")]
                    total = 0
                v[(t, rk, ck)] = total


def _reprint(rep) -> None:
    for k, val in rep.values.items():
        if k[0] in ("requests", "appeals") or k[2] in ("prev_items", "in_force", "repealed", "change"):
            rep.printed[k] = "" if val is None else (f"+{val}" if k[2] == "change" and val > 0 else str(val))


def _plant(rng: random.Random, arc: Archive, b: Body, series: dict, p1_rate: float, p2_rate: float) -> None:
    """Shift a carried chain / an in-force series from year t on: exactly one break, at t."""
    if rng.random() < p1_rate:
        t, k = rng.choice(YEARS[1:]), rng.randint(1, 9)
        for y in YEARS:
            if y >= t:
                for c in ("natural_person", "total"):
                    for rk in ("carried_over", "carried_forward"):
                        series[y].values[("requests", rk, c)] += k
        arc.p1_breaks |= {(b.body_id, t, "natural_person"), (b.body_id, t, "total")}
    if rng.random() < p2_rate:
        t, k = rng.choice(YEARS[3:]), rng.randint(1, 9)
        for y in YEARS:
            if y >= t:
                series[y].values[("active", "normative_docs", "in_force")] += k
        arc.p2_breaks.add((b.body_id, t, "normative_docs"))
    elif rng.random() < p2_rate:
        series[2020].values[("active", "admin_permit", "prev_items")] += rng.randint(1, 9)
        arc.p2_breaks.add((b.body_id, 2020, "admin_permit"))
    for rep in series.values():
        _reprint(rep)


def _prose(rng: random.Random, arc: Archive, body_id: str, year: int, rep, break_rate: float) -> str:
    """全年收到政府信息公开申请X件，予以公开Y件 — with X wrong (a planted mismatch) at break_rate."""
    new = rep.values[("requests", "new_received", "total")] or 0
    granted = rep.values[("requests", "granted", "total")] or 0
    if new > 0 and rng.random() < break_rate:
        new += rng.randint(1, 9)
        arc.prose_breaks.add((body_id, year))
    return f"全年共收到政府信息公开申请{new}件，予以公开{granted}件。"


def _involved(arc: Archive, body_id: str, year: int) -> bool:
    keys = {(x[0], x[1]) for x in arc.p1_breaks | arc.p2_breaks}
    return (body_id, year) in keys or (body_id, year + 1) in keys


def _blank_zeros(rng: random.Random, rep, keep: bool) -> None:
    """Some reports print zeros of the requests table as blank cells (read as 0 by the checks)."""
    if keep or rng.random() > 0.3:
        return
    for k, v in rep.values.items():
        if k[0] == "requests" and v == 0:
            rep.values[k] = None
            rep.printed[k] = ""


def _duplicate(rng: random.Random, r: ArchiveReport) -> ArchiveReport:
    """The same report republished in another format with one cell changed (a correction)."""
    import copy

    rep = copy.deepcopy(r.rep)
    key = ("active", "admin_penalty", "decisions") if rng.random() < 0.5 else ("appeals", "review", "upheld")
    rep.values[key] = (rep.values[key] or 0) + rng.randint(1, 5)
    rep.printed[key] = str(rep.values[key])
    fmt = rng.choice([f for f in ("html", "docx", "tab_rows", "markdown") if f != r.fmt])
    return ArchiveReport(r.body_id, r.year, rep, fmt, name=f"{r.body_id}_{r.year}_{fmt}_copy", duplicate_of=r.name,
                         changed_key="/".join(key), prose=r.prose if fmt in LAYOUTS else "")


def write_archive(arc: Archive, folder: str) -> list[str]:
    """Render every report of the archive into folder (one file each); return the paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for r in arc.reports:
        if r.fmt == "html":
            path = os.path.join(folder, r.name + ".html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(render_html(r.rep))
        elif r.fmt == "docx":
            path = os.path.join(folder, r.name + ".docx")
            render_docx(r.rep, path)
        else:
            text = render_text(r.rep, r.fmt)
            if r.prose:
                text = text.replace("一、总体情况\n", "一、总体情况\n" + r.prose + "\n", 1)
            if r.fmt == "markdown":
                text = "# " + text          # a Markdown heading's '#' before the agency name
            path = os.path.join(folder, r.name + (".md" if r.fmt == "markdown" else ".txt"))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        paths.append(path)
    return paths


def verify(arc: Archive, dataset_dir: str) -> dict:
    """Compare a dataset built from the archive's files with the truth: a dict of problem lists."""
    import duckdb

    con = duckdb.connect(os.path.join(dataset_dir, "ogi.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT source_path, agency_id, year, report_id, is_canonical FROM reports").fetchall()
        by_name = {os.path.splitext(os.path.basename(p))[0]: (aid, y, rid, canon) for p, aid, y, rid, canon in rows}
        body_of = {}
        problems: dict[str, list] = {"unparsed": [], "split": [], "merged": [], "p1_missed": [], "p2_missed": [],
                                     "false_warnings": [], "missing_year_missed": [], "duplicate_not_grouped": [],
                                     "duplicate_cell_not_listed": [], "extra_version_cells": [],
                                     "prose_missed": [], "prose_false_warnings": []}
        ids: dict[str, set] = {}
        for r in arc.reports:
            got = by_name.get(r.name)
            if not got or not got[0]:
                problems["unparsed"].append(r.name)
                continue
            ids.setdefault(r.body_id, set()).add(got[0])
            body_of.setdefault(got[0], set()).add(r.body_id)
        problems["split"] = sorted(b for b, s in ids.items() if len(s) > 1)
        problems["merged"] = sorted(a for a, s in body_of.items() if len(s) > 1)
        agency = {b: next(iter(s)) for b, s in ids.items() if len(s) == 1}
        fails = con.execute("SELECT agency_id, year, check_id, scope FROM checks WHERE origin = 'cross_year' "
                            "AND status = 'fail'").fetchall()
        found = {(a, y, c, s) for a, y, c, s in fails}
        expected = set()
        for b, y, c in arc.p1_breaks:
            expected.add((agency.get(b), y, "P1", c))
        for b, y, rk in arc.p2_breaks:
            expected.add((agency.get(b), y, "P2", rk))
        for b, y in arc.missing:
            nxt = min((yy for yy in YEARS if yy > y and (b, yy) not in arc.missing), default=None)
            if nxt is not None:
                expected.add((agency.get(b), nxt, "Y1", str(y)))
        problems["p1_missed"] = sorted(e for e in expected - found if e[2] == "P1")
        problems["p2_missed"] = sorted(e for e in expected - found if e[2] == "P2")
        problems["missing_year_missed"] = sorted(e for e in expected - found if e[2] == "Y1")
        problems["false_warnings"] = sorted(found - expected)
        versions = con.execute("SELECT agency_id, year, \"table\" || '/' || row_key || '/' || col_key, report_id, "
                               "canonical_report_id FROM versions").fetchall()
        listed = {(a, y, k) for a, y, k, _, _ in versions}
        dup_keys = set()
        for r in arc.reports:
            if not r.duplicate_of:
                continue
            a = agency.get(r.body_id)
            orig, copy_ = by_name.get(r.duplicate_of), by_name.get(r.name)
            if not orig or not copy_ or orig[0] != copy_[0] or orig[1] != copy_[1]:
                problems["duplicate_not_grouped"].append(r.name)
                continue
            dup_keys.add((a, r.year, r.changed_key))
            if (a, r.year, r.changed_key) not in listed:
                problems["duplicate_cell_not_listed"].append((r.name, r.changed_key))
        problems["extra_version_cells"] = sorted(listed - dup_keys)
        p7 = {(a, y) for a, y in con.execute("SELECT agency_id, year FROM checks WHERE check_id = 'P7' "
                                              "AND status = 'fail'").fetchall()}
        planted = {(agency.get(b), y) for b, y in arc.prose_breaks}
        problems["prose_missed"] = sorted(planted - p7)
        problems["prose_false_warnings"] = sorted(p7 - planted)
        return problems
    finally:
        con.close()
