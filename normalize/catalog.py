"""The field dictionary: every numeric field id with its table, Chinese row and column labels, unit and forms.

Built from the template definitions (normalize/templates) plus the printed labels below, so that the
JSON Schema, `xxgk fields` and the dataset export all describe the same fields the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xxgk.normalize.templates import TEMPLATES
from xxgk.normalize.templates.base import APPLICANT_COLUMNS, REVIEW_GROUPS, REVIEW_OUTCOME_LABELS, REVIEW_OUTCOMES


@dataclass(frozen=True)
class FieldInfo:
    id: str  # dotted field id, e.g. applications.results.total.natural_person
    table: str  # 二, 三 or 四
    row: str  # Chinese row label as printed in the template
    column: str  # Chinese column label as printed in the template
    unit: str  # 件, 个, 万元
    kind: str  # count (integer >= 0), change (signed integer), money (decimal 万元)
    forms: tuple[str, ...]  # template forms that have this field: "2021", "2019"

    @property
    def label(self) -> str:
        return f"表{self.table}「{self.row}」·「{self.column}」"

    def description(self) -> str:
        forms = " and ".join(f"{f} form" for f in self.forms)
        sign = {"count": "count, never negative", "change": "signed change (增/减), may be negative",
                "money": "amount, may be fractional"}[self.kind]
        return f"{self.label}; unit {self.unit}; {sign}; {forms}"


# Table 二: the printed block, row and column labels per field (both forms).
_PROACTIVE_ROWS = {"regulations": "规章", "normative_documents": "行政规范性文件", "licensing": "行政许可",
                   "other_services": "其他对外管理服务事项", "penalty": "行政处罚", "coercion": "行政强制",
                   "fees": "行政事业性收费", "procurement": "政府集中采购"}
_PROACTIVE_ROWS_2019 = {"normative_documents": "规范性文件"}
_PROACTIVE_COLUMNS = {
    ("2021", "issued"): "本年制发件数", ("2021", "repealed"): "本年废止件数", ("2021", "in_force"): "现行有效件数",
    ("2021", "decisions"): "本年处理决定数量", ("2021", "amount"): "本年收费金额（单位：万元）",
    ("2019", "made"): "本年新制作数量", ("2019", "published"): "本年新公开数量", ("2019", "total_public"): "对外公开总数量",
    ("2019", "previous_year"): "上一年项目数量", ("2019", "change"): "本年增/减", ("2019", "decisions"): "处理决定数量",
    ("2019", "projects"): "采购项目数量", ("2019", "amount"): "采购总金额",
}
# Documents are counted in 件, items (事项/项目) in 个, decisions in 件.
_PROACTIVE_UNITS = {"issued": "件", "repealed": "件", "in_force": "件", "made": "件", "published": "件",
                    "total_public": "件", "decisions": "件", "previous_year": "个", "change": "个", "projects": "个",
                    "amount": "万元"}

# Table 三: the row labels as printed, with their group heading.
_RESULT_ROWS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "results.disclosed": "三、本年度办理结果（一）予以公开",
    "results.partially_disclosed": "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "results.withheld.state_secret": "（三）不予公开 1.属于国家秘密",
    "results.withheld.prohibited_by_law": "（三）不予公开 2.其他法律行政法规禁止公开",
    "results.withheld.security_stability": "（三）不予公开 3.危及“三安全一稳定”",
    "results.withheld.third_party_rights": "（三）不予公开 4.保护第三方合法权益",
    "results.withheld.internal_affairs": "（三）不予公开 5.属于三类内部事务信息",
    "results.withheld.process_information": "（三）不予公开 6.属于四类过程性信息",
    "results.withheld.law_enforcement_files": "（三）不予公开 7.属于行政执法案卷",
    "results.withheld.administrative_inquiry": "（三）不予公开 8.属于行政查询事项",
    "results.unable_to_provide.not_held": "（四）无法提供 1.本机关不掌握相关政府信息",
    "results.unable_to_provide.needs_creation": "（四）无法提供 2.没有现成信息需要另行制作",
    "results.unable_to_provide.unclear_after_correction": "（四）无法提供 3.补正后申请内容仍不明确",
    "results.not_processed.complaint": "（五）不予处理 1.信访举报投诉类申请",
    "results.not_processed.duplicate": "（五）不予处理 2.重复申请",
    "results.not_processed.publication": "（五）不予处理 3.要求提供公开出版物",
    "results.not_processed.excessive": "（五）不予处理 4.无正当理由大量反复申请",
    "results.not_processed.confirmation": "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
    "results.other_handling": "（六）其他处理",
    "results.other.overdue_correction": "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "results.other.overdue_fee": "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "results.other.other": "（六）其他处理 3.其他",
    "results.total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
_APPLICANT_HEADS = {"natural_person": "自然人", "total": "总计"}
_REVIEW_GROUP_LABELS = {"review": "行政复议", "lawsuit_direct": "行政诉讼·未经复议直接起诉",
                        "lawsuit_after_review": "行政诉讼·复议后起诉"}


def _applicant_column(key: str, label: str) -> str:
    return _APPLICANT_HEADS.get(key) or f"法人或其他组织·{label}"


@lru_cache(maxsize=1)
def field_catalog() -> tuple[FieldInfo, ...]:
    """Every numeric field id in template order: table 二 (2021 then 2019-only), 三, 四."""
    proactive: dict[str, FieldInfo] = {}
    for form in ("2021", "2019"):
        for item in TEMPLATES[form].proactive:
            row = (_PROACTIVE_ROWS_2019 if form == "2019" else {}).get(item.key, _PROACTIVE_ROWS[item.key])
            for f, kind in zip(item.fields, item.kinds):
                fid = f"proactive.{item.key}.{f}"
                if fid in proactive:
                    proactive[fid] = FieldInfo(**{**proactive[fid].__dict__, "forms": proactive[fid].forms + (form,)})
                    continue
                proactive[fid] = FieldInfo(fid, "二", row, _PROACTIVE_COLUMNS[(form, f)], _PROACTIVE_UNITS[f],
                                           "money" if kind.startswith("money") else kind, (form,))
    rows: dict[str, tuple[str, ...]] = {}
    for form in ("2021", "2019"):
        for r in TEMPLATES[form].results:
            rows[r.path] = rows.get(r.path, ()) + (form,)
    ordered = [p for p in _RESULT_ROWS if p in rows]
    applications = [FieldInfo(f"applications.{p}.{key}", "三", _RESULT_ROWS[p], _applicant_column(key, labels[0]),
                              "件", "count", rows[p])
                    for p in ordered for key, labels in APPLICANT_COLUMNS]
    reviews = [FieldInfo(f"reviews_and_lawsuits.{g}.{o}", "四", _REVIEW_GROUP_LABELS[g], ol, "件", "count",
                         ("2021", "2019"))
               for g, _ in REVIEW_GROUPS for o, ol in zip(REVIEW_OUTCOMES, REVIEW_OUTCOME_LABELS)]
    return tuple(proactive.values()) + tuple(applications) + tuple(reviews)


@lru_cache(maxsize=1)
def catalog_by_id() -> dict[str, FieldInfo]:
    return {f.id: f for f in field_catalog()}


def row_label(row_path: str) -> str:
    """Printed label of a table 三 row path (e.g. 'results.total' → （七）总计)."""
    return _RESULT_ROWS.get(row_path, row_path)
