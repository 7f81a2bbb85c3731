"""The template's arithmetic, stated once: used by the checks and by the solver."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from xxgk.normalize.templates.base import APPLICANT_KEYS, APPLICANT_PARTS, REVIEW_GROUPS


@dataclass(frozen=True)
class Rule:
    """sum(coef * value) == 0 over the named fields."""

    rule: str
    subject: str  # the row, column or group it is about, for messages
    terms: tuple[tuple[str, int], ...]

    @property
    def fields(self) -> list[str]:
        return [f for f, _ in self.terms]


def application_rules(rows: Iterable[str], leaves: Iterable[str]) -> list[Rule]:
    """rows: every applications row path present; leaves: those summed into （七）总计."""
    rows, leaves = list(rows), list(leaves)
    a = "applications."
    out = []
    for col in APPLICANT_KEYS:
        out.append(Rule("applications.balance", col, (
            (f"{a}new_received.{col}", 1), (f"{a}carried_over.{col}", 1),
            (f"{a}results.total.{col}", -1), (f"{a}carried_forward.{col}", -1))))
    for row in rows:
        out.append(Rule("applications.row_total", row,
                        ((f"{a}{row}.total", 1),) + tuple((f"{a}{row}.{c}", -1) for c in APPLICANT_PARTS)))
    for col in APPLICANT_KEYS:
        out.append(Rule("applications.results_total", col,
                        ((f"{a}results.total.{col}", 1),) + tuple((f"{a}{leaf}.{col}", -1) for leaf in leaves)))
    return out


def review_rules() -> list[Rule]:
    r = "reviews_and_lawsuits."
    return [Rule("reviews_and_lawsuits.group_total", g,
                 ((f"{r}{g}.total", 1), (f"{r}{g}.upheld", -1), (f"{r}{g}.corrected", -1),
                  (f"{r}{g}.other", -1), (f"{r}{g}.pending", -1)))
            for g, _ in REVIEW_GROUPS]
