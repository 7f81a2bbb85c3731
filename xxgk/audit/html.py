"""The audit dict → one self-contained HTML page (Jinja2 template; styles, script and SVG charts inline)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from xxgk.audit.charts import trend_svg

REPORT_HEADERS = (("agency", "text"), ("year", "num"), ("form", "text"), ("report", "text"),
                  ("failed checks", "num"), ("warnings", "num"))


def _source_href(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return source
    return "file://" + quote(str(Path(source).resolve()))


def render_html(audit: dict) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("xxgk.audit", "templates"), autoescape=select_autoescape(["j2", "html"]))
    env.filters["source_href"] = _source_href
    grouped: dict[str, list[dict]] = {}
    for p in audit["problems"]:
        grouped.setdefault(p["agency_key"] or "(start sites)", []).append(p)  # no key: a crawl site's problem
    charts = [(key, trend_svg(key, series)) for key, series in audit["trends"].items()]
    rate_names = list(audit["rate_definitions"])
    return env.get_template("audit.html.j2").render(
        summary=audit["summary"], problems_by_agency=sorted(grouped.items()), coverage=audit["coverage"],
        charts=[c for c in charts if c[1]], reports=audit["reports"], rate_names=rate_names,
        report_headers=REPORT_HEADERS + tuple((n, "num") for n in rate_names),
        rate_definitions=audit["rate_definitions"])
