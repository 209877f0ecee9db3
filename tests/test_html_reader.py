"""The HTML reader: grids from spans, page chrome left out, encodings, hostile pages, and the
whole pipeline on generated pages (committed fixtures and random reports)."""
from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reportgen  # noqa: E402
from reportgen import web as reportgen_web  # noqa: E402
from parsers import detect_format  # noqa: E402
from parsers import html as H  # noqa: E402
from parsers.model import Paragraph, ReadError, Table  # noqa: E402
from pipeline.report import parse_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures" / "html").glob("*.html"))


# ------------------------------------------------------------------ helpers
def grid(table: Table) -> list[tuple]:
    return sorted((c.row, c.col, c.text, c.rowspan, c.colspan) for c in table.cells)


def want_grid(rows) -> list[tuple]:
    """reportgen's rows of GridCells as the reader should return them: on the full grid, without
    the grid rows and columns in which no cell starts (a sub-table cut out of a wider table has
    those)."""
    placed = [(r, c, cell) for r, row in enumerate(reportgen.expand(rows)) for c, cell in enumerate(row)
              if cell is not None]
    cols = sorted({c for _, c, _ in placed})
    rws = sorted({r for r, _, _ in placed})
    return sorted((rws.index(r), cols.index(c), cell.text, sum(1 for s in rws if r <= s < r + cell.rowspan),
                   sum(1 for s in cols if c <= s < c + cell.colspan)) for r, c, cell in placed)


@st.composite
def span_tables(draw):
    """Random rows of cells with spans that stay inside the table."""
    n_rows = draw(st.integers(1, 7))
    rows = []
    for r in range(n_rows):
        cells = []
        for i in range(draw(st.integers(0 if r else 1, 5))):
            cells.append(reportgen.GridCell(f"r{r}c{i}", rowspan=draw(st.integers(1, n_rows - r)),
                                            colspan=draw(st.integers(1, 4))))
        rows.append(cells)
    return rows


def cell_values(pr) -> dict:
    return {f"{c['table']}/{c['row_key']}/{c['col_key']}": (float(c["value"]) if c["value"] != "" else None)
            for c in pr.cells}


def assert_round_trip(pr, expected: dict, agency: str, year: int, template: str) -> None:
    got = cell_values(pr)
    assert pr.report["status"] == "ok", pr.report["error"]
    assert (pr.report["agency"], pr.report["year"], pr.report["template"]) == (agency, year, template)
    assert set(got) == set(expected)
    bad = [(k, v, got[k]) for k, v in expected.items()
           if not ((v is None and got[k] is None)
                   or (v is not None and got[k] is not None and math.isclose(v, got[k], rel_tol=1e-9, abs_tol=1e-9)))]
    assert not bad, bad[:5]


def tables_of(text: str) -> list[Table]:
    return H.parse_html(text).tables


def paragraphs(text: str) -> list[str]:
    return [b.text for b in H.parse_html(text).blocks if isinstance(b, Paragraph)]


# ------------------------------------------------------------------ generated pages, grid level
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]))
def test_generated_page_grids_exact(seed, template):
    rep = reportgen.random_report(random.Random(seed), template=template)
    tables = tables_of(reportgen.render_html(rep))
    expected = reportgen.grid_tables(rep)
    assert len(tables) == len(expected)
    for t, (_, rows) in zip(tables, expected):
        assert grid(t) == want_grid(rows)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**9))
def test_split_tables_come_out_in_order(seed):
    rng = random.Random(seed)
    rep = reportgen.random_report(rng)
    tables = tables_of(reportgen_web.render_html_split(rep, random.Random(seed)))
    parts = [p for _, ps in reportgen_web.web_tables(rep, True, random.Random(seed)) for p in ps]
    assert [grid(t) for t in tables] == [want_grid(p) for p in parts]


# ------------------------------------------------------------------ the pipeline on fixtures and random pages
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_round_trip(path):
    exp = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    pr = parse_file(str(path))
    assert pr.report["format"] == "html"
    assert_round_trip(pr, exp["cells"], exp["agency"], exp["year"], exp["template"])


