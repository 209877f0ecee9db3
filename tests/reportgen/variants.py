"""Table shapes real reports print besides the official one, for the accuracy tests (issue 10
items 2–4): the appeals table as three small tables, one per group, each with its own header
row (or with the applicant table's header repeated above it); a foreign row (行政复议) inside the
主动公开 table; row labels wrapped around their number line in whitespace layouts."""
from __future__ import annotations

import html as _html

from . import _RENDER, LAYOUTS, OUTRO, GenReport, GridCell, grid_tables, prose

APPEAL_NAMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
APPEAL_GROUPS = [("review", "行政复议"), ("suit_direct", "未经复议直接起诉"), ("suit_after_review", "复议后起诉")]
TEXT_LAYOUTS = tuple(x for x in LAYOUTS if x != "tab_copy")


APPEALS_HEADING = "四、政府信息公开行政复议、行政诉讼情况"


def appeals_three_tables(rep: GenReport, repeat_applicant_header: bool = False,
                         heading: str = APPEALS_HEADING) -> list[tuple[str, list]]:
    """The appeals section as three tables (heading, rows): a title row, a header row of the
    five result columns and one row of numbers each. With `repeat_applicant_header`, the
    requests table's applicant header (申请人情况 / 自然人 …) is printed above each of them, as
    conversions that repeat a table's header do. `heading`: the section heading above them
    ("" for none, or another wording)."""
    out = []
    for key, name in APPEAL_GROUPS:
        rows = []
        if repeat_applicant_header:
            rows.append([GridCell("申请人情况", colspan=6)])
            rows.append([GridCell("自然人")] + [GridCell(x) for x in ["商业企业", "科研机构", "社会公益组织", "法律服务机构"]]
                        + [GridCell("总计")])
        title = name if key == "review" else f"行政诉讼（{name}）"
        rows.append([GridCell(title, colspan=6)])
        rows.append([GridCell("")] + [GridCell(n) for n in APPEAL_NAMES])
        rows.append([GridCell(name)] + [GridCell(rep.printed[("appeals", key, c)])
                                       for c in ["upheld", "corrected", "other", "pending", "total"]])
        out.append((heading if key == "review" else "", rows))
    return out


def with_three_table_appeals(rep: GenReport, repeat_applicant_header: bool = False,
                             heading: str = APPEALS_HEADING) -> list[tuple[str, list]]:
    return grid_tables(rep)[:2] + appeals_three_tables(rep, repeat_applicant_header, heading)


def without_active_row(tables: list[tuple[str, list]], label: str) -> list[tuple[str, list]]:
    """The tables with the 主动公开 row printed as `label` left out (a report that omits a row)."""
    head, rows = tables[0]
    kept = [r for r in rows if not (r and r[0].text == label)]
    return [(head, kept)] + tables[1:]


def with_foreign_row(tables: list[tuple[str, list]], after: str, label: str, values: list[str]) -> list[tuple[str, list]]:
    """A row of another table (`label` with `values`) printed inside 主动公开, after the row `after`."""
    head, rows = tables[0]
    out = []
    for r in rows:
        out.append(r)
        if r and r[0].text == after:
            cells = [GridCell(label)] + [GridCell(v) for v in values]
            width = sum(c.colspan for c in r)
            if sum(c.colspan for c in cells) < width:
                cells[-1].colspan += width - sum(c.colspan for c in cells)
            out.append(cells)
    return [(head, out)] + tables[1:]


def render_text_tables(rep: GenReport, layout: str, tables: list[tuple[str, list]]) -> str:
    """reportgen.render_text with the given tables instead of the official ones."""
    title, intro = prose(rep)
    parts = [title, ""] + [x for p in intro for x in (p, "")]
    for heading, rows in tables:
        if heading:
            parts += [heading, ""]
        parts.append(_RENDER[layout](rows))
        parts.append("")
    parts += [x for p in OUTRO for x in (p, "")]
    return "\n".join(parts)


def render_html_tables(rep: GenReport, tables: list[tuple[str, list]]) -> str:
    """reportgen.render_html with the given tables."""
    title, intro = prose(rep)
    body = [f"<h1>{_html.escape(title)}</h1>"] + [f"<p>{_html.escape(p)}</p>" for p in intro]
    for heading, rows in tables:
        if heading:
            body.append(f"<h2>{_html.escape(heading)}</h2>")
        body.append('<table border="1">')
        for row in rows:
            tds = "".join(f'<td{f" rowspan={c.rowspan}" if c.rowspan > 1 else ""}'
                          f'{f" colspan={c.colspan}" if c.colspan > 1 else ""}>{_html.escape(c.text)}</td>' for c in row)
            body.append(f"<tr>{tds}</tr>")
        body.append("</table>")
    body += [f"<p>{_html.escape(p)}</p>" for p in OUTRO]
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{"".join(body)}</body></html>'


def layout_wrapped_labels(rep: GenReport, max_label: int = 14, middle: bool = False) -> str:
    """The report in the whitespace layout with every row label longer than `max_label` wrapped
    AROUND its number line, as a narrow, vertically centred label cell prints it: the first
    part above the numbers, the rest below (`middle`: three parts, the middle one on the number
    line)."""
    from . import _layout, _num

    tables = grid_tables(rep)
    title, intro = prose(rep)
    parts = [title, ""] + [x for p in intro for x in (p, "")]
    for heading, rows in tables:
        parts += [heading, ""]
        text = _layout(rows)
        parts.append(_wrap_lines(text.split("\n"), max_label, middle, _num))
        parts.append("")
    parts += [x for p in OUTRO for x in (p, "")]
    return "\n".join(parts)


def _wrap_lines(lines: list[str], max_label: int, middle: bool, is_num) -> str:
    import re

    out = []
    for line in lines:
        m = re.match(r"^(\S(?:.*?\S)?)(\s{2,}.*)$", line)
        if not m or not any(is_num(t) for t in m.group(2).split()) or len(m.group(1).replace(" ", "")) <= max_label:
            out.append(line)
            continue
        label, rest = m.group(1), m.group(2)
        pad = " " * len(label)
        if middle:
            k1, k2 = len(label) // 3, 2 * len(label) // 3
            out += [label[:k1], (label[k1:k2]).ljust(len(label)) + rest, label[k2:]]
        else:
            k = len(label) // 2
            out += [label[:k], pad + rest, label[k:]]
    return "\n".join(out)
