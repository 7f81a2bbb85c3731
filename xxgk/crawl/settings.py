"""The crawl's options and the Scrapy settings they become: polite by default."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from xxgk import __version__

USER_AGENT = f"xxgk/{__version__} (annual-report crawler for government information-disclosure reports; +https://pypi.org/project/xxgk/)"


@dataclass
class CrawlOptions:
    max_pages: int = 5000  # responses per run, all sites together (CLOSESPIDER_PAGECOUNT)
    max_pages_per_site: int = 2000  # requests per start URL; links past it are recorded, not fetched
    depth: int = 8  # link hops from a start URL (DEPTH_LIMIT)
    max_bytes: int = 100 * 1024 * 1024  # per download (DOWNLOAD_MAXSIZE): larger is skipped and recorded
    max_seconds: int = 0  # whole crawl (CLOSESPIDER_TIMEOUT), 0 = no bound
    per_host: int = 2  # concurrent requests per host
    throttle: bool = True  # AutoThrottle
    start_delay: float = 1.0  # AutoThrottle's first delay between requests to a host, seconds
    max_delay: float = 30.0
    download_delay: float = 0.25  # the floor AutoThrottle never goes below
    timeout: float = 30.0  # per request
    retries: int = 3  # for 429, 5xx and network errors; other 4xx are not retried
    backoff: float = 5.0  # first back-off after a 429/5xx, doubled each time (or the server's Retry-After)
    obey_robots: bool = True
    offsite: bool = False  # follow links to other hosts
    http_cache: bool = False  # Scrapy's HTTP cache (RFC 2616 policy) under DIR/.crawl/httpcache
    user_agent: str = USER_AGENT
    extra_hosts: list = field(default_factory=list)  # further hosts allowed besides the start URLs'

    def to_dict(self) -> dict:
        return asdict(self)


def scrapy_settings(opts: CrawlOptions, out_dir: Path) -> dict:
    """Scrapy settings for one crawl into out_dir (its JOBDIR lives under out_dir/.crawl)."""
    return {
        "BOT_NAME": "xxgk",
        "USER_AGENT": opts.user_agent,
        "ROBOTSTXT_OBEY": opts.obey_robots,  # RobotsTxtMiddleware; a missing robots.txt allows everything
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": opts.per_host,
        "AUTOTHROTTLE_ENABLED": opts.throttle,
        "AUTOTHROTTLE_START_DELAY": opts.start_delay,
        "AUTOTHROTTLE_MAX_DELAY": opts.max_delay,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_DELAY": opts.download_delay if opts.throttle else 0,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "METAREFRESH_ENABLED": False,  # the spider records a meta refresh (a deleted document) instead
        "DOWNLOAD_TIMEOUT": opts.timeout,
        "DOWNLOAD_MAXSIZE": opts.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": opts.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "xxgk.crawl.backoff.BackoffRetryMiddleware": 550,
        },
        "XXGK_BACKOFF_BASE": opts.backoff,
        "REDIRECT_ENABLED": False,  # the spider follows redirects itself so that loops get a recorded reason
        "DEPTH_LIMIT": 0,  # the spider bounds link hops itself (opts.depth) and records what it leaves
        "CLOSESPIDER_PAGECOUNT": opts.max_pages,
        "CLOSESPIDER_TIMEOUT": opts.max_seconds,
        "JOBDIR": str(out_dir / ".crawl" / "job"),
        "HTTPCACHE_ENABLED": opts.http_cache,
        "HTTPCACHE_DIR": str(out_dir / ".crawl" / "httpcache"),
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "COOKIES_ENABLED": False,  # not needed by these sites; also keeps tldextract from fetching suffix lists
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,  # 4xx/5xx reach the spider so that each gets its manifest line
        "LOG_LEVEL": "WARNING",
    }
