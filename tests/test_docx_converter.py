"""converters.docx and converters.office on the generated fixtures (fixtures/docx/make_docx.py)."""
from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from docx.oxml import parse_xml

from xxgk.converters.docx import convert, format_number, join_lines
from xxgk.model import ConversionError, Paragraph, Table

DOCX_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "docx"
APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution",
              "social_welfare_organization", "legal_service_agency", "other_organization", "total"]
ROWS_2021 = (["new_received", "carried_over", "results.disclosed", "results.partially_disclosed"]
             + [f"results.withheld.{k}" for k in ("state_secret", "prohibited_by_law", "security_stability",
                                                 "third_party_rights", "internal_affairs", "process_information",
                                                 "law_enforcement_files", "administrative_inquiry")]
             + [f"results.unable_to_provide.{k}" for k in ("not_held", "needs_creation", "unclear_after_correction")]
             + [f"results.not_processed.{k}" for k in ("complaint", "duplicate", "publication", "excessive",
                                                      "confirmation")]
             + [f"results.other.{k}" for k in ("overdue_correction", "overdue_fee", "other")]
             + ["results.total", "carried_forward"])
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def load(name: str):
    path = DOCX_DIR / name
    return convert(path.read_bytes(), path.name)


def expected(stem: str) -> dict:
    return json.loads((DOCX_DIR / f"{stem}.expected.json").read_text(encoding="utf-8"))


def tables(doc) -> list[Table]:
    return list(doc.tables())


def table3(doc) -> Table:
    return next(t for t in doc.tables() if t.cells[0].text.startswith("（本列数据的勾稽关系"))


def spans(table: Table) -> dict[tuple[int, int], tuple[int, int, str]]:
    return {(c.row, c.col): (c.rowspan, c.colspan, c.text) for c in table.cells}


def assert_tiles(table: Table) -> None:
    """Every grid slot is covered by exactly one cell: no repeated or overlapping merged cells."""
    seen: dict[tuple[int, int], int] = {}
    for c in table.cells:
        for r in range(c.row, c.last_row + 1):
            for k in range(c.col, c.last_col + 1):
                seen[(r, k)] = seen.get((r, k), 0) + 1
    assert all(v == 1 for v in seen.values())
    assert len(seen) == table.n_rows * table.n_cols


def value(path: str, data: dict):
    node = data
    for part in path.split("."):
        node = node[part]
    return node


# ------------------------------------------------------------------ table 三 structure