def test_fixture_set_covers_the_brief():
    names = {p.stem for p in FIXTURES}
    for needed in ("split_2019", "split_2021", "gbk_meta_2021", "gbk_undeclared_2021", "cms_2019", "cms_2021",
                   "word_export_2019", "word_export_2021", "word_export_xhtml_2021"):
        assert needed in names


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), kind=st.sampled_from(["plain", "split", "cms", "cms_split", "gbk_cms"]))
def test_random_pages_round_trip(tmp_path, seed, kind):
    rng = random.Random(seed)
    rep = reportgen.random_report(rng)
    if kind == "plain":
        data = reportgen.render_html(rep).encode("utf-8")
    elif kind == "split":
        data = reportgen_web.render_html_split(rep, rng).encode("utf-8")
    elif kind == "gbk_cms":
        data = reportgen_web.render_html_cms(rep, rng, encoding="gbk", declare=rng.choice(["meta", "http-equiv", None]),
                                             split=rng.random() < 0.5).encode("gbk")
    else:
        data = reportgen_web.render_html_cms(rep, rng, split=kind == "cms_split").encode("utf-8")
    path = tmp_path / f"r{seed}_{kind}.html"
    path.write_bytes(data)
    assert_round_trip(parse_file(str(path)), rep.expected(), rep.agency, rep.year, rep.template)


# ------------------------------------------------------------------ spans
@settings(max_examples=200, deadline=None)
@given(rows=span_tables())
def test_any_span_layout_is_placed_as_a_browser_does(rows):
    taken: set = set()   # overlapping layouts have no single right grid; the soup test covers them
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            cover = {(r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            assume(not (cover & taken))
            taken |= cover
            c += cell.colspan
    page = "<table>" + "".join(
        "<tr>" + "".join(f'<td rowspan="{c.rowspan}" colspan="{c.colspan}">{c.text}</td>' for c in row) + "</tr>"
        for row in rows) + "</table>"
    doc = H.parse_html(page)
    if max(len(r) for r in rows) < 2:   # one cell a row: a box around text, read as paragraphs
        assert not doc.tables
        assert [b.text for b in doc.blocks] == [c.text for row in rows for c in row]
        return
    t, = doc.tables
    assert grid(t) == want_grid(rows)


def test_absurd_spans_are_clamped_to_the_table():
    t, = tables_of('<table><tr><td rowspan="1000">a</td><td colspan="1000">b</td></tr>'
                   '<tr><td>c</td></tr><tr><td>d</td></tr></table>')
    assert grid(t) == [(0, 0, "a", 3, 1), (0, 1, "b", 1, 1), (1, 1, "c", 1, 1), (2, 1, "d", 1, 1)]


def test_rowspan_zero_runs_to_the_end_and_bad_spans_are_one():
    t, = tables_of('<table><tr><td rowspan="0">a</td><td colspan="x">b</td><td colspan="2;">c</td></tr>'
                   '<tr><td>d</td><td>e</td><td>f</td></tr><tr><td>g</td><td colspan="-3">h</td><td>i</td></tr></table>')
    cells = {(c.row, c.col): (c.text, c.rowspan, c.colspan) for c in t.cells}
    assert cells[(0, 0)] == ("a", 3, 1)
    assert cells[(0, 1)] == ("b", 1, 1)
    assert cells[(0, 2)] == ("c", 1, 2)
    assert cells[(2, 2)] == ("h", 1, 1)


def test_a_span_into_a_cell_from_above_is_cut():
    t, = tables_of("<table><tr><td>a</td><td rowspan=2>b</td><td>x</td></tr><tr><td colspan=3>c</td><td>d</td></tr></table>")
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "b", 2, 1), (0, 2, "x", 1, 1), (1, 0, "c", 1, 1), (1, 2, "d", 1, 1)]


def test_columns_no_cell_starts_in_are_dropped():
    # a CMS editor left colspan=8 on a 3-column table
    t, = tables_of('<table><tr><td colspan="8">caption</td></tr><tr><td>x</td><td>1</td><td>2</td></tr></table>')
    assert grid(t) == [(0, 0, "caption", 1, 3), (1, 0, "x", 1, 1), (1, 1, "1", 1, 1), (1, 2, "2", 1, 1)]


