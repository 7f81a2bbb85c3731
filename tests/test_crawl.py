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

from xxgk.crawl.manifest import FIELDS
from xxgk.normalize.schema import validate
from xxgk.status import report_status

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
    server.max_in_flight = 0
    proc = subprocess.run(crawl_cmd(server, out), capture_output=True, text=True, timeout=240)
    return {"out": out, "parent": parent, "proc": proc, "requests": server.log[before:],
            "max_in_flight": server.max_in_flight}


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
        assert set(FIELDS) <= set(row), row  # url, referer, link text, status, type, bytes, sha256, path …
        if row["outcome"] in ("converted", "incomplete", "failed_checks", "duplicate", "alternate"):
            assert row["sha256"] and row["path"] and row["bytes"] and row["status"] == 200, row
    # moved document: the old URL is a redirect, the report is converted from where it moved
    assert rows["/zwgk/zfxxgk/zfxxgknb/202101/t20210115_3005.htm"]["reason"].endswith(fixture_site.TRS_MOVED)
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
    assert paths.count(f"/gkmlpt/api/all/2155?page=2&sid={fixture_site.GKMLPT_SID}") == 2  # 503, then answered
    assert paths.count("/zwgk/zfxxgknb/202203/t20220311_1008.html") == 1  # a 404 is not retried
    assert 1 <= crawled["max_in_flight"] <= 2  # never more than 2 requests at a time to the host
    assert "/zwgk/zfxxgknb/index_3.html" not in paths and "/bm/xxgknb/index_1.html" not in paths  # read, not guessed
    assert {"/bm/xxgknb/index_3.html", "/zwgk/zfxxgknb/index_2.html"} <= set(paths)
    assert sum(p.startswith("/module/web/jpage/dataproxy.jsp") for p in paths) == 1
    assert [p for p in paths if p.startswith(fixture_site.TRS_SEARCH)] == [
        f"{fixture_site.TRS_SEARCH}?page=1&prepage=100", f"{fixture_site.TRS_SEARCH}?page=2&prepage=100"]


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
    # columns complete only through their JSON list endpoints
    gkmlpt = next(v for k, v in summary.items() if k.endswith("/gkmlpt/index#2155"))
    assert gkmlpt["converted"] == 2 and gkmlpt["years"] == [2022, 2024]  # both only in the API (no static list)
    assert gkmlpt["refused"] == {"not a report": 4, "pre-2019 report, not the national template": 2}
    trs_dyn = next(v for k, v in summary.items() if k.endswith("/zwgk/zfxxgk/zfxxgknb/index.html"))
    assert trs_dyn["converted"] == 4 and trs_dyn["years"] == [2020, 2021, 2023, 2024]  # 2020, 2021: search only
    assert trs_dyn["refused"] == {"not a report": 8} and not trs_dyn["failed"]


def test_second_run_fetches_nothing_new(server, crawled):
    out = crawled["out"]
    before_files = sorted(p.name for p in (out / "files").iterdir())
    before_json = {p.name: p.read_bytes() for p in (out / "json").iterdir()}
    start = len(server.log)
    proc = subprocess.run(crawl_cmd(server, out), capture_output=True, text=True, timeout=120)
    assert proc.returncode == crawled["proc"].returncode, proc.stderr[-2000:]
    fetched = sorted(server.requested(start))
    starts = [p.split("#")[0] for p in fixture_site.START_PATHS]
    assert fetched == sorted(["/robots.txt"] + starts + fixture_site.LIST_FIRST_CALLS)  # what could have changed
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
    # the static-list columns (TRS 0- and 1-based paging, UCAP): the scan's OCR and the list-endpoint
    # columns would only make the test longer; the full crawl converts them
    sites = [u for u in server.start_urls() if any(c in u for c in ("/zwgk/zfxxgknb/", "/bm/xxgknb/", "/sygfj/"))]
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