def test_table3_2021_exact_spans():
    t = table3(load("gen2021_standard.docx"))
    assert (t.n_rows, t.n_cols, len(t.cells)) == (28, 10, 215)
    assert_tiles(t)
    s = spans(t)
    assert s[(0, 0)] == (3, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert s[(0, 3)] == (1, 7, "申请人情况")
    assert s[(1, 3)] == (2, 1, "自然人")
    assert s[(1, 4)] == (1, 5, "法人或其他组织")
    assert s[(1, 9)] == (2, 1, "总计")
    assert [s[(2, c)][2] for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert s[(5, 0)] == (22, 1, "三、本年度办理结果")
    assert s[(7, 1)] == (8, 1, "（三）不予公开")
    assert s[(15, 1)] == (3, 1, "（四）无法提供")
    assert s[(18, 1)] == (5, 1, "（五）不予处理")
    assert s[(23, 1)] == (3, 1, "（六）其他处理")
    assert s[(3, 0)] == (1, 3, "一、本年新收政府信息公开申请数量")
    assert s[(26, 1)] == (1, 2, "（七）总计")
    assert s[(27, 0)] == (1, 3, "四、结转下年度继续办理")
    assert s[(7, 2)] == (1, 1, "1.属于国家秘密")


def test_table3_numbers_match_ground_truth():
    t = table3(load("gen2021_standard.docx"))
    apps = expected("gen2021_standard")["applications"]
    grid = t.matrix()
    for i, path in enumerate(ROWS_2021):
        row = grid[3 + i]
        assert [row[3 + k].text for k in range(7)] == [str(value(f"{path}.{a}", apps)) for a in APPLICANTS], path


def test_vertical_text_joined_without_spaces():
    doc = load("gen2021_standard.docx")
    t3 = spans(table3(doc))
    assert t3[(1, 3)][2] == "自然人"      # 自 / 然 / 人, one paragraph each
    assert t3[(1, 9)][2] == "总计"
    assert t3[(5, 0)][2] == "三、本年度办理结果"  # w:textDirection tbRl
    t4 = tables(doc)[2]
    assert (t4.n_rows, t4.n_cols) == (4, 15)
    assert [c.text for c in t4.rows()[1][:5]] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rl = expected("gen2021_standard")["reviews_and_lawsuits"]
    assert [c.text for c in t4.rows()[3]] == [str(rl[g][o]) for g in ("review", "lawsuit_direct", "lawsuit_after_review")
                                             for o in ("upheld", "corrected", "other", "pending", "total")]


def test_join_lines_rule():
    assert join_lines(["自", "然", "人"]) == "自然人"
    assert join_lines(["Total", "count"]) == "Total count"
    assert join_lines(["本年收费金额", "(unit)"]) == "本年收费金额 (unit)"
    assert join_lines(["12", "月"]) == "12 月"
    assert join_lines(["12", "月"], vertical=True) == "12月"


# ------------------------------------------------------------------ numbering

def test_list_numbering_rendered_not_typed():
    raw = zipfile.ZipFile(DOCX_DIR / "gen2021_numbered.docx").read("word/document.xml").decode("utf-8")
    assert "属于国家秘密" in raw and "1.属于国家秘密" not in raw and "总体情况" in raw and "一、总体情况" not in raw
    doc = load("gen2021_numbered.docx")
    t = table3(doc)
    s = spans(t)
    assert s[(3, 0)][2] == "一、本年新收政府信息公开申请数量"
    assert s[(4, 0)][2] == "二、上年结转政府信息公开申请数量"
    assert s[(5, 0)] == (22, 1, "三、本年度办理结果")
    assert s[(27, 0)][2] == "四、结转下年度继续办理"
    assert s[(5, 1)][2] == "（一）予以公开"
    assert s[(7, 1)][2] == "（三）不予公开"
    assert s[(26, 1)][2] == "（七）总计"
    labels = [s[(r, 2)][2] for r in range(7, 26)]
    assert labels[0] == "1.属于国家秘密"
    assert labels[7] == "8.属于行政查询事项"
    assert labels[8] == "1.本机关不掌握相关政府信息"     # a new list restarts at 1
    assert labels[18] == "3.其他"
    headings = [p.text for p in doc.paragraphs() if p.text.endswith(("情况", "事项"))
                and p.text[1:2] == "、"]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


@pytest.mark.parametrize("n,fmt,out", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (105, "chineseCountingThousand", "一百零五"),
    (110, "chineseCountingThousand", "一百一十"), (2, "ideographTraditional", "乙"),
    (3, "chineseLegalSimplified", "叁"), (4, "decimalEnclosedCircle", "④"), (12, "decimal", "12"),
    (3, "lowerLetter", "c"), (4, "upperRoman", "IV"), (7, "decimalZero", "07"), (5, "bullet", ""),
])
def test_format_number(n, fmt, out):
    assert format_number(n, fmt) == out


# ------------------------------------------------------------------ other layouts

def test_2019_form_tables():
    doc = load("gen2019_form.docx")
    t2, t3, t4 = tables(doc)
    texts = {c.text for c in t2.cells}
    assert {"-3", "减4", "增2", "251000元", "采购总金额", "本年增/减", "第二十条第（九）项"} <= texts
    money = next(c for c in t2.cells if c.text == "251000元")
    assert (money.col, money.colspan) == (2, 2)
    s = spans(t3)
    assert (t3.n_rows, t3.n_cols) == (26, 10)
    assert_tiles(t3)
    assert s[(5, 0)] == (20, 1, "三、本年度办理结果")
    assert s[(23, 1)] == (1, 2, "（六）其他处理")
    apps = expected("gen2019_form")["applications"]
    assert [c.text for c in t3.rows()[23][1:]] == [str(apps["results"]["other_handling"][a]) for a in APPLICANTS]
    assert (t4.n_rows, t4.n_cols) == (4, 15)


def test_blank_cells_stay_blank():
    doc = load("gen2021_blanks.docx")
    t2, t3, t4 = tables(doc)
    total = str(expected("gen2021_blanks")["applications"]["new_received"]["total"])
    assert [c.text for c in t3.matrix()[3][3:]] == [total, "", "", "", "", "", total]
    assert t3.matrix()[6][3].text == ""          # partially_disclosed.natural_person
    assert t4.matrix()[3][4].text == ""          # review.total
    penalty = next(r for r in t2.rows() if r[0].text == "行政处罚")
    assert [c.text for c in penalty] == ["行政处罚", ""]


def test_split_table_plain_continuation():
    doc = load("gen2021_split_plain.docx")
    first, second = [t for t in tables(doc) if t.n_cols == 10]
    assert first.cells[0].text.startswith("（本列数据的勾稽关系")
    assert spans(first)[(5, 0)] == (6, 1, "三、本年度办理结果")
    s = spans(second)
    # Word leaves bare vMerge continuations at the top of the split-off part: blank merged cells
    assert s[(0, 0)] == (16, 1, "")
    assert s[(0, 1)] == (4, 1, "")
    assert s[(0, 2)][2] == "5.属于三类内部事务信息"
    assert s[(16, 0)] == (1, 3, "四、结转下年度继续办理")
    assert_tiles(second)


def test_split_table_repeated_header():
    doc = load("gen2021_split_repeat.docx")
    first, second = [t for t in tables(doc) if t.n_cols == 10]
    for part in (first, second):
        assert spans(part)[(0, 0)][:2] == (3, 3) and spans(part)[(0, 3)] == (1, 7, "申请人情况")
    assert spans(second)[(3, 0)] == (12, 1, "三、本年度办理结果")
    assert spans(second)[(3, 1)] == (3, 1, "（四）无法提供")


# ------------------------------------------------------------------ document level

def test_nested_table_is_its_own_block_after_parent():
    doc = load("gen2021_standard.docx")
    blocks = doc.blocks
    outer_i = next(i for i, b in enumerate(blocks) if isinstance(b, Table) and b.cells[0].text == "联系方式")
    outer, inner = blocks[outer_i], blocks[outer_i + 1]
    assert isinstance(inner, Table)
    assert inner.text_rows() == [["联系电话", "0411-83631234"], ["通讯地址", "大连市西岗区长江路100号"]]
    assert outer.text_rows() == [["联系方式", "如对本报告有疑问，请联系："]]  # nested text not folded in
    assert isinstance(blocks[outer_i + 2], Paragraph) and blocks[outer_i + 2].text == "大连市医疗保障局"


def test_headers_footers_not_in_prose_and_metadata():
    doc = load("gen2021_standard.docx")
    texts = [p.text for p in doc.paragraphs()]
    assert not any("政务公开专栏" in t or t.startswith("—") for t in texts)
    assert texts[0] == "大连市医疗保障局2023年政府信息公开工作年度报告"
    assert texts[-2:] == ["大连市医疗保障局", "2024年1月18日"]
    assert doc.metadata["title"] == "大连市医疗保障局2023年政府信息公开工作年度报告"
    assert doc.source.format == "docx" and len(doc.source.sha256) == 64
    assert "title" not in load("gen2021_numbered.docx").metadata  # empty core title is not a title


def _docx_with_body(xml: str) -> bytes:
    d = python_docx.Document()
    body = d.element.body
    for el in parse_xml(f'<w:body {W_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                        f'xmlns:v="urn:schemas-microsoft-com:vml">{xml}</w:body>'):
        body.insert(len(body) - 1, el)  # before sectPr
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_table_in_text_box_and_grid_before_after():
    box_table = ("<w:tbl><w:tblGrid><w:gridCol w:w='2000'/><w:gridCol w:w='2000'/></w:tblGrid>"
                 "<w:tr><w:tc><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:tc>"
                 "<w:tc><w:p><w:r><w:t>7</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
    xml = (
        "<w:p><w:r><w:t>前文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires='wps'>"
        f"<w:drawing><w:txbxContent>{box_table}<w:p/></w:txbxContent></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{box_table}<w:p/></w:txbxContent>"
        "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:tbl><w:tblGrid>" + "<w:gridCol w:w='1000'/>" * 3 + "</w:tblGrid>"
        "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='3'/></w:tcPr><w:p><w:r><w:t>标题</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>"
        "<w:tc><w:tcPr><w:vMerge w:val='restart'/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>"
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"
        "<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc><w:trPr><w:gridAfter w:val='1'/></w:trPr></w:tr>"
        "</w:tbl>")
    doc = convert(_docx_with_body(xml), "box.docx")
    kinds = [(type(b).__name__, getattr(b, "text", None)) for b in doc.blocks]
    assert kinds[0] == ("Paragraph", "前文")
    box = doc.blocks[1]
    assert isinstance(box, Table) and box.text_rows() == [["框内", "7"]]  # once: the VML fallback is skipped
    grid = doc.blocks[2]
    assert [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in grid.cells] == [
        (0, 0, 1, 3, "标题"), (1, 1, 2, 1, "甲"), (1, 2, 1, 1, "1"), (2, 2, 1, 1, "2"),
        (3, 0, 1, 1, "乙"), (3, 1, 1, 1, "3")]
    assert len(doc.blocks) == 3


def test_convert_is_fast_enough():
    import time
    data = (DOCX_DIR / "gen2021_standard.docx").read_bytes()
    start = time.perf_counter()
    convert(data, "x.docx")
    assert time.perf_counter() - start < 1.0


# ------------------------------------------------------------------ bad input

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data,needle", [
    (b"this is not a word file", "not a zip"),
    (b"", "not a zip"),
    (_zip({"hello.txt": b"hi"}), "not a Word document"),
    ((DOCX_DIR / "gen2021_standard.docx").read_bytes()[:20000], "DOCX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "legacy"),
])
def test_bad_input_raises_conversion_error(data, needle):
    with pytest.raises(ConversionError) as err:
        convert(data, "bad.docx")
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_corrupt_document_xml():
    good = zipfile.ZipFile(DOCX_DIR / "gen2021_standard.docx")
    members = {n: good.read(n) for n in good.namelist()}
    members["word/document.xml"] = members["word/document.xml"][:5000]
    with pytest.raises(ConversionError):
        convert(_zip(members), "truncated.docx")


# ------------------------------------------------------------------ legacy .doc via LibreOffice

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                   reason="LibreOffice (soffice) not installed: "
                                          "apt-get install -y --no-install-recommends libreoffice-writer-nogui")


@needs_soffice
def test_word97_doc_through_libreoffice():
    from xxgk.converters.office import to_docx

    data = (DOCX_DIR / "gen2019_word97.doc").read_bytes()
    assert data[:4] == b"\xd0\xcf\x11\xe0"
    doc = convert(to_docx(data, "gen2019_word97.doc"), "gen2019_word97.doc")
    t2, t3, t4 = tables(doc)
    s = spans(t3)
    assert (t3.n_rows, t3.n_cols) == (26, 10)
    assert_tiles(t3)
    assert s[(0, 0)][:2] == (3, 3) and s[(0, 3)] == (1, 7, "申请人情况")
    assert s[(1, 3)] == (2, 1, "自然人")
    assert s[(5, 0)] == (20, 1, "三、本年度办理结果")
    apps = expected("gen2019_word97")["applications"]
    assert [c.text for c in t3.matrix()[3][3:]] == [str(apps["new_received"][a]) for a in APPLICANTS]
    # the .doc round trip adds a 1-twip grid column to table 四; the converter drops it
    assert (t4.n_rows, t4.n_cols) == (4, 15)
    assert "251000元" in {c.text for c in t2.cells}
    assert [p.text for p in doc.paragraphs()][-1] == "2021年1月25日"


def test_office_without_soffice_says_how_to_install(monkeypatch, tmp_path):
    from xxgk.converters.office import to_docx

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError, match="libreoffice-writer-nogui"):
        to_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.doc")
