"""The Word reader: merges to spans, body order, layout tables, zip safety, legacy files through
LibreOffice, and the whole pipeline on generated documents (committed fixtures and random ones)."""
from __future__ import annotations

import io
import json
import math
import random
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reportgen  # noqa: E402
from reportgen import web as reportgen_web  # noqa: E402
from parsers import detect_format  # noqa: E402
from parsers import word as W  # noqa: E402
from parsers.model import Paragraph, ReadError, Table  # noqa: E402
from pipeline.report import parse_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures" / "docx").iterdir() if p.suffix in (".docx", ".doc", ".wps"))
HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))
needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) not installed")


# ------------------------------------------------------------------ helpers
def grid(table: Table) -> list[tuple]:
    return sorted((c.row, c.col, c.text, c.rowspan, c.colspan) for c in table.cells)


def want_grid(rows) -> list[tuple]:
    """reportgen's rows on the full grid, without grid columns in which no cell starts."""
    placed = [(r, c, cell) for r, row in enumerate(reportgen.expand(rows)) for c, cell in enumerate(row)
              if cell is not None]
    starts = sorted({c for _, c, _ in placed})
    new = {c: i for i, c in enumerate(starts)}
    return sorted((r, new[c], cell.text, cell.rowspan, sum(1 for s in starts if c <= s < c + cell.colspan))
                  for r, c, cell in placed)


def assert_round_trip(pr, expected: dict, agency: str, year: int, template: str) -> None:
    got = {f"{c['table']}/{c['row_key']}/{c['col_key']}": (float(c["value"]) if c["value"] != "" else None)
           for c in pr.cells}
    assert pr.report["status"] == "ok", pr.report["error"]
    assert (pr.report["agency"], pr.report["year"], pr.report["template"]) == (agency, year, template)
    assert set(got) == set(expected)
    bad = [(k, v, got[k]) for k, v in expected.items()
           if not ((v is None and got[k] is None)
                   or (v is not None and got[k] is not None and math.isclose(v, got[k], rel_tol=1e-9, abs_tol=1e-9)))]
    assert not bad, bad[:5]


NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def make_docx(path: Path, body: str, document: str | None = None, parts: dict | None = None,
              rels: list[tuple[str, str, str]] = ()) -> Path:
    """A minimal .docx around a w:body's inner XML; `parts` are more members, `rels` the main
    part's relationships as (id, type, target)."""
    xml = document or (f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS} xmlns:r="http://schemas.'
                       f'openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", xml)
        if rels:
            z.writestr("word/_rels/document.xml.rels",
                       '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships">' + "".join(
                           f'<Relationship Id="{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                           f'relationships/{t}" Target="{g}"/>' for i, t, g in rels) + "</Relationships>")
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return path


def p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str = "", pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


RESTART = '<w:vMerge w:val="restart"/>'
CONTINUE = "<w:vMerge/>"
CONTINUE_VAL = '<w:vMerge w:val="continue"/>'
H_RESTART = '<w:hMerge w:val="restart"/>'
H_CONTINUE = "<w:hMerge/>"
GRID_BEFORE_1 = '<w:trPr><w:gridBefore w:val="1"/></w:trPr>'


def span(n: int) -> str:
    return f'<w:gridSpan w:val="{n}"/>'


def read_body(tmp_path: Path, body: str):
    return W.read(str(make_docx(tmp_path / "t.docx", body)))


# ------------------------------------------------------------------ generated documents, grid level
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]))
def test_generated_docx_grids_exact(tmp_path, seed, template):
    rep = reportgen.random_report(random.Random(seed), template=template)
    path = tmp_path / f"{seed}.docx"
    reportgen.render_docx(rep, str(path))
    doc = W.read(str(path))
    expected = reportgen.grid_tables(rep)
    assert len(doc.tables) == len(expected)
    for t, (_, rows) in zip(doc.tables, expected):
        assert grid(t) == want_grid(rows)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts[0] == reportgen.prose(rep)[0] and texts[-1] == reportgen.OUTRO[-1]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), framed=st.booleans())
