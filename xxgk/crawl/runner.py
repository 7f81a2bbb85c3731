"""The crawl's own process: `python -m xxgk.crawl.runner CONFIG.json` runs the spider and exits.

Scrapy runs in a child process of `xxgk crawl` so that its reactor never meets the conversion
workers, and so that a killed crawl leaves only what was already written atomically.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from xxgk.crawl.settings import CrawlOptions, scrapy_settings


def write_state(path: Path, **state) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def main(config_path: str) -> int:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from xxgk.crawl.spider import ReportSpider

    cfg = json.loads(Path(config_path).read_text(encoding="utf-8"))
    out = Path(cfg["out_dir"])
    opts = CrawlOptions(**cfg["options"])
    state = out / ".crawl" / "state.json"
    write_state(state, status="running", pid=os.getpid())
    closed: dict = {}
    process = CrawlerProcess(scrapy_settings(opts, out))
    crawler = process.create_crawler(ReportSpider)

    def on_closed(spider, reason):
        closed["reason"] = reason
        closed["stats"] = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float))}

    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    process.crawl(crawler, config=config_path)
    process.start()
    write_state(state, status="closed", reason=closed.get("reason", "unknown"), stats=closed.get("stats", {}))
    return 0 if closed.get("reason") == "finished" else 130 if closed.get("reason") == "shutdown" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
