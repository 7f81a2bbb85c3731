"""国办公开办函〔2021〕30号: reports on 2021 and later."""
from xxgk.normalize.templates.base import OTHER_HANDLING, RESULTS_HEAD, RESULTS_TAIL, ProactiveItem, ResultRow, Template

_DOCS = ("issued", "repealed", "in_force")

FORM_2021 = Template(
    form="2021",
    proactive=(
        ProactiveItem("regulations", ("规章",), _DOCS, ("count",) * 3),
        ProactiveItem("normative_documents", ("行政规范性文件", "规范性文件"), _DOCS, ("count",) * 3),
        ProactiveItem("licensing", ("行政许可",), ("decisions",), ("count",)),
        ProactiveItem("penalty", ("行政处罚",), ("decisions",), ("count",)),
        ProactiveItem("coercion", ("行政强制",), ("decisions",), ("count",)),
        ProactiveItem("fees", ("行政事业性收费",), ("amount",), ("money",)),
    ),
    results=RESULTS_HEAD
    + (
        # A 2021-form report may still print （六）其他处理 as one row: it stands in for the three.
        ResultRow(OTHER_HANDLING.path, OTHER_HANDLING.labels,
                  alternative_to=("results.other.overdue_correction", "results.other.overdue_fee", "results.other.other")),
        ResultRow("results.other.overdue_correction", ("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", "申请人无正当理由逾期不补正")),
        ResultRow("results.other.overdue_fee", ("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", "申请人逾期未按收费通知要求缴纳费用")),
        ResultRow("results.other.other", ("其他",)),
    )
    + RESULTS_TAIL,
    markers=("制发件数", "本年制发", "废止件数", "本年度止件数", "现行有效件数", "现行有效", "收费金额", "本年收费金额"),
)
