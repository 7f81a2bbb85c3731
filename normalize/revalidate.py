"""Re-run the consistency rules on a written report and compare with the checks it records."""
from __future__ import annotations

from xxgk.normalize.checks import run_checks
from xxgk.normalize.fields import flatten
from xxgk.normalize.rules import application_rules, review_rules
from xxgk.normalize.schema import validate
from xxgk.normalize.templates.base import APPLICANT_KEYS

_NOT_LEAVES = {"new_received", "carried_over", "results.total", "carried_forward"}


def _application_rows(applications: dict) -> list[str]:
    flat = flatten(applications, "")
    rows = []
    for path in flat:
        row = path[1:].rsplit(".", 1)[0]
        if row not in rows and path.endswith("." + APPLICANT_KEYS[0]):
            rows.append(row)
    return rows


def recheck(report: dict) -> list[str]:
    """Problems found: schema errors, then recorded checks that disagree with the values."""
    problems = validate(report)
    if problems:
        return problems
    rows = _application_rows(report["applications"])
    rules = application_rules(rows, [r for r in rows if r not in _NOT_LEAVES]) + review_rules()
    values = {**flatten(report["applications"], "applications"),
              **flatten(report["reviews_and_lawsuits"], "reviews_and_lawsuits")}
    fresh = {(c["rule"], tuple(c["fields"])): c["passed"] for c in run_checks(values, rules)}
    recorded = {(c["rule"], tuple(c["fields"])): c["passed"] for c in report["checks"]}
    for key, passed in fresh.items():
        if recorded.get(key) != passed:
            problems.append(f"check {key[0]} on {key[1][0]}…: recorded {recorded.get(key)}, values say {passed}")
    for key in recorded.keys() - fresh.keys():
        problems.append(f"check {key[0]} on {key[1][0]}… is recorded but cannot be evaluated from the values")
    return problems
