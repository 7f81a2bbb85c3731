"""Inputs that read fine but are not one convertible report: say what they are, in one line."""
from __future__ import annotations

from typing import Optional

from xxgk.model import Document
from xxgk.normalize import compiled_re
from xxgk.normalize.labels import compact
from xxgk.normalize.sections import Sections, count_reports

FIRST_TEMPLATE_YEAR = 2019  # 国办公开办函〔2019〕60号: the first national template, for reports on 2019
_TITLE_YEAR = compiled_re.compile(r"((?:19|20)\d{2})年度?.{0,40}?(?:政府信息公开|政务公开|信息公开).{0,12}?年度?报告")
_PERIOD_YEAR = compiled_re.compile(r"统计(?:期限|时限|时间|区间)?.{0,12}?((?:19|20)\d{2})年1月1日(?:起)?至\1年12月31日")
# What a page without the report's tables is, by the words of its title (checked in this order).
PAGE_KINDS: tuple[tuple[str, str], ...] = (
    ("工作要点", "a 政务公开工作要点 (the year's work plan)"),
    ("实施方案", "an implementation plan (实施方案)"),
    ("通知", "a notice (通知)"),
    ("公告", "an announcement (公告)"),
    ("目录", "a catalogue page (目录)"),
)
HEAD_LINES = 8
MAX_TITLE = 60  # longer lines are prose, which may cite older reports


def _head(doc: Document, sec: Sections) -> list[str]:
    lines = [doc.metadata.get("title") or ""] + [p.text for p in sec.preamble[:HEAD_LINES]]
    if not sec.preamble:
        lines += [p.text for p in list(doc.paragraphs())[:2]]
    return [compact(t) for t in lines if t and t.strip()]


def report_year(doc: Document, sec: Sections) -> Optional[int]:
    """The year the title (or the statistics period) says the report is for, if it says."""
    head = _head(doc, sec)
    for line in head:
        m = _TITLE_YEAR.search(line) if len(line) <= MAX_TITLE else None
        if m:
            return int(m.group(1))
    for p in list(doc.paragraphs())[:HEAD_LINES * 3]:
        m = _PERIOD_YEAR.search(compact(p.text))
        if m:
            return int(m.group(1))
    return None


def _page_kind(doc: Document, sec: Sections) -> Optional[str]:
    """What the page is when its title (first short line) ends like a notice or a work plan."""
    title = next((t for t in _head(doc, sec)[:3] if len(t) <= 80), "")
    for word, what in PAGE_KINDS:
        if title.endswith(word) or (word == "工作要点" and word in title):
            return f"{what} (「{title[:40]}」), not a 政府信息公开工作年度报告"
    return None


def refusal(doc: Document, sec: Sections) -> Optional[str]:
    """Why the document is not converted, or None when it is one report on a national template."""
    kind = _page_kind(doc, sec)
    if kind:
        return kind
    year = report_year(doc, sec)
    if year is not None and year < FIRST_TEMPLATE_YEAR:
        return f"report for {year}: before the national template of {FIRST_TEMPLATE_YEAR}, not converted"
    n = count_reports(sec)
    if n == 0:
        return "no report tables found: not a 政府信息公开工作年度报告"
    if n > 1:
        return f"the document holds {n} reports (several different reports in one input); convert each one separately"
    return None


def nothing_read(year: Optional[int], sec: Sections, values: dict) -> Optional[str]:
    """Why a document whose reading found no year, no section heading and no number is no report.

    Table-like words alone (a README describing the template) do not make one."""
    if year is None and not sec.headings and all(v is None for v in values.values()):
        return ("no report numbers, section headings or year found: not a 政府信息公开工作年度报告 "
                "(or one whose tables and headings were lost, e.g. flattened to one line)")
    return None
