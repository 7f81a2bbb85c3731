"""Per report: every failed rule named by table and cell, records that no longer hold, and the outline."""
from __future__ import annotations

import re
from typing import Optional

from xxgk.audit.problems import ERROR, Problem, for_report, label
from xxgk.dataset.load import LoadedReport
from xxgk.dataset.rows import values_of
from xxgk.normalize.catalog import catalog_by_id, row_label
from xxgk.normalize.revalidate import recheck

_SECTIONS = (("overview", "一、总体情况"), ("proactive", "二、主动公开政府信息情况"),
             ("applications", "三、收到和处理政府信息公开申请情况"),
             ("reviews", "四、政府信息公开行政复议、行政诉讼情况"),
             ("problems", "五、存在的主要问题及改进情况"), ("other", "六、其他需要报告的事项"))
_TABLE_OF_SECTION = {"proactive": "二", "applications": "三", "reviews": "四"}


def _column(field_id: str) -> str:
    info = catalog_by_id().get(field_id)
    return info.column if info else field_id


def _where(check: dict) -> str:
    rule, fields = check["rule"], check["fields"]
    if rule == "applications.balance":
        return f"表三「{_column(fields[0])}」列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理"
    if rule == "applications.row_total":
        row = fields[0][len("applications."):].rsplit(".", 1)[0]
        return f"表三「{row_label(row)}」行：总计 = 六类申请人之和"
    if rule == "applications.results_total":
        return f"表三「（七）总计」·「{_column(fields[0])}」= 各项办理结果之和"
    if rule == "reviews_and_lawsuits.group_total":
        return f"{label(fields[0])} = 结果维持 + 结果纠正 + 其他结果 + 尚未审结"
    return label(fields[0]) if fields else rule


def failed_rules(item: LoadedReport, key: Optional[str]) -> list[Problem]:
    out = [for_report(item, key, "failed_rule", ERROR, _where(c), f"{c['rule']}: {c['message']}", list(c["fields"]))
           for c in item.report.get("checks", []) if not c["passed"]]
    out += [for_report(item, key, "invalid_record", ERROR, "(report)", p) for p in recheck(item.report)]
    return out


def _missing_sections(item: LoadedReport) -> list[str]:
    r = item.report
    text = r.get("text") or {}
    missing_tables = {m.group(1) for w in r.get("warnings", []) if w.get("kind") == "missing_table"
                      for m in [re.search(r"table (\S)", w.get("message", ""))] if m}
    gone = []
    for key, heading in _SECTIONS:
        table = _TABLE_OF_SECTION.get(key)
        if (table and table in missing_tables) or (not table and not (text.get(key) or "").strip()):
            gone.append(heading)
    return gone


def _out_of_order(item: LoadedReport) -> Optional[str]:
    """The first heading that comes after a later section's (outline: section keys in document order)."""
    order = [k for k, _ in _SECTIONS]
    seen = list(dict.fromkeys(s for s in item.report.get("outline") or [] if s in order))  # first occurrences
    for before, after in zip(seen, seen[1:]):
        if order.index(after) < order.index(before):
            return after
    return None


def outline(item: LoadedReport, key: Optional[str]) -> list[Problem]:
    r = item.report
    out = [for_report(item, key, "missing_section", ERROR, heading, f"section {heading} is missing or empty")
           for heading in _missing_sections(item)]
    late = _out_of_order(item)
    if late:
        numerals = dict(zip((k for k, _ in _SECTIONS), "一二三四五六"))
        seq = " ".join(numerals[s] for s in dict.fromkeys(r["outline"]) if s in numerals)
        out.append(for_report(item, key, "section_order", ERROR, dict(_SECTIONS)[late],
                              f"the sections are not in the statutory order: {seq}"))
    year, form = r.get("year"), r.get("template")
    if year and ((form == "2019" and year >= 2021) or (form == "2021" and year <= 2020)):
        out.append(for_report(item, key, "form_year", ERROR, "表二/表三",
                              f"a {form}-form table used for a report on {year} "
                              f"(the {'2021' if year >= 2021 else '2019'} form applies)"))
    values = values_of(r)
    if values and all(v is None for v in values.values()):
        out.append(for_report(item, key, "template_only", ERROR, "表二/表三/表四",
                              "the tables are printed without numbers (template text only)"))
    cf = values.get("applications.carried_forward.total")
    overview = (r.get("text") or {}).get("overview") or ""
    if cf and re.search(r"(?<![未没])全部办结", overview):
        out.append(for_report(item, key, "all_concluded", ERROR, label("applications.carried_forward.total"),
                              f"the text says 全部办结 but the table carries {cf} forward",
                              ["applications.carried_forward.total"]))
    return out