def test_split_and_framed_tables_come_out_in_order(tmp_path, seed, framed):
    rep = reportgen.random_report(random.Random(seed))
    path = tmp_path / f"{seed}.docx"
    reportgen_web.render_docx_web(rep, str(path), random.Random(seed), split=True, framed=framed)
    doc = W.read(str(path))
    parts = [p for _, ps in reportgen_web.web_tables(rep, True, random.Random(seed)) for p in ps]
    assert [grid(t) for t in doc.tables] == [want_grid(p) for p in parts]
    assert reportgen.prose(rep)[0] in [b.text for b in doc.blocks if isinstance(b, Paragraph)]


# ------------------------------------------------------------------ the pipeline on fixtures and random files
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_round_trip(path):
    if path.suffix != ".docx" and not HAVE_SOFFICE:
        pytest.skip("LibreOffice (soffice) not installed")
    exp = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    pr = parse_file(str(path))
    assert pr.report["format"] == ("docx" if path.suffix == ".docx" else "doc")
    assert_round_trip(pr, exp["cells"], exp["agency"], exp["year"], exp["template"])


def test_fixture_set_covers_the_brief():
    names = {p.name for p in FIXTURES}
    assert {"plain_2019.docx", "plain_2021.docx", "split_2019.docx", "split_2021.docx", "framed_2021.docx",
            "legacy_2019.doc", "legacy_2021.wps"} <= names


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), kind=st.sampled_from(["plain", "split", "framed"]))
def test_random_documents_round_trip(tmp_path, seed, kind):
    rng = random.Random(seed)
    rep = reportgen.random_report(rng)
    path = tmp_path / f"r{seed}_{kind}.docx"
    if kind == "plain":
        reportgen.render_docx(rep, str(path))
    else:
        reportgen_web.render_docx_web(rep, str(path), rng, split=True, framed=kind == "framed")
    assert_round_trip(parse_file(str(path)), rep.expected(), rep.agency, rep.year, rep.template)


# ------------------------------------------------------------------ merges and body structure
@st.composite
def merge_layouts(draw):
    """A grid of n_rows x n_cols with random non-overlapping rectangles merged."""
    n_rows, n_cols = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    taken: dict[tuple[int, int], int] = {}
    rects = []
    for _ in range(draw(st.integers(0, 6))):
        r, c = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
        rs, cs = draw(st.integers(1, n_rows - r)), draw(st.integers(1, n_cols - c))
        cover = [(r + i, c + j) for i in range(rs) for j in range(cs)]
        if any(x in taken for x in cover):
            continue
        for x in cover:
            taken[x] = len(rects)
        rects.append((r, c, rs, cs))
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) not in taken:
                taken[(r, c)] = len(rects)
                rects.append((r, c, 1, 1))
    return n_rows, n_cols, rects


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=merge_layouts())
def test_any_merge_layout_round_trips(tmp_path, layout):
    import docx
    n_rows, n_cols, rects = layout
    d = docx.Document()
    table = d.add_table(rows=n_rows, cols=n_cols)
    for i, (r, c, rs, cs) in enumerate(rects):
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = f"m{i}"
    path = tmp_path / "m.docx"
    d.save(str(path))
    doc = W.read(str(path))
    rows_ = sorted({r for r, _, _, _ in rects})
    cols_ = sorted({c for _, c, _, _ in rects})
    if len(cols_) < 2:   # one cell a row: a box around text, read as paragraphs
        in_order = sorted(range(len(rects)), key=lambda i: rects[i][:2])
        assert not doc.tables and [b.text for b in doc.blocks] == [f"m{i}" for i in in_order]
        return
    t, = doc.tables
    want = sorted((rows_.index(r), cols_.index(c), f"m{i}", sum(1 for x in rows_ if r <= x < r + rs),
                   sum(1 for x in cols_ if c <= x < c + cs)) for i, (r, c, rs, cs) in enumerate(rects))
    assert grid(t) == want


