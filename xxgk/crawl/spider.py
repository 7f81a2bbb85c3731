"""The Scrapy spider: columns → listing pages → detail pages → attachments, every URL recorded.

It only downloads and records (DIR/files, DIR/manifest.jsonl); conversion happens after, outside the
reactor. Callbacks and meta are plain names and strings so that JOBDIR can persist pending requests.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import FormRequest, Request

from xxgk.crawl import detail, list_api, listing
from xxgk.crawl import manifest as mf
from xxgk.crawl.files import FileStore
from xxgk.crawl.names import choose_name
from xxgk.fetch import decode_html

MAX_REDIRECTS = 5
PAGE_REPORT_REASON = "report in the page body (文字版)"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class ReportSpider(scrapy.Spider):
    name = "xxgk"

    def __init__(self, config: str = "", **kwargs):
        super().__init__(**kwargs)
        cfg = json.loads(Path(config).read_text(encoding="utf-8"))
        self.out = Path(cfg["out_dir"])
        self.start_list = cfg["start_urls"]
        self.follow_offsite = cfg["options"]["offsite"]
        self.site_limit = int(cfg["options"].get("max_pages_per_site") or 0)
        self.depth_limit = int(cfg["options"].get("depth") or 0)  # link hops; paging a list is no hop
        self.apis_started: set = set()  # (kind, endpoint, form) whose first call this run has made
        self.site_requests: dict[str, int] = {}
        self.hosts = {_host(u) for u in self.start_list} | set(cfg["options"].get("extra_hosts") or [])
        if not self.follow_offsite:
            self.allowed_domains = sorted(self.hosts)  # Scrapy's OffsiteMiddleware is the second guard
        known = mf.load(self.out / "manifest.jsonl")
        self.recorded: set[str] = set()
        # attachments a killed run already saved are not downloaded again
        self.saved = {u: r for u, r in known.items() if r.get("kind") == "attachment" and r.get("sha256")}
        self.files = FileStore(self.out / "files", {r["sha256"]: r["path"] for r in known.values()
                                                    if r.get("sha256") and r.get("path")})
        self.writer = mf.ManifestWriter(self.out / "manifest.jsonl")
        self.considered: set[str] = set()

    # ------------------------------------------------------------------ requests

    async def start(self):
        for url in self.start_list:
            request = self._request(url, "listing", url, None, "")
            if request is not None:
                yield request

    def _request(self, url: str, kind: str, site: str, referer, text: str, hops: int = 0, formdata=None,
                 first: bool = False, **meta):
        """A bounded request; `first` (the start page, a list endpoint's first page) is asked again on every
        run, so that a later run sees what the column added since."""
        fields = {"site": site, "referer": referer, "link_text": text, "kind": kind}
        if self.depth_limit and hops > self.depth_limit:
            self._record(url, "bound", f"more than {self.depth_limit} link hops from the start page (--depth)",
                         **fields)
            return None
        count = self.site_requests[site] = self.site_requests.get(site, 0) + 1
        if self.site_limit and count > self.site_limit and url != site:
            self._record(url, "bound", f"the site's bound of {self.site_limit} requests was reached", **fields)
            return None
        meta.update(kind=kind, site=site, referer=referer, link_text=text, hops=hops)
        dont_filter = first or (kind == "listing" and url == site)
        if formdata is not None:
            return FormRequest(url, formdata=formdata, callback=self.on_response, errback=self.on_error, meta=meta,
                               dont_filter=dont_filter)
        return Request(url, callback=self.on_response, errback=self.on_error, meta=meta, dont_filter=dont_filter)

    def _record(self, url: str, outcome: str, reason: str = "", **fields) -> None:
        self.writer.write(mf.record(url, outcome, reason, fetched_at=fields.pop("fetched_at", mf.now()), **fields))
        self.recorded.add(url)

    def _meta_fields(self, meta: dict) -> dict:
        return {"site": meta.get("site"), "referer": meta.get("referer"), "link_text": meta.get("link_text"),
                "kind": meta.get("kind")}

    def _resp_fields(self, response) -> dict:
        return {**self._meta_fields(response.meta), "status": response.status, "bytes": len(response.body),
                "content_type": response.headers.get(b"Content-Type", b"").decode("latin-1") or None}

    def _consider(self, link: detail.Link, response, pair_with: str = ""):
        """A link seen on a listing page: follow it if it is a report candidate, record it otherwise."""
        if link.url in self.considered or link.url == response.url or not link.url.startswith(("http:", "https:")):
            return
        self.considered.add(link.url)
        kind = listing.classify(link.text, link.url)
        fields = {"site": response.meta["site"], "referer": response.url, "link_text": link.text}
        if kind == "ignore":
            return
        if not self.follow_offsite and _host(link.url) not in self.hosts:
            self._record(link.url, "offsite", "link to another host, not followed", **fields)
        elif kind == "pre2019":
            self._record(link.url, "pre2019", "pre-2019 report, not the national template "
                         f"(title names {listing.report_year(link.text)})", **fields)
        elif kind == "not_report":
            self._record(link.url, "not_report", "the title names no annual report", **fields)
        else:
            as_file = detail.ATTACHMENT_EXTENSIONS
            is_file = urlsplit(link.url).path.lower().endswith(as_file)
            yield from self._follow(link, response, "attachment" if is_file else "detail", pair_with)

    def _follow(self, link: detail.Link, response, kind: str, pair_with: str = ""):
        if link.url in self.saved:  # saved by an earlier, interrupted run
            return
        yield from filter(None, [self._request(link.url, kind, response.meta["site"], response.url, link.text,
                                               hops=response.meta.get("hops", 0) + 1, pair_with=pair_with)])

    def _list_call(self, url: str, kind: str, response, first: bool = False, formdata=None, **meta):
        """A call of a column's list endpoint: same hop count as the listing page that names it."""
        if first:
            key = (kind, url, json.dumps(formdata, sort_keys=True))
            if key in self.apis_started:  # every static page of the column names the same endpoint
                return
            self.apis_started.add(key)
        yield from filter(None, [self._request(url, kind, response.meta["site"], response.url, "",
                                               hops=response.meta.get("hops", 0), formdata=formdata, first=first,
                                               **meta)])

    # ------------------------------------------------------------------ responses

    def on_response(self, response):
        meta = response.meta
        if 300 <= response.status < 400 and b"Location" in response.headers:
            yield from self._redirect(response)
            return
        if response.status >= 400:
            retried = meta.get("retry_times", 0)
            reason = f"HTTP {response.status}" + (f" after {retried} retries" if retried else "")
            self._record(response.url, "http_error", reason, **self._resp_fields(response))
            return
        handler = {"listing": self.on_listing, "hanweb": self.on_hanweb, "gkmlpt": self.on_gkmlpt,
                   "trs_search": self.on_trs_search, "detail": self.on_detail,
                   "attachment": self.on_attachment}[meta["kind"]]
        yield from handler(response) or ()

    def _redirect(self, response):
        meta = response.meta
        chain = list(meta.get("chain") or []) + [response.url]
        target = urljoin(response.url, response.headers[b"Location"].decode("latin-1"))
        fields = self._resp_fields(response)
        if target in chain or len(chain) > MAX_REDIRECTS:
            self._record(chain[0], "redirect_loop", "redirect loop: " + " → ".join(chain + [target]), **fields)
            return
        if not self.follow_offsite and _host(target) not in self.hosts:
            self._record(chain[0], "offsite", f"redirects to another host ({target}), not followed", **fields)
            return
        self._record(response.url, "redirect", f"HTTP {response.status} to {target}", **fields)
        new = {k: v for k, v in meta.items() if k in ("kind", "site", "referer", "link_text", "pair_with", "hops")}
        yield Request(target, callback=self.on_response, errback=self.on_error, meta={**new, "chain": chain})

    def _html(self, response) -> str:
        return decode_html(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"))

    def _is_html(self, response) -> bool:
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        head = response.body[:512].lstrip().lower()
        return "html" in ctype or head.startswith((b"<!doctype", b"<html", b"<?xml"))

    def on_listing(self, response):
        html = self._html(response)
        doc = detail.parse(html)
        trs = list_api.trs_list_model(html, response.url)
        incomplete = trs is not None and trs.endpoint is None
        self._record(response.url, "listing", "listing page" + (
            f"; incomplete: the pager names {trs.record_count or 'more'} records, the rest come from a search "
            "endpoint this page does not name" if incomplete else ""), incomplete=incomplete or None,
            **self._resp_fields(response))
        page_links = listing.links(doc, response.url)
        for url in listing.create_page_html(html, response.url) + listing.pager_links(page_links, response.url):
            if url not in self.considered and url != response.url:
                self.considered.add(url)
                yield from filter(None, [self._request(url, "listing", response.meta["site"], response.url, "",
                                                       hops=response.meta.get("hops", 0))])
        endpoint = listing.hanweb_endpoint(html, response.url)
        if endpoint:
            yield from self._hanweb_call(endpoint[0], endpoint[1], 1, response)
        gkmlpt = list_api.gkmlpt_first_page(html, response.url, response.meta["site"])
        if gkmlpt:
            yield from self._list_call(gkmlpt, "gkmlpt", response, first=True)
        if trs is not None and trs.endpoint:
            yield from self._list_call(list_api.trs_call(trs.endpoint, 1), "trs_search", response, first=True,
                                       formdata=trs.form, endpoint=trs.endpoint, form=trs.form, page=1,
                                       expected=trs.record_count)
        for link in listing.record_links(listing.hanweb_static_records(html), response.url) + page_links:
            yield from self._consider(link, response)

    def _hanweb_call(self, endpoint: str, form: dict, start: int, response):
        yield from self._list_call(listing.hanweb_call(endpoint, start), "hanweb", response, first=start == 1,
                                   formdata=form, endpoint=endpoint, form=form, start=start)

    def on_hanweb(self, response):
        xml = decode_html(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"))
        total = listing.hanweb_total(xml)
        self._record(response.url, "listing", f"Hanweb dataproxy records from {response.meta['start']} of {total}",
                     **self._resp_fields(response))
        for link in listing.record_links(listing.hanweb_static_records(xml), response.urljoin("/")):
            yield from self._consider(link, response)
        nxt = response.meta["start"] + listing.HANWEB_PER_CALL
        if nxt <= total:
            yield from self._hanweb_call(response.meta["endpoint"], response.meta["form"], nxt, response)

    def _no_list(self, response, what: str) -> None:
        self._record(response.url, "error", f"the {what} answered no list (not the JSON it serves)",
                     **self._resp_fields(response))

    def on_gkmlpt(self, response):
        page = list_api.gkmlpt_page(self._html(response), response.url)
        if not page.ok:
            return self._no_list(response, "gkmlpt list API")
        self._record(response.url, "listing", f"gkmlpt list API: {len(page.links)} of {page.total} articles",
                     **self._resp_fields(response))
        for url in page.more:
            yield from self._list_call(url, "gkmlpt", response)
        for link in page.links:
            yield from self._consider(link, response)

    def on_trs_search(self, response):
        meta = response.meta
        page, count = list_api.trs_page(self._html(response), response.url)
        if not page.ok:
            return self._no_list(response, "TRS search endpoint")
        expected = meta.get("expected")  # what the column page's pager says it holds
        short = expected is not None and page.total is not None and page.total < expected
        self._record(response.url, "listing", f"TRS search page {meta['page']} of {count}: {len(page.links)} records"
                     + (f" of {page.total}" if page.total is not None else "") + (
                         f"; incomplete: the column page's pager names {expected} records" if short else ""),
                     incomplete=short or None, **self._resp_fields(response))
        if meta["page"] == 1:
            for n in range(2, count + 1):
                yield from self._list_call(list_api.trs_call(meta["endpoint"], n), "trs_search", response,
                                           formdata=meta["form"], endpoint=meta["endpoint"], form=meta["form"], page=n)
        for link in page.links:
            yield from self._consider(link, response)

    def on_detail(self, response):
        if not self._is_html(response):  # the list entry is the file itself
            yield from self.on_attachment(response)
            return
        doc = detail.parse(self._html(response))
        fields = self._resp_fields(response)
        is_report = detail.body_is_report(doc)
        target = detail.meta_refresh(doc, response.url)
        if target and not is_report:
            self._record(response.url, "deleted", f"meta refresh to {target} (document withdrawn)", **fields)
            return
        title = detail.page_title(doc)
        year = listing.report_year(title)
        if year is not None and year < 2019 and listing.classify(title, response.url) == "pre2019":
            self._record(response.url, "pre2019", f"pre-2019 report, not the national template (title names {year})",
                         **fields)
            return
        on_site = [a for a in detail.attachments(doc, response.url)
                   if self.follow_offsite or _host(a.url) in self.hosts]
        if is_report:
            self._save(response, PAGE_REPORT_REASON, fields)
        elif not on_site:
            self._record(response.url, "not_report", "no report tables and no attachment on the page", **fields)
            return
        else:
            self._record(response.url, "detail", f"{len(on_site)} attachment(s)", **fields)
        for link in on_site:
            pair = response.url if is_report else ""
            if link.url not in self.considered:
                self.considered.add(link.url)
                yield from self._follow(link, response, "attachment", pair)

    def on_attachment(self, response):
        fields = self._resp_fields(response)
        fields["kind"] = "attachment"
        self._save(response, "", fields)
        return ()

    def _save(self, response, reason: str, fields: dict) -> None:
        disposition = response.headers.get(b"Content-Disposition")
        name = choose_name(disposition, response.url, response.meta.get("link_text") or "",
                           fields.get("content_type"), response.body[:512])
        sha, rel, dup = self.files.save(name, response.body)
        pair = response.meta.get("pair_with") or ""
        self._record(response.url, "saved", reason or ("全真版 of " + pair if pair else "attachment"),
                     sha256=sha, path=rel, name=name, pair_with=pair or None, duplicate=dup, **fields)

    def on_error(self, failure):
        request = failure.request
        text = str(failure.value)
        name = failure.value.__class__.__name__
        fields = self._meta_fields(request.meta)
        if "robots.txt" in text:
            outcome, reason = "robots", "forbidden by robots.txt"
        elif "max size" in text:
            m = re.search(r"(\d+) bytes which is larger than download max size \((\d+)\)", text)
            outcome = "too_large"
            reason = (f"{m.group(1)} bytes, over the {m.group(2)}-byte download bound" if m else
                      "over the download size bound")
        elif "Timeout" in name or "timed out" in text.lower():
            outcome, reason = "timeout", f"no answer within the download timeout ({name})"
        elif "Offsite" in name or "offsite" in text.lower():
            outcome, reason = "offsite", "another host, not followed"
        else:
            outcome, reason = "error", f"{name}: {text}"[:300]
        self._record(request.url, outcome, reason, **fields)

    def closed(self, reason: str) -> None:
        self.writer.close()
