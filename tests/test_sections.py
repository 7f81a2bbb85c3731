"""Routing tables to 二/三/四 when OCR garbles the section headings (normalize/sections.py)."""
from xxgk.model import Document, Paragraph
from xxgk.layout.text_table import pipe_table
from xxgk.normalize.sections import heading_section, split_sections


def _doc(*blocks) -> Document:
    return Document(blocks=[Paragraph(text=b) if isinstance(b, str) else pipe_table(b) for b in blocks])


TABLE_2 = ["| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "| 规章 | 0 | 0 | 5 |"]
TABLE_3_HEAD = ["| 本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
                "| （一）予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
TABLE_3_REST = ["| 3.补正后申请内容仍不明确 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"]  # page 2: no header words
TABLE_4 = ["| 行政复议 | 行政诉讼 |", "| " + " | ".join(["0"] * 15) + " |"]


def test_heading_that_lost_its_comma():
    assert heading_section("三收到和处理政府信息公开申请情况") == "applications"
    assert heading_section("三是加强政府信息公开申请办理") is None  # 三是… is an item, not a heading


def test_continuation_follows_its_table_when_the_heading_was_unreadable():
    doc = _doc("二、主动公开政府信息情况", TABLE_2,
               "三攸到和外理政府信自公开申请",  # the heading OCR garbled beyond recognition
               TABLE_3_HEAD, TABLE_3_REST,
               "四、政府信息公开行政复议、行政诉讼情况", TABLE_4)
    sec = split_sections(doc)
    labels = [r.label for r in sec.rows["applications"]]
    assert labels[-1] == "3.补正后申请内容仍不明确"
    assert all(r.label != "3.补正后申请内容仍不明确" for r in sec.rows["proactive"])
    assert len(sec.rows["reviews"]) == 2


def test_a_table_after_a_new_heading_belongs_to_that_section():
    doc = _doc("二、主动公开政府信息情况", TABLE_2, "三、收到和处理政府信息公开申请情况", TABLE_3_REST)
    sec = split_sections(doc)
    assert [r.label for r in sec.rows["applications"]] == ["3.补正后申请内容仍不明确"]


def test_numbered_table_captions_under_an_outline_of_its_own():
    assert heading_section("表一 主动公开政府信息情况") == "proactive"
    assert heading_section("表2：收到和处理政府信息公开申请情况") == "applications"
    assert heading_section("表三、政府信息公开行政复议、行政诉讼情况") == "reviews"
    assert heading_section("表一 全年工作安排") is None


def test_one_report_whose_table_three_header_names_other_rows_is_one_report():
    """The last rows of table 三 under a left-over header (本年新收件数 | 上年结转件数 | 予以公开 …)."""
    from xxgk.normalize.sections import count_reports
    doc = _doc("一、总体情况", "三、收到和处理政府信息公开申请情况", TABLE_3_HEAD,
               ["| 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 |", "| （七）总计 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"])
    assert count_reports(split_sections(doc)) == 1
    again = _doc("一、总体情况", "三、收到和处理政府信息公开申请情况", TABLE_3_HEAD, "一、总体情况",
                 "三、收到和处理政府信息公开申请情况", ["| 本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |"])
    assert count_reports(split_sections(again)) == 2
