"""Flattened text forms become tables with the right rows and cells."""
from xxgk.converters.text import text_to_blocks
from xxgk.model import Paragraph, Table


def _tables(text):
    return [b for b in text_to_blocks(text) if isinstance(b, Table)]


def test_pipe_rows_with_padding():
    t = _tables("二、主动公开\n第二十条第(一)项 | |||\n信息内容 | 本年制发件数 |\n规章 | 0 | 1 | 2 |\n五、问题")[0]
    assert t.text_rows() == [["第二十条第(一)项", "", "", ""], ["信息内容", "本年制发件数"], ["规章", "0", "1", "2"]]
    assert t.positional is False


def test_one_cell_per_line_with_vertical_text():
    text = "\t\n\t自\n然\n人\n\t法人或其他组织\n\n\t一、本年新收\n\t10\n\t 0\n\n\n三、下一节"
    blocks = text_to_blocks(text)
    assert blocks[0].text_rows() == [["", "自然人", "法人或其他组织"], ["一、本年新收", "10", "0"]]
    assert isinstance(blocks[1], Paragraph) and blocks[1].text == "三、下一节"


def test_tab_rows_survive_a_page_break_inside_the_table():
    t = _tables("a\tb\t1\n\n\tc\t2\n正文")[0]
    assert t.text_rows() == [["a", "b", "1"], ["", "c", "2"]]


def test_markdown_marks_are_stripped():
    blocks = text_to_blocks("## 一、总体情况\n**（一）主动公开。**按照要求")
    assert [b.text for b in blocks] == ["一、总体情况", "（一）主动公开。按照要求"]
    assert blocks[0].style == "heading"
