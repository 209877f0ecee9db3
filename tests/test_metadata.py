"""Agency and year from the title shapes of templates.md §10."""
import pytest

from parsers.model import Document, Paragraph
from pipeline.metadata import extract_metadata


@pytest.mark.parametrize("lines,agency,year", [
    (["秀洲区人民政府2019年政府信息公开工作", "年度报告"], "秀洲区人民政府", 2019),
    (["2019年上海市人民政府办公厅政府信息公开工作年度报告"], "上海市人民政府办公厅", 2019),
    (["淮安市人民政府", "2024 年政府信息公开工作年度报告"], "淮安市人民政府", 2024),
    (["定西市公共资源交易中心2020年政府信息公开工作的年度报告"], "定西市公共资源交易中心", 2020),
    (["舒兰市市场监督管理局2016年政务信息公开年度报告"], "舒兰市市场监督管理局", 2016),
    (["威海市文登区信访局关于2022年度政府信息公开工作年度报告"], "威海市文登区信访局", 2022),
    (["標題: 廣州市國資委2020年政府信息公開工作年度報告"], "广州市国资委", 2020),
    (["2015年政府信息公开工作年度报告", "本年度报告中所列数据的统计期限自2015年1月1日起至12月31日止。"], "", 2015),
])
def test_titles(lines, agency, year):
    md = extract_metadata(Document(blocks=[Paragraph(x) for x in lines]))
    assert (md.agency, md.year) == (agency, year)


MARKUP = ["# {}", "## **{}**", "### {} ###", "- {}", "* {}", "+ {}", "> {}", "1. {}", "2、{}", "(1) {}", "• {}",
          "**{}**", "__{}__", "`{}`", "【{}】", "  {}  ", "\u200b{}\ufeff", "＃ {}", "> - **{}**"]


@pytest.mark.parametrize("wrap", MARKUP)
def test_title_markup_is_not_part_of_the_agency(wrap):
    """Markdown headings, list marks, emphasis, quotes and stray spaces around the agency name
    (issue 10 item 6): the report prints the bare name, in every text layout."""
    import random

    from helpers import extract_text
    from reportgen import AGENCIES, random_report, render_text
    for k, agency in enumerate(AGENCIES):
        rep = random_report(random.Random(k), ["2019", "2021"][k % 2])
        rep.agency = agency
        spaced = agency[:2] + " " + agency[2:] if k % 3 == 0 else agency
        title = f"{spaced}{rep.year}年政府信息公开工作年度报告"
        text = render_text(rep, ["markdown", "layout", "tab_rows"][k % 3])
        first, rest = text.split("\n", 1)
        assert first == title.replace(spaced, agency)
        doc, _ = extract_text(wrap.format(title) + "\n" + rest)
        md = extract_metadata(doc)
        assert (md.agency, md.year) == (agency, rep.year), wrap


def _plain_metadata(doc):
    """extract_metadata as first written: every head cleaned first, the period always searched."""
    import pipeline.metadata as MD
    heads = list(MD._heads(doc))
    md = MD.Metadata()
    for size in (1, 2, 3):
        for k in range(len(heads) - size + 1):
            text = "".join(heads[k:k + size])[:120]
            for pat in (MD._AGENCY_FIRST, MD._YEAR_FIRST):
                m = pat.match(text)
                if m and "报告" in text[m.end():m.end() + 30] + heads[min(k + size, len(heads) - 1)][:12]:
                    agency = MD._clean_agency(m.group("agency"))
                    if len(agency) >= 2:
                        md.agency, md.year, md.title = agency, int(m.group("year")), text
                        break
            if md.year:
                break
        if md.year:
            break
    full = MD._WS.sub("", doc.text()[:20000])
    period = MD._PERIOD.search(full)
    if md.year is None:
        if period:
            md.year = int(period.group(1))
        else:
            m = MD._ANY_TITLE.search(full)
            if m:
                md.year = int(m.group(1))
    return md


_PIECES = ["秀洲区人民政府", "2019年", "2021年度", "政府信息公开", "政务公开", "工作", "年度报告", "报告", "关于", "的",
           "# ", "**", "标题：", "【某局】", "", " ", "本年度报告的统计期限自2018年1月1日起", "一、总体情况", "。"]


def test_heads_read_as_far_as_needed_give_what_all_heads_give():
    """Heads are cleaned one at a time, only as far as the title search reads: the metadata
    are those of the search over every head."""
    import random

    from parsers.model import Table
    rnd = random.Random(7)
    for _ in range(800):
        blocks = []
        for _ in range(rnd.randrange(8)):
            if rnd.random() < 0.1:
                blocks.append(Table())
            else:
                blocks.append(Paragraph("".join(rnd.choice(_PIECES) for _ in range(rnd.randrange(5)))))
        doc = Document(blocks=blocks)
        assert extract_metadata(doc) == _plain_metadata(doc)
