"""xxgk crawl against the generated fixture site on a real HTTP server (127.0.0.1): every report, every
number, every other URL with its reason, robots.txt, nothing outside DIR, resume after a kill."""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from golden import FIXTURES, differences, load

sys.path.insert(0, str(FIXTURES / "site"))
import fixture_site  # noqa: E402
import site_server  # noqa: E402

OFD = importlib.util.find_spec("xxgk.converters.ofd") is not None
# small delays and bounds so that the whole site crawls in seconds (the defaults are polite, not fast)
FAST = ["--delay", "0.01", "--timeout", "1.5", "--retries", "1", "--backoff", "0.05", "--max-mb", "1.5", "-j", "2"]


def crawl_cmd(server, out: Path, starts: list[str] | None = None) -> list[str]:
    return [sys.executable, "-m", "xxgk.cli", "crawl", *(starts or server.start_urls()), "-o", str(out), *FAST]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def manifest(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["url"]: r for r in rows}


def kept_reports(out: Path) -> dict[str, dict]:
    """URL path of the converted source -> its kept JSON."""
    reports = {}
    for f in sorted((out / "json").glob("*.json")):
        report = json.loads(f.read_text(encoding="utf-8"))
        reports[path_of(report["source"]["url"])] = report
    return reports


@pytest.fixture(scope="module")
def server():
    with site_server.SiteServer() as s:
        yield s


@pytest.fixture(scope="module")
def crawled(server, tmp_path_factory):
    parent = tmp_path_factory.mktemp("crawl")
    out = parent / "out"
    before = len(server.log)
    proc = subprocess.run(crawl_cmd(server, out), capture_output=True, text=True, timeout=240)
    return {"out": out, "parent": parent, "proc": proc, "requests": server.log[before:]}


def test_every_report_converted_with_every_number_right(crawled):
    expected = fixture_site.expected(OFD)
    reports = kept_reports(crawled["out"])
    assert sorted(reports) == sorted(expected.reports), crawled["proc"].stderr[-2000:]
    for path, golden in expected.reports.items():
        report = reports[path]
        assert differences(report, load(FIXTURES / golden)) == [], path
        assert report["source"]["fetched_at"] and report["source"]["referer"].startswith("http://127.0.0.1")


def test_every_other_url_recorded_with_its_reason(crawled):
    expected = fixture_site.expected(OFD)
    rows = {path_of(u): r for u, r in manifest(crawled["out"]).items()}
    for path, outcome in expected.reasons.items():
        assert rows[path]["outcome"] == outcome, (path, rows[path])
        assert rows[path]["reason"], path
    for path in expected.reports:
        assert rows[path]["outcome"] in ("converted", "incomplete", "failed_checks") and rows[path]["json"], path
    for row in rows.values():
        assert row["outcome"] and row["reason"] and row["fetched_at"], row
    assert rows["/zwgk/zfxxgknb/202203/t20220310_1007.html"]["reason"].startswith("redirect loop")
    assert "1572864-byte" in rows["/zwgk/zfxxgknb/202203/P020220313_big.pdf"]["reason"]
    assert rows["/zwgk/zfxxgknb/201903/t20190301_1006.html"]["reason"].startswith("pre-2019 report, not the national")
    if not OFD:
        assert rows["/module/download/downfile.jsp?classid=0&filename=2403011.ofd"]["reason"] == "OFD not supported yet"


def test_politeness_robots_offsite_user_agent_and_retry(crawled):
    paths = [p for _, p, _ in crawled["requests"]]
    assert paths[0] == "/robots.txt"
    for never in fixture_site.expected(OFD).never_requested:
        assert not any(p.endswith(never) for p in paths), never  # robots.txt Disallow; the off-site host
    assert all(ua.startswith("xxgk/") and "crawler" in ua for _, _, ua in crawled["requests"])
    assert paths.count("/zwgk/zfxxgknb/202203/t20220314_1011.html") == 2  # 429, then the retry answered
    assert "/zwgk/zfxxgknb/index_3.html" not in paths and "/bm/xxgknb/index_1.html" not in paths  # read, not guessed
    assert {"/bm/xxgknb/index_3.html", "/zwgk/zfxxgknb/index_2.html"} <= set(paths)
    assert sum(p.startswith("/module/web/jpage/dataproxy.jsp") for p in paths) == 1


def test_files_safe_deduplicated_and_nothing_outside_dir(crawled):
    out, parent = crawled["out"], crawled["parent"]
    assert [p.name for p in parent.iterdir()] == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [".crawl", "files", "json", "manifest.jsonl", "summary.json"]
    names = sorted(p.name for p in (out / "files").iterdir())
    assert "x.pdf" in names  # Content-Disposition ../../x.pdf
    assert fixture_site.GBK_NAME in names and fixture_site.RFC5987_NAME in names
    hashes = [r["sha256"] for r in manifest(out).values() if r.get("path")]
    assert len(names) == len(set(hashes))  # one file per SHA-256
    rows = {path_of(u): r for u, r in manifest(out).items()}
    assert rows["/zwgk/zfxxgknb/202403/P020240312555555555555.docx"]["outcome"] == "duplicate"


def test_text_and_full_versions_kept_once_and_agree(crawled):
    pair_text, pair_full = fixture_site.expected(OFD).pair
    reports = kept_reports(crawled["out"])
    assert pair_text not in reports
    alternate = reports[pair_full]["source"]["alternate"]
    assert alternate["agrees"] is True and alternate["differing_fields"] == [] and alternate["numbers_compared"] > 150
    rows = {path_of(u): r for u, r in manifest(crawled["out"]).items()}
    assert rows[pair_text]["outcome"] == "alternate" and "agrees on all numbers" in rows[pair_text]["reason"]