def test_thead_first_tfoot_last_and_th_cells():
    t, = tables_of('<table><tfoot><tr><td>foot</td><td>9</td></tr></tfoot><tbody><tr><td>body</td><td>1</td></tr>'
                   '</tbody><thead><tr><th>head</th><th>n</th></tr></thead></table>')
    assert [c.text for c in t.cells] == ["head", "n", "body", "1", "foot", "9"]


# ------------------------------------------------------------------ cell and paragraph text
def test_cell_line_breaks_nbsp_and_word_source_wrapping():
    t, = tables_of('<table><tr><td>本年新<br>制作数量</td><td><p>商业</p><p>企业</p></td>'
                   '<td><div>a</div>b</td><td>&nbsp;</td><td><span>规范性\r\n文件</span></td>'
                   '<td>Total  \n  count</td></tr></table>')
    assert [c.text for c in t.cells] == ["本年新\n制作数量", "商业\n企业", "a\nb", "", "规范性文件", "Total count"]


def test_paragraphs_in_document_order_around_tables():
    page = ('<html><body><h1>标题</h1><p>第一段<br>第二行</p><div>一、总体情况</div>'
            '<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>'
            '<p>五、存在的问题</p><pre>行甲\n行乙</pre></body></html>')
    doc = H.parse_html(page)
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["标题", "第一段", "第二行", "一、总体情况", "TABLE", "五、存在的问题", "行甲", "行乙"]


def test_layout_table_around_the_article_keeps_its_text():
    page = ('<body><table width="1000"><tr><td class="left"><ul><li>首页</li></ul></td><td>'
            '<h1>某局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>正文。</p>'
            '<table><tr><td>x</td><td>1</td></tr><tr><td>y</td><td>2</td></tr></table><p>六、其他</p>'
            '</td></tr></table></body>')
    doc = H.parse_html(page)
    assert len(doc.tables) == 1 and grid(doc.tables[0])[0] == (0, 0, "x", 1, 1)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts[-4:] == ["某局2023年政府信息公开工作年度报告", "一、总体情况", "正文。", "六、其他"]


def test_malformed_tables_as_browsers_read_them():
    t, = tables_of("<table><tr><td>a<td>1<tr><td>b<td>2</table>")
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "1", 1, 1), (1, 0, "b", 1, 1), (1, 1, "2", 1, 1)]
    t, = tables_of("<table><td>a</td><td>1</td><tr><td>b</td><td>2</td></tr></table>")   # cells with no row
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "1", 1, 1), (1, 0, "b", 1, 1), (1, 1, "2", 1, 1)]


def test_one_cell_box_inside_a_cell_is_text():
    t, = tables_of("<table><tr><td>a</td><td><table><tr><td>5</td></tr></table></td></tr>"
                   "<tr><td>b</td><td>6</td></tr></table>")
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "5", 1, 1), (1, 0, "b", 1, 1), (1, 1, "6", 1, 1)]


def test_one_row_page_frame_without_inner_tables_is_layout():
    long = "。".join(["这是报告正文的一句话"] * 100)
    doc = H.parse_html(f'<table><tr><td>菜单</td><td><h2>一、总体情况</h2><p>{long}</p></td></tr></table>')
    assert not doc.tables
    assert "一、总体情况" in [b.text for b in doc.blocks]


def test_page_chrome_scripts_and_hidden_text_left_out():
    page = ('<html><head><title>年度报告_某某网</title><style>p{color:red}</style></head><body>'
            '<div class="header"><ul class="nav"><li>首页</li><li>政务公开</li></ul></div>'
            '<nav>导航</nav><div class="position">当前位置：首页 &gt; 年报</div>'
            '<div id="zoom" class="TRS_Editor"><p>某局2022年政府信息公开工作年度报告</p><p>正文段落。</p>'
            '<script>document.write("<p>脚本</p>")</script><div style="display: none">隐藏</div>'
            '<span hidden>也隐藏</span></div>'
            '<div class="share">分享到</div><div class="xgwz">相关文章：某局2021年政府信息公开工作年度报告</div>'
            '<footer>版权所有</footer><div id="footer">主办单位</div><noscript>请开启脚本</noscript>'
            '</body></html>')
    texts = paragraphs(page)
    assert texts == ["年度报告_某某网", "某局2022年政府信息公开工作年度报告", "正文段落。"] or \
        texts == ["某局2022年政府信息公开工作年度报告", "正文段落。"]


