"""Inputs that convert but are not one report are refused with a clear reason."""
from pathlib import Path

import pytest

from xxgk.model import ConversionError
from xxgk.pipeline import convert_bytes

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def test_two_reports_in_one_input_are_refused():
    both = (SEEDS / "001_08da6b8b0cd87d19.txt").read_bytes() + b"\n" + (SEEDS / "003_62938e86c4e2d319.txt").read_bytes()
    with pytest.raises(ConversionError, match="holds 2 reports"):
        convert_bytes(both, "two.txt")


def test_prose_without_tables_is_not_a_report():
    text = "关于做好2023年政府信息公开工作年度报告编制的通知\n一、总体情况\n各单位要按时报送。\n".encode()
    with pytest.raises(ConversionError, match="not a 政府信息公开工作年度报告"):
        convert_bytes(text, "notice.txt")


def test_report_missing_table_four_says_so():
    lines = (SEEDS / "003_62938e86c4e2d319.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    end = next(i for i, line in enumerate(lines) if line.startswith("五、"))
    report = convert_bytes("\n".join(lines[:start] + lines[end:]).encode(), "no4.txt")
    assert report["reviews_and_lawsuits"]["review"]["upheld"] is None
    kinds = {(w["field"], w["kind"]) for w in report["warnings"]}
    assert (None, "missing_table") in kinds
    assert ("reviews_and_lawsuits.review.total", "missing_row") in kinds
    # Tables 二 and 三 are unaffected.
    assert report["applications"]["new_received"]["total"] == 11


def test_numbers_in_a_table_under_section_six_never_feed_table_four():
    """A contact table (电话/邮编) after 六、 is not a continuation of table 四: with table 四 short of
    two cells, its two numbers would otherwise make up the 15 and be read as review counts."""
    text = (SEEDS / "003_62938e86c4e2d319.txt").read_text(encoding="utf-8")
    full = "0 | " * 15
    assert full.strip() in text
    text = text.replace(full.strip(), ("0 | " * 13).strip(), 1)
    text += "\n联系电话 | 83631234 |\n邮政编码 | 116001 |\n"
    report = convert_bytes(text.encode(), "contacts.txt")
    values = [v for group in report["reviews_and_lawsuits"].values() for v in group.values()]
    assert 83631234 not in values and 116001 not in values
    assert set(values) <= {0, None}


def test_notes_about_the_template_with_its_row_names_are_not_a_report():
    """A README describing the form (row names in a markdown table, no numbers, no year, no outline)
    used to convert as an all-null 'incomplete' report."""
    text = """# 说明

| 表格 | 行 | 含义 |
|---|---|---|
| 表三 | 本年新收政府信息公开申请数量 | 当年收到的申请 |
| 表三 | 上年结转政府信息公开申请数量 | 上一年未办结的申请 |
| 表三 | 结转下年度继续办理 | 年底仍在办理的申请 |
| 表四 | 行政复议 | 结果维持、纠正、其他、尚未审结 |
""".encode()
    with pytest.raises(ConversionError, match="no report numbers, section headings or year found"):
        convert_bytes(text, "README.md")
