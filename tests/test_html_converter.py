"""HTML converter at the Document level: blocks, grids, spans, encodings, errors."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from xxgk.converters.html import convert, decode_html
from xxgk.model import ConversionError, Paragraph, Table

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "html"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
COLS = ["natural_person", "commercial_enterprise", "research_institution",
        "social_welfare_organization", "legal_service_agency", "other_organization", "total"]
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def load(name: str):
    return convert((FIX / name).read_bytes(), name)


def html(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode("utf-8")


def tables(doc) -> list[Table]:
    return list(doc.tables())


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs()]


def cell_at(table: Table, row: int, col: int):
    return next(c for c in table.cells if c.row == row and c.col == col)


def values(table: Table, row: int) -> list[str]:
    """The seven applicant-column texts of a table 三 row (columns 3..9 of the grid)."""
    return [c.text for c in table.matrix()[row][3:10]]


# --------------------------------------------------------------------------- the real page

@pytest.fixture(scope="module")
def shuyang():
    return load("shuyang_fgj_2023.html")


def test_real_metadata(shuyang):
    assert shuyang.source.format == "html"
    assert shuyang.metadata["title"] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert shuyang.metadata["page_title"] == "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局"
    assert shuyang.metadata["published"] == "2024-01-17"
    assert shuyang.metadata["site"] == "沭阳县人民政府"


def test_real_prose_in_order(shuyang):
    paras = texts(shuyang)
    assert paras[0] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert isinstance(shuyang.blocks[0], Paragraph) and shuyang.blocks[0].style == "title"
    # 2023 and the phone number are each split over two spans in the markup.
    assert "统计时限为2023年1月1日至2023年12月31日。" in paras[1]
    assert "电话：0527—83593059）" in paras[1]
    assert paras[2] == "一、总体情况"
    assert "全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条" in paras[5]
    assert paras[-3:] == ["2023年度，县发展和改革局政府信息公开未发生收费情况。", "沭阳县发展和改革局", "2024年1月17日"]
    for junk in ("繁體版", "索引号", "采集时间", "首页", "智能问答"):
        assert not any(junk in p for p in paras), junk


def test_real_block_order(shuyang):
    kinds = [(type(b).__name__, b.text if isinstance(b, Paragraph) else b.n_rows) for b in shuyang.blocks]
    i = kinds.index(("Paragraph", "二、主动公开政府信息情况"))
    assert kinds[i + 1] == ("Table", 14)
    assert kinds[i + 2] == ("Paragraph", "三、收到和处理政府信息公开申请情况")
    assert kinds[i + 3] == ("Table", 28)
    assert kinds[i + 4] == ("Paragraph", "四、政府信息公开行政复议、行政诉讼情况")
    assert kinds[i + 5] == ("Table", 4)
    assert len(tables(shuyang)) == 3


def test_real_table_two(shuyang):
    t = tables(shuyang)[0]
    assert (t.n_rows, t.n_cols) == (14, 4)
    assert t.text_rows()[3] == ["规范性文件", "8", "0", "18"]
    assert cell_at(t, 0, 0).colspan == 4 and cell_at(t, 0, 0).text == "第二十条第（一）项"
    fee = cell_at(t, 13, 1)
    assert (fee.text, fee.colspan) == ("0", 3)
    assert cell_at(t, 12, 1).text == "本年收费金额（单位：万元）"


def test_real_table_three_header(shuyang):
    t = tables(shuyang)[1]
    assert (t.n_rows, t.n_cols) == (28, 10)
    note = cell_at(t, 0, 0)
    assert (note.text, note.rowspan, note.colspan) == (BALANCE_NOTE, 3, 3)
    assert (cell_at(t, 0, 3).text, cell_at(t, 0, 3).colspan) == ("申请人情况", 7)
    assert (cell_at(t, 1, 3).text, cell_at(t, 1, 3).rowspan) == ("自然人", 2)
    assert (cell_at(t, 1, 4).text, cell_at(t, 1, 4).colspan) == ("法人或其他组织", 5)
    assert (cell_at(t, 1, 9).text, cell_at(t, 1, 9).rowspan) == ("总计", 2)
    assert t.text_rows()[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert [c.col for c in t.rows()[2]] == [4, 5, 6, 7, 8]


def test_real_table_three_body(shuyang):
    t = tables(shuyang)[1]
    results = cell_at(t, 5, 0)
    assert (results.text, results.rowspan, results.colspan) == ("三、本年度办理结果", 22, 1)
    assert (cell_at(t, 3, 0).text, cell_at(t, 3, 0).colspan) == ("一、本年新收政府信息公开申请数量", 3)
    assert cell_at(t, 5, 1).text == "（一）予以公开" and cell_at(t, 5, 1).colspan == 2
    assert cell_at(t, 6, 1).text == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    withheld = cell_at(t, 7, 1)
    assert (withheld.text, withheld.rowspan) == ("（三）不予公开", 8)
    assert cell_at(t, 9, 2).text == "3.危及“三安全一稳定”"
    assert (cell_at(t, 15, 1).text, cell_at(t, 15, 1).rowspan) == ("（四）无法提供", 3)
    assert (cell_at(t, 18, 1).text, cell_at(t, 18, 1).rowspan) == ("（五）不予处理", 5)
    assert (cell_at(t, 23, 1).text, cell_at(t, 23, 1).rowspan) == ("（六）其他处理", 3)
    assert (cell_at(t, 26, 1).text, cell_at(t, 26, 1).colspan) == ("（七）总计", 2)
    assert cell_at(t, 27, 0).text == "四、结转下年度继续办理"
    # Only 自然人 and 总计 are printed; the other applicant cells are blank, not 0.
    assert values(t, 3) == ["26", "", "", "", "", "", "26"]
    assert values(t, 4) == ["0", "", "", "", "", "", "0"]
    assert values(t, 5) == ["26", "", "", "", "", "", "26"]
    assert values(t, 26) == ["26", "", "", "", "", "", "26"]
    for r in range(6, 26):
        assert values(t, r) == ["0", "", "", "", "", "", "0"], r
    assert values(t, 27) == ["0", "", "", "", "", "", "0"]


def test_real_table_four(shuyang):
    t = tables(shuyang)[2]
    assert (t.n_rows, t.n_cols) == (4, 15)
    assert (cell_at(t, 0, 0).text, cell_at(t, 0, 0).colspan) == ("行政复议", 5)
    assert (cell_at(t, 0, 5).text, cell_at(t, 0, 5).colspan) == ("行政诉讼", 10)
    assert (cell_at(t, 1, 2).text, cell_at(t, 1, 2).rowspan) == ("其他结果", 2)
    assert [c.text for c in t.rows()[3]] == ["0", "0", "0", "1", "1"] + ["0"] * 10


# --------------------------------------------------------------------------- generated pages vs their truth

GENERATED = ["word_soup_2022", "gbk_meta_2021", "gbk_nocharset_2022", "rowspan_blanks_2023",
             "form2019_2020", "layout_nested_2021"]


def app_rows(template: str) -> list[str]:
    withheld = ["state_secret", "prohibited_by_law", "security_stability", "third_party_rights",
                "internal_affairs", "process_information", "law_enforcement_files", "administrative_inquiry"]
    leaves = ["disclosed", "partially_disclosed", *(f"withheld.{k}" for k in withheld),
              *(f"unable_to_provide.{k}" for k in ("not_held", "needs_creation", "unclear_after_correction")),
              *(f"not_processed.{k}" for k in ("complaint", "duplicate", "publication", "excessive", "confirmation"))]
    leaves += ([f"other.{k}" for k in ("overdue_correction", "overdue_fee", "other")] if template == "2021"
               else ["other_handling"])
    return ["new_received", "carried_over", *(f"results.{x}" for x in leaves), "results.total", "carried_forward"]


def lookup(tree: dict, path: str):
    for part in path.split("."):
        tree = tree[part]
    return tree


@pytest.mark.parametrize("name", GENERATED)
def test_generated_table_three_matches_truth(name):
    """Every number the page prints comes through; blank cells stay blank."""
    doc = load(f"{name}.html")
    truth = json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))
    blank = set(truth["inferred"]) | set(truth["null_fields"])
    t = tables(doc)[1]
    rows = app_rows(truth["template"])
    assert t.n_rows == 3 + len(rows) and t.n_cols == 10
    for i, row in enumerate(rows):
        want = ["" if f"applications.{row}.{c}" in blank else str(lookup(truth["applications"], f"{row}.{c}"))
                for c in COLS]
        assert [v.translate(FULLWIDTH) for v in values(t, 3 + i)] == want, row


@pytest.mark.parametrize("name", GENERATED)
def test_generated_metadata_and_structure(name):
    doc = load(f"{name}.html")
    truth = json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert doc.metadata["title"] == truth["title"]
    assert doc.metadata["published"] == truth["published"]
    assert len(tables(doc)) == 3
    paras = texts(doc)
    assert truth["title"] in paras[:2]
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "六、其他需要报告的事项"):
        assert heading in paras
    for junk in ("打印", "关闭", "ICP备", "版权所有", "当前位置", "分享到", "首页"):
        assert not any(junk in p for p in paras), (name, junk)
    for section, needles in truth["text_contains"].items():
        for needle in needles:
            assert any(needle in p for p in paras), (name, needle)


def test_word_soup_split_numbers():
    doc = load("word_soup_2022.html")
    truth = json.loads((FIX / "word_soup_2022.expected.json").read_text(encoding="utf-8"))
    raw = (FIX / "word_soup_2022.html").read_text(encoding="utf-8")
    # The markup really splits numbers and is Word soup.
    assert "<o:p></o:p>" in raw and "class=MsoNormal" in raw and "<span\nlang=EN-US" in raw
    t2 = tables(doc)[0]
    assert t2.text_rows()[3] == ["行政规范性文件", "7", "4", "37"]
    assert t2.text_rows()[9] == ["行政处罚", str(truth["proactive"]["penalty"]["decisions"])]
    assert t2.text_rows()[13] == ["行政事业性收费", "3.6"]
    t3 = tables(doc)[1]
    assert cell_at(t3, 1, 3).text == "自然人"  # one character per line via <br>
    assert "全年主动公开政府信息263条，其中机构职能类信息26条、政策文件类信息52条。" in texts(doc)
    # The Word column-width row at the end of each table is dropped.
    assert tables(doc)[2].n_rows == 4


def test_gbk_with_meta_charset():
    data = (FIX / "gbk_meta_2021.html").read_bytes()
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = convert(data, "gbk_meta_2021.html")
    assert doc.metadata["encoding"] == "gb18030"
    # 喆 is in GBK but not in GB2312: a strict gb2312 decoder would fail on the page.
    assert "本报告联系人：王喆，联系电话：0393-4412345。" in texts(doc)
    assert tables(doc)[2].text_rows()[3][:5] == ["2", "1", "1", "0", "5"]


def test_gbk_without_declaration():
    data = (FIX / "gbk_nocharset_2022.html").read_bytes()
    assert b"charset" not in data.lower()
    doc = convert(data, "gbk_nocharset_2022.html")
    assert doc.metadata["encoding"] == "gb18030"
    assert "本报告联系人：程堃，联系电话：0563-8152233。" in texts(doc)
    assert "发布时间：2023-01-16 来源：绩溪县教育体育局" in texts(doc)


def test_rowspan_blanks_page():
    doc = load("rowspan_blanks_2023.html")
    t = tables(doc)[1]
    assert (cell_at(t, 5, 0).text, cell_at(t, 5, 0).rowspan) == ("三、本年度办理结果", 22)
    assert (cell_at(t, 1, 9).text, cell_at(t, 1, 9).rowspan) == ("总计", 2)
    assert values(t, 4) == ["0", "", "", "", "", "", "0"]
    assert values(t, 10) == ["", "1", "0", "0", "0", "0", "3"]  # 自然人 blank, pinned to 2 by the total
    assert values(t, 5) == ["", "4", "0", "0", "", "0", "13"]  # two blanks of an unpinnable cycle
    t4 = tables(doc)[2]
    assert [c.text for c in t4.rows()[1]][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_form2019_tables():
    doc = load("form2019_2020.html")
    t2, t3, _ = tables(doc)
    rows = t2.text_rows()
    assert (t2.n_rows, t2.n_cols) == (18, 4)
    assert rows[1] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert rows[6] == ["行政许可", "18", "减4", "1362"]
    assert rows[7] == ["其他对外管理服务事项", "9", "增3", "415"]
    assert rows[10] == ["行政处罚", "41", "-35", "6"]
    assert rows[14] == ["行政事业性收费", "2", ""]
    assert cell_at(t2, 14, 2).colspan == 2
    assert rows[17] == ["政府集中采购", "14", "976.81万元"]
    assert (t3.n_rows, t3.n_cols) == (26, 10)
    assert (cell_at(t3, 5, 0).text, cell_at(t3, 5, 0).rowspan) == ("三、本年度办理结果", 20)
    other = cell_at(t3, 23, 1)
    assert (other.text, other.colspan, other.rowspan) == ("（六）其他处理", 2, 1)
    assert values(t3, 4)[6] == ""  # 上年结转 总计 left blank, parts filled


def test_nested_layout_page():
    doc = load("layout_nested_2021.html")
    ts = tables(doc)
    assert [(t.n_rows, t.n_cols) for t in ts] == [(14, 4), (28, 10), (4, 15)]
    assert ts[0].text_rows()[6] == ["行政许可", "２２５５"]  # full-width digits kept as written
    assert values(ts[1], 3)[0] == "２４"
    paras = texts(doc)
    assert paras[0] == "延吉市人力资源和社会保障局2021年政府信息公开工作年度报告"
    assert not any(p in paras for p in ("信息公开指南", "网站首页 | 信息公开 | 办事大厅 | 公众参与"))


def test_committed_fixtures_match_generator():
    """The pages and truth files on disk are exactly what make_html.py produces."""
    spec = importlib.util.spec_from_file_location("make_html", FIX / "make_html.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules["make_html"] = gen  # dataclasses look their module up there
    spec.loader.exec_module(gen)
    names = []
    for make, encoding in gen.FIXTURES:
        report, page = make()
        names.append(report.name)
        assert (FIX / f"{report.name}.html").read_bytes() == page.encode(encoding)
        truth = json.loads((FIX / f"{report.name}.expected.json").read_text(encoding="utf-8"))
        assert truth["applications"] == gen.expected(report, gen.common_text(report))["applications"]
    assert sorted(names) == sorted(GENERATED)


# --------------------------------------------------------------------------- small pages

def one_table(body: str) -> Table:
    doc = convert(html(body), "t.html")
    ts = tables(doc)
    assert len(ts) == 1
    return ts[0]


def test_number_split_over_spans_in_cell():
    t = one_table("<table><tr><td>a</td><td>b</td></tr>"
                  "<tr><td><p><span>1</span><span><font>2</font></span><o:p></o:p></p></td>"
                  "<td><span>3</span>\n<span>4</span></td></tr></table>")
    assert t.text_rows() == [["a", "b"], ["12", "34"]]


def test_cell_lines_joined():
    t = one_table("<table><tr><td>自<br>然<br>人</td><td><p>1.</p><p>属于国家秘密</p></td>"
                  "<td>Total<br/>总计</td><td>&nbsp;</td><td><p>&nbsp;</p><o:p>&nbsp;</o:p></td></tr>"
                  "<tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td></tr></table>")
    assert t.text_rows()[0] == ["自然人", "1. 属于国家秘密", "Total 总计", "", ""]


def test_spans_and_invalid_spans():
    t = one_table("<table><tr><td rowspan='2'>A</td><td colspan='x'>B</td><td colspan='0'>C</td></tr>"
                  "<tr><td rowspan='-1'>D</td><td>E</td></tr>"
                  "<tr><td colspan='3'>F</td></tr></table>")
    assert t.text_rows() == [["A", "B", "C"], ["D", "E"], ["F"]]
    assert [(c.row, c.col, c.rowspan, c.colspan) for c in t.cells] == [
        (0, 0, 2, 1), (0, 1, 1, 1), (0, 2, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1), (2, 0, 1, 3)]


def test_nested_layout_tables_traversed():
    page = ("<table><tr><td>站点导航</td></tr><tr><td>"
            "<table><tr><td><p>一、总体情况</p><p>正文一段。</p>"
            "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table>"
            "<p>六、其他需要报告的事项</p></td></tr></table>"
            "</td></tr></table>")
    doc = convert(html(page), "t.html")
    assert texts(doc) == ["一、总体情况", "正文一段。", "六、其他需要报告的事项"]
    ts = tables(doc)
    assert len(ts) == 1 and ts[0].text_rows() == [["信息内容", "本年制发件数"], ["规章", "3"]]
    assert isinstance(doc.blocks[2], Table)


def test_br_splits_paragraphs_and_headings_styled():
    doc = convert(html("<div class='content'><h2>标题</h2><p>第一行<br>第二行</p><div>尾部 文字</div></div>"), "t.html")
    assert [(p.text, p.style) for p in doc.paragraphs()] == [
        ("标题", "heading"), ("第一行", None), ("第二行", None), ("尾部文字", None)]


def test_known_container_preferred_and_junk_dropped():
    body = ("<div class='nav'>首页 政务公开</div><div class='position'>当前位置：首页</div>"
            "<div id='zoom'><p>一、总体情况</p><p>内容。</p><p>二、主动公开政府信息情况</p>"
            "<script>document.write('x')</script><style>p{}</style>"
            "<div style='display:none'>隐藏</div><p>【打印本页】【关闭窗口】</p></div>"
            "<div class='footer'>版权所有 ICP备123号</div>")
    assert texts(convert(html(body), "t.html")) == ["一、总体情况", "内容。", "二、主动公开政府信息情况"]


def test_fallback_to_tightest_element_with_headings():
    body = ("<div><div>网站首页 | 机构概况</div><div class='x'><p>一、总体情况</p><p>文。</p>"
            "<p>三、收到和处理政府信息公开申请情况</p></div><div>联系我们</div></div>")
    assert texts(convert(html(body), "t.html")) == ["一、总体情况", "文。", "三、收到和处理政府信息公开申请情况"]


def test_metadata_from_meta_and_text():
    head = "<title>某局2022年政府信息公开工作年度报告_某市人民政府</title><meta name='PubDate' content='2023-01-20 10:00'>"
    doc = convert(html("<p>正文</p>", head), "t.html")
    assert doc.metadata["title"] == "某局2022年政府信息公开工作年度报告"
    assert doc.metadata["published"] == "2023-01-20"
    doc = convert(html("<div>发布时间：2024年1月5日</div><p>正文</p>"), "t.html")
    assert doc.metadata["published"] == "2024-01-05"
    head = "<meta name='ArticleTitle' content='某局年度报告'><meta name='SiteName' content='某市人民政府'>"
    doc = convert(html("<p>正文</p>", head), "t.html")
    assert (doc.metadata["title"], doc.metadata["site"]) == ("某局年度报告", "某市人民政府")


# --------------------------------------------------------------------------- encodings and errors

PAGE = "<html><head>{meta}<title>年报</title></head><body><p>一、总体情况：本机关共收到申请12件。</p></body></html>"


@pytest.mark.parametrize("meta", ["<meta charset='gbk'>", '<meta http-equiv="Content-Type" content="text/html; charset=GB2312">',
                                  "<meta charset='gb18030'>", ""])
def test_gbk_pages_decode(meta):
    data = PAGE.format(meta=meta).encode("gbk")
    assert texts(convert(data, "t.html")) == ["一、总体情况：本机关共收到申请12件。"]


def test_bom_wins_over_meta():
    data = b"\xef\xbb\xbf" + PAGE.format(meta="<meta charset='gbk'>").encode("utf-8")
    assert decode_html(data)[1] == "utf-8"
    assert texts(convert(data, "t.html")) == ["一、总体情况：本机关共收到申请12件。"]
    utf16 = "\ufeff" + PAGE.format(meta="")
    assert texts(convert(utf16.encode("utf-16-le"), "t.html")) == ["一、总体情况：本机关共收到申请12件。"]


def test_mislabelled_utf8_page():
    data = PAGE.format(meta="<meta charset='gb2312'>").encode("utf-8")
    assert decode_html(data)[1] == "utf-8"
    assert texts(convert(data, "t.html")) == ["一、总体情况：本机关共收到申请12件。"]


@pytest.mark.parametrize("data", [b"", b"   \r\n\t "])
def test_empty_file(data):
    with pytest.raises(ConversionError, match="empty"):
        convert(data, "e.html")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
                                  b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary",
                                  bytes(range(128, 256)) * 40])
def test_binary_junk(data):
    with pytest.raises(ConversionError, match="binary"):
        convert(data, "b.html")


@pytest.mark.parametrize("body", ["", "<script>var a = '一、总体情况';</script><style>p{}</style>",
                                  "<div>&nbsp;</div><table><tr><td> </td></tr></table>"])
def test_html_without_text(body):
    with pytest.raises(ConversionError, match="no text"):
        convert(html(body), "n.html")


def test_furniture_filter_keeps_report_prose():
    body = ("<div id='zoom'><p>一、总体情况</p><p>全年关闭政务新媒体账号2个。</p><p>【打印本页】 【关闭窗口】</p>"
            "<p>[打印] | [关闭] | [返回顶部]</p><p>字号：大 中 小</p><p>主动公开信息，打印纸质文件备查。</p></div>")
    assert texts(convert(html(body), "t.html")) == ["一、总体情况", "全年关闭政务新媒体账号2个。", "主动公开信息，打印纸质文件备查。"]


def test_caption_becomes_paragraph_before_table():
    doc = convert(html("<table><caption>表一</caption><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table>"),
                  "t.html")
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].text == "表一"
    assert doc.blocks[1].text_rows() == [["a", "1"], ["b", "2"]]


def test_statistics_period_is_not_the_publish_date():
    doc = convert(html("<p>本报告统计时间：2023年1月1日至2023年12月31日。</p>"), "t.html")
    assert "published" not in doc.metadata


def test_gbk_page_with_a_bad_byte_still_decodes():
    data = PAGE.format(meta="<meta charset='gb2312'>").encode("gbk").replace(b"</body>", b"\xff</body>")
    doc = convert(data, "t.html")
    assert texts(doc)[0] == "一、总体情况：本机关共收到申请12件。"
    assert doc.metadata["encoding"] == "gb18030"
    assert [w["kind"] for w in doc.warnings] == ["encoding"]


def test_declared_charset_mismatch_warns():
    doc = convert(PAGE.format(meta="<meta charset='gb2312'>").encode("utf-8"), "t.html")
    assert doc.warnings[0]["message"] == "page declares gb2312 but is UTF-8"
    assert convert(PAGE.format(meta="<meta charset='utf-8'>").encode("utf-8"), "t.html").warnings == []


def test_html5_chrome_dropped_unless_it_holds_the_report():
    body = ("<header>网站首页</header><nav>机构概况</nav><main><article><header><h1>某局年度报告</h1></header>"
            "<p>一、总体情况</p><p>二、主动公开政府信息情况</p></article></main><footer>联系我们</footer>")
    assert texts(convert(html(body), "t.html")) == ["某局年度报告", "一、总体情况", "二、主动公开政府信息情况"]
    body = "<header><p>一、总体情况</p><p>正文。</p></header>"
    assert texts(convert(html(body), "t.html")) == ["一、总体情况", "正文。"]
