"""What is not one convertible report says what it is (issue 12 class 4, issue 9): pre-2019
reports, notices and work plans, pages holding two different reports, in every input kind;
while one report whose tables repeat or split still converts."""
import html
import io
import json
from pathlib import Path

import pytest

from xxgk.layout.text_table import is_pipe_row, split_pipe_row
from xxgk.model import Refused
from xxgk.pipeline import convert_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = FIXTURES / "seeds"
DALIAN = (SEEDS / "003_62938e86c4e2d319.txt").read_text(encoding="utf-8")  # 大连市医疗保障局 2024
XUANZHOU = (SEEDS / "000_0a876d42556c3c3e.txt").read_text(encoding="utf-8")  # 宣州区医疗保障局 2023

REPORT_2017 = """某某县人民政府办公室2017年政府信息公开工作年度报告
本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自2017年1月1日起至2017年12月31日止。
一、概述
2017年，县政府办公室认真贯彻落实《条例》，政府信息公开工作有序推进。
二、主动公开政府信息情况
全年主动公开政府信息1236条，其中通过政府网站公开1104条。
三、依申请公开政府信息情况
申请总数 | 12 |
同意公开 | 9 |
不予公开 | 1 |
四、政府信息公开的收费及减免情况
本年度未收取任何费用。
五、因政府信息公开申请提起行政复议、行政诉讼的情况
行政复议 | 0 |
行政诉讼 | 0 |
六、政府信息公开工作存在的主要问题及改进情况
公开内容还不够全面。
七、其他需要报告的事项
无。
"""

WORK_PLAN = """某某市2024年政务公开工作要点
为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，制定本要点。
一、围绕稳定经济发展加强政务公开
（一）加强政策发布解读。
二、围绕优化营商环境加强政务公开
三、加强政务公开平台建设
"""

NOTICE = """关于做好2018年政府信息公开工作年度报告编制发布工作的通知
各县区人民政府，市政府各部门：
现将有关事项通知如下：一、各单位要在2019年1月31日前发布年度报告。二、报告按规定格式编写。
"""


def _html(text: str) -> bytes:
    """The report as an agency page: paragraphs, pipe rows as a table."""
    parts, rows = [], []
    for line in text.splitlines() + [""]:
        if is_pipe_row(line):
            cells = split_pipe_row(line)
            while cells and not cells[-1]:
                cells.pop()  # the text's padding cells, which a page would not have
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if rows:
            parts.append("<table border='1'>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            parts.append(f"<p>{html.escape(line)}</p>")
    return ("<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
            + "\n".join(parts) + "</body></html>").encode("utf-8")


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    rows: list[list[str]] = []

    def flush():
        if rows:
            width = max(map(len, rows))
            t = d.add_table(rows=len(rows), cols=width)
            for r, cells in enumerate(rows):
                for c, v in enumerate(cells):
                    t.cell(r, c).text = v
            rows.clear()
    for line in text.splitlines():
        if is_pipe_row(line):
            rows.append(split_pipe_row(line))
            continue
        flush()
        if line.strip():
            d.add_paragraph(line)
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


KINDS = {"txt": lambda t: t.encode("utf-8"), "md": lambda t: t.encode("utf-8"), "html": _html, "docx": _docx}


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(Refused) as e:
        convert_bytes(data, name)
    assert e.value.status == "refused"
    return str(e.value)


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_a_2017_report_is_refused_as_before_the_template(kind):
    msg = _refused(KINDS[kind](REPORT_2017), f"r2017.{kind}")
    assert msg == "report for 2017: before the national template of 2019, not converted"


def test_a_2018_report_known_only_from_its_statistics_period():
    text = REPORT_2017.replace("2017", "2018").split("\n", 1)[1]  # no title line
    assert _refused(text.encode(), "r.txt") == "report for 2018: before the national template of 2019, not converted"


def test_a_work_plan_says_what_it_is():
    assert _refused(WORK_PLAN.encode(), "plan.txt").startswith("a 政务公开工作要点 (the year's work plan)")


def test_a_notice_says_what_it_is_even_about_2018_reports():
    msg = _refused(NOTICE.encode(), "notice.txt")
    assert msg.startswith("a notice (通知)") and "not a 政府信息公开工作年度报告" in msg


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_page_holding_two_different_reports_is_refused(kind):
    msg = _refused(KINDS[kind](DALIAN + "\n" + XUANZHOU), f"two.{kind}")
    assert "holds 2 reports" in msg and "several" in msg


def test_a_report_appended_without_its_outline_is_still_a_second_report():
    """The second report starts at its table 二 (no 一、总体情况): its own 本年新收 row gives it away."""
    second = XUANZHOU[XUANZHOU.index("二、主动公开政府信息情况"):]
    assert "holds 2 reports" in _refused((DALIAN + "\n" + second).encode(), "appended.txt")


def _expected_numbers(name):
    want = json.loads((SEEDS / name.replace(".txt", ".expected.json")).read_text(encoding="utf-8"))
    return {k: want[k] for k in ("proactive", "applications", "reviews_and_lawsuits")}


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_one_report_whose_table_three_is_printed_twice_converts(kind):
    lines = DALIAN.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("三、收到和处理"))
    end = next(i for i, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    twice = lines[:end] + [""] + lines[start + 1:end] + lines[end:]  # the table again, as a page-repeat
    report = convert_bytes(KINDS[kind]("\n".join(twice)), f"twice.{kind}")
    got = {k: report[k] for k in ("proactive", "applications", "reviews_and_lawsuits")}
    assert got == _expected_numbers("003_62938e86c4e2d319.txt")


def test_one_report_split_with_its_header_repeated_converts():
    lines = DALIAN.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("(本列数据"))
    cut = next(i for i, line in enumerate(lines) if line.startswith("(四)无法提供"))
    split = lines[:cut] + ["— 3 —", ""] + lines[head:head + 3] + lines[cut:]
    report = convert_bytes("\n".join(split).encode(), "split.txt")
    got = {k: report[k] for k in ("proactive", "applications", "reviews_and_lawsuits")}
    assert got == _expected_numbers("003_62938e86c4e2d319.txt")


REFUSED_FIXTURES = sorted((FIXTURES / "damaged").glob("*.refused.json"))


def test_every_refusal_shape_has_a_fixture():
    assert {p.name[:-len(".refused.json")] for p in REFUSED_FIXTURES} >= {
        "refused_report_2016", "refused_report_2018_period", "refused_work_plan_2024", "refused_notice_2019"}


@pytest.mark.parametrize("golden", REFUSED_FIXTURES, ids=[p.name[:-len(".refused.json")] for p in REFUSED_FIXTURES])
def test_refusal_fixture_gives_its_one_line_reason(golden):
    """fixtures/damaged/refused_*: pre-2019 reports and non-report pages, each with the reason it states."""
    want = json.loads(golden.read_text(encoding="utf-8"))
    (source,) = [p for p in golden.parent.glob(golden.name[:-len(".refused.json")] + ".*") if not p.name.endswith(".json")]
    assert _refused(source.read_bytes(), source.name) == want["reason"]
