"""The one status every input ends with, and the exit code a whole run ends with.

converted      every field read or pinned by the sums
incomplete     converted, but some numeric fields are null (each with a warning)
failed_checks  converted completely, but the source breaks some of its own sums
skipped        unchanged since the last run (same sha256, xxgk version and OCR engine)
refused        readable, but not one convertible report (the reason says why)
failed         could not be read, or the conversion died (timeout, out of memory, crashed)
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

CONVERTED = "converted"
INCOMPLETE = "incomplete"
FAILED_CHECKS = "failed_checks"
SKIPPED = "skipped"
REFUSED = "refused"
FAILED = "failed"
STATUSES = (CONVERTED, INCOMPLETE, FAILED_CHECKS, SKIPPED, REFUSED, FAILED)

# Exit codes in the manner of ocrmypdf's: the worst thing that happened decides.
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_MISSING_DEPENDENCY = 3
EXIT_SOME_INCOMPLETE = 4
EXIT_INTERRUPTED = 130

NUMERIC_SECTIONS = ("proactive", "applications", "reviews_and_lawsuits")


def numeric_leaves(report: dict) -> Iterator[tuple[str, Any]]:
    """(dotted field id, value) for every number slot of the report's three tables."""

    def walk(prefix: str, node: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(f"{prefix}.{k}", v)
        else:
            yield prefix, node

    for section in NUMERIC_SECTIONS:
        yield from walk(section, report.get(section) or {})


def null_fields(report: dict) -> list[str]:
    return [path for path, value in numeric_leaves(report) if value is None]


def report_status(report: dict) -> str:
    """converted / incomplete / failed_checks for a report that was built."""
    if null_fields(report):
        return INCOMPLETE
    if any(not c["passed"] for c in report.get("checks", ())):
        return FAILED_CHECKS
    return CONVERTED


def exit_code(statuses: Iterable[str]) -> int:
    seen = set(statuses)
    if seen & {FAILED, REFUSED}:
        return EXIT_SOME_FAILED
    if INCOMPLETE in seen:
        return EXIT_SOME_INCOMPLETE
    return EXIT_OK
