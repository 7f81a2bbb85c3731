"""Shapes of a template definition, and the parts both forms share (tables 三 and 四)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProactiveItem:
    """One row of table 二: its labels and the field of each number column, left to right."""

    key: str
    labels: tuple[str, ...]
    fields: tuple[str, ...]
    # Per field: "count" (integer >= 0), "change" (signed, 增/减), "money" (万元, fractional).
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class ResultRow:
    """One numeric row of table 三: dotted path under `applications` and its labels."""

    path: str
    labels: tuple[str, ...]
    leaf: bool = True  # counted in （七）总计
    # Rows that stand in for others when the source prints a group as one row.
    alternative_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    form: str
    proactive: tuple[ProactiveItem, ...]
    results: tuple[ResultRow, ...]
    # Words in table 二's headers and rows that only this form uses.
    markers: tuple[str, ...] = field(default=())


APPLICANT_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("natural_person", ("自然人",)),
    ("commercial_enterprise", ("商业企业",)),
    ("research_institution", ("科研机构",)),
    ("social_welfare_organization", ("社会公益组织",)),
    ("legal_service_agency", ("法律服务机构",)),
    ("other_organization", ("其他",)),
    ("total", ("总计",)),
)
APPLICANT_KEYS = tuple(k for k, _ in APPLICANT_COLUMNS)
# Words of table 三's header: a label made only of their characters is a wrapped header fragment.
APPLICANT_HEADER_WORDS = tuple(w for _, ws in APPLICANT_COLUMNS for w in ws) + ("法人或其他组织", "申请人情况")
APPLICANT_PARTS = APPLICANT_KEYS[:-1]

REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("lawsuit_direct", "未经复议直接起诉"),
    ("lawsuit_after_review", "复议后起诉"),
)
REVIEW_OUTCOMES: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_OUTCOME_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

# Words of a cell's note (55（含自然失效 29 件）) that say which table 二 column a detached number is.
NOTE_WORDS: dict[str, tuple[str, ...]] = {
    "issued": ("修订", "制发", "印发", "新制定", "新出台"),
    "repealed": ("失效", "废止", "宣布失效"),
    "in_force": ("现行有效", "仍有效"),
    "made": ("新制作",),
    "published": ("新公开",),
    "total_public": ("公开总数", "累计公开"),
}

# Rows of table 三 shared by both forms, in template order, before （六）.
RESULTS_HEAD: tuple[ResultRow, ...] = (
    ResultRow("new_received", ("本年新收政府信息公开申请数量", "本年新收政府信息公开申请", "本年新收申请数量"), leaf=False),
    ResultRow("carried_over", ("上年结转政府信息公开申请数量", "上年结转政府信息公开申请", "上年度结转政府信息公开申请数量"), leaf=False),
    ResultRow("results.disclosed", ("予以公开",)),
    ResultRow("results.partially_disclosed", ("部分公开区分处理的只计这一情形不计其他情形", "部分公开")),
    ResultRow("results.withheld.state_secret", ("属于国家秘密",)),
    ResultRow("results.withheld.prohibited_by_law", ("其他法律行政法规禁止公开", "其他法律行政止公开", "其他法律法规禁止公开")),
    ResultRow("results.withheld.security_stability", ("危及三安全一稳定", "危及“三安全一稳定”")),
    ResultRow("results.withheld.third_party_rights", ("保护第三方合法权益",)),
    ResultRow("results.withheld.internal_affairs", ("属于三类内部事务信息",)),
    ResultRow("results.withheld.process_information", ("属于四类过程性信息",)),
    ResultRow("results.withheld.law_enforcement_files", ("属于行政执法案卷",)),
    ResultRow("results.withheld.administrative_inquiry", ("属于行政查询事项",)),
    ResultRow("results.unable_to_provide.not_held", ("本机关不掌握相关政府信息",)),
    ResultRow("results.unable_to_provide.needs_creation", ("没有现成信息需要另行制作",)),
    ResultRow("results.unable_to_provide.unclear_after_correction", ("补正后申请内容仍不明确",)),
    ResultRow("results.not_processed.complaint", ("信访举报投诉类申请",)),
    ResultRow("results.not_processed.duplicate", ("重复申请",)),
    ResultRow("results.not_processed.publication", ("要求提供公开出版物",)),
    ResultRow("results.not_processed.excessive", ("无正当理由大量反复申请",)),
    ResultRow("results.not_processed.confirmation", ("要求行政机关确认或重新出具已获取信息",)),
)

OTHER_HANDLING = ResultRow("results.other_handling", ("其他处理",))

RESULTS_TAIL: tuple[ResultRow, ...] = (
    ResultRow("results.total", ("总计",), leaf=False),
    ResultRow("carried_forward", ("结转下年度继续办理", "结转下一年度继续办理", "结转下年度继续处理"), leaf=False),
)

# Words that identify which numeric table a run of rows belongs to.
TABLE_MARKERS = {
    "proactive": ("第二十条", "信息内容", "本年制发件数", "本年新制作数量", "处理决定数量", "行政事业性收费"),
    "applications": ("申请人情况", "勾稽关系", "本年新收", "上年结转", "予以公开", "不予公开", "无法提供", "不予处理"),
    "reviews": ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"),
}
