"""Inputs that convert but are not one report are refused with a clear reason."""
from pathlib import Path

import pytest

from converters.model import ConversionError
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
