"""国办公开办函〔2019〕60号: reports on 2019 and 2020."""
from xxgk.normalize.templates.base import OTHER_HANDLING, RESULTS_HEAD, RESULTS_TAIL, ProactiveItem, Template

_DOCS = ("made", "published", "total_public")
_ITEMS = ("previous_year", "change", "decisions")
_ITEM_KINDS = ("count", "change", "count")

FORM_2019 = Template(
    form="2019",
    proactive=(
        ProactiveItem("regulations", ("规章",), _DOCS, ("count",) * 3),
        ProactiveItem("normative_documents", ("规范性文件", "行政规范性文件"), _DOCS, ("count",) * 3),
        ProactiveItem("licensing", ("行政许可",), _ITEMS, _ITEM_KINDS),
        ProactiveItem("other_services", ("其他对外管理服务事项",), _ITEMS, _ITEM_KINDS),
        ProactiveItem("penalty", ("行政处罚",), _ITEMS, _ITEM_KINDS),
        ProactiveItem("coercion", ("行政强制",), _ITEMS, _ITEM_KINDS),
        ProactiveItem("fees", ("行政事业性收费",), ("previous_year", "change"), ("count", "change")),
        ProactiveItem("procurement", ("政府集中采购",), ("projects", "amount"), ("count", "money_unstated")),
    ),
    results=RESULTS_HEAD + (OTHER_HANDLING,) + RESULTS_TAIL,
    markers=("本年新制作", "新制作数量", "本年新公开", "新公开数量", "对外公开总数量", "上一年项目数量",
             "本年增/减", "本年增减", "其他对外管理服务事项", "政府集中采购", "采购项目数量", "采购总金额"),
)
