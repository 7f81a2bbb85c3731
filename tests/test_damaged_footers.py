"""Page footers (— 5 —, -5-, -5, 5, and OCR's -十- for - 4 -) inside tables and sections: never a value,
never part of a row, never prose (tests/test_crawl.py's OCR'd report had '-5-' in section 六)."""
from pathlib import Path

import pytest

from golden import differences, load
from xxgk.layout.text_table import pipe_table
from xxgk.model import Paragraph
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.prose import clean_paragraphs
from xxgk.normalize.readers import read_applications
from xxgk.normalize.rows import paragraph_row, table_rows
from xxgk.normalize.templates import FORM_2021
from xxgk.pipeline import convert_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FOOTERS = ["— 5 —", "-5-", "- 5 -", "-5", "5-", "5", "－5－", "-十-", "第5页", "5/12"]


def _with_lines(path: Path, after: dict[str, list[str]]) -> bytes:
    """The fixture's text with lines inserted after the first line that starts with each key."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        out.append(line)
        for start, extra in list(after.items()):
            if line.startswith(start):
                out.extend(extra)
                del after[start]
    assert not after, f"no line starts with {list(after)}"
    return ("\n".join(out) + "\n").encode("utf-8")


@pytest.mark.parametrize("footer", FOOTERS)
def test_a_footer_line_is_never_a_run_together_row(footer):
    assert paragraph_row(Paragraph(footer)) is None


@pytest.mark.parametrize("footer", ["— 5 —", "-5-", "- 5 -"])
def test_a_footer_row_inside_table_three_is_skipped(footer):
    lines = ["| 一、本年新收政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |", f"| {footer} | | | | | | | |",
             "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"]
    rows = table_rows(pipe_table(lines))
    assert [r.label for r in rows] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    store = FieldStore()
    read_applications(rows, FORM_2021, store)
    assert store.values["applications.carried_over.total"] == 1


def test_footers_in_the_prose_are_dropped_even_when_ocr_ran_them_into_a_line():
    paras = [Paragraph(t) for t in ("二是围绕中心工作优化政策解读。三是继续加强业务指导培训。实行政府信息公开工作", "-十-", "人员跟班学习制度。",
                                    "全年收取政府信息公开信息处理费0元。 -5-", "— 5 —")]
    assert clean_paragraphs(paras) == ["二是围绕中心工作优化政策解读。三是继续加强业务指导培训。实行政府信息公开工作人员跟班学习制度。",
                                       "全年收取政府信息公开信息处理费0元。"]


def test_footers_between_run_together_lines_leave_every_number_as_it_was():
    """run_together_2021: a bare page number after table 四's digit string was read as a 16th cell."""
    src = FIXTURES / "damaged" / "run_together_2021.txt"
    data = _with_lines(src, {"行政规范性文件": ["-3-"], "（七）总计": ["4"], "10203120001200000": ["5", "-5-"],
                             "六、": ["-十-"]})
    report = convert_bytes(data, "run_together_2021.txt")
    assert differences(report, load(src.with_suffix(".expected.json"))) == []
    assert "-十-" not in (report["text"]["other"] or "")


def test_footers_inside_a_pipe_report_leave_every_number_and_the_prose_clean():
    src = FIXTURES / "seeds" / "003_62938e86c4e2d319.txt"
    data = _with_lines(src, {"三、本年度办理结果": ["— 5 —"], "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持": ["-5-"],
                             "五、": ["- 6 -"], "六、": ["-7-"]})
    report = convert_bytes(data, "003.txt")
    assert differences(report, load(src.with_suffix(".expected.json"))) == []
    for section in ("problems", "other"):
        assert not any(f in (report["text"][section] or "") for f in ("- 6 -", "-6-", "-7-"))
