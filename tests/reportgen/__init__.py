"""A generator of random, valid reports for tests, fixtures and benchmarks.

`random_report` draws values that satisfy every identity of the template (blank cells where
the report leaves them empty), and the renderers print it the way real reports are printed:
the official table layout with merged cells (`grid_tables`), then as text in each layout the
text reader knows, as HTML, or as a Word document.
"""
from __future__ import annotations

import html as _html
import random
from dataclasses import dataclass, field
from typing import Optional

from pipeline import templates as T

AGENCIES = ["秀洲区人民政府", "平湖市发展和改革局", "上海市科学技术委员会", "淮安市人民政府", "柞水县凤凰镇人民政府",
            "广州市国资委", "定西市公共资源交易中心", "威海市文登区信访局", "株洲市天元区行政审批服务局"]
ORG_COLS = ["commercial", "research", "social_org", "legal_service", "other_org"]
APPLICANT_COLS = ["natural_person"] + ORG_COLS


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class GenReport:
    template: str
    agency: str
    year: int
    values: dict = field(default_factory=dict)     # (table, row, col) -> number or None (blank)
    printed: dict = field(default_factory=dict)    # (table, row, col) -> printed text
    label_noise: dict = field(default_factory=dict)  # standard label -> printed label

    def expected(self) -> dict[str, Optional[float]]:
        return {f"{t}/{r}/{c}": v for (t, r, c), v in self.values.items()}

    def label(self, text: str) -> str:
        return self.label_noise.get(text, text)


# ---------------------------------------------------------------- values
def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def _small(rng: random.Random) -> int:
    return rng.choice([0, 0, 0, rng.randint(1, 9), rng.randint(1, 99), rng.randint(1, 999), rng.randint(1000, 99999)])


