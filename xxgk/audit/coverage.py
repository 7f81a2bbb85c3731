"""Who published for which year: the agency × year matrix, gaps, duplicates and expected agencies with nothing."""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Optional

from xxgk.audit.problems import CHECK, ERROR, Problem, source_of
from xxgk.dataset.load import LoadedReport
from xxgk.dataset.rows import values_of


def display_name(items: list[LoadedReport]) -> str:
    names = Counter(i.report.get("agency") for i in items if i.report.get("agency"))
    return max(names, key=lambda n: (names[n], len(n), n)) if names else "?"


def coverage(groups: dict[str, list[LoadedReport]], expected: Iterable[str] = ()) -> dict:
    years = sorted({i.report["year"] for items in groups.values() for i in items if i.report.get("year")})
    span = list(range(years[0], years[-1] + 1)) if years else []
    rows = []
    for key in sorted(groups):
        counts = Counter(i.report.get("year") for i in groups[key])
        rows.append({"agency_key": key, "agency": display_name(groups[key]),
                     "names": sorted({i.report.get("agency") or "?" for i in groups[key]}),
                     "years": {str(y): counts.get(y, 0) for y in span},
                     "undated": counts.get(None, 0)})
    for key in sorted(set(expected) - set(groups)):
        rows.append({"agency_key": key, "agency": key, "names": [], "years": {str(y): 0 for y in span}, "undated": 0})
    return {"years": span, "agencies": rows}


def gaps(key: str, items: list[LoadedReport]) -> list[Problem]:
    years = sorted({i.report["year"] for i in items if i.report.get("year")})
    return [Problem("missing_year", CHECK, key, y, "(coverage)",
                    f"no report for {y} between {years[0]} and {years[-1]}")
            for y in range(years[0], years[-1] + 1) if y not in years] if years else []


def not_published(key: str, span: list[int]) -> Problem:
    return Problem("no_report", ERROR, key, None, "(coverage)",
                   f"expected agency has no report for any of {span[0]}–{span[-1]}" if span else "no report")


def duplicates(key: str, items: list[LoadedReport]) -> list[Problem]:
    out = []
    by_year: dict[Optional[int], list[LoadedReport]] = {}
    for i in items:
        by_year.setdefault(i.report.get("year"), []).append(i)
    for year, same in sorted(by_year.items(), key=lambda kv: kv[0] or 0):
        if year is None or len(same) < 2:
            continue
        first = values_of(same[0].report)
        differ = sorted({f for other in same[1:] for f, v in values_of(other.report).items() if first.get(f) != v})
        if differ:
            out.append(Problem("duplicate", ERROR, key, year, "(coverage)",
                               f"{len(same)} reports for {year} with different numbers ({len(differ)} fields differ)",
                               differ[:20], [i.name for i in same], source_of(same[0])))
        else:
            out.append(Problem("duplicate", CHECK, key, year, "(coverage)",
                               f"{len(same)} reports for {year} with the same numbers", [],
                               [i.name for i in same], source_of(same[0])))
    return out


def site_coverage(sites: dict[str, dict], items: list[LoadedReport], keys: dict[str, Optional[str]],
                  span: list[int]) -> list[dict]:
    """A crawl's start sites × year: the reports kept from each site, and the agencies they name."""
    by_path = {str(i.path.resolve()): i for i in items}
    rows = []
    for site in sorted(sites):
        kept = [by_path[p] for p in sites[site]["reports"] if p in by_path]
        counts = Counter(i.report.get("year") for i in kept)
        rows.append({"site": site, "candidates": sites[site].get("candidates", 0),
                     "agencies": sorted({keys.get(i.id) or "?" for i in kept}),
                     "years": {str(y): counts.get(y, 0) for y in span}, "undated": counts.get(None, 0)})
    return rows


def site_without_reports(row: dict) -> Problem:
    return Problem("no_report", ERROR, None, None, "(coverage)",
                   f"start site {row['site']}: no report kept ({row['candidates']} report candidates found)")

