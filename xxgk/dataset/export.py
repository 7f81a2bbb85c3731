"""Folders of outputs → the export tables, with the agency grouping keys the audit uses."""
from __future__ import annotations

from typing import Iterable

import pyarrow as pa

from xxgk.audit.agency import group_keys, report_name
from xxgk.dataset.load import LoadedReport, load_reports
from xxgk.dataset.writers import build_tables


def agency_keys(items: list[LoadedReport]) -> dict[str, str | None]:
    """report id → the grouping key of its issuing body."""
    names = {i.id: report_name(i.report) for i in items}
    codes: dict[str, set[str]] = {}
    for i in items:
        if names[i.id] and i.report.get("agency_region_code"):
            codes.setdefault(names[i.id], set()).add(str(i.report["agency_region_code"]))
    keys = group_keys((n for n in names.values() if n), codes)
    return {rid: (keys[n] if n else None) for rid, n in names.items()}


def export_tables(dirs: Iterable[str]) -> tuple[dict[str, pa.Table], list[str]]:
    items, errors = load_reports(dirs)
    return build_tables(items, agency_keys(items)), errors