def test_title_tag_added_only_when_the_body_lacks_it():
    assert paragraphs('<html><head><title>某区2020年报告</title></head><body><p>正文</p></body></html>') == \
        ["某区2020年报告", "正文"]
    assert paragraphs('<html><head><title>某区2020年报告_门户</title></head><body><h1>某区2020年报告</h1></body></html>') == \
        ["某区2020年报告"]


def test_chrome_named_wrapper_holding_the_article_is_kept():
    body = "".join(f"<p>第{i}段正文内容比较长的一段话。</p>" for i in range(30))
    texts = paragraphs(f'<body><div class="main-nav-wrap">{body}</div><div class="nav">首页</div></body>')
    assert len(texts) == 30 and "首页" not in texts


def test_article_in_a_print_area_under_a_mega_menu_is_kept():
    menu = "".join(f"<li><a>栏目名称第{i}项</a></li>" for i in range(400))
    rows = "".join(f"<tr><td>项目{i}</td><td>{i}</td></tr>" for i in range(12))
    texts_tables = H.parse_html(f'<body><div class="menu-all"><ul>{menu}</ul></div><div id="printContent">'
                                f'<p>某局2022年政府信息公开工作年度报告</p><table>{rows}</table></div></body>')
    assert [b.text for b in texts_tables.blocks if isinstance(b, Paragraph)] == ["某局2022年政府信息公开工作年度报告"]
    assert len(texts_tables.tables) == 1


def test_article_header_keeps_its_title():
    texts = paragraphs('<body><header>站点头部</header><article><header><h1>报告标题</h1></header>'
                       '<p>正文</p></article></body>')
    assert texts == ["报告标题", "正文"]


def test_article_head_with_its_title_is_kept():
    texts = paragraphs('<body><div class="top"><a>网站首页</a></div><div class="article"><div class="head">'
                       '<h1>某局2022年政府信息公开工作年度报告</h1></div><div class="content"><p>正文</p></div></div></body>')
    assert texts == ["某局2022年政府信息公开工作年度报告", "正文"]