def test_gridspan_vmerge_gridbefore_hmerge(tmp_path):
    body = ("<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
            f"<w:tr>{tc('A', RESTART)}{tc('B', span(2))}</w:tr>"
            f"<w:tr>{tc('', CONTINUE)}{tc('C')}{tc('D')}</w:tr>"
            f"<w:tr>{tc('', CONTINUE_VAL)}{tc('E', H_RESTART)}"
            f"{tc('', H_CONTINUE)}</w:tr>"
            f"<w:tr>{GRID_BEFORE_1}{tc('F')}{tc('G')}</w:tr>"
            "</w:tbl>")
    t, = read_body(tmp_path, body).tables
    assert grid(t) == [(0, 0, "A", 3, 1), (0, 1, "B", 1, 2), (1, 1, "C", 1, 1), (1, 2, "D", 1, 1),
                       (2, 1, "E", 1, 2), (3, 1, "F", 1, 1), (3, 2, "G", 1, 1)]


def test_vmerge_continue_without_a_cell_above_is_a_blank_cell(tmp_path):
    body = f"<w:tbl><w:tr>{tc('', CONTINUE)}{tc('x')}</w:tr><w:tr>{tc('y')}{tc('z')}</w:tr></w:tbl>"
    t, = read_body(tmp_path, body).tables
    assert grid(t) == [(0, 0, "", 1, 1), (0, 1, "x", 1, 1), (1, 0, "y", 1, 1), (1, 1, "z", 1, 1)]


def test_misaligned_vertical_merge_does_not_overlap(tmp_path):
    # the continuing cell spans 1 column under a restart spanning 2: no merge, an empty cell
    body = (f"<w:tbl><w:tr>{tc('A', RESTART + span(2))}{tc('x')}</w:tr>"
            f"<w:tr>{tc('', CONTINUE)}{tc('y')}{tc('z')}</w:tr></w:tbl>")
    t, = read_body(tmp_path, body).tables
    assert grid(t) == [(0, 0, "A", 1, 2), (0, 2, "x", 1, 1), (1, 0, "", 1, 1), (1, 1, "y", 1, 1), (1, 2, "z", 1, 1)]


def test_grid_columns_no_cell_starts_in_are_dropped(tmp_path):
    # Word's uneven borders: a 5-column grid where every row spans the same odd column pair
    body = (f"<w:tbl><w:tr>{tc('a', span(2))}{tc('b', span(3))}</w:tr>"
            f"<w:tr>{tc('c', span(2))}{tc('d')}{tc('e', span(2))}</w:tr></w:tbl>")
    t, = read_body(tmp_path, body).tables
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "b", 1, 2), (1, 0, "c", 1, 1), (1, 1, "d", 1, 1), (1, 2, "e", 1, 1)]


def test_cell_paragraphs_are_lines_and_runs_join(tmp_path):
    cell = ("<w:tc><w:p><w:r><w:t>本年</w:t></w:r><w:r><w:t>新</w:t></w:r></w:p><w:p><w:r><w:t>制作数量</w:t></w:r></w:p>"
            "<w:p/></w:tc>")
    body = f"<w:tbl><w:tr>{cell}{tc('1')}</w:tr><w:tr>{tc('a')}{tc('2')}</w:tr></w:tbl>"
    t, = read_body(tmp_path, body).tables
    assert t.cells[0].text == "本年新\n制作数量"


def test_body_order_content_controls_tracked_changes_fields(tmp_path):
    body = (p("标题")
            + "<w:sdt><w:sdtPr/><w:sdtContent>" + p("控件里的段落") + "</w:sdtContent></w:sdt>"
            + "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除的</w:delText></w:r></w:del>"
              "<w:ins><w:r><w:t>插入的</w:t></w:r></w:ins></w:p>"
            + "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
              "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>3</w:t></w:r>"
              "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
            + "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"
            + f"<w:tbl><w:tr>{tc('a')}{tc('1')}</w:tr><w:tr><w:trPr><w:del/></w:trPr>{tc('gone')}{tc('0')}</w:tr>"
              f"<w:sdt><w:sdtContent><w:tr>{tc('b')}{tc('2')}</w:tr></w:sdtContent></w:sdt></w:tbl>"
            + p("表后")
            + "<w:sectPr/>")
    doc = read_body(tmp_path, body)
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["标题", "控件里的段落", "保留插入的", "3", "第一行", "第二行", "TABLE", "表后"]
    assert grid(doc.tables[0]) == [(0, 0, "a", 1, 1), (0, 1, "1", 1, 1), (1, 0, "b", 1, 1), (1, 1, "2", 1, 1)]


