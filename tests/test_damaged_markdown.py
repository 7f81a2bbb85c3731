"""A real PDF-to-markdown tool's shapes (issue 12, class 2): each mechanism on its own rows.

The whole reports (pymupdf4llm's markdown of fixtures/pdf/*.pdf) are golden fixtures in
fixtures/damaged/markdown_real_*.md, run by test_golden.py; these check why they read right.
"""
from pathlib import Path

from xxgk.layout.text_table import pipe_table
from xxgk.model import Document, Paragraph
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.labels import best_label
from xxgk.normalize.prose import plain_line, running_headers, split_signature
from xxgk.normalize.readers import read_applications, read_proactive
from xxgk.normalize.rows import table_rows
from xxgk.normalize.sections import count_reports, split_sections
from xxgk.normalize.templates import FORM_2019, FORM_2021
from xxgk.normalize.templates.base import RESULTS_HEAD
from xxgk.pipeline import convert_file

DAMAGED = Path(__file__).resolve().parent.parent / "fixtures" / "damaged"
HEAD = ["|（本列数据的勾<br>|稽关系为：第一项加第二项之<br>||||申请人情|况|||", "|---|---|---|---|---|---|---|---|---|"]
NEW = "|一、本年新收政府|信息公开申请数量|202|14|20|25|18|23|302|"
CARRIED = "|二、上年结转政府|信息公开申请数量|0|3|0|0|0|0|3|"


def _applications(lines, form=FORM_2021):
    store = FieldStore()
    read_applications(table_rows(pipe_table(lines)), form, store)
    return store


def _kinds(store, field):
    return [w["kind"] for w in store.warnings if w["field"] == field]


def test_a_label_cut_over_two_cells_is_read_whole():
    aliases = [r.labels for r in RESULTS_HEAD]
    assert best_label(["一、本年新收政府", "信息公开申请数量"], aliases) == "一、本年新收政府信息公开申请数量"
    assert best_label(["三、本年度办理结果", "（一）予以公开"], aliases) == "（一）予以公开"  # group + row: the row
    assert best_label(["（三）不", "1.属于国家秘密"], aliases) == "1.属于国家秘密"
    store = _applications(HEAD + [NEW, CARRIED, "|（一）予以|公开|12|3|3|0|0|3|21|"])
    assert [store.values[f"applications.new_received.{c}"] for c in ("natural_person", "total")] == [202, 302]
    assert store.values["applications.carried_over.commercial_enterprise"] == 3
    assert store.values["applications.results.disclosed.total"] == 21


def test_a_table_two_label_cut_over_two_cells_is_read_whole():
    lines = ["|信息内容|本年收费金额（单位：万元）|", "|---|---|", "|行政事业|性收费|12.5|", "|行政规范|性文件|9|7|91|"]
    store = FieldStore()
    read_proactive(table_rows(pipe_table(lines)), FORM_2021, store)
    assert store.values["proactive.fees.amount"] == 12.5
    assert [store.values[f"proactive.normative_documents.{k}"] for k in ("issued", "repealed", "in_force")] == [9, 7, 91]


def test_two_rows_whose_labels_end_alike_are_not_two_reports():
    """信息公开申请数量 is the last cell of both 一 and 二: read alone, 二 was a second 本年新收 row."""
    doc = Document(blocks=[Paragraph("一、总体情况"), Paragraph("三、收到和处理政府信息公开申请情况"),
                           pipe_table(HEAD + [NEW, CARRIED])])
    assert count_reports(split_sections(doc)) == 1


def test_two_rows_in_one_cell_are_split_back_never_joined():
    """2.…<br>3.其他 | 5<br>1: two rows a converter put in one; 5<br>1 is never 51."""
    row = ("||2.申请人逾期未按收费通知<br>要求缴纳费用、行政机关不<br>再处理其政府信息公开申请<br>3.其他"
           "|5<br>1|3<br>0|0<br>1|3<br>0|0<br>0|2<br>0|13<br>2|")
    rows = table_rows(pipe_table(["|a|b|c|d|e|f|g|h|i|", "|---|---|---|---|---|---|---|---|---|", row]))
    assert [r.label for r in rows[1:]] == ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
    assert [[s.value for s in r.slots] for r in rows[1:]] == [[5, 3, 0, 3, 0, 2, 13], [1, 0, 1, 0, 0, 0, 2]]


def test_stacked_numbers_that_cannot_be_split_into_rows_are_unreadable():
    """Two rows' labels, a stacked cell and a lone number: which row the 7 is in is unknown."""
    rows = table_rows(pipe_table(["|x|y|z|", "|---|---|---|", "|（六）其他处理<br>（七）总计|5<br>1|7|"]))
    assert [(s.raw, s.value) for s in rows[1].slots] == [("5<br>1", None), ("7", 7)]


def test_two_columns_in_one_cell_are_read_in_column_order_with_a_warning():
    lines = ["||第二十条第|（一）项|", "|---|---|---|", "|信息内容|本年新制作数量|本年新公开数量<br>对外公开总数量|",
             "|规章|0|0<br>2|", "|规范性文件|3|3<br>35|"]
    store = FieldStore()
    read_proactive(table_rows(pipe_table(lines)), FORM_2019, store)
    assert [store.values[f"proactive.normative_documents.{k}"] for k in ("made", "published", "total_public")] == [3, 3, 35]
    assert store.provenance["proactive.normative_documents.total_public"]["raw"] == "3<br>35"
    assert "placed" in _kinds(store, "proactive.normative_documents.total_public")
    assert "placed" not in _kinds(store, "proactive.normative_documents.made")


def test_markdown_marks_and_wrap_spaces_leave_the_prose():
    assert plain_line("- （一）主动公开。全年主动公开政府信息211 条，其中政策文件12 件") == "（一）主动公开。全年主动公开政府信息211条，其中政策文件12件"
    assert plain_line("### **不公 开为例外** ") == "不公开为例外"
    assert plain_line("联系电话： 0517-87222589 ，hzzwgk@126.com") == "联系电话：0517-87222589，hzzwgk@126.com"


def test_a_running_header_printed_on_every_page_is_furniture():
    texts = ["大连市医疗保障局·政务公开专栏", "大连市医疗保障局", "一、总体情况", "正文。", "大连市医疗保障局·政务公开专栏",
             "（一）主动公开", "（一）主动公开", "大连市医疗保障局"]
    assert running_headers(texts) == {"大连市医疗保障局·政务公开专栏"}


def test_a_signature_name_and_date_on_one_line():
    body, tail = split_signature(["本年度未收取信息处理费。", "大连市医疗保障局 2024 年1 月18 日"])
    assert body == ["本年度未收取信息处理费。"] and tail == ["大连市医疗保障局", "2024 年1 月18 日"]


def test_the_real_report_through_a_markdown_tool_keeps_every_number():
    """The real 洪泽区 2023 report (fixtures/pdf/hzq2023.pdf) as pymupdf4llm writes it: before, 21 of its
    186 numbers were null (labels cut over two cells); the 2021 三线表 one was refused as 2 reports."""
    report = convert_file(DAMAGED / "markdown_real_hzq2023.md")
    assert report["applications"]["new_received"]["total"] == 21
    assert report["applications"]["carried_forward"]["total"] == 0
    assert not [w for w in report["warnings"] if w["field"] and w["field"].startswith("applications.")]
    threeline = convert_file(DAMAGED / "markdown_real_threeline_2021.md")
    assert threeline["applications"]["results"]["other"]["overdue_fee"]["total"] == 13
    assert threeline["published"] == "2024-01-18"