def test_article_hidden_until_a_script_shows_it_is_read():
    page = ('<body><div class="nav">首页</div><div id="content" style="display:none"><p>标题</p>'
            '<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table></div>'
            '<script>$("#content").show()</script></body>')
    doc = H.parse_html(page)
    assert len(doc.tables) == 1 and [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["标题"]
    assert any("hidden" in w for w in doc.warnings)
    # with a visible table, hidden tables stay hidden
    doc = H.parse_html(page.replace("<script>", "<table><tr><td>c</td><td>3</td></tr></table><script>"))
    assert len(doc.tables) == 1 and doc.tables[0].cells[0].text == "c"


# ------------------------------------------------------------------ encodings
PAGE = '<html><head>{decl}</head><body><p>政府信息公开工作年度报告</p><p>“三安全一稳定”</p></body></html>'
TEXTS = ["政府信息公开工作年度报告", "“三安全一稳定”"]


@pytest.mark.parametrize("decl,codec", [
    ('<meta charset="gbk">', "gbk"),
    ('<meta charset=GB2312>', "gbk"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
    ("", "gb18030"),
    ("", "utf-8"),
    ('<meta charset="utf-8">', "utf-8-sig"),
    ('<meta charset="gbk">', "utf-8"),          # a template's stale declaration on a UTF-8 page
    ('<meta charset="iso-8859-1">', "gbk"),     # a Western default on a Chinese page
    ('<meta charset="utf-16">', "utf-16"),
    ('<meta charset="utf-8">', "gbk"),          # the declaration lies the other way
])
def test_encodings(tmp_path, decl, codec):
    path = tmp_path / "p.html"
    path.write_bytes(PAGE.format(decl=decl).encode(codec))
    assert [b.text for b in H.read(str(path)).blocks] == TEXTS


@pytest.mark.parametrize("decl", ['<meta http-equiv=Content-Type content="text/html; charset=gb2312">', ""])
def test_markup_heavy_gbk_page(tmp_path, decl):
    """Word's HTML: Chinese is a few percent of the bytes, the rest styles and attributes."""
    css = "".join(f"p.MsoStyle{i}, li.MsoStyle{i} {{mso-style-name:style{i}; margin:0cm; font-size:10.5pt;}}\n"
                  for i in range(300))
    cell = ('<td width=73 valign=top style="width:54.8pt;border:solid windowtext 1.0pt;mso-border-alt:solid '
            'windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"><p class=MsoNormal align=center style="text-align:center">'
            '<span lang=EN-US style="font-size:9.0pt;font-family:Times New Roman">{}</span></p></td>')
    rows = "".join("<tr>" + cell.format("规章") + cell.format(str(i)) + "</tr>" for i in range(40))
    page = f"<html><head>{decl}<style>{css}</style></head><body><p>某局年报</p><table>{rows}</table></body></html>"
    path = tmp_path / "word.htm"
    path.write_bytes(page.encode("gbk"))
    doc = H.read(str(path))
    assert doc.blocks[0].text == "某局年报" and doc.tables[0].cells[0].text == "规章"


def test_utf8_page_with_a_few_stray_bytes_is_read_with_a_warning(tmp_path):
    body = "".join(f"<p>第{i}段：政府信息公开工作年度报告正文。</p>" for i in range(50))
    path = tmp_path / "p.html"
    path.write_bytes(f'<meta charset="utf-8"><body>{body}'.encode("utf-8") + "<p>页脚</p>".encode("gbk") + b"</body>")
    doc = H.read(str(path))
    assert doc.blocks[0].text == "第0段：政府信息公开工作年度报告正文。" and len(doc.blocks) == 51
    assert any("U+FFFD" in w for w in doc.warnings)


def test_declared_encoding_sniffing():
    assert H.declared_encoding(b'<meta http-equiv="content-type" content="text/html;charset=GBK" />') == "gb18030"
    assert H.declared_encoding(b'<?xml version="1.0" encoding="UTF-8"?><html>') == "utf-8"
    assert H.declared_encoding(b"<meta charset='big5'>") == "big5"
    assert H.declared_encoding(b'<meta charset="no-such-codec">') is None
    assert H.declared_encoding(b"<p>no declaration</p>") is None


def test_single_file_web_archive(tmp_path):
    """An .mht as IE and Word save it: the HTML part quoted-printable in gb2312, images beside it."""
    import quopri

    src = FIXTURES[[p.name for p in FIXTURES].index("gbk_meta_2021.html")]
    page = src.read_bytes().decode("gbk").replace('<meta charset="gbk">', "").encode("gbk")
    msg = (b'From: <Saved by Windows Internet Explorer 11>\r\nSubject: report\r\nMIME-Version: 1.0\r\n'
           b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----=_NextPart_000"\r\n\r\n'
           b'This is a multi-part message in MIME format.\r\n\r\n------=_NextPart_000\r\n'
           b'Content-Type: text/html;\r\n\tcharset="gb2312"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
           b'Content-Location: http://www.example.gov.cn/art/report.html\r\n\r\n'
           + quopri.encodestring(page).replace(b"\n", b"\r\n") +
           b'\r\n\r\n------=_NextPart_000\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n'
           b'iVBORw0KGgo=\r\n\r\n------=_NextPart_000--\r\n')
    path = tmp_path / "report.mht"
    path.write_bytes(msg)
    exp = json.loads(src.with_suffix(".expected.json").read_text("utf-8"))
    assert_round_trip(parse_file(str(path), "html"), exp["cells"], exp["agency"], exp["year"], exp["template"])


def test_web_archive_without_a_page(tmp_path):
    path = tmp_path / "empty.mht"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                     b"Content-Type: image/png\r\n\r\nxx\r\n--b--\r\n")
    with pytest.raises(ReadError, match="without an HTML page"):
        H.read(str(path))


@pytest.mark.skipif(not (__import__("shutil").which("soffice") or __import__("shutil").which("libreoffice")),
                    reason="LibreOffice (soffice) not installed")
def test_word_xml_document_goes_to_libreoffice(tmp_path):
    import shutil
    import subprocess
    src = ROOT / "fixtures" / "docx" / "plain_2019.docx"
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless", "--convert-to",
                    "xml:MS Word 2003 XML", "--outdir", str(tmp_path), str(src)], check=True, capture_output=True,
                   timeout=300)
    path = tmp_path / "plain_2019.xml"
    assert detect_format(str(path)) == "html"   # <?xml: the dispatcher sends it here
    exp = json.loads(src.with_suffix(".expected.json").read_text("utf-8"))
    assert_round_trip(parse_file(str(path)), exp["cells"], exp["agency"], exp["year"], exp["template"])