def test_text_box_alternate_content_read_once(tmp_path):
    box = ("<w:p><w:r><w:t>前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
           "<w:txbxContent>" + p("框内") + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
           "<w:txbxContent>" + p("框内") + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")
    texts = [b.text for b in read_body(tmp_path, box).blocks]
    assert texts == ["前", "框内"]


def test_nested_table_makes_the_outer_one_layout(tmp_path):
    inner = f"<w:tbl><w:tr>{tc('x')}{tc('1')}</w:tr><w:tr>{tc('y')}{tc('2')}</w:tr></w:tbl>"
    body = (f"<w:tbl><w:tr><w:tc>{p('框里的标题')}{inner}{p('框里的结尾')}</w:tc>{tc('旁注')}</w:tr></w:tbl>")
    doc = read_body(tmp_path, body)
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["框里的标题", "TABLE", "框里的结尾", "旁注"]
    assert grid(doc.tables[0])[0] == (0, 0, "x", 1, 1)


def test_one_cell_box_inside_a_cell_is_text(tmp_path):
    box = f"<w:tc><w:tbl><w:tr>{tc('5')}</w:tr></w:tbl><w:p/></w:tc>"
    body = f"<w:tbl><w:tr>{tc('a')}{box}</w:tr><w:tr>{tc('b')}{tc('6')}</w:tr></w:tbl>"
    t, = read_body(tmp_path, body).tables
    assert grid(t) == [(0, 0, "a", 1, 1), (0, 1, "5", 1, 1), (1, 0, "b", 1, 1), (1, 1, "6", 1, 1)]


def test_strict_ooxml_namespace(tmp_path):
    doc_xml = ('<?xml version="1.0"?><w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main">'
               f'<w:body>{p("严格格式")}<w:tbl><w:tr>{tc("a")}{tc("1")}</w:tr></w:tbl></w:body></w:document>')
    doc = W.read(str(make_docx(tmp_path / "s.docx", "", document=doc_xml)))
    assert doc.blocks[0].text == "严格格式" and len(doc.tables) == 1


# ------------------------------------------------------------------ list numbering and imported HTML
NUMBERING = (f'<?xml version="1.0"?><w:numbering {NS}>'
             '<w:abstractNum w:abstractNumId="7">'
             '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
             '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
             '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
             '</w:abstractNum>'
             '<w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
             '</w:lvl></w:abstractNum>'
             '<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>'
             '<w:num w:numId="4"><w:abstractNumId w:val="8"/></w:num>'
             '<w:num w:numId="5"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/>'
             '</w:lvlOverride></w:num>'
             '</w:numbering>')
STYLES = (f'<?xml version="1.0"?><w:styles {NS}>'
          '<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>'
          '<w:style w:type="paragraph" w:styleId="H1b"><w:basedOn w:val="H1"/></w:style>'
          '</w:styles>')


def np(text: str, num_id: str | None = None, ilvl: int | None = None, style: str | None = None) -> str:
    num = ""
    if num_id is not None or ilvl is not None:
        num = "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
              (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "") + "</w:numPr>"
    sty = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{sty}{num}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_automatic_list_numbers_are_text(tmp_path):
    body = (np("总体情况", style="H1") + np("主动公开", "3", 1) + np("依申请公开", "3", 1)
            + np("主动公开政府信息情况", style="H1b") + np("要点", "4") + np("属于国家秘密", "3", 2)
            + np("其他法律行政法规禁止公开", "3", 2) + np("子项", "3", 1) + np("", "3", 2) + np("第二项", "3", 2)
            + np("不编号", "0") + np("从五开始", "5", 0))
    path = make_docx(tmp_path / "n.docx", body, parts={"word/numbering.xml": NUMBERING, "word/styles.xml": STYLES},
                     rels=[("rId1", "numbering", "numbering.xml"), ("rId2", "styles", "styles.xml")])
    texts = [b.text for b in W.read(str(path)).blocks]
    assert texts == ["一、总体情况", "（一）主动公开", "（二）依申请公开", "二、主动公开政府信息情况", "要点",
                     "1.属于国家秘密", "2.其他法律行政法规禁止公开", "（一）子项", "2.第二项", "不编号", "五、从五开始"]


@pytest.mark.parametrize("n,fmt,text", [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"),
                                        (12, "chineseCounting", "十二"), (20, "chineseCountingThousand", "二十"),
                                        (105, "chineseCountingThousand", "一百零五"), (3, "chineseLegalSimplified", "叁"),
                                        (2, "decimalEnclosedCircle", "②"), (4, "upperRoman", "IV"), (28, "lowerLetter", "bb"),
                                        (7, "decimal", "7"), (3, "ideographTraditional", "丙")])
def test_number_formats(n, fmt, text):
    assert W.format_number(n, fmt) == text


def test_imported_html_chunk_is_read(tmp_path):
    chunk = ('<html><head><meta charset="gbk"></head><body><p>导入的段落</p>'
             '<table><tr><td rowspan="2">甲</td><td>1</td></tr><tr><td>2</td></tr></table></body></html>').encode("gbk")
    body = p("之前") + '<w:altChunk r:id="rIdC"/>' + p("之后")
    path = make_docx(tmp_path / "a.docx", body, parts={"word/afchunk.htm": chunk},
                     rels=[("rIdC", "aFChunk", "afchunk.htm")])
    doc = W.read(str(path))
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["之前", "导入的段落", "TABLE", "之后"]
    assert grid(doc.tables[0]) == [(0, 0, "甲", 2, 1), (0, 1, "1", 1, 1), (1, 1, "2", 1, 1)]
    # the same chunk as a web archive, as some office systems write it
    mht = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
           b'Content-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
           + __import__("base64").encodebytes(chunk.replace(b'<meta charset="gbk">', b"")) + b"\r\n--b--\r\n")
    path = make_docx(tmp_path / "m.docx", body, parts={"word/afchunk.mht": mht},
                     rels=[("rIdC", "aFChunk", "afchunk.mht")])
    doc = W.read(str(path))
    assert [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks] == ["之前", "导入的段落", "TABLE", "之后"]