def random_report(rng: random.Random, template: Optional[str] = None, blank_rate: float = 0.3,
                  noise: bool = True, year: Optional[int] = None) -> GenReport:
    template = template or rng.choice(["2019", "2021"])
    tpl = T.get(template)
    year = year or (rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2025))
    rep = GenReport(template=template, agency=rng.choice(AGENCIES), year=year)
    blanks_for_zero = rng.random() < blank_rate   # this report prints zeros as blank cells
    # active
    for r in tpl.tables["active"].rows:
        for c in tpl.tables["active"].row_columns(r):
            if c.kind == "signed":
                v = rng.randint(-50, 200)
                text = f"+{v}" if v > 0 and rng.random() < 0.7 else str(v)
            elif c.kind == "money":
                v = round(rng.uniform(0, 99999), rng.choice([0, 2, 4]))
                if template == "2019":
                    if rng.random() < 0.5:
                        text = f"{v:.4f}".rstrip("0").rstrip(".") + "万元"
                    else:
                        yuan = round(v * 10000, 2)
                        text = (f"{yuan:.2f}".rstrip("0").rstrip(".")) + "元"
                        v = float(f"{yuan:.2f}") / 10000
                else:
                    text = f"{v:.4f}".rstrip("0").rstrip(".")
            else:
                v = _small(rng)
                text = str(v)
            rep.values[("active", r.key, c.key)] = float(v) if isinstance(v, float) else v
            rep.printed[("active", r.key, c.key)] = text
    # requests: per applicant column, a flow that satisfies E1 and E2; totals by E3
    results = tpl.result_rows()
    for col in APPLICANT_COLS:
        scale = rng.choice([0, 0, 3, 30, 300]) if col != "natural_person" else rng.choice([0, 5, 50, 500, 3000])
        processed = rng.randint(0, scale) if scale else 0
        carried_over = rng.randint(0, max(1, processed // 10)) if processed else 0
        new = max(0, processed - carried_over + rng.randint(0, max(1, processed // 20)))
        forward = new + carried_over - processed
        parts = _split(rng, processed, len(results)) if processed else [0] * len(results)
        # many results are zero in real reports
        flow = {"new_received": new, "carried_over": carried_over, "total_processed": processed,
                "carried_forward": forward, **dict(zip(results, parts))}
        for rk, v in flow.items():
            rep.values[("requests", rk, col)] = v
    for r in tpl.tables["requests"].rows:
        rep.values[("requests", r.key, "total")] = sum(rep.values[("requests", r.key, c)] for c in APPLICANT_COLS)
    # appeals
    for r in tpl.tables["appeals"].rows:
        parts = [_small(rng) % 50 for _ in range(4)]
        for c, v in zip(["upheld", "corrected", "other", "pending"], parts):
            rep.values[("appeals", r.key, c)] = v
        rep.values[("appeals", r.key, "total")] = sum(parts)
    for k, v in list(rep.values.items()):
        if k not in rep.printed:
            rep.printed[k] = str(v)
        if blanks_for_zero and v == 0 and k[0] == "requests":
            rep.values[k] = None
            rep.printed[k] = ""
        elif k[0] == "requests" and v == 0 and rng.random() < 0.05:
            rep.printed[k] = rng.choice(["—", "-", "/", "无"])   # fillers that mean zero
    if noise:
        rep.label_noise = _noise(rng, tpl)
    return rep


def _noise(rng: random.Random, tpl: T.Template) -> dict[str, str]:
    """Label noise seen in real reports: quotes, numbering styles, stray spaces, a dropped character."""
    out = {}
    for t in ("active", "requests"):
        for r in tpl.tables[t].rows:
            label = r.label
            roll = rng.random()
            if roll < 0.1:
                label = label.replace("“", '"').replace("”", '"')
            elif roll < 0.2 and label[:2].rstrip(".").isdigit():
                label = label.replace(".", "、", 1)
            elif roll < 0.3 and len(label) > 6:
                k = rng.randint(1, len(label) - 2)
                label = label[:k] + " " + label[k:]
            elif roll < 0.35 and len(label) > 8:
                k = rng.randint(3, len(label) - 2)
                label = label[:k] + label[k + 1:]
            out[r.label] = label
    return out


# ---------------------------------------------------------------- the official layout
def grid_tables(rep: GenReport) -> list[tuple[str, list[list[GridCell]]]]:
    """The three tables as printed: (section heading, rows of cells with spans)."""
    tpl = T.get(rep.template)
    p = lambda t, r, c: rep.printed[(t, r, c)]
    out = []
    # 二、主动公开 — sub-tables stacked in one grid of 4 columns
    act = tpl.tables["active"]
    rows: list[list[GridCell]] = []
    groups: dict[str, list] = {}
    for r in act.rows:
        groups.setdefault(r.group, []).append(r)
    for g, rs in groups.items():
        cols = act.row_columns(rs[0])
        rows.append([GridCell(g, colspan=4)])
        head = [GridCell("信息内容")] + [GridCell(c.label) for c in cols]
        if len(cols) < 3:
            head[-1].colspan = 4 - len(cols)
        rows.append(head)
        for r in rs:
            cells = [GridCell(rep.label(r.label))] + [GridCell(p("active", r.key, c.key)) for c in cols]
            if len(cols) < 3:
                cells[-1].colspan = 4 - len(cols)
            rows.append(cells)
    out.append(("二、主动公开政府信息情况", rows))
    # 三、收到和处理 — 3 label columns + 7 numbers
    req = tpl.tables["requests"]
    cols = req.row_columns(req.rows[0])
    rows = [[GridCell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
             GridCell("申请人情况", colspan=7)],
            [GridCell("自然人", rowspan=2), GridCell("法人或其他组织", colspan=5), GridCell("总计", rowspan=2)],
            [GridCell(c.label) for c in cols[1:6]]]
    keys = [r.key for r in req.rows]
    group_rows = {"三、本年度办理结果": [k for k in keys if k not in ("new_received", "carried_over", "carried_forward")]}
    sub = {}
    for r in req.rows:
        if r.group and r.group != "三、本年度办理结果":
            sub.setdefault(r.group, []).append(r.key)
    for r in req.rows:
        vals = [GridCell(p("requests", r.key, c.key)) for c in cols]
        lab = rep.label(r.label)
        if r.key in ("new_received", "carried_over", "carried_forward"):
            rows.append([GridCell(lab, colspan=3)] + vals)
            continue
        cells = []
        if r.key == group_rows["三、本年度办理结果"][0]:
            cells.append(GridCell("三、本年度办理结果", rowspan=len(group_rows["三、本年度办理结果"])))
        if r.group in sub:
            if sub[r.group][0] == r.key:
                cells.append(GridCell(r.group, rowspan=len(sub[r.group])))
            cells.append(GridCell(lab))
        else:
            cells.append(GridCell(lab, colspan=2))
        rows.append(cells + vals)
    out.append(("三、收到和处理政府信息公开申请情况", rows))
    # 四、复议诉讼
    names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [[GridCell("行政复议", colspan=5), GridCell("行政诉讼", colspan=10)],
            [GridCell(n, rowspan=2) for n in names] + [GridCell("未经复议直接起诉", colspan=5), GridCell("复议后起诉", colspan=5)],
            [GridCell(n) for n in names * 2],
            [GridCell(p("appeals", r.key, c)) for r in tpl.tables["appeals"].rows
             for c in ["upheld", "corrected", "other", "pending", "total"]]]
    out.append(("四、政府信息公开行政复议、行政诉讼情况", rows))
    return out


def placements(rows: list[list[GridCell]]):
    """(row, column, cell) for every cell, columns counted past cells spanning from above."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            yield r, c, cell
            c += cell.colspan


def expand(rows: list[list[GridCell]]) -> list[list[Optional[GridCell]]]:
    """Place spanned cells on a full grid; covered positions hold None."""
    grid: dict[tuple[int, int], Optional[GridCell]] = {}
    for r, c, cell in placements(rows):
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                grid[(r + dr, c + dc)] = cell if (dr, dc) == (0, 0) else None
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]


def prose(rep: GenReport) -> tuple[str, list[str]]:
    """Title and intro paragraphs that carry the agency and year."""
    title = f"{rep.agency}{rep.year}年政府信息公开工作年度报告"
    intro = [f"本报告根据《中华人民共和国政府信息公开条例》编制。本年度报告中所列数据的统计期限自{rep.year}年1月1日起至{rep.year}年12月31日止。",
             "一、总体情况", f"{rep.year}年，我单位认真贯彻落实《条例》，扎实推进政府信息公开工作。"]
    return title, intro


OUTRO = ["五、存在的主要问题及改进情况", "工作中仍存在一些不足，下一步将继续改进。", "六、其他需要报告的事项", "无。"]


# ---------------------------------------------------------------- text layouts
LAYOUTS = ("tab_cells", "tab_rows", "markdown", "layout", "dump", "tab_copy")


def render_text(rep: GenReport, layout: str) -> str:
    title, intro = prose(rep)
    if layout == "tab_copy":
        # a browser's copy of the page: one line per table row, a spanned cell printed once,
        # in-cell line breaks dropped, no blank lines anywhere
        parts = [title] + intro
        for heading, rows in grid_tables(rep):
            parts.append(heading)
            parts += ["\t".join(c.text.replace("\n", "") for c in row) for row in rows]
        return "\n".join(parts + OUTRO)
    parts = [title, ""] + [x for p in intro for x in (p, "")]
    for heading, rows in grid_tables(rep):
        parts += [heading, ""]
        parts.append(_RENDER[layout](rows))
        parts.append("")
    parts += [x for p in OUTRO for x in (p, "")]
    return "\n".join(parts)


def _texts(rows) -> list[list[str]]:
    """Rows of cell texts on the full grid; covered positions print as empty cells."""
    return [[(c.text if c is not None else "") for c in row] for row in expand(rows)]


def _tab_cells(rows) -> str:
    out = []
    for row in rows:
        for cell in row:
            lines = cell.text.split("\n")
            out.append("\t" + lines[0])
            out += lines[1:]
        out.append("")
    return "\n".join(out)


def _tab_rows(rows) -> str:
    return "\n".join("\t".join(row) for row in _texts(rows))


def _markdown(rows) -> str:
    t = _texts(rows)
    w = len(t[0])
    lines = ["| " + " | ".join(t[0]) + " |", "|" + "---|" * w]
    lines += ["| " + " | ".join(r) + " |" for r in t[1:]]
    return "\n".join(lines)


def _width(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _layout(rows) -> str:
    """Like `pdftotext -layout`: label text left, numbers in fixed character columns, a blank
    cell printed as spaces only (so its column must be recovered from the others' positions)."""
    t = _texts(rows)
    n_val = 7 if len(t[0]) == 10 else (15 if len(t[0]) == 15 else len(t[0]) - 1)
    labels = ["".join(x for x in row[:len(row) - n_val] if x) for row in t]
    width = max(len(x) for x in labels) + 4
    out = []
    for row, label in zip(t, labels):
        vals = row[len(row) - n_val:]
        if not any(_num(v) for v in vals):
            # header rows: column labels printed over their columns, as pdftotext places them
            line = label.ljust(width) if label else " " * width
            for v in vals:
                line += "  " + v[:12].rjust(12)
            out.append(line.rstrip())
            continue
        line = label.ljust(width)
        for v in vals:
            line += "  " + v.rjust(12)
        out.append(line.rstrip())
    return "\n".join(out)


def _num(s: str) -> bool:
    import re
    return bool(re.fullmatch(r"[+\-]?[\d.,]+(万元|元)?|[—\-/无]", s or ""))


def _dump(rows) -> str:
    out = []
    for row in rows:
        for cell in row:
            out.append(cell.text.replace("\n", ""))
    return "\n".join(out)


_RENDER = {"tab_cells": _tab_cells, "tab_rows": _tab_rows, "markdown": _markdown, "layout": _layout, "dump": _dump}


# ---------------------------------------------------------------- HTML and Word
def render_html(rep: GenReport, encoding: str = "utf-8") -> str:
    title, intro = prose(rep)
    body = [f"<h1>{_html.escape(title)}</h1>"] + [f"<p>{_html.escape(p)}</p>" for p in intro]
    for heading, rows in grid_tables(rep):
        body.append(f"<h2>{_html.escape(heading)}</h2>")
        body.append('<table border="1" cellspacing="0">')
        for row in rows:
            tds = []
            for c in row:
                span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
                tds.append(f"<td{span}>{_html.escape(c.text).replace(chr(10), '<br>')}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        body.append("</table>")
    body += [f"<p>{_html.escape(p)}</p>" for p in OUTRO]
    return (f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>{_html.escape(title)}</title></head>'
            f'<body>{"".join(body)}</body></html>')


def docx_table(container, rows: list[list[GridCell]]):
    """A python-docx table with real merges (gridSpan / vMerge), in a document or a table cell."""
    from docx.shared import Pt

    grid = expand(rows)
    table = container.add_table(rows=len(grid), cols=len(grid[0]))
    try:
        table.style = "Table Grid"
    except Exception:   # a cell's part has no styles
        pass
    for r, c, cell in placements(rows):
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        lines = cell.text.split("\n")
        target.text = lines[0]
        for extra in lines[1:]:
            target.add_paragraph(extra)
        for para in target.paragraphs:
            for run in para.runs:
                run.font.size = Pt(9)
    return table


def render_docx(rep: GenReport, path: str) -> None:
    """A Word document with real merged cells (gridSpan / vMerge), as agencies make them."""
    import docx

    title, intro = prose(rep)
    d = docx.Document()
    d.add_heading(title, level=1)
    for p in intro:
        d.add_paragraph(p)
    for heading, rows in grid_tables(rep):
        d.add_paragraph(heading)
        docx_table(d, rows)
    for p in OUTRO:
        d.add_paragraph(p)
    d.save(path)
