"""One report → its row of the wide table, its rows of the long table, of checks and of warnings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from xxgk.dataset.load import LoadedReport
from xxgk.normalize.catalog import field_catalog
from xxgk.normalize.fields import flatten

SECTIONS = ("proactive", "applications", "reviews_and_lawsuits")


def values_of(report: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in SECTIONS:
        out.update(flatten(report.get(s) or {}, s))
    return out


def _money(v) -> Optional[Decimal]:
    # str() first: 976.81 stays 976.81, not the binary float's 976.80999…
    return None if v is None else Decimal(str(v)).quantize(Decimal("0.000001"))


def _date(s: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(s) if s else None
    except ValueError:
        return None


def wide_row(item: LoadedReport, agency_key: Optional[str]) -> dict:
    r = item.report
    src = r.get("source") or {}
    values = values_of(r)
    form = r.get("template")
    row = {"report_id": item.id, "file": item.name, "agency": r.get("agency"), "agency_key": agency_key,
           "agency_normalized": r.get("agency_normalized"), "agency_region_code": r.get("agency_region_code"),
           "year": r.get("year"), "template": form, "title": r.get("title"), "published": _date(r.get("published")),
           "source_url": src.get("url"), "source_path": src.get("path"), "source_format": src.get("format"),
           "source_pages": src.get("pages"), "ocr": src.get("ocr"), "ocr_engine": src.get("ocr_engine")}
    nulls = 0
    for f in field_catalog():
        v = values.get(f.id)
        row[f.id] = _money(v) if f.kind == "money" else v
        nulls += form in f.forms and v is None and _expected_here(f.id, values)
    prov = r.get("provenance") or {}
    row.update(failed_checks=sum(not c["passed"] for c in r.get("checks", [])), warnings=len(r.get("warnings", [])),
               null_fields=nulls, inferred_fields=sum(1 for k, p in prov.items()
                                                      if k in values and isinstance(p, dict) and p.get("method") == "inferred"))
    return row


def _expected_here(fid: str, values: dict) -> bool:
    # A 2021-form report prints either （六）其他处理 as one row or its three sub-rows, never both.
    if fid.startswith("applications.results.other_handling."):
        return fid in values
    if fid.startswith("applications.results.other."):
        return fid in values or not any(k.startswith("applications.results.other_handling.") for k in values)
    return True


def long_rows(item: LoadedReport) -> list[dict]:
    r = item.report
    values = values_of(r)
    prov = r.get("provenance") or {}
    warned = {w.get("field") for w in r.get("warnings", [])}
    failed = {f for c in r.get("checks", []) if not c["passed"] for f in c["fields"]}
    out = []
    for f in field_catalog():
        if f.id not in values:
            continue  # the report's form has no such cell
        p = prov.get(f.id) or {}
        v = values[f.id]
        out.append({"report_id": item.id, "field": f.id, "table": f.table, "row_label": f.row,
                    "column_label": f.column, "unit": f.unit, "value": None if v is None else float(v),
                    "method": p.get("method"), "confidence": p.get("confidence"), "page": p.get("page"),
                    "raw": p.get("raw"), "warned": f.id in warned, "in_failed_check": f.id in failed})
    return out


def check_rows(item: LoadedReport) -> list[dict]:
    return [{"report_id": item.id, "rule": c["rule"], "passed": c["passed"], "message": c["message"],
             "fields": list(c["fields"])} for c in item.report.get("checks", [])]


def warning_rows(item: LoadedReport) -> list[dict]:
    return [{"report_id": item.id, "field": w.get("field"), "kind": w.get("kind"), "message": w.get("message"),
             "raw": w.get("raw")} for w in item.report.get("warnings", [])]
