"""Per-agency trend charts as inline SVG (matplotlib's SVG backend; text kept as text for the page's CJK fonts)."""
from __future__ import annotations

import io
import re
from typing import Optional

_CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]


def trend_svg(title: str, series: dict[str, dict[str, Optional[int]]]) -> str:
    """One line per series over the years; a missing year or a null value breaks the line."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global backend or window state

    years = sorted({int(y) for s in series.values() for y in s})
    if not years:
        return ""
    span = list(range(years[0], years[-1] + 1))
    fig = Figure(figsize=(6.4, 2.8), dpi=72)
    ax = fig.subplots()
    for name, values in series.items():
        ys = [values.get(str(y)) for y in span]
        ax.plot(span, [float("nan") if v is None else v for v in ys], marker="o", label=name)
    ax.set_xticks(span, [str(y) for y in span])
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.subplots_adjust(left=0.08, right=0.68, bottom=0.12, top=0.88)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": _CJK_FONTS,
                                "svg.hashsalt": "xxgk"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG sits inside HTML
    return re.sub(r"<svg ", f'<svg class="trend" role="img" aria-label="{_attr(title)}" ', svg, count=1)


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
