"""Scrapy's RetryMiddleware plus a back-off: a 429/5xx slows the whole host down before the retry."""
from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries as Scrapy does, and widens the host's download delay (Retry-After, else base·2ⁿ)."""

    def __init__(self, settings, crawler=None):
        super().__init__(settings)
        self.base = settings.getfloat("XXGK_BACKOFF_BASE", 5.0)
        self.ceiling = settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings, crawler)
        mw.crawler = crawler
        return mw

    def process_response(self, request, response, spider=None):
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            self._widen_delay(request, response)
        return super().process_response(request, response)

    def _widen_delay(self, request, response) -> None:
        slots = getattr(getattr(self.crawler.engine, "downloader", None), "slots", {})
        slot = slots.get(request.meta.get("download_slot"))
        if slot is None:
            return
        retry_after = response.headers.get(b"Retry-After", b"").decode("latin-1").strip()
        wanted = float(retry_after) if retry_after.isdigit() else max(slot.delay * 2, self.base)
        slot.delay = min(max(slot.delay, wanted, self.base if not retry_after.isdigit() else 0), self.ceiling)
