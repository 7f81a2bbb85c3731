"""Numbers the text of sections 一 and 四 states (收到申请N件, 办结N件, 行政复议N起, …) against the tables."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from xxgk.audit.problems import ERROR, Problem, for_report, label
from xxgk.dataset.load import LoadedReport
from xxgk.dataset.rows import values_of

_N = r"(\d[\d,，]*)"
_GAP = r"[^，。；,;：:\d]{0,10}?"


@dataclass(frozen=True)
class Statement:
    name: str  # what the text states, in its own words
    pattern: re.Pattern
    fields: tuple[str, ...]  # the table fields it should equal (their sum)
    # Other sums the same words are used for in real reports (收到 = 新收 + 上年结转 in some).
    also: tuple[tuple[str, ...], ...] = ()


_A, _R = "applications.", "reviews_and_lawsuits."
STATEMENTS = (
    Statement("收到申请N件", re.compile(rf"(?:收到|受理|新收){_GAP}申请(?:数量)?(?:共计|共|合计)?{_N}(?:件|条|个)"),
              (f"{_A}new_received.total",), ((f"{_A}new_received.total", f"{_A}carried_over.total"),)),
    Statement("上年结转N件", re.compile(rf"上年度?结转{_GAP}{_N}件"), (f"{_A}carried_over.total",)),
    Statement("办结N件", re.compile(rf"(?<![未已])办结(?:政府信息公开)?(?:申请)?(?:共计|共|合计)?{_N}件"),
              (f"{_A}results.total.total",)),
    Statement("结转N件", re.compile(rf"结转(?:至)?下一?年度?(?:继续办理)?{_GAP}{_N}件"), (f"{_A}carried_forward.total",)),
    Statement("行政复议N起", re.compile(rf"行政复议(?:案件|申请)?{_N}(?:起|件|宗)"), (f"{_R}review.total",)),
    Statement("行政诉讼N起", re.compile(rf"行政诉讼(?:案件)?{_N}(?:起|件|宗)"),
              (f"{_R}lawsuit_direct.total", f"{_R}lawsuit_after_review.total")),
)


def _sum(values: dict, fields: tuple[str, ...]) -> Optional[int]:
    vals = [values.get(f) for f in fields]
    return None if any(v is None for v in vals) else sum(vals)


SECTIONS = (("overview", "一"), ("reviews", "四"))  # text keys whose sentences state table numbers


def prose_vs_tables(item: LoadedReport, key: Optional[str]) -> list[Problem]:
    texts = item.report.get("text") or {}
    values = values_of(item.report)
    out = []
    for st in STATEMENTS:
        table = _sum(values, st.fields)
        if table is None:
            continue
        accepted = {table} | {s for s in (_sum(values, a) for a in st.also) if s is not None}
        for text_key, numeral in SECTIONS:
            found = _contradiction(st, texts.get(text_key) or "", accepted)
            if found:
                stated, words = found
                where = " + ".join(label(f) for f in st.fields)
                out.append(for_report(item, key, "prose_table", ERROR, where,
                                      f"section {numeral} says 「{words}」 ({st.name}: {stated}); the table gives {table}",
                                      list(st.fields)))
                break
    return out


def _contradiction(st: Statement, text: str, accepted: set[int]) -> Optional[tuple[int, str]]:
    for m in st.pattern.finditer(text):
        stated = int(re.sub(r"[,，]", "", m.group(1)))
        if stated not in accepted:
            return stated, m.group(0)
    return None
