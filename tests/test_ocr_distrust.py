"""Unsure OCR reads that break the sums: replaced only when the sums pin a value the read lost digits of."""
from xxgk.model import Cell, Document, Paragraph, Table
from xxgk.normalize.report import build_report

GROUPS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def _doc(values, confidences):
    header = [Cell(0, 0, "行政复议", colspan=5), Cell(0, 5, "行政诉讼", colspan=10)]
    header += [Cell(1, 0, g) for g in GROUPS] + [Cell(1, 5, "未经复议直接起诉", colspan=5), Cell(1, 10, "复议后起诉", colspan=5)]
    header += [Cell(2, 5 + k, g) for k, g in enumerate(GROUPS * 2)]
    numbers = [Cell(3, k, v, method="ocr", confidence=c) for k, (v, c) in enumerate(zip(values, confidences))]
    t4 = Table(cells=header + numbers)
    return Document(blocks=[Paragraph("四、政府信息公开行政复议、行政诉讼情况"), t4])


def _review(report):
    return report["reviews_and_lawsuits"]["review"]


def test_lost_digit_with_low_confidence_is_restored_from_the_sums():
    values = ["12", "1", "0", "0", "3"] + ["0"] * 10  # total 13 read as 3
    confidences = [0.99] * 4 + [0.5] + [0.99] * 10
    report = build_report(_doc(values, confidences))
    assert _review(report)["total"] == 13
    assert report["provenance"]["reviews_and_lawsuits.review.total"]["method"] == "inferred"
    assert any(w["field"] == "reviews_and_lawsuits.review.total" and "'3'" in w["message"] for w in report["warnings"])
    assert all(c["passed"] for c in report["checks"])


def test_confident_read_that_breaks_a_sum_is_kept():
    values = ["12", "1", "0", "0", "3"] + ["0"] * 10
    report = build_report(_doc(values, [0.99] * 15))
    assert _review(report)["total"] == 3
    assert [c["passed"] for c in report["checks"]] == [False, True, True]


def test_unsure_read_that_is_not_a_digit_loss_keeps_the_source_number():
    # 10 + 1 ≠ 0 as printed in the real 洪泽区 report: 0 is not 11 with digits lost.
    values = ["10", "1", "0", "0", "0"] + ["0"] * 10
    report = build_report(_doc(values, [0.99] * 4 + [0.6] + [0.99] * 10))
    assert _review(report)["total"] == 0
    assert not report["checks"][0]["passed"]
    assert any(w["field"] == "reviews_and_lawsuits.review.total" and w["kind"] == "low_confidence" for w in report["warnings"])


def test_garbled_cell_inside_the_value_block_is_unreadable_not_a_label():
    values = ["人4", "0", "1", "3", "8"] + ["0"] * 10  # OCR turned the 4 into 人4
    report = build_report(_doc(values, [0.99] * 15))
    assert _review(report) == {"upheld": 4, "corrected": 0, "other": 1, "pending": 3, "total": 8}
    w = next(w for w in report["warnings"] if w["field"] == "reviews_and_lawsuits.review.upheld")
    assert w["kind"] == "inferred" and w["raw"] == "人4"


def test_garbled_cell_the_sums_cannot_pin_stays_null():
    values = ["人4", "x1", "1", "3", "8"] + ["0"] * 10
    report = build_report(_doc(values, [0.99] * 15))
    assert _review(report)["upheld"] is None and _review(report)["corrected"] is None
    kinds = {w["field"]: w["kind"] for w in report["warnings"]}
    assert kinds["reviews_and_lawsuits.review.upheld"] == "unreadable"
