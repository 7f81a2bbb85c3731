"""Across years, per agency: 结转 continuity, 现行有效件数 continuity, and jumps worth a second look."""
from __future__ import annotations

from typing import Optional

from xxgk.audit.problems import CHECK, ERROR, Problem, label, page_of, source_of
from xxgk.dataset.load import LoadedReport
from xxgk.dataset.rows import values_of
from xxgk.normalize.catalog import catalog_by_id
from xxgk.normalize.templates.base import APPLICANT_KEYS

JUMP_RATIO = 5.0  # a value at least 5× (or at most 1/5 of) last year's …
JUMP_MIN = 20  # … and at least 20 apart: "check this", not an error
JUMP_FIELDS = ("applications.new_received.total", "applications.results.total.total",
               "reviews_and_lawsuits.review.total", "proactive.licensing.decisions", "proactive.penalty.decisions")
IN_FORCE_ITEMS = (("regulations", "规章"), ("normative_documents", "行政规范性文件"))


def _pair_problem(kind: str, severity: str, key: str, prev: LoadedReport, cur: LoadedReport, where: str,
                  message: str, fields: list[str]) -> Problem:
    return Problem(kind, severity, key, cur.report.get("year"), where, message, fields, [prev.name, cur.name],
                   source_of(cur), page_of(cur, fields[0]) if fields else None)


def _carry_over(key: str, prev: LoadedReport, cur: LoadedReport, pv: dict, cv: dict) -> list[Problem]:
    diffs, fields = [], []
    for col in APPLICANT_KEYS:
        a, b = pv.get(f"applications.carried_forward.{col}"), cv.get(f"applications.carried_over.{col}")
        if a is not None and b is not None and a != b:
            diffs.append(f"{catalog_by_id()[f'applications.carried_over.{col}'].column} {a} ≠ {b}")
            fields.append(f"applications.carried_over.{col}")
    if not diffs:
        return []
    y0, y1 = prev.report["year"], cur.report["year"]
    return [_pair_problem("carry_over", ERROR, key, prev, cur,
                          f"{y0} 表三「四、结转下年度继续办理」→ {y1} 表三「二、上年结转政府信息公开申请数量」",
                          f"{y0} carried forward ≠ {y1} carried over: " + "; ".join(diffs), fields)]


def _in_force(key: str, prev: LoadedReport, cur: LoadedReport, pv: dict, cv: dict) -> list[Problem]:
    if prev.report.get("template") != "2021" or cur.report.get("template") != "2021":
        return []  # the 2019 form has no 现行有效件数
    out = []
    for item, name in IN_FORCE_ITEMS:
        p = f"proactive.{item}."
        last, issued, repealed, now = (pv.get(p + "in_force"), cv.get(p + "issued"), cv.get(p + "repealed"),
                                       cv.get(p + "in_force"))
        if None in (last, issued, repealed, now) or last + issued - repealed == now:
            continue
        y0, y1 = prev.report["year"], cur.report["year"]
        out.append(_pair_problem("in_force", ERROR, key, prev, cur, f"表二「{name}」·「现行有效件数」",
                                 f"{y0} 现行有效 {last} + {y1} 本年制发 {issued} − 本年废止 {repealed} = "
                                 f"{last + issued - repealed}, but {y1} 现行有效 is {now}",
                                 [p + "in_force", p + "issued", p + "repealed"]))
    return out


def _jumps(key: str, prev: LoadedReport, cur: LoadedReport, pv: dict, cv: dict) -> list[Problem]:
    out = []
    for f in JUMP_FIELDS:
        a, b = pv.get(f), cv.get(f)
        if a is None or b is None or abs(a - b) < JUMP_MIN:
            continue
        if max(a, b) / max(min(a, b), 1) >= JUMP_RATIO:
            y0, y1 = prev.report["year"], cur.report["year"]
            out.append(_pair_problem("jump", CHECK, key, prev, cur, label(f),
                                     f"{y0}: {a} → {y1}: {b} (more than {JUMP_RATIO:g}× apart): check this", [f]))
    return out


def cross_year(key: str, by_year: dict[int, LoadedReport]) -> list[Problem]:
    """by_year: one report per year of one agency (the first of any duplicates)."""
    out = []
    for year in sorted(by_year):
        prev: Optional[LoadedReport] = by_year.get(year - 1)
        if prev is None:
            continue
        cur = by_year[year]
        pv, cv = values_of(prev.report), values_of(cur.report)
        out += _carry_over(key, prev, cur, pv, cv) + _in_force(key, prev, cur, pv, cv) + _jumps(key, prev, cur, pv, cv)
    return out
