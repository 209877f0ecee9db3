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
