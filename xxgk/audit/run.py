"""The whole audit of a folder of reports, as one JSON-ready dict."""
from __future__ import annotations

from typing import Iterable, Optional

from xxgk.audit.agency import canonical, group_keys
from xxgk.audit.coverage import coverage, duplicates, gaps, not_published, site_coverage, site_without_reports
from xxgk.audit.cross_year import cross_year
from xxgk.audit.per_report import failed_rules, outline
from xxgk.audit.problems import CHECK, ERROR, Problem, source_of
from xxgk.audit.prose_numbers import prose_vs_tables
from xxgk.audit.rates import DEFINITIONS, rates_of
from xxgk.dataset.export import agency_keys
from xxgk.dataset.load import LoadedReport, crawl_sites, load_reports
from xxgk.dataset.rows import values_of

AUDIT_VERSION = "1"
UNKNOWN = "(agency not read)"
TREND_FIELDS = {
    "applications received (本年新收)": ("applications.new_received.total",),
    "results (（七）总计)": ("applications.results.total.total",),
    "disclosed (予以公开)": ("applications.results.disclosed.total",),
    "reviews (行政复议)": ("reviews_and_lawsuits.review.total",),
    "lawsuits (行政诉讼)": ("reviews_and_lawsuits.lawsuit_direct.total", "reviews_and_lawsuits.lawsuit_after_review.total"),
}


def _trend_value(values: dict, fields: tuple[str, ...]) -> Optional[int]:
    vals = [values.get(f) for f in fields]
    return None if any(v is None for v in vals) else sum(vals)


def _report_entry(item: LoadedReport, key: str) -> dict:
    r = item.report
    return {"report": item.name, "id": item.id, "agency": r.get("agency"), "agency_key": key, "year": r.get("year"),
            "template": r.get("template"), "source": source_of(item), "format": (r.get("source") or {}).get("format"),
            "failed_checks": sum(not c["passed"] for c in r.get("checks", [])),
            "warnings": len(r.get("warnings", [])), "rates": rates_of(r)}


def _trends(items: list[LoadedReport]) -> dict[str, dict[str, Optional[int]]]:
    first: dict[int, LoadedReport] = {}
    for i in items:
        if i.report.get("year"):
            first.setdefault(i.report["year"], i)
    return {name: {str(y): _trend_value(values_of(first[y].report), fields) for y in sorted(first)}
            for name, fields in TREND_FIELDS.items()}


def audit_reports(items: list[LoadedReport], expected: Iterable[str] = (), errors: Iterable[str] = (),
                  sites: Optional[dict[str, dict]] = None) -> dict:
    """sites: a crawl's start sites (load.crawl_sites), for the site × year coverage."""
    keys = agency_keys(items)
    groups: dict[str, list[LoadedReport]] = {}
    for i in items:
        groups.setdefault(keys.get(i.id) or UNKNOWN, []).append(i)
    problems: list[Problem] = []
    for key, members in groups.items():
        for i in members:
            problems += failed_rules(i, key) + outline(i, key) + prose_vs_tables(i, key)
        if key == UNKNOWN:
            continue
        problems += duplicates(key, members) + gaps(key, members)
        by_year: dict[int, LoadedReport] = {}
        for i in members:
            if i.report.get("year"):
                by_year.setdefault(i.report["year"], i)
        problems += cross_year(key, by_year)
    expected_keys = _expected_keys(expected, groups)
    cov = coverage({k: v for k, v in groups.items() if k != UNKNOWN}, expected_keys)
    problems += [not_published(k, cov["years"]) for k in sorted(set(expected_keys) - set(groups))]
    cov["sites"] = site_coverage(sites or {}, items, keys, cov["years"])
    problems += [site_without_reports(row) for row in cov["sites"]
                 if not any(row["years"].values()) and not row["undated"]]
    problems.sort(key=lambda p: (p.agency_key or "", p.year or 0, p.kind, p.where, p.reports))
    return {
        "audit_version": AUDIT_VERSION,
        "summary": {"reports": len(items), "agencies": len([k for k in groups if k != UNKNOWN]),
                    "errors": sum(p.severity == ERROR for p in problems),
                    "checks": sum(p.severity == CHECK for p in problems),
                    "by_kind": _count(p.kind for p in problems), "unreadable_files": list(errors)},
        "problems": [p.as_dict() for p in problems],
        "coverage": cov,
        "reports": sorted((_report_entry(i, keys.get(i.id) or UNKNOWN) for i in items),
                          key=lambda e: (e["agency_key"], e["year"] or 0, e["report"])),
        "rate_definitions": DEFINITIONS,
        "trends": {k: _trends(v) for k, v in sorted(groups.items()) if k != UNKNOWN},
    }


def _expected_keys(expected: Iterable[str], groups: dict) -> list[str]:
    names = [n for n in (canonical(e) for e in expected) if n]
    if not names:
        return []
    keys = group_keys(list(groups) + names)
    return sorted({keys[n] for n in names})


def _count(kinds: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in kinds:
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


def audit_dirs(dirs: Iterable[str], expected: Iterable[str] = ()) -> dict:
    items, errors = load_reports(dirs)
    return audit_reports(items, expected, errors, crawl_sites(dirs))
