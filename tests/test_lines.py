"""lines.py: a reader's grid rows and paragraphs → label + value lines."""
from parsers.model import Cell, Document, Paragraph, Table
from pipeline.lines import document_lines


def _texts(cells):
    return [c.text for c in cells]


def test_a_row_is_its_text_cells_then_its_numbers():
    doc = Document(blocks=[Table.from_rows([["（一）予以公开", "3", "", "1", "4"]])])
    [ln] = document_lines(doc)
    assert _texts(ln.labels) == ["（一）予以公开"]
    assert _texts(ln.values) == ["3", "", "1", "4"]
    assert _texts(ln.filled) == ["3", "1", "4"] and ln.grid and ln.text == "（一）予以公开 3  1 4"


def test_text_between_numbers_belongs_to_the_label():
    """Labels run up to the last text cell: a remark printed in a value cell stays a label."""
    doc = Document(blocks=[Table.from_rows([["行政许可", "5", "见附件", "2"]])])
    [ln] = document_lines(doc)
    assert _texts(ln.labels) == ["行政许可", "5", "见附件"] and _texts(ln.values) == ["2"]


def test_row_spanning_group_label_is_carried_down_as_context():
    cells = [Cell("（三）不予公开", 0, 0, rowspan=2), Cell("1.属于国家秘密", 0, 1), Cell("0", 0, 2),
             Cell("2.其他法律行政法规禁止公开", 1, 1), Cell("1", 1, 2)]
    lines = document_lines(Document(blocks=[Table(cells=cells)]))
    assert [ln.context for ln in lines] == [[], ["（三）不予公开"]]
    assert _texts(lines[1].labels) == ["2.其他法律行政法规禁止公开"]


def test_indented_row_inherits_the_label_to_its_left():
    """Tab-cell copies print a group label once; rows indented under it carry it as context."""
    doc = Document(blocks=[Table.from_rows([["（四）无法提供", "", ""], ["", "1.本机关不掌握相关政府信息", "2"],
                                            ["", "2.没有现成信息需要另行制作", "0"]])])
    lines = document_lines(doc)
    assert lines[1].context == ["（四）无法提供"] and lines[2].context == ["（四）无法提供"]


def test_one_column_table_is_reflowed_text_cell_first():
    doc = Document(blocks=[Table.from_rows([["规章"], ["5"], ["0"], ["12"], ["行政许可"], ["3"]])])
    lines = document_lines(doc)
    assert [(_texts(ln.labels), _texts(ln.values)) for ln in lines] == [
        (["规章"], ["5", "0", "12"]), (["行政许可"], ["3"])]
    assert not any(ln.grid for ln in lines)


def test_label_wrapped_above_its_numbers_joins_the_value_line():
    doc = Document(blocks=[Table.from_rows([["2、申请人逾期未按收费通知要"],
                                            ["求缴纳费用、行政机关不再处理", "6", "0"]])])
    [ln] = document_lines(doc)
    assert _texts(ln.labels) == ["2、申请人逾期未按收费通知要", "求缴纳费用、行政机关不再处理"]
    assert _texts(ln.values) == ["6", "0"]


def test_numbered_label_does_not_join_the_line_above():
    doc = Document(blocks=[Table.from_rows([["（七）总计"], ["四、结转下年度继续办理", "1", "1"]])])
    lines = document_lines(doc)
    assert len(lines) == 2 and _texts(lines[1].labels) == ["四、结转下年度继续办理"]


def test_paragraph_shapes():
    doc = Document(blocks=[Paragraph("行政许可 97 3"), Paragraph("25"), Paragraph("本机关2023年度共收到申请。"),
                           Paragraph("甲" * 130)])
    row, number, prose, long_ = document_lines(doc)
    assert _texts(row.labels) == ["行政许可"] and _texts(row.values) == ["97", "3"] and not row.grid
    assert number.labels == [] and _texts(number.values) == ["25"]
    assert _texts(prose.labels) == ["本机关2023年度共收到申请。"] and prose.values == []
    assert long_.labels == [] and long_.values == [] and long_.text == "甲" * 130


def test_digits_glued_to_a_label_are_one_cell():
    """Run-together cells are split by recover.py, not here."""
    [ln] = document_lines(Document(blocks=[Paragraph("一、本年新收政府信息公开申请数量640020470")]))
    assert _texts(ln.values) == ["640020470"]


def test_lines_are_numbered_in_document_order_with_their_block():
    doc = Document(blocks=[Paragraph("标题"), Table.from_rows([["规章", "1"], ["行政许可", "2"]]), Paragraph("3")])
    lines = document_lines(doc)
    assert [ln.index for ln in lines] == [0, 1, 2, 3]
    assert [ln.block for ln in lines] == [0, 1, 1, 2]


def test_page_comes_from_the_first_value_cell():
    t = Table(cells=[Cell("规章", 0, 0, page=2), Cell("7", 0, 1, page=3)])
    [ln] = document_lines(Document(blocks=[t]))
    assert ln.page == 3
