"""Benchmark: crawl + convert the fixture site, polite defaults vs throttling off.

    .venv/bin/python bench/crawl.py [--jobs 2] [--modes polite,fast]

Prints one markdown row per mode: requests, crawl seconds, requests/second, conversion seconds and
the share of the run spent converting. The site is the tests' fixture site on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures" / "site"))

import site_server  # noqa: E402

from xxgk.crawl.job import crawl  # noqa: E402
from xxgk.crawl.settings import CrawlOptions  # noqa: E402

MODES = {
    "polite": CrawlOptions(),  # the defaults: robots.txt, 2 per host, AutoThrottle from 1 s, 0.25 s floor
    "fast": CrawlOptions(throttle=False, per_host=8, backoff=0.0),  # throttling off
}


def run(mode: str, jobs: int) -> dict:
    with site_server.SiteServer() as server, tempfile.TemporaryDirectory(prefix="xxgk-bench-crawl-") as tmp:
        start = len(server.log)
        t0 = time.monotonic()
        result = crawl(server.start_urls(), Path(tmp) / "out", MODES[mode], workers=jobs)
        total = time.monotonic() - t0
        requests = len(server.log) - start
        converted = sum(s["converted"] for s in result.summaries.values())
    return {"mode": mode, "requests": requests, "crawl_s": result.crawl_seconds,
            "rps": requests / result.crawl_seconds, "convert_s": result.convert_seconds,
            "share": result.convert_seconds / total, "reports": converted}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--modes", default="polite,fast")
    args = ap.parse_args()
    print("| mode | requests | crawl s | requests/s | reports | convert s | share converting |")
    print("|---|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        r = run(mode, args.jobs)
        print(f"| {r['mode']} | {r['requests']} | {r['crawl_s']:.1f} | {r['rps']:.2f} | {r['reports']} | "
              f"{r['convert_s']:.1f} | {100 * r['share']:.0f} % |", flush=True)


if __name__ == "__main__":
    main()
