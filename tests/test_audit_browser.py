"""The audit page in a real headless Chromium: the problems, charts and sorting are in the rendered DOM."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from outputs_helper import convert_into, series_inputs
from xxgk.audit.html import render_html
from xxgk.audit.run import audit_dirs

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,1800"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: scripts/setup.sh --with-browser installs it")
    pytest.skip("chromium is not installed (scripts/setup.sh --with-browser)")


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("audit_page")
    convert_into(out / "json", series_inputs())
    html = out / "audit.html"
    html.write_text(render_html(audit_dirs([str(out / "json")])), encoding="utf-8")
    return html


def test_rendered_dom_holds_problems_charts_coverage_and_sorts(page, tmp_path):
    chromium = _chromium()
    dom = _run(chromium, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom",
               page.as_uri() + "#sort=1-desc").stdout
    soup = BeautifulSoup(dom, "html.parser")
    problems = soup.select("tr.problem")
    assert sorted(tr["data-kind"] for tr in problems) == sorted(
        ["duplicate", "carry_over", "prose_table", "missing_year", "missing_section", "in_force", "jump", "jump"])
    text = {tr["data-kind"]: tr.get_text(" ", strip=True) for tr in problems}
    assert "表二「行政规范性文件」·「现行有效件数」" in text["in_force"]
    assert "五、存在的主要问题及改进情况" in text["missing_section"]
    charts = soup.select("div.chart svg.trend")
    assert [c["aria-label"] for c in charts] == ["淮安市交通运输局", "淮安市洪泽区交通运输局"]
    assert all(len(c.find_all("path")) > 5 for c in charts)
    assert "applications received (本年新收)" in charts[1].get_text()
    coverage = {tr.td.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")[1:]]
                for tr in soup.select("table.coverage tr")[1:]}
    assert coverage["淮安市洪泽区交通运输局"] == ["×2", "✓", "✓", "—", "✓", "✓"]
    # The page was opened with #sort=1-desc: the script sorted the report table by year, newest first.
    years = [tr.find_all("td")[1].get_text(strip=True) for tr in soup.select("#report-table tbody tr")]
    assert years == ["2024", "2023", "2023", "2021", "2020", "2019", "2019"]


def test_screenshot_shows_the_page(page, tmp_path):
    chromium = _chromium()
    shot = tmp_path / "audit.png"
    _run(chromium, tmp_path / "profile", "--virtual-time-budget=3000", f"--screenshot={shot}", page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1800)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200  # text, tables and charts, not a blank page
    # The error rows are drawn in the page's error red (#a40000), anti-aliased around it.
    red = sum(n for n, (r, g, b) in colours if r > 140 and g < 60 and b < 60)
    assert red > 500
