"""Encodings, label noise and value forms the text reader and normalizer must survive."""
import random

import pytest

from helpers import cell_map, extract_text, mismatches
from parsers import read
from parsers.model import ReadError
from pipeline import normalize as N
from pipeline import values as V
from pipeline.match import score_row
from pipeline.report import parse_file
from pipeline.templates import get
from reportgen import random_report, render_text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_encodings(tmp_path, encoding):
    rep = random_report(random.Random(5), "2021")
    p = tmp_path / "r.txt"
    p.write_bytes(render_text(rep, "tab_cells").encode(encoding))
    doc = read(str(p))
    _, ex = extract_text(doc.text()) if False else (None, __import__("pipeline.extract", fromlist=["x"]).extract(doc))
    assert mismatches(rep.expected(), cell_map(ex)) == []


def test_undecodable_file_is_reported(tmp_path):
    p = tmp_path / "bad.txt"
    good = "秀洲区人民政府2019年政府信息公开工作年度报告\n".encode("utf-8") * 20
    p.write_bytes(good[:50] + b"\xff\xfe\xfd" + good[50:])
    r = parse_file(str(p))
    assert r.report["status"] == "failed"
    assert r.report["error"].startswith("undecodable text")


@pytest.mark.parametrize("printed,key", [
    ("2.其他法律行政止公开", "withheld_law_prohibited"),
    ("三\n、\n本\n年\n度\n办\n理\n结\n果（一）予以公开", "granted"),
    ("危及\"三安全一稳定\"", "withheld_security_stability"),
    ("⼀、本年新收政府信息公开申请数量", "new_received"),
    ("（二）部分公開（區分處理的，只計這一情形，不計其他情形）", "partially_granted"),
    ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
])
def test_label_variants(printed, key):
    spec = get("2021").tables["requests"]
    best = max(spec.rows, key=lambda r: score_row([printed], [], r))
    assert best.key == key


def test_label_variants_active():
    spec = get("2019").tables["active"]
    for printed, key in [("規範性檔案", "normative_docs"), ("商业\n企业", None)]:
        if key:
            assert max(spec.rows, key=lambda r: score_row([printed], [], r)).key == key
    assert N.label_key("商业\n企业") == "商业企业"
    assert N.fix_glyphs("\u2ed4户\u2f06") == "门户二"
    assert N.label_key("⼾") == "户"


@pytest.mark.parametrize("raw,kind,value", [
    ("1,234", "count", 1234), ("１２３", "count", 123), ("+52", "signed", 52), ("-13", "signed", -13),
    ("—", "count", 0), ("-", "count", 0), ("/", "count", 0), ("无", "count", 0), ("", "count", None),
    ("16681.8715万元", "money", 16681.8715), ("251000元", "money", 25.1),
])
def test_values(raw, kind, value):
    assert V.parse(raw, kind).value == value


def test_non_numeric_value_kept_raw_and_logged():
    rep = random_report(random.Random(2), "2019", blank_rate=0)
    rep.printed[("requests", "granted", "natural_person")] = "见附件"
    rep.values[("requests", "granted", "natural_person")] = None
    _, ex = extract_text(render_text(rep, "tab_cells"))
    c = ex.get("requests", "granted", "natural_person")
    assert c.value is None and c.raw == "见附件"
    assert any("见附件" in n.message for n in ex.notes)


def _with_subtotal_column(text: str) -> str:
    """Insert a 法人或其他组织 subtotal after 自然人 in every data row of a tab-rows table."""
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if len(cells) == 10 and all(V.looks_numeric(c) or not c for c in cells[3:]) and any(cells[3:]):
            orgs = sum(V.parse(c).value or 0 for c in cells[4:9])
            cells = cells[:4] + [str(int(orgs))] + cells[4:]
        out.append("\t".join(cells))
    return "\n".join(out)


def test_legal_person_subtotal_variant():
    from pipeline.checks import run_checks
    rep = random_report(random.Random(3), "2021", blank_rate=0)
    _, ex = extract_text(_with_subtotal_column(render_text(rep, "tab_rows")))
    assert ex.variant
    assert mismatches(rep.expected(), cell_map(ex)) == []
    sub = ex.get("requests", "new_received", "legal_person_subtotal")
    assert sub.value == sum(rep.values[("requests", "new_received", c)] for c in
                            ["commercial", "research", "social_org", "legal_service", "other_org"])
    e3b = [c for c in run_checks(ex, get("2021")) if c.check_id == "E3b"]
    assert e3b and all(c.status == "pass" for c in e3b)


@pytest.mark.parametrize("raw,value", [("97件", 97), ("12个", 12), ("3 条", 3)])
def test_count_units(raw, value):
    assert V.parse(raw, "count").value == value