# ------------------------------------------------------------------ hostile pages
def test_deeply_nested_page_keeps_the_text_after_the_nesting(tmp_path):
    page = "<html><body>" + "<div>" * 50000 + "深处" + "</div>" * 50000 + "<p>之后的正文</p>" \
           "<table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table></body></html>"
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    doc = H.read(str(path))
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert "深处" in texts and "之后的正文" in texts
    assert len(doc.tables) == 1
    assert any("nested" in w for w in doc.warnings)


def test_nested_tables_beyond_the_parser_limit_do_not_raise():
    page = "<body>" + "<table><tr><td>" * 2000 + "x" + "</td></tr></table>" * 2000 + "</body>"
    doc = H.parse_html(page)
    assert any("lost" in w for w in doc.warnings)


def test_large_table():
    rows = "".join(f"<tr><td>第{i}行</td><td>{i}</td></tr>" for i in range(1, 20000))
    t, = tables_of(f"<table><tr><td>第0行</td><td>0</td><td rowspan='100000'>z</td></tr>{rows}</table>")
    assert (t.n_rows, t.n_cols) == (20000, 3)
    assert [(c.text, c.rowspan) for c in t.cells if c.col == 2] == [("z", 20000)]
    assert t.cells[-1].text == "19999"


def test_page_without_a_report_is_not_a_report(tmp_path):
    path = tmp_path / "news.html"
    path.write_text('<html><head><meta charset="utf-8"><title>新闻</title></head><body><div class="nav">首页</div>'
                    '<h1>我市召开安全生产工作会议</h1><p>会议要求各部门压实责任。</p>'
                    '<table><tr><td>时间</td><td>地点</td></tr><tr><td>上午</td><td>会议室</td></tr></table></body></html>',
                    encoding="utf-8")
    pr = parse_file(str(path))
    assert pr.report["format"] == "html"
    assert pr.report["status"] == "not_a_report"
    assert pr.report["error"] and "\n" not in pr.report["error"]


def test_empty_page_file_fails_with_a_reason(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    pr = parse_file(str(path))
    assert (pr.report["status"], pr.report["error"]) == ("failed", "empty file")
    with pytest.raises(ReadError, match="empty file"):
        H.read(str(path))


def test_binary_file_named_html_fails_with_a_reason(tmp_path):
    path = tmp_path / "image.html"
    rng = random.Random(1)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    with pytest.raises(ReadError):
        H.read(str(path))
    pr = parse_file(str(path), "html")
    assert pr.report["status"] == "failed" and pr.report["error"]


def test_html_page_with_a_docx_name_is_read_as_html(tmp_path):
    src = FIXTURES[0]
    path = tmp_path / "report.docx"
    path.write_bytes(src.read_bytes())
    assert detect_format(str(path)) == "html"
    exp = json.loads(src.with_suffix(".expected.json").read_text("utf-8"))
    assert_round_trip(parse_file(str(path)), exp["cells"], exp["agency"], exp["year"], exp["template"])


@settings(max_examples=200, deadline=None)
@given(soup=st.lists(st.sampled_from(["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="3">',
                                      '<td colspan="99999999">', '<td colspan="3">', '<td rowspan="0">', "<th>", "<div>", "</div>", "<p>", "<br>", "<script>",
                                      "</script>", "<!--", "-->", "<![if !x]>", "<tbody>", "<caption>", "&nbsp;",
                                      "&#0;", "&#xD800;", "文字", "1", " ", "\n", "<pre>", "<nav>", "<select>",
                                      '<div style="display:none">', "<html>", "<body>", "<?xml x?>", "\x00"]),
                    max_size=60))
def test_tag_soup_never_breaks_the_reader(soup):
    doc = H.parse_html("".join(soup))
    for t in doc.tables:
        seen = set()
        for c in t.cells:
            assert c.rowspan >= 1 and c.colspan >= 1
            cover = {(c.row + i, c.col + j) for i in range(c.rowspan) for j in range(c.colspan)}
            assert not (cover & seen)   # no two cells claim one grid position
            seen |= cover
