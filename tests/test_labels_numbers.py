"""Label matching and number reading on the variants real reports print."""
import pytest

from xxgk.normalize.align import align
from xxgk.normalize.numbers import parse_number, to_wanyuan
from xxgk.normalize.templates import FORM_2019, FORM_2021


@pytest.mark.parametrize("raw,value", [
    ("0", 0), ("??0", 0), ("0?", 0), (" 0", 0), ("１２", 12), ("—", 0), ("/", 0), ("无", 0), ("-", 0),
    ("减4", -4), ("增3", 3), ("-35", -35), ("976.81万元", 976.81), ("1 254", 1254),
])
def test_numbers(raw, value):
    assert parse_number(raw).value == value


@pytest.mark.parametrize("raw", ["", "  ", "1.属于国家秘密", "自然人", "（一）", "3.其他"])
def test_not_numbers(raw):
    assert parse_number(raw) is None


def test_yuan_converted_to_wanyuan():
    assert to_wanyuan(parse_number("251000元")) == 25.1
    assert to_wanyuan(parse_number("976.81万元")) == 976.81


def _paths(labels, template):
    tmpl = template.results
    return {labels[i]: tmpl[j].path for i, j in align(labels, [t.labels for t in tmpl]).items()}


def test_variants_and_typos_match_their_rows():
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
              "2.其他法律行政止公开", "3. 危及“三安全一稳定”", "3.其他", "七、总计", "四、结转下一年度继续办理"]
    got = _paths(labels, FORM_2021)
    assert got == {
        labels[0]: "new_received", labels[1]: "carried_over", labels[2]: "results.disclosed",
        labels[3]: "results.withheld.prohibited_by_law", labels[4]: "results.withheld.security_stability",
        labels[5]: "results.other.other", labels[6]: "results.total", labels[7]: "carried_forward"}


def test_shared_prefix_labels_go_to_their_own_rows():
    # 其他处理 (one row) must not take 3.其他; 总计 of table 三 is not 自然人's 总计 column.
    got = _paths(["(六)其他处理", "(七)总计"], FORM_2019)
    assert got == {"(六)其他处理": "results.other_handling", "(七)总计": "results.total"}
    got = _paths(["1.申请人无正当理由逾期不补正", "2.申请人逾期未按收费通知要求缴纳费用", "3.其他", "(七)总计"], FORM_2021)
    assert got["3.其他"] == "results.other.other"


def test_ocr_noise_in_labels_still_matches():
    got = _paths(["《一）予以公开", "〈二）部分公开（区分处理的,只计这一情形,不计其他情形）", "1.属于国 家秘密"], FORM_2021)
    assert list(got.values()) == ["results.disclosed", "results.partially_disclosed", "results.withheld.state_secret"]


def test_unreadable_label_between_known_rows_is_taken_by_position():
    from xxgk.normalize.align import fill_gaps

    labels = ["（一）予以公开", "计其他情形)", "1.属于国家秘密"]
    tmpl = [t.labels for t in FORM_2021.results]
    match = align(labels, tmpl)
    assert 1 not in match
    added = fill_gaps(match, len(labels))
    assert FORM_2021.results[added[1]].path == "results.partially_disclosed"
    # Two garbled rows for one template slot: no positional guess.
    labels = ["（一）予以公开", "计其他情形)", "乱码", "1.属于国家秘密"]
    assert fill_gaps(align(labels, tmpl), len(labels)) == {}


def test_agency_misread_in_a_title_takes_the_body_spelling():
    from xxgk.normalize.meta import find_agency

    body = ["2023年，洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导。", "洪泽区人民政府办公室负责。"]
    assert find_agency("潜泽区人民政府2023年政府信息公开工作年度报告", body, [], {}) == "洪泽区人民政府"
    # A title spelling the body also uses is kept.
    assert find_agency("洪泽区人民政府2023年政府信息公开工作年度报告", body, [], {}) == "洪泽区人民政府"


def test_agency_from_the_body_when_the_title_is_lost():
    """No title (OCR merged it into a paragraph): the body's 'X年…信息公开工作年度报告' names the
    agency, with or without the year (a regression: the year's own group was read as the name)."""
    from xxgk.normalize.meta import find_agency

    with_year = ["政务公开专栏", "铜陵市生态环境局2021年政府信息公开工作年度报告本报告根据《条例》编制。"]
    assert find_agency(None, with_year, [], {}) == "铜陵市生态环境局"
    without_year = ["政务公开专栏", "铜陵市生态环境局政府信息公开工作年度报告"]
    assert find_agency(None, without_year, [], {}) == "铜陵市生态环境局"


def test_section_heading_with_one_misread_character():
    from xxgk.normalize.sections import heading_section

    assert heading_section("一、息体情况") == "overview"
    assert heading_section("五、存在的主要问题及改进情况") == "problems"
    # Only a whole heading with its own numeral: these are not headings.
    assert heading_section("三、息体情况") is None
    assert heading_section("一、具体情况如下") is None