@pytest.mark.parametrize("head,name,fmt", [
    (b"%PDF-1.7\n", "a.txt", "pdf"), (b"PK\x03\x04", "a.pdf", "docx"), (b"\xd0\xcf\x11\xe0", "a.docx", "doc"),
    (b"{\\rtf1\\ansi", "a.doc", "doc"), (b"<!-- saved from url -->\n<html>", "a.txt", "html"),
    ("<html><body>表</body></html>".encode("utf-16"), "a.dat", "html"),
    (b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=x", "a.doc", "html"),
    ("一、总体情况".encode(), "a.md", "text"),
])
def test_format_detection_by_content(tmp_path, head, name, fmt):
    from parsers import detect_format
    p = tmp_path / name
    p.write_bytes(head)
    assert detect_format(str(p)) == fmt


@pytest.mark.parametrize("layout", ["tab_cells", "markdown", "layout"])
def test_2021_report_keeping_single_other_processing_row(layout):
    """Some 2021 reports keep （六）其他处理 as one row, as the 2019 template printed it."""
    from pipeline.checks import run_checks
    rep = random_report(random.Random(8), "2021", blank_rate=0, noise=False)
    subs = ["other_no_correction", "other_fee_unpaid", "other_misc"]
    cols = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]
    merged = {c: sum(rep.values[("requests", r, c)] for r in subs) for c in cols}
    # the same values with the three sub-rows printed as one row, in a 2019-shaped table
    rep2 = random_report(random.Random(8), "2019", blank_rate=0, noise=False)
    for k, v in rep.values.items():
        if k[1] not in subs:
            rep2.values[k], rep2.printed[k] = v, rep.printed[k]
    for c in cols:
        rep2.values[("requests", "other_processing", c)] = merged[c]
        rep2.printed[("requests", "other_processing", c)] = str(merged[c])
    # the 2021 active table and a 2019-shaped requests table
    t21, t19 = render_text(rep, layout), render_text(rep2, layout)
    head21 = t21[:t21.index("三、收到和处理")]
    body19 = t19[t19.index("三、收到和处理"):]
    _, ex = extract_text(head21 + body19)
    assert ex.template == "2021" and [m.row.key for m in ex.merged] == ["other_processing"]
    got = cell_map(ex)
    for c in cols:
        assert got[f"requests/other_processing/{c}"] == merged[c]
    assert not any(k.startswith("requests/other_no_correction") for k in got)
    failed = [c for c in run_checks(ex, get("2021")) if c.status != "pass" and c.severity == "error"]
    assert failed == []


def test_numbers_ahead_counts_bare_numbers_up_to_the_next_region_end():
    """The reader's per-page index of bare numbers before the next line that ends a
    one-cell-per-line region (a long line, a sentence, a tab or Markdown line)."""
    from parsers.text import _numbers_ahead
    lines = ["标题", "1", "", "2", "这是一句很长的话，" * 5 + "。", "3", "a\tb", "4", "5"]
    assert _numbers_ahead(lines) == [2, 2, 1, 1, 0, 1, 0, 2, 1, 0]


def test_cell_per_line_table_found_after_prose():
    """A web table flattened one cell per line after a paragraph is still read as a table,
    and a page of short lines with few numbers stays paragraphs."""
    from parsers.model import Paragraph, Table
    from parsers.text import parse_text
    prose = "第一段说明文字，" * 6 + "。"
    doc = parse_text("\n".join([prose, "项目", "数量", "甲", "1", "乙", "2", "丙", "3", "丁", "4", "戊", "5", prose]))
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Paragraph, Table, Paragraph]
    assert [c.text for c in doc.blocks[1].cells][:4] == ["项目", "数量", "甲", "1"]
    doc = parse_text("\n".join(["短句一", "1", "短句二", "2", "短句三", "3", "短句四", "4"]))
    assert all(isinstance(b, Paragraph) for b in doc.blocks)


def _tab_region_end_by_definition(lines, i):
    """The tab region's end as first written (every continuation re-checked from the last tab)."""
    def continues(k, last_tab):
        return all(lines[m].strip() and "\t" not in lines[m] for m in range(last_tab + 1, k + 1))
    j, last_tab = i, i
    while j < len(lines):
        line = lines[j]
        if "\t" in line:
            last_tab = j
        elif line.strip() and not (j > 0 and lines[j - 1].strip() and ("\t" in lines[j - 1] or j - 1 > last_tab
                                                                        and continues(j - 1, last_tab))):
            break
        j += 1
    k = 0
    while last_tab + 1 + k < len(lines) and lines[last_tab + 1 + k].strip() and "\t" not in lines[last_tab + 1 + k]:
        k += 1
    return last_tab + 1 + k


def test_tab_region_end_matches_its_definition():
    """The one-pass tab region end equals the definition on random mixes of tab, blank and text lines."""
    from parsers.text import _tab_region_end
    rng = random.Random(3)
    for _ in range(3000):
        lines = [rng.choice(["a\tb", "\t1", "", "  ", "续行", "另一行文字"]) for _ in range(rng.randint(1, 14))]
        starts = [k for k, l in enumerate(lines) if "\t" in l]
        for i in starts[:3]:
            assert _tab_region_end(lines, i) == _tab_region_end_by_definition(lines, i), (lines, i)


def test_source_positions_point_at_the_printed_text_across_pages():
    """Every located cell and paragraph names the file line and characters that print it, also
    on a page that starts after a form feed in the middle of a line."""
    from parsers.model import Paragraph
    from parsers.text import parse_text
    text = ("说明段落一\n\n| 项目 | 数量 |\n|---|---|\n| 行政许可 | 12 |\n| 其他 | 0 |\n"
            "尾行\f第二页段落\n\t本年新收\n\t64\n\n\t上年结转\n\t3\n\n"
            "收到申请数    10   2\n办结数量    8   1\n")
    doc = parse_text(text)
    file_lines = text.split("\n")      # a form feed is no line break: the page starts mid-line

    def printed(pos):
        line = file_lines[pos.line - 1]
        return line[pos.start:pos.end]
    seen = 0
    for b in doc.blocks:
        items = [(b.text, b.pos)] if isinstance(b, Paragraph) else [(c.text, c.pos) for c in b.cells]
        for t, pos in items:
            if pos is not None:
                assert printed(pos) == t.split("\n")[0].strip(), (t, pos)
                seen += 1
    assert seen >= 14