def test_depth_bound_is_recorded_and_paging_is_no_hop(server, tmp_path):
    out = tmp_path / "out"
    site = server.base + "/bm/xxgknb/index.html"  # list pages → 文字版 detail pages → 全真版 PDF
    columns = tmp_path / "columns.txt"
    columns.write_text(f"# 信息公开年报 columns\n{site}\n\n", encoding="utf-8")
    cmd = [c for c in crawl_cmd(server, out, [site]) if c != site]
    proc = subprocess.run([*cmd, "--from-file", str(columns), "--depth", "1", "--no-convert"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {path_of(u): r for u, r in manifest(out).items()}
    assert rows["/bm/xxgknb/index_3.html"]["outcome"] == "listing"  # page 3 of the list is still hop 0
    assert rows["/bm/xxgknb/202402/t20240215_2003.html"]["outcome"] == "saved"  # hop 1
    bounded = rows["/bm/xxgknb/202402/P020240215612345.pdf"]  # hop 2
    assert bounded["outcome"] == "bound" and "more than 1 link hops" in bounded["reason"]


def test_time_bound_stops_and_the_same_command_continues(server, crawled, tmp_path):
    out = tmp_path / "out"
    site = server.base + "/zwgk/zfxxgk/zfxxgknb/index.html"
    server.delay = 0.3  # about 20 requests: far more than the 1 s bound allows
    try:
        first = subprocess.run([*crawl_cmd(server, out, [site]), "--max-time", "1", "--no-convert"],
                               capture_output=True, text=True, timeout=120)
    finally:
        server.delay = 0.0
    assert "stopped at its bound (--max-time)" in first.stderr, first.stderr[-2000:]
    seen_first = set(manifest(out))
    again = subprocess.run([*crawl_cmd(server, out, [site]), "--no-convert"], capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0 and "stopped at its bound" not in again.stderr, again.stderr[-2000:]
    full = {u for u, r in manifest(crawled["out"]).items() if r["site"] == site}
    assert seen_first < full and set(manifest(out)) == full  # nothing lost across the stop


def _small_site(routes: dict) -> site_server.SiteServer:
    """A site of a few routes only (no robots.txt: a missing one means allowed)."""
    return site_server.SiteServer(routes={p: r for p, r in routes.items()})


def test_versions_that_disagree_are_one_report_with_a_failed_check_naming_the_field(tmp_path):
    R = fixture_site.Route
    full = "/nb/202402/P020240215612345.pdf"
    title = "大连市医疗保障局2023年政府信息公开工作年度报告"
    routes = {"/nb/index.html": R(fixture_site.trs_list_page("年报", [fixture_site._li(
                  "./202402/t20240215_1.html", title, "2024-02-15")], "").encode()),
              # the 文字版 was typed with 2763 licensing decisions, the signed 全真版 says 2736
              "/nb/202402/t20240215_1.html": R(fixture_site.text_and_full_page(
                  "pdf/gen2021_standard.expected.json", full, ("proactive.licensing.decisions", 2763))),
              full: R(fixture_site._read("pdf/gen2021_standard.pdf"), content_type=fixture_site.PDF)}
    with _small_site(routes) as site:
        out = tmp_path / "out"
        proc = subprocess.run(crawl_cmd(site, out, [site.base + "/nb/index.html"]), capture_output=True, text=True,
                              timeout=180)
        assert site.requested()[0] == "/robots.txt"  # asked, answered 404, so everything is allowed
    assert proc.returncode == 0, proc.stderr[-2000:]  # failed_checks: converted, the source contradicts itself
    reports = kept_reports(out)
    assert list(reports) == [full]  # one report: the 全真版 kept
    kept = reports[full]
    assert kept["proactive"]["licensing"]["decisions"] == 2736
    assert kept["source"]["alternate"]["agrees"] is False
    assert kept["source"]["alternate"]["differing_fields"] == ["proactive.licensing.decisions"]
    assert [w["field"] for w in kept["warnings"] if w["kind"] == "versions_disagree"] == ["proactive.licensing.decisions"]
    assert [(c["rule"], c["passed"], c["fields"]) for c in kept["checks"] if c["rule"] == "versions.agree"] == [
        ("versions.agree", False, ["proactive.licensing.decisions"])]
    assert report_status(kept) == "failed_checks" and validate(kept) == []
    rows = {path_of(u): r for u, r in manifest(out).items()}
    assert rows[full]["outcome"] == "failed_checks" and "proactive.licensing.decisions" in rows[full]["reason"]
    text = rows["/nb/202402/t20240215_1.html"]
    assert text["outcome"] == "alternate" and "disagrees with" in text["reason"]


def test_lists_shorter_than_their_pager_says_are_recorded_incomplete(tmp_path):
    R = fixture_site.Route
    items = [("./202401/t20240118_1.htm", "盐城市亭湖区教育局2023年政府信息公开工作年度报告", "2024-01-18")]
    routes = {"/a/index.html": R(fixture_site.trs_dyn_list_page(items, "229105", "9374", 12, "").encode()),  # no app
              "/b/index.html": R(fixture_site.trs_dyn_list_page(items, "229105", "9374", 12, "/app/search").encode()),
              # the search answers 1 record where the pager promised 12
              "/app/search": R(methods=("POST",), dynamic=lambda q: fixture_site.trs_search_json(
                  [("/b/" + items[0][0][2:],) + items[0][1:]], q))}
    with _small_site(routes) as site:
        out = tmp_path / "out"
        starts = [site.base + "/a/index.html", site.base + "/b/index.html"]
        proc = subprocess.run([*crawl_cmd(site, out, starts), "--no-convert"], capture_output=True, text=True,
                              timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = manifest(out)
    assert rows[starts[0]]["incomplete"] is True and "the pager names 12 records" in rows[starts[0]]["reason"]
    search = rows[site.base + "/app/search?page=1&prepage=100"]
    assert search["incomplete"] is True and "pager names 12 records" in search["reason"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [summary[s]["incomplete_lists"] for s in starts] == [1, 1]
    assert proc.stdout.count("incomplete lists 1") == 2
