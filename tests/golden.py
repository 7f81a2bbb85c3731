"""Compare a report with the ground truth beside its fixture (format: fixtures/README.md)."""
from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NUMERIC_SECTIONS = ("proactive", "applications", "reviews_and_lawsuits")
META_KEYS = ("template", "agency", "year", "title", "published")


def golden_pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for expected in sorted(FIXTURES.rglob("*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        inputs = [p for p in expected.parent.glob(stem + ".*") if not p.name.endswith(".json")]
        assert len(inputs) == 1, f"{expected}: expected exactly one input beside it, found {inputs}"
        pairs.append((inputs[0], expected))
    return pairs


def flat(tree, prefix=""):
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: tree}


def differences(report: dict, expected: dict) -> list[str]:
    """Every way the report departs from the expected file; empty when it matches."""
    out = []
    for key in META_KEYS:
        if key in expected and report.get(key) != expected[key]:
            out.append(f"{key}: expected {expected[key]!r}, got {report.get(key)!r}")
    for section in NUMERIC_SECTIONS:
        if section not in expected:
            continue
        want, got = flat(expected[section], section), flat(report[section], section)
        for path in sorted(want.keys() | got.keys()):
            if want.get(path, "<absent>") != got.get(path, "<absent>"):
                out.append(f"{path}: expected {want.get(path, '<absent>')!r}, got {got.get(path, '<absent>')!r}")
    if "failed_checks" in expected:
        want = sorted((r, tuple(sorted(f))) for r, f in expected["failed_checks"])
        got = sorted((c["rule"], tuple(sorted(c["fields"]))) for c in report["checks"] if not c["passed"])
        if want != got:
            out.append(f"failed checks: expected {[w[0] + ':' + w[1][0] for w in want]}, "
                       f"got {[g[0] + ':' + g[1][0] for g in got]}")
    warned = {w["field"] for w in report["warnings"]}
    for path in expected.get("inferred", []):
        if report["provenance"].get(path, {}).get("method") != "inferred" or path not in warned:
            out.append(f"{path}: expected inferred with a warning")
    for path in expected.get("null_fields", []):
        if flat(report[path.split(".")[0]], path.split(".")[0]).get(path, 0) is not None or path not in warned:
            out.append(f"{path}: expected null with a warning")
    for section, needles in expected.get("text_contains", {}).items():
        for n in needles:
            if n not in (report["text"].get(section) or ""):
                out.append(f"text.{section} lacks {n!r}")
    for section, needles in expected.get("text_excludes", {}).items():
        for n in needles:
            if n in (report["text"].get(section) or ""):
                out.append(f"text.{section} holds {n!r}")
    return out


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
