"""Decide which national template the tables follow, from their headers."""
from __future__ import annotations

from typing import Optional

from xxgk.normalize.labels import compact
from xxgk.normalize.rows import LogicalRow
from xxgk.normalize.templates import TEMPLATES


def decide_form(proactive: list[LogicalRow], applications: list[LogicalRow], year: Optional[int]) -> tuple[str, Optional[str]]:
    """(form, reason-if-unsure). Table 二's headers decide; table 三's （六） rows and the year break ties."""
    text = compact("".join(r.text for r in proactive))
    scores = {form: sum(compact(m) in text for m in t.markers) for form, t in TEMPLATES.items()}
    if scores["2021"] != scores["2019"]:
        return max(scores, key=scores.get), None
    app_text = compact("".join(r.text for r in applications))
    if "逾期不补正" in app_text or "逾期未按收费通知" in app_text:
        return "2021", "table 二 does not say which template it follows; table 三's （六） rows are the 2021 form"
    if year is not None:
        form = "2021" if year >= 2021 else "2019"
        return form, f"neither table says which template it follows; chosen from the year {year}"
    return "2021", "no table says which template it follows and the year is unknown; assumed 2021"
