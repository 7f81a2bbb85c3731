"""One problem the audit found, and how fields are named for people (table, Chinese row and column)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from xxgk.dataset.load import LoadedReport
from xxgk.normalize.catalog import catalog_by_id

ERROR, CHECK = "error", "check"  # check: "look at this", not necessarily wrong


@dataclass
class Problem:
    kind: str
    severity: str
    agency_key: Optional[str]
    year: Optional[int]
    where: str  # table and cell, in the template's Chinese labels
    message: str
    fields: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # file names, relative to the folder given
    source: Optional[str] = None  # URL or path of the (first) report's source
    page: Optional[int] = None

    def as_dict(self) -> dict:
        return asdict(self)


def label(field_id: str) -> str:
    info = catalog_by_id().get(field_id)
    return info.label if info else field_id


def source_of(item: LoadedReport) -> Optional[str]:
    src = item.report.get("source") or {}
    return src.get("url") or src.get("path")


def page_of(item: LoadedReport, field_id: str) -> Optional[int]:
    p = (item.report.get("provenance") or {}).get(field_id)
    return p.get("page") if isinstance(p, dict) else None


def for_report(item: LoadedReport, key: Optional[str], kind: str, severity: str, where: str, message: str,
               fields: Optional[list[str]] = None) -> Problem:
    fields = fields or []
    return Problem(kind, severity, key, item.report.get("year"), where, message, fields, [item.name],
                   source_of(item), page_of(item, fields[0]) if fields else None)
