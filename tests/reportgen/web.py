"""More HTML and Word renderings of generated reports, shaped like what agencies publish.

`reportgen.render_html` / `render_docx` print the clean official layout; these add what real
pages and files carry around it: a table split into several tables (a page break in the
source document), the markup Word leaves when a report is pasted into a government CMS
(``<p><span>`` in every cell, ``&nbsp;`` for empty cells, source lines wrapped inside Chinese
words), the CMS page chrome (navigation, breadcrumbs, a layout table with a sidebar, related
links, footer, scripts), and a Word file whose report sits inside a one-cell frame table.
"""
from __future__ import annotations

import html as _html
import random
from typing import Optional

from . import OUTRO, GenReport, GridCell, docx_table, expand, grid_tables, prose


def origin_grid(rows: list[list[GridCell]]) -> dict[tuple[int, int], tuple[int, int, GridCell]]:
    """Every grid position → (origin row, origin col, cell)."""
    grid: dict[tuple[int, int], tuple[int, int, GridCell]] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = (r, c, cell)
            c += cell.colspan
    return grid


def split_rows(rows: list[list[GridCell]], at: int, carry: str = "") -> list[list[list[GridCell]]]:
    """The rows cut in two tables before row `at`; a merged cell across the cut is cut too, its
    lower part printed with `carry` (empty, as when a Word table breaks across pages)."""
    grid = origin_grid(rows)
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    parts = []
    for a, b in ((0, at), (at, n_rows)):
        part = []
        for r in range(a, b):
            out = []
            for c in range(n_cols):
                if (r, c) not in grid:
                    continue
                r0, c0, cell = grid[(r, c)]
                if c0 != c:
                    continue
                if r0 == r:
                    out.append(GridCell(cell.text, rowspan=min(r0 + cell.rowspan, b) - r, colspan=cell.colspan))
                elif r == a:
                    out.append(GridCell(carry, rowspan=min(r0 + cell.rowspan, b) - a, colspan=cell.colspan))
            part.append(out)
        parts.append(part)
    return parts


def web_tables(rep: GenReport, split: bool, rng: random.Random) -> list[tuple[str, list[list[list[GridCell]]]]]:
    """(heading, [table rows, ...]): each official table, or its parts when `split`."""
    out = []
    for heading, rows in grid_tables(rep):
        if split and heading.startswith("三"):
            out.append((heading, split_rows(rows, rng.randint(5, len(rows) - 2))))
        elif split and heading.startswith("二"):
            # each 第二十条 sub-table in its own table, as many agencies print it
            cuts = [i for i, row in enumerate(rows) if len(row) == 1 and row[0].colspan == 4]
            out.append((heading, [rows[a:b] for a, b in zip(cuts, cuts[1:] + [len(rows)])]))
        else:
            out.append((heading, [rows]))
    return out


# ------------------------------------------------------------------ plain split HTML
def render_html_split(rep: GenReport, rng: random.Random, encoding: str = "utf-8") -> str:
    title, intro = prose(rep)
    body = [f"<h1>{_html.escape(title)}</h1>"] + [f"<p>{_html.escape(p)}</p>" for p in intro]
    for heading, parts in web_tables(rep, True, rng):
        body.append(f"<h2>{_html.escape(heading)}</h2>")
        for i, rows in enumerate(parts):
            if i and rng.random() < 0.5:
                body.append("<p>&nbsp;</p>")
            body.append(_plain_table(rows))
    body += [f"<p>{_html.escape(p)}</p>" for p in OUTRO]
    return (f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>{_html.escape(title)}</title></head>'
            f'<body>{"".join(body)}</body></html>')