# ------------------------------------------------------------------ bad input
def test_empty_docx(tmp_path):
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    pr = parse_file(str(path))
    assert (pr.report["status"], pr.report["error"]) == ("failed", "empty file")
    with pytest.raises(ReadError, match="empty file"):
        W.read(str(path))


def test_text_file_named_docx(tmp_path):
    """The content decides (issue 10 item 9): text under a .docx name is read as text; the
    Word reader itself still refuses it with a reason."""
    path = tmp_path / "report.docx"
    path.write_text("这不是一个Word文件\n只是一些文字", encoding="utf-8")
    pr = parse_file(str(path))
    assert (pr.report["format"], pr.report["status"]) == ("text", "not_a_report")
    with pytest.raises(ReadError, match="not a valid .docx: not a zip archive"):
        W.read(str(path))


def test_truncated_docx_is_not_a_valid_zip(tmp_path):
    src = FIXTURES[[p.name for p in FIXTURES].index("plain_2019.docx")]
    path = tmp_path / "cut.docx"
    path.write_bytes(src.read_bytes()[:3000])
    pr = parse_file(str(path))
    assert pr.report["status"] == "failed"
    assert pr.report["error"].startswith("not a valid .docx")


def test_zip_bomb_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
    assert path.stat().st_size < 2_000_000
    pr = parse_file(str(path))
    assert pr.report["status"] == "failed"
    assert "zip bomb" in pr.report["error"]


def test_zip_member_lying_about_its_size(tmp_path, monkeypatch):
    import struct
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", b" " * (4 << 20))
    data = bytearray(buf.getvalue())
    cd = data.rfind(b"PK\x01\x02")      # central directory entry of document.xml
    struct.pack_into("<I", data, cd + 24, 1000)
    path = tmp_path / "liar.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError) as e:
        W.read(str(path))
    assert "\n" not in str(e.value) and ("damaged" in str(e.value) or "refused" in str(e.value))


