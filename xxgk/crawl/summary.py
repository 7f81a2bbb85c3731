"""The per-site summary: pages fetched, candidates, converted, refused by reason, failed, years covered."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

REFUSED = {"pre2019": "pre-2019 report, not the national template", "not_report": "not a report",
           "deleted": "deleted document (meta refresh)", "refused": None, "unsupported": None}
SKIPPED = {"robots": "forbidden by robots.txt", "offsite": "off-site link", "too_large": "over the size bound",
           "bound": "the site's page bound reached"}
FAILED = {"http_error", "timeout", "redirect_loop", "error", "failed"}
CONVERTED = {"converted", "incomplete", "failed_checks"}


def site_summaries(records: Iterable[dict], kept: dict[str, dict]) -> dict[str, dict]:
    """site start URL -> counts; kept maps a record's URL to the report kept for it (agency, year, json)."""
    out: dict[str, dict] = {}
    for rec in records:
        s = out.setdefault(rec.get("site") or "?", {
            "pages_fetched": 0, "candidates": 0, "converted": 0, "incomplete": 0, "failed_checks": 0,
            "duplicates": 0, "alternates": 0, "incomplete_lists": 0, "refused": Counter(), "skipped": Counter(), "failed": Counter(),
            "years": set(), "coverage": []})
        outcome = rec.get("outcome")
        if rec.get("status") is not None:
            s["pages_fetched"] += 1
        if rec.get("incomplete"):  # a list page whose rest comes from an endpoint it does not name
            s["incomplete_lists"] += 1
        if rec.get("kind") in ("detail", "attachment") or outcome in ("pre2019", "robots", "too_large") or (
                outcome == "offsite" and rec.get("link_text")):
            s["candidates"] += 1
        if outcome in CONVERTED:
            s["converted"] += 1
            if outcome != "converted":
                s[outcome] += 1
            info = kept.get(rec["url"])
            if info:
                if info.get("year"):
                    s["years"].add(info["year"])
                s["coverage"].append({"agency": info.get("agency"), "year": info.get("year"), "json": info.get("json")})
        elif outcome == "duplicate":
            s["duplicates"] += 1
        elif outcome == "alternate":
            s["alternates"] += 1
        elif outcome in REFUSED:
            s["refused"][REFUSED[outcome] or rec.get("reason") or outcome] += 1
        elif outcome in SKIPPED:
            s["skipped"][SKIPPED[outcome]] += 1
        elif outcome in FAILED:
            s["failed"][(rec.get("reason") or outcome).split(":")[0]] += 1
    for s in out.values():
        s["years"] = sorted(s["years"])
        s["coverage"].sort(key=lambda c: (c["year"] or 0, c["agency"] or ""))
        for k in ("refused", "skipped", "failed"):
            s[k] = dict(sorted(s[k].items()))
    return out


def format_summary(summaries: dict[str, dict]) -> str:
    lines = []
    for site, s in summaries.items():
        failed = sum(s["failed"].values())
        lines.append(f"{site}: pages fetched {s['pages_fetched']}, report candidates {s['candidates']}, "
                     f"converted {s['converted']} (with failed checks {s['failed_checks']}, incomplete "
                     f"{s['incomplete']}), refused {sum(s['refused'].values())}, skipped "
                     f"{sum(s['skipped'].values())}, failed {failed}")
        for label, counts in (("refused", s["refused"]), ("skipped", s["skipped"]), ("failed", s["failed"])):
            for reason, n in counts.items():
                lines.append(f"  {label} {n}: {reason}")
        if s.get("incomplete_lists"):
            lines.append(f"  incomplete lists {s['incomplete_lists']}: the rest of the list comes from an endpoint "
                         "the page does not name (see the manifest); reports may be missing")
        lines.append(f"  years covered: {', '.join(map(str, s['years'])) or 'none'}")
    return "\n".join(lines)
