"""Organisation names and their regions, checked against the divisions table jionlp ships."""
import subprocess
import sys

import pytest

from xxgk.model import Document, Paragraph
from xxgk.normalize.agency import clean, is_org_name, parse_region, same_body
from xxgk.normalize.meta import extract_metadata, find_agency
from xxgk.normalize.places import build, gazetteer, within_one_edit


@pytest.mark.parametrize("fragment", ["充分保障了市民对政府", "物流区高度重视政府", "我市行政机关政府", "通过区政府",
                                      "并调整充实四家子镇镇政府", "通过区政府门户网站", "区政府门户网站"])
def test_sentence_fragments_are_not_organisations(fragment):
    assert not is_org_name(fragment)


@pytest.mark.parametrize("name", ["上海市人民政府办公厅", "宿迁市宿城区住房和城乡建设局", "洪泽区政府", "四家子镇人民政府",
                                  "国家税务总局宣城市宣州区税务局", "延吉市人力资源和社会保障局", "中共大连市委统一战线工作部"])
def test_organisation_names_parse(name):
    assert is_org_name(name)


def test_divisions_come_from_the_wheel_without_importing_jionlp():
    code = ("import sys; from xxgk.normalize.places import gazetteer; g = gazetteer(); "
            "print(g.named('洪泽区')[0].gb2260, 'jionlp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["320813", "False"]
    g = gazetteer()
    assert [d.path() for d in g.named("嘉定区")] == ["上海市嘉定区"]  # a municipality is named once
    assert g.named("仙桃市")[0].parent.name == "湖北省"  # 省直辖县级行政区划 is a grouping row, not a division
    assert {d.gb2260 for d in g.named("四家子镇")} >= {"210726", "150430"}  # townships carry their county's code


def test_table_rows_build_the_tree():
    g = build([(0, "江苏省", "320000"), (1, "淮安市", "320800"), (2, "洪泽区", "320813"), (3, "高良涧街道", None),
               (1, "省直辖行政区划", "329000"), (2, "示例市", "329001")])
    assert g.named("高良涧街道")[0].path() == "江苏省淮安市洪泽区高良涧街道"
    assert g.named("示例市")[0].parent.name == "江苏省"


def test_one_edit():
    assert within_one_edit("潜泽区", "洪泽区") and not within_one_edit("潜洋区", "洪泽区")
    assert within_one_edit("洪泽区", "洪区") and within_one_edit("洪区", "洪泽区")


def test_region_reads_the_chain_and_flags_what_is_no_division():
    r = parse_region("北京市朝阳区教育委员会")
    assert [t for t, _ in r.tokens] == ["北京市", "朝阳区"] and [d.gb2260 for d in r.last] == ["110105"]
    assert len(parse_region("朝阳区教育委员会").last) == 2  # 北京 and 长春
    r = parse_region("淮安市潜泽区人民政府")
    assert r.unknown == "潜泽区" and [d.name for d in r.near] == ["洪泽区"]
    assert parse_region("宿迁市宿城区住房和城乡建设局").unknown is None
    assert parse_region("江苏省某某市交通运输局").placeholder
    assert [t for t, _ in parse_region("国家税务总局宣城市宣州区税务局").tokens] == ["宣城市", "宣州区"]


def test_same_body_spellings():
    assert same_body("大连市医保局", "大连市医疗保障局")
    assert same_body("宣州区司法局", "宣城市宣州区司法局")
    assert not same_body("洪泽区人民政府", "洪泽区人民政府办公室")
    assert clean("大连市 医疗保障局") == "大连市医疗保障局" and clean("（Ａ）") == "(A)"


def _doc(*texts, metadata=None):
    return Document(blocks=[Paragraph(t, page=1, bbox=(0, i * 10, 100, i * 10 + 9)) for i, t in enumerate(texts)],
                    metadata=metadata or {})


def test_title_beats_a_parent_in_the_signature_and_warns():
    doc = _doc("上海市人民政府办公厅2023年政府信息公开工作年度报告", "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
               "上海市人民政府", "2024年1月20日")
    meta = extract_metadata(doc, doc.blocks[:2], ["上海市人民政府", "2024年1月20日"])
    assert meta.agency == "上海市人民政府办公厅" and meta.agency_region_code == "310000"
    assert meta.provenance["agency"] == {"page": 1, "bbox": [0, 0, 100, 9], "method": "text", "confidence": None,
                                         "source": "title", "raw": "上海市人民政府办公厅2023年政府信息公开工作年度报告"}
    assert [w["kind"] for w in meta.warnings if w["field"] == "agency"] == ["agency_sources_disagree"]
    assert meta.provenance["published"]["source"] == "signature" and meta.provenance["published"]["bbox"] == [0, 30, 100, 39]
    assert meta.year == 2023 and meta.provenance["year"]["raw"] == "2023年1月1日起至2023年12月31日"


def test_region_prefix_made_explicit_only_where_the_document_states_it():
    stated = _doc("洪泽区人民政府2023年政府信息公开工作年度报告", "本报告由淮安市洪泽区人民政府办公室编制。")
    meta = extract_metadata(stated, stated.blocks[:2], [])
    assert (meta.agency, meta.agency_normalized, meta.agency_region_code) == ("洪泽区人民政府", "淮安市洪泽区人民政府", "320813")
    silent = _doc("洪泽区人民政府2023年政府信息公开工作年度报告", "本报告由区政府办公室编制。")
    assert extract_metadata(silent, silent.blocks[:2], []).agency_normalized == "洪泽区人民政府"


def test_an_ambiguous_region_gets_no_code_unless_the_document_names_its_parent():
    doc = _doc("朝阳区教育委员会2023年政府信息公开工作年度报告", "全年主动公开信息100条。")
    meta = extract_metadata(doc, doc.blocks[:2], [])
    assert meta.agency == "朝阳区教育委员会" and meta.agency_region_code is None
    assert "agency_region_ambiguous" in {w["kind"] for w in meta.warnings}
    doc = _doc("朝阳区教育委员会2023年政府信息公开工作年度报告", "北京市朝阳区教育委员会全年主动公开信息100条。")
    assert extract_metadata(doc, doc.blocks[:2], []).agency_region_code == "110105"


def test_misread_without_a_parent_corrected_only_by_the_one_division_the_body_names():
    body = ["2023年，洪泽区人民政府坚持依法公开。"]
    assert find_agency("潜泽区人民政府2023年政府信息公开工作年度报告", body, [], {}) == "洪泽区人民政府"
    assert find_agency("潜泽区人民政府2023年政府信息公开工作年度报告", ["2023年，区政府坚持依法公开。"], [], {}) is None


def test_metadata_sources_docx_pdf_and_html_keys():
    # DOCX core title / PDF Title: the body has no title line.
    doc = _doc("本报告根据条例编制。", "一、总体情况", metadata={"title": "铜陵市生态环境局2021年政府信息公开工作年度报告",
                                                        "author": "Administrator"})
    meta = extract_metadata(doc, doc.blocks[:1], [])
    assert meta.agency == "铜陵市生态环境局" and meta.provenance["agency"]["source"] == "metadata"
    assert meta.title == "铜陵市生态环境局2021年政府信息公开工作年度报告" and meta.provenance["title"]["source"] == "metadata"
    doc = _doc("本报告根据条例编制。", metadata={"publisher": "绩溪县教育体育局"})
    meta = extract_metadata(doc, doc.blocks[:1], [])
    assert meta.agency == "绩溪县教育体育局" and meta.provenance["agency"]["raw"] == "publisher: 绩溪县教育体育局"


@pytest.mark.parametrize("title,name", [
    ("上海市人民政府办公厅2023年政府信息公开工作年度报告", "上海市人民政府办公厅"),
    ("2023年洪泽区人民政府信息公开工作年度报告", "洪泽区人民政府"),
    ("2023年度洪泽区人民政府政府信息公开工作年度报告", "洪泽区人民政府"),
    ("关于洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府"),
    ("大连市医疗保障局政府信息公开工作2023年度报告", "大连市医疗保障局"),
    ("2023年政府信息公开工作年度报告", None),
])
def test_agency_in_title_shapes(title, name):
    from xxgk.normalize.issuer import agency_in_title

    assert agency_in_title(title) == name


def test_the_150dpi_fax_reading_of_the_real_report_is_corrected():
    """What Tesseract reads from page 1 of hzq2023.pdf rendered at 150 dpi, 1 bit: 潜泽区 in the title only."""
    lines = ["潜泽区人民政府", "2023年政府信息公开工作年度报告",
             "本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》(国令第711号)要求编制此报告。"
             "报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。"]
    doc = Document(blocks=[Paragraph(t, page=1, bbox=(100, 90 + 30 * i, 460, 115 + 30 * i), method="ocr")
                           for i, t in enumerate(lines)])
    meta = extract_metadata(doc, doc.blocks, [])
    assert (meta.agency, meta.agency_normalized, meta.agency_region_code) == ("洪泽区人民政府", "淮安市洪泽区人民政府", "320813")
    assert meta.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert meta.provenance["agency"]["method"] == "ocr" and meta.provenance["agency"]["bbox"] == [100, 90, 460, 145]
    assert meta.provenance["agency"]["raw"] == "潜泽区人民政府2023年政府信息公开工作年度报告"
    assert {"agency_corrected", "title_corrected"} <= {w["kind"] for w in meta.warnings}


def test_an_ocr_reading_of_another_real_district_is_not_trusted():
    """宿城区 and 宿豫区 are both divisions of 宿迁市: an OCR'd title naming one while the body names the other."""
    lines = ["宿迁市宿城区教育局2023年政府信息公开工作年度报告", "2023年，宿迁市宿豫区教育局全年主动公开信息120条。"]
    doc = Document(blocks=[Paragraph(t, page=1, method="ocr") for t in lines])
    meta = extract_metadata(doc, doc.blocks[:1], [])
    assert meta.agency is None and "agency_unconfirmed" in {w["kind"] for w in meta.warnings}
    # The same text layer (not OCR) is what the document says: kept.
    doc = Document(blocks=[Paragraph(t, page=1) for t in lines])
    assert extract_metadata(doc, doc.blocks[:1], []).agency == "宿迁市宿城区教育局"


def test_a_department_contact_office_names_its_department():
    doc = _doc("本报告根据条例编制。如对本报告有疑问，请与宣州区医疗保障局办公室联系。")
    meta = extract_metadata(doc, doc.blocks, [])
    assert meta.agency == "宣州区医疗保障局" and meta.provenance["agency"]["source"] == "body"
    doc = _doc("本报告根据条例编制。如对本报告有疑问，请与大连市卫生健康委员会办公室联系。")
    meta = extract_metadata(doc, doc.blocks, [])
    assert meta.agency is None and "agency_ambiguous" in {w["kind"] for w in meta.warnings}


BODY_NAMES_HONGZE = "本报告由淮安市洪泽区人民政府办公室编制。2023年，洪泽区人民政府坚持以公开为常态。"


def _fax(title: str, body: str = BODY_NAMES_HONGZE):
    doc = Document(blocks=[Paragraph(t, page=1, method="ocr") for t in (title, body)])
    return extract_metadata(doc, doc.blocks, [])


def test_a_county_government_one_character_off_is_corrected_with_both_readings_named():
    """100-dpi fax reading of the real report: 潜泽区 in the title, 洪泽区 in the body."""
    meta = _fax("淮安市潜泽区人民政府2023年政府信息公开工作年度报告")
    assert (meta.agency, meta.agency_region_code) == ("淮安市洪泽区人民政府", "320813")
    (w,) = [w for w in meta.warnings if w["kind"] == "agency_corrected"]
    assert "淮安市潜泽区人民政府" in w["message"] and "淮安市洪泽区人民政府" in w["message"]


@pytest.mark.parametrize("title,body,why", [
    # 150-dpi reading: 潜洋区 is two characters from 洪泽区, so no single one-edit division exists
    ("淮安市潜洋区人民政府2023年政府信息公开工作年度报告", BODY_NAMES_HONGZE, "no division is one character away"),
    # one character off, but nothing else in the document names 洪泽区
    ("淮安市潜泽区人民政府2023年政府信息公开工作年度报告", "2023年，我区坚持以公开为常态。", "nothing else in the document names it"),
])
def test_a_county_government_misread_without_one_supported_correction_is_null(title, body, why):
    meta = _fax(title, body)
    assert (meta.agency, meta.agency_normalized, meta.agency_region_code) == (None, None, None)
    (w,) = [w for w in meta.warnings if w["kind"] == "agency_unknown_place"]
    assert why in w["message"] and w["field"] == "agency"
