"""Derived rates people compare across agencies, each with its definition."""
from __future__ import annotations

from typing import Optional

from xxgk.dataset.rows import values_of

_A, _R = "applications.results.", "reviews_and_lawsuits."
_WITHHELD = tuple(f"{_A}withheld.{k}.total" for k in (
    "state_secret", "prohibited_by_law", "security_stability", "third_party_rights", "internal_affairs",
    "process_information", "law_enforcement_files", "administrative_inquiry"))
_LAWSUITS = ("lawsuit_direct", "lawsuit_after_review")

# name → (definition, numerator fields, denominator fields, denominator fields subtracted)
RATES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "disclosed_in_full": ("表三 （一）予以公开 ÷ （七）总计 (总计 column)",
                          (f"{_A}disclosed.total",), (f"{_A}total.total",), ()),
    "disclosed_in_full_or_part": ("表三 [（一）予以公开 + （二）部分公开] ÷ （七）总计",
                                  (f"{_A}disclosed.total", f"{_A}partially_disclosed.total"), (f"{_A}total.total",), ()),
    "withheld": ("表三 （三）不予公开 (rows 1–8) ÷ （七）总计", _WITHHELD, (f"{_A}total.total",), ()),
    "not_held": ("表三 （四）无法提供 1.本机关不掌握相关政府信息 ÷ （七）总计",
                 (f"{_A}unable_to_provide.not_held.total",), (f"{_A}total.total",), ()),
    "review_corrected": ("表四 行政复议 结果纠正 ÷ [总计 − 尚未审结] (concluded reviews)",
                         (f"{_R}review.corrected",), (f"{_R}review.total",), (f"{_R}review.pending",)),
    "lawsuit_corrected": ("表四 行政诉讼 (both groups) 结果纠正 ÷ [总计 − 尚未审结] (concluded lawsuits)",
                          tuple(f"{_R}{g}.corrected" for g in _LAWSUITS), tuple(f"{_R}{g}.total" for g in _LAWSUITS),
                          tuple(f"{_R}{g}.pending" for g in _LAWSUITS)),
}
DEFINITIONS = {name: spec[0] for name, spec in RATES.items()}


def _total(values: dict, fields: tuple[str, ...]) -> Optional[float]:
    vals = [values.get(f) for f in fields]
    return None if any(v is None for v in vals) else float(sum(vals))


def rates_of(report: dict) -> dict[str, Optional[float]]:
    """Each rate rounded to 4 places; None when a term is null or the denominator is 0."""
    values = values_of(report)
    out: dict[str, Optional[float]] = {}
    for name, (_, num, den, minus) in RATES.items():
        n, d, m = _total(values, num), _total(values, den), _total(values, minus)
        denominator = None if d is None or m is None else d - m
        out[name] = round(n / denominator, 4) if n is not None and denominator else None
    return out
