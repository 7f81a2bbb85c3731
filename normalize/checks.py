"""Run the consistency rules on the final values: one entry per rule instance."""
from __future__ import annotations

from typing import Any, Sequence

from xxgk.normalize.rules import Rule


def _fmt(v) -> str:
    return str(int(v)) if isinstance(v, (int, float)) and float(v).is_integer() else str(v)


def run_checks(values: dict[str, Any], rules: Sequence[Rule]) -> list[dict]:
    out = []
    for rule in rules:
        fields = rule.fields
        vals = [values.get(f) for f in fields]
        if None in vals:
            continue  # a null field cannot be checked; its own warning says why
        total = sum(c * v for (_, c), v in zip(rule.terms, vals))
        passed = abs(total) < 1e-6
        lhs = [f"{_fmt(v)}" for (_, c), v in zip(rule.terms, vals) if c > 0]
        rhs = [f"{_fmt(v)}" for (_, c), v in zip(rule.terms, vals) if c < 0]
        relation = "=" if passed else "≠"
        out.append({
            "rule": rule.rule,
            "passed": passed,
            "message": f"{rule.subject}: {' + '.join(lhs)} {relation} {' + '.join(rhs)}",
            "fields": fields,
        })
    return out