def test_summary_counts_and_years(crawled):
    summary = json.loads((crawled["out"] / "summary.json").read_text(encoding="utf-8"))
    expected = fixture_site.expected(OFD)
    rows = manifest(crawled["out"])
    for site, counts in summary.items():  # years covered = the goldens' years of the reports found there
        years = {load(FIXTURES / g)["year"] for u, r in rows.items() if r["site"] == site
                 for p, g in expected.reports.items() if path_of(u) == p}
        assert counts["years"] == sorted(years), site
        assert f"{site}: pages fetched {counts['pages_fetched']}, report candidates {counts['candidates']}" in \
            crawled["proc"].stdout
    trs = next(v for k, v in summary.items() if k.endswith("/zwgk/zfxxgknb/index.html"))
    assert trs["refused"] == {"deleted document (meta refresh)": 1, "not a report": 1,
                              "pre-2019 report, not the national template": 1}
    assert trs["skipped"] == {"forbidden by robots.txt": 1, "off-site link": 1, "over the size bound": 1}
    assert sum(trs["failed"].values()) == 3 and trs["converted"] == 6
    hanweb = next(v for k, v in summary.items() if "col1229214366" in k)
    assert hanweb["converted"] == (5 if OFD else 4)  # 2 listed on the static page, 3 more only in the XML
    assert "years covered: 2020, 2022, 2023" in crawled["proc"].stdout


def test_second_run_fetches_nothing_new(server, crawled):
    out = crawled["out"]
    before_files = sorted(p.name for p in (out / "files").iterdir())
    before_json = {p.name: p.read_bytes() for p in (out / "json").iterdir()}
    start = len(server.log)
    proc = subprocess.run(crawl_cmd(server, out), capture_output=True, text=True, timeout=120)
    assert proc.returncode == crawled["proc"].returncode, proc.stderr[-2000:]
    fetched = sorted(server.requested(start))
    assert fetched == sorted(["/robots.txt"] + fixture_site.START_PATHS)
    assert "(0 files converted in this run)" in proc.stdout
    assert sorted(p.name for p in (out / "files").iterdir()) == before_files
    assert {p.name: p.read_bytes() for p in (out / "json").iterdir()} == before_json


def _outcomes(out: Path, sites: list[str]) -> dict:
    return {path_of(u): (r["outcome"], r.get("json")) for u, r in manifest(out).items() if r["site"] in sites}


def _numbers(out: Path, sites: list[str]) -> dict:
    rows = {path_of(u): r["site"] for u, r in manifest(out).items()}
    return {p: {k: r[k] for k in ("agency", "year", "proactive", "applications", "reviews_and_lawsuits")}
            for p, r in kept_reports(out).items() if rows[p] in sites}


def test_killed_crawl_restarted_ends_with_the_same_result(server, crawled, tmp_path):
    out = tmp_path / "out"
    # every column but the one holding the scanned report (OCR takes long; the full crawl converts it)
    sites = [u for u in server.start_urls() if "col1229214366" not in u]
    server.delay = 0.08  # slow enough that the kill lands midway
    try:
        proc = subprocess.Popen(crawl_cmd(server, out, sites), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = out / "manifest.jsonl"
            if m.exists() and len(m.read_text(encoding="utf-8").splitlines()) >= 15:
                break
            time.sleep(0.05)
        state = json.loads((out / ".crawl" / "state.json").read_text(encoding="utf-8"))
        os.kill(state["pid"], signal.SIGKILL)  # the Scrapy process, without a chance to save its JOBDIR
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err[-2000:]
        assert not (out / "json").exists() or len(list((out / "json").iterdir())) == 0
    finally:
        server.delay = 0.0
    again = subprocess.run(crawl_cmd(server, out, sites), capture_output=True, text=True, timeout=240)
    assert again.returncode == crawled["proc"].returncode, again.stderr[-2000:]
    assert len(_outcomes(out, sites)) > 30
    assert _outcomes(out, sites) == _outcomes(crawled["out"], sites)
    assert _numbers(out, sites) == _numbers(crawled["out"], sites)


def test_sigterm_stops_cleanly_and_the_same_command_resumes(server, crawled, tmp_path):
    out = tmp_path / "out"
    sites = [server.base + "/bm/xxgknb/index.html"]  # 1-based pagination, GBK pages, 文字版 + 全真版
    server.delay = 0.3
    try:
        proc = subprocess.Popen(crawl_cmd(server, out, sites), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = out / "manifest.jsonl"
            if m.exists() and len(m.read_text(encoding="utf-8").splitlines()) >= 2:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)  # passed on to Scrapy, which finishes what is in flight and saves JOBDIR
        _, err = proc.communicate(timeout=60)
    finally:
        server.delay = 0.0
    assert proc.returncode == 130, err[-2000:]
    state = json.loads((out / ".crawl" / "state.json").read_text(encoding="utf-8"))
    assert state["status"] == "closed" and state["reason"] == "shutdown"
    assert (out / ".crawl" / "job" / "requests.seen").exists()
    again = subprocess.run(crawl_cmd(server, out, sites), capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _outcomes(out, sites) == _outcomes(crawled["out"], sites)
    assert _numbers(out, sites) == _numbers(crawled["out"], sites)


def test_page_bound_per_site_is_recorded(server, tmp_path):
    out = tmp_path / "out"
    site = server.base + "/sygfj/gknb/index.shtml"
    proc = subprocess.run([*crawl_cmd(server, out, [site]), "--max-pages-per-site", "1", "--no-convert"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {path_of(u): r for u, r in manifest(out).items()}
    assert rows["/sygfj/gknb/index.shtml"]["outcome"] == "listing"
    bounded = rows["/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml"]
    assert bounded["outcome"] == "bound" and "bound of 1 requests" in bounded["reason"]
    assert not (out / "json").exists()