def test_part_over_the_cap_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(W, "MAX_PART", 1000)
    path = make_docx(tmp_path / "big.docx", p("字" * 2000))
    with pytest.raises(ReadError, match="refused: word/document.xml larger than"):
        W.read(str(path))


def test_entity_expansion_is_not_performed(tmp_path):
    doc_xml = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
               '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
               f'<w:document {NS}><w:body><w:p><w:r><w:t>x&d;&d;&d;y</w:t></w:r></w:p></w:body></w:document>')
    try:
        doc = W.read(str(make_docx(tmp_path / "lol.docx", "", document=doc_xml)))
    except ReadError:
        return   # refusing it is as good
    assert sum(len(b.text) for b in doc.blocks) < 100


@pytest.mark.parametrize("members,reason", [
    ({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}, "OpenDocument"),
    ({"xl/workbook.xml": "<x/>", "_rels/.rels": RELS.replace("word/document.xml", "xl/workbook.xml")}, "Excel"),
    ({"hello.txt": "hi"}, "without a Word document"),
])
def test_other_zip_files_named_docx(tmp_path, members, reason):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    pr = parse_file(str(path))
    assert pr.report["status"] == "failed" and reason in pr.report["error"]


def test_malformed_document_xml(tmp_path):
    path = make_docx(tmp_path / "bad.docx", "", document="<w:document><w:body><w:p>")
    pr = parse_file(str(path))
    assert pr.report["status"] == "failed" and pr.report["error"].startswith("damaged .docx: word/document.xml")


def test_docx_with_a_doc_name_is_read_as_docx(tmp_path):
    src = FIXTURES[[p.name for p in FIXTURES].index("plain_2021.docx")]
    path = tmp_path / "report.doc"
    path.write_bytes(src.read_bytes())
    assert detect_format(str(path)) == "docx"
    exp = json.loads(src.with_suffix(".expected.json").read_text("utf-8"))
    assert_round_trip(parse_file(str(path)), exp["cells"], exp["agency"], exp["year"], exp["template"])


def test_web_page_saved_under_a_doc_name_is_read_as_html(tmp_path):
    """Many sites serve "Word" downloads that are Word's web-page format with a .doc name."""
    src = ROOT / "fixtures" / "html" / "word_export_2021.html"
    path = tmp_path / "report.doc"
    path.write_bytes(b"\r\n" + src.read_bytes())
    exp = json.loads(src.with_suffix(".expected.json").read_text("utf-8"))
    doc = W.read(str(path), legacy=True)
    assert doc.format == "html" and len(doc.tables) >= 3
    assert_round_trip(parse_file(str(path), "doc"), exp["cells"], exp["agency"], exp["year"], exp["template"])


def test_legacy_without_libreoffice_names_the_tool(tmp_path, monkeypatch):
    monkeypatch.setattr(W.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    pr = parse_file(str(path))
    assert pr.report["status"] == "failed"
    assert "LibreOffice" in pr.report["error"] and "soffice" in pr.report["error"]


@needs_soffice
def test_legacy_garbage_fails_with_a_reason(tmp_path):
    path = tmp_path / "junk.wps"
    rng = random.Random(3)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4000)))
    pr = parse_file(str(path))
    assert pr.report["status"] in ("failed", "not_a_report")
    assert pr.report["error"] and "\n" not in pr.report["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, 10**9)))
def test_damaged_docx_fails_cleanly(tmp_path, flips, cut):
    """Flipped bytes or a cut-off download: a Document or a one-line ReadError, nothing else."""
    data = bytearray((ROOT / "fixtures" / "docx" / "split_2021.docx").read_bytes())
    for pos, val in flips:
        data[pos % len(data)] = val
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "damaged.docx"
    path.write_bytes(bytes(data))
    try:
        doc = W.read(str(path))
    except ReadError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert doc.format == "docx"
