"""One report offered twice, as 文字版 HTML and 全真版 PDF: keep one JSON, check they agree number for number
(the check `versions.agree`, failed with the differing fields when they do not)."""
from __future__ import annotations

from xxgk.status import numeric_leaves

# Which version to keep when both converted: fewer unknowns first, then the 全真版 (the signed original).
STATUS_RANK = {"converted": 0, "failed_checks": 1, "incomplete": 2}


def disagreements(a: dict, b: dict) -> list[str]:
    """Field ids whose values differ between the two reports (a null against a number counts)."""
    left, right = dict(numeric_leaves(a)), dict(numeric_leaves(b))
    return sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))


def choose(text_status: str, full_status: str) -> str:
    """'text' or 'full': the version whose JSON is kept."""
    return "text" if STATUS_RANK.get(text_status, 9) < STATUS_RANK.get(full_status, 9) else "full"


def annotate(kept: dict, other: dict, other_url: str, other_format: str) -> list[str]:
    """Record the comparison in the kept report: source.alternate, and one warning per differing field."""
    fields = disagreements(kept, other)
    kept["source"]["alternate"] = {"url": other_url, "format": other_format, "agrees": not fields,
                                   "numbers_compared": sum(1 for _ in numeric_leaves(kept)),
                                   "differing_fields": fields}
    kept.setdefault("checks", []).append({
        "rule": "versions.agree", "passed": not fields, "fields": fields,
        "message": (f"the {other_format} version ({other_url}) gives the same {len(dict(numeric_leaves(kept)))} numbers"
                    if not fields else f"the {other_format} version ({other_url}) differs in {len(fields)} field(s): "
                    + ", ".join(fields[:8]))})
    for f in fields:
        kept["warnings"].append({"field": f, "kind": "versions_disagree", "raw": None,
                                 "message": f"the {other_format} version of this report ({other_url}) gives "
                                            f"{dict(numeric_leaves(other)).get(f)!r} here"})
    return fields
