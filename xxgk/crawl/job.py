"""One `xxgk crawl` run: Scrapy in a child process, then conversion of what is new, then DIR/json,
the final manifest and the per-site summary.

DIR/files/         downloads (safe names, one per SHA-256)
DIR/manifest.jsonl one line per URL seen
DIR/json/          the kept reports
DIR/summary.json   per start site
DIR/.crawl/        config, state, Scrapy JOBDIR, conversion ledger and staged reports
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from xxgk.crawl import manifest as mf
from xxgk.crawl import pairs
from xxgk.crawl.convert import Job, convert_new, staged_report
from xxgk.crawl.settings import CrawlOptions
from xxgk.crawl.summary import site_summaries
from xxgk.output import pid_alive, write_json_atomic

REPORT_STATUSES = ("converted", "incomplete", "failed_checks")


@dataclass
class CrawlResult:
    finished: bool  # the crawl ran to its end (not killed or interrupted)
    close_reason: str
    summaries: dict
    crawl_seconds: float
    convert_seconds: float
    converted_now: int  # files converted in this run (0 when nothing new)
    statuses: list = field(default_factory=list)  # conversion status of every kept or refused saved file


def prepare(out_dir: Path, fresh: bool) -> None:
    """A JOBDIR left by a killed crawl may be half-written: drop it (the manifest keeps what was saved)."""
    crawl_dir = out_dir / ".crawl"
    crawl_dir.mkdir(parents=True, exist_ok=True)
    state_file = crawl_dir / "state.json"
    state = {}
    if state_file.exists():
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
        except ValueError:
            state = {"status": "running"}
    if state.get("status") == "running" and bool(state.get("pid")) and pid_alive(state["pid"]):
        raise RuntimeError(f"another crawl (pid {state['pid']}) is writing into {out_dir}")
    if fresh or state.get("status") == "running":
        shutil.rmtree(crawl_dir / "job", ignore_errors=True)


def run_spider(out_dir: Path, start_urls: list[str], opts: CrawlOptions) -> tuple[bool, str]:
    """Run Scrapy in a child process; (finished, close reason). SIGINT/SIGTERM are passed on to it."""
    config = out_dir / ".crawl" / "config.json"
    config.write_text(json.dumps({"out_dir": str(out_dir.resolve()), "start_urls": start_urls,
                                  "options": opts.to_dict()}, ensure_ascii=False), encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-m", "xxgk.crawl.runner", str(config)])

    def forward(signum, frame):  # Scrapy shuts down cleanly on the first signal and keeps its JOBDIR
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    try:
        state = json.loads((out_dir / ".crawl" / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    reason = state.get("reason") or (f"killed by signal {-code}" if code < 0 else f"exit code {code}")
    finished = code == 0 and state.get("status") == "closed" and reason in (
        "finished", "closespider_pagecount", "closespider_timeout")
    return finished, reason


def _canonical(records: dict[str, dict]) -> dict[str, str]:
    """sha256 -> the URL that stands for those bytes: the smallest, so that every run picks the same one."""
    out: dict[str, str] = {}
    for url, rec in records.items():
        if rec.get("sha256") and rec.get("outcome") not in ("listing",):
            sha = rec["sha256"]
            out[sha] = min(out.get(sha, url), url)
    return out


def _json_name(rec: dict, used: set[str]) -> str:
    stem = (rec.get("name") or "report").rsplit(".", 1)[0] or "report"
    name = f"{stem}.json" if f"{stem}.json" not in used else f"{stem}-{rec['sha256'][:10]}.json"
    used.add(name)
    return name


def finalize(out_dir: Path, workers: int, timeout: float, ocr_engine: str, convert: bool) -> tuple[dict, int, list]:
    """Convert what is new, place the kept reports in DIR/json, rewrite the manifest, write the summary."""
    records = mf.load(out_dir / "manifest.jsonl")
    canonical = _canonical(records)
    saved = {u: r for u, r in records.items() if r.get("sha256") and canonical.get(r["sha256"]) == u}
    ledger, converted_now = {}, 0
    if convert:
        jobs = [Job(r["sha256"], out_dir / r["path"], {"url": u, "referer": r.get("referer"),
                                                       "fetched_at": r.get("fetched_at")}) for u, r in saved.items()]
        from xxgk.crawl.convert import load_ledger

        before = set(load_ledger(out_dir))
        ledger = convert_new(out_dir, jobs, workers, timeout, ocr_engine)
        converted_now = len(set(ledger) - before)
    reports = {u: staged_report(ledger[r["sha256"]]) if r["sha256"] in ledger else None for u, r in saved.items()}
    final = dict(records)
    # 文字版 page + 全真版 attachment of one report: keep one JSON, check agreement
    dropped: set[str] = set()
    for url, rec in saved.items():
        text_url = rec.get("pair_with")
        if not text_url or text_url not in saved or reports.get(url) is None or reports.get(text_url) is None:
            continue
        full_row, text_row = ledger[rec["sha256"]], ledger[saved[text_url]["sha256"]]
        keep = pairs.choose(text_row["status"], full_row["status"])
        kept_url, other_url = (text_url, url) if keep == "text" else (url, text_url)
        other = reports[other_url]
        differing = pairs.annotate(reports[kept_url], other, other_url, other["source"].get("format", "?"))
        dropped.add(other_url)
        verdict = (f"agrees on all numbers with {kept_url}" if not differing else
                   f"disagrees with {kept_url} on {', '.join(differing[:8])}")
        final[other_url] = {**records[other_url], "outcome": "alternate", "reason": f"other version of one report; {verdict}"}
        if differing:
            final[kept_url] = {**records[kept_url], "versions_disagree": differing}
    used: set[str] = set()
    kept_info: dict[str, dict] = {}
    statuses = []
    json_dir = out_dir / "json"
    for url, rec in sorted(saved.items()):
        if url in dropped:
            continue
        row = ledger.get(rec["sha256"])
        if row is None:
            continue  # not converted (crawl interrupted or --no-convert): stays "saved"
        report = reports.get(url)
        status, reason = row["status"], row.get("reason") or ""
        if status == "skipped":
            status = "converted"
        if report is not None and status in REPORT_STATUSES:
            if final[url].get("versions_disagree"):
                status, reason = "failed_checks", "文字版 and 全真版 disagree on " + ", ".join(final[url]["versions_disagree"])
            name = _json_name(rec, used)
            write_json_atomic(json_dir / name, report, overwrite=True)
            kept_info[url] = {"agency": report.get("agency"), "year": report.get("year"), "json": f"json/{name}"}
            final[url] = {**final[url], "json": f"json/{name}"}
        statuses.append(status)
        final[url] = {**final[url], "outcome": status, "reason": reason or final[url].get("reason", "")}
    for url, rec in records.items():
        sha = rec.get("sha256")
        if sha and canonical.get(sha) != url and rec.get("outcome") != "listing":
            final[url] = {**rec, "outcome": "duplicate", "reason": f"same SHA-256 as {canonical[sha]}"}
    mf.rewrite(out_dir / "manifest.jsonl", final.values())
    summaries = site_summaries(final.values(), kept_info)
    write_json_atomic(out_dir / "summary.json", summaries, overwrite=True)
    return summaries, converted_now, statuses


def crawl(start_urls: list[str], out_dir: Path, opts: CrawlOptions, workers: int = 2, timeout: float = 300.0,
          ocr_engine: str = "tesseract", convert: bool = True, fresh: bool = False) -> CrawlResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    prepare(out_dir, fresh)
    t0 = time.monotonic()
    finished, reason = run_spider(out_dir, start_urls, opts)
    t1 = time.monotonic()
    summaries, converted_now, statuses = finalize(out_dir, workers, timeout, ocr_engine, convert and finished)
    return CrawlResult(finished, reason, summaries, t1 - t0, time.monotonic() - t1, converted_now, statuses)