def _plain_table(rows) -> str:
    out = ['<table border="1">']
    for row in rows:
        tds = []
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            tds.append(f"<td{span}>{_html.escape(c.text).replace(chr(10), '<br>')}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


# ------------------------------------------------------------------ a CMS page with Word-pasted content
def _wrap_cjk(text: str, rng: random.Random) -> str:
    """Word's HTML wraps source lines inside Chinese text; browsers show no space there."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if 0 < i < len(text) - 1 and "\u4e00" <= ch <= "\u9fff" and "\u4e00" <= text[i + 1] <= "\u9fff" \
                and rng.random() < 0.08:
            out.append("\r\n")
    return "".join(out)


def _mso_cell(c: GridCell, rng: random.Random, tag: str = "td") -> str:
    span = (f" rowspan={c.rowspan}" if c.rowspan > 1 else "") + (f" colspan={c.colspan}" if c.colspan > 1 else "")
    width = rng.choice([48, 57, 76, 113, 151])
    style = "border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt"
    if not c.text:
        inner = ['<p class=MsoNormal align=center style="text-align:center"><span lang=EN-US '
                 'style="font-size:10.5pt">&nbsp;<o:p></o:p></span></p>']
    else:
        inner = []
        for line in c.text.split("\n"):
            esc = _wrap_cjk(_html.escape(line), rng)
            if rng.random() < 0.3 and len(line) > 3:   # a run split in two spans, as Word does
                k = rng.randint(1, len(esc) - 1)
                esc = f'{esc[:k]}</span><span style="font-family:宋体">{esc[k:]}'
            inner.append(f'<p class=MsoNormal align=center style="text-align:center;line-height:12.0pt">'
                         f'<span style="font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体">{esc}'
                         f'<o:p></o:p></span></p>')
    return f'<{tag} width={width} valign=middle{span} style="width:{width}pt;{style}">{"".join(inner)}</{tag}>'


def _mso_table(rows, rng: random.Random, header_rows: int = 0) -> str:
    out = ['<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=600 '
           'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">']
    if header_rows:
        out.append("<thead>")
    for i, row in enumerate(rows):
        if header_rows and i == header_rows:
            out.append("</thead><tbody>")
        elif not header_rows and i == 0:
            out.append("<tbody>")
        tag = "th" if i < header_rows else "td"
        out.append('<tr style="height:19.85pt">\n' + "\n".join(_mso_cell(c, rng, tag) for c in row) + "\n</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html_cms(rep: GenReport, rng: random.Random, encoding: str = "utf-8", split: bool = False,
                    declare: Optional[str] = "meta") -> str:
    """The report as a government CMS page: chrome, a layout table with a sidebar, an info box,
    the article pasted from Word. `declare`: "meta" (<meta charset>), "http-equiv", or None."""
    title, intro = prose(rep)
    esc = _html.escape
    art = [f'<p class=MsoNormal align=center style="text-align:center"><b><span style="font-size:22.0pt;'
           f'font-family:方正小标宋简体">{_wrap_cjk(esc(title), rng)}</span></b></p>']
    for p in intro:
        art.append(f'<p class=MsoNormal style="text-indent:32.0pt"><span style="font-size:16.0pt;'
                   f'font-family:仿宋_GB2312">{_wrap_cjk(esc(p), rng)}<o:p></o:p></span></p>')
    for heading, parts in web_tables(rep, split, rng):
        art.append(f'<p class=MsoNormal style="text-indent:32.0pt"><b><span style="font-size:16.0pt;'
                   f'font-family:黑体">{esc(heading)}</span></b></p>')
        for rows in parts:
            art.append(_mso_table(rows, rng, header_rows=3 if heading.startswith("四") and len(parts) == 1 else 0))
            art.append('<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>')
    for p in OUTRO:
        art.append(f'<p class=MsoNormal style="text-indent:32.0pt"><span style="font-size:16.0pt">'
                   f'{_wrap_cjk(esc(p), rng)}</span></p>')
    other_year = rep.year - 1
    if declare == "meta":
        head_decl = f'<meta charset="{encoding}">'
    elif declare == "http-equiv":
        head_decl = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    else:
        head_decl = ""
    nav = "".join(f'<li><a href="/col/col{i}/index.html">{n}</a></li>'
                  for i, n in enumerate(["首页", "政务公开", "政务服务", "互动交流", "走进本地"]))
    side = "".join(f'<li><a href="#">{n}</a></li>' for n in ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容",
                                                              "政府信息公开年报", "依申请公开"])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
{head_decl}
<title>{esc(title)}_{esc(rep.agency)}门户网站</title>
<meta name="ArticleTitle" content="{esc(title)}">
<link rel="stylesheet" href="/css/index.css">
<style>.TRS_Editor P{{margin-top:0;font-size:12pt}} td.left{{width:240px}} </style>
<script type="text/javascript">var tpl = "<table><tr><td>脚本里的表格</td></tr></table>"; document.write("");</script>
</head>
<body>
<div class="header"><div class="logo"><img src="/images/logo.png" alt="{esc(rep.agency)}"></div>
<div class="search"><form action="/search"><input type="text" name="q" value="请输入关键字"><button>搜索</button></form></div>
<ul class="nav">{nav}</ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col2/">政务公开</a> &gt; <span>政府信息公开年报</span></div>
<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center"><tr>
<td class="left" valign="top"><div class="left-menu"><h3>信息公开</h3><ul>{side}</ul></div></td>
<td valign="top">
<table class="xxgk_info" width="100%" border="0"><tbody>
<tr><td>索引号：</td><td>002482{rep.year}/{rng.randint(1000, 9999)}</td><td>发布机构：</td><td>{esc(rep.agency)}</td></tr>
<tr><td>发文日期：</td><td>{rep.year + 1}-01-{rng.randint(10, 31)}</td><td>主题分类：</td><td>政务公开</td></tr>
</tbody></table>
<div class="article">
<div class="info">发布时间：{rep.year + 1}-01-20 &nbsp; 浏览次数：<script>document.write(Math.round(Math.random()*1000))</script></div>
<div id="zoom" class="TRS_Editor"><!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
<div class="Section1" style="layout-grid:15.6pt">
{chr(10).join(art)}
</div></div>
<div style="display:none">隐藏的旧版正文：二〇一〇年政府信息公开工作年度报告</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="xgwz"><h4>相关文章</h4><ul><li><a href="#">{esc(rep.agency)}{other_year}年政府信息公开工作年度报告</a></li></ul></div>
</div>
</td></tr></table>
<div class="footer"><table width="1000"><tr><td>主办单位：{esc(rep.agency)}办公室</td><td>网站标识码：3304110001</td></tr>
<tr><td>浙ICP备05012345号</td><td>浙公网安备 33041102000123号</td></tr></table></div>
<script src="/js/jquery.min.js"></script>
</body></html>
"""


# ------------------------------------------------------------------ Word variants
def render_docx_web(rep: GenReport, path: str, rng: random.Random, split: bool = False, framed: bool = False) -> None:
    """A Word file: tables split by page breaks (`split`), and/or the whole report inside a
    one-cell frame table (`framed`), as some agencies lay out their reports."""
    import docx
    from docx.enum.text import WD_BREAK

    title, intro = prose(rep)
    d = docx.Document()
    d.add_paragraph("附件")
    if framed:
        frame = d.add_table(rows=1, cols=1)
        box = frame.cell(0, 0)
        box.text = title
        add_par = box.add_paragraph
        container = box
    else:
        d.add_heading(title, level=1)
        add_par = d.add_paragraph
        container = d
    for p in intro:
        add_par(p)
    for heading, parts in web_tables(rep, split, rng):
        add_par(heading)
        for i, rows in enumerate(parts):
            if i:
                brk = add_par("")
                brk.add_run().add_break(WD_BREAK.PAGE)
            docx_table(container, rows)
            if framed:
                add_par("")   # Word needs a paragraph after a nested table in a cell
    for p in OUTRO:
        add_par(p)
    d.save(path)
