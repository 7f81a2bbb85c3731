"""Fetching one report by URL (`xxgk convert URL`): charset-aware, bounded, and following a detail page
to the attachment that holds its report."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from xxgk.model import ConversionError, Refused

USER_AGENT_SUFFIX = "(report converter; +https://pypi.org/project/xxgk/)"
MAX_BYTES = 100 * 1024 * 1024
MAX_REDIRECTS = 5
GB_LABELS = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "csgb2312", "euc-cn"}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _codec(label: Optional[str]) -> Optional[str]:
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    if label in GB_LABELS:
        return "gb18030"  # superset: pages labelled gb2312 routinely use GBK-only characters
    import codecs

    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: Optional[str]) -> Optional[str]:
    m = re.search(r"charset\s*=\s*([^\s;]+)", content_type or "", re.I)
    return m.group(1) if m else None


def decode_html(body: bytes, content_type: Optional[str] = None) -> str:
    """Page text: valid UTF-8 as such, else the charset of the HTTP header, then <meta charset>, then sniffed."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace")
    try:  # Chinese GBK text is practically never valid UTF-8, while pages labelled gb2312 often are UTF-8
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(body[:4096])
    for label in (header_charset(content_type), meta.group(1).decode("ascii") if meta else None):
        codec = _codec(label)
        if codec:
            try:
                return body.decode(codec)
            except UnicodeDecodeError:
                continue  # a wrong label: fall through to sniffing
    for codec in ("utf-8", "gb18030"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict
    body: bytes
    referer: Optional[str] = None
    fetched_at: str = ""
    redirects: list = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def http_get(url: str, timeout: float = 30.0, max_bytes: int = MAX_BYTES, referer: Optional[str] = None) -> Fetched:
    """GET with a size bound and at most MAX_REDIRECTS redirects; raises ConversionError on failure."""
    import requests

    from xxgk import __version__
    from xxgk.crawl.manifest import now

    headers = {"User-Agent": f"xxgk/{__version__} {USER_AGENT_SUFFIX}"}
    if referer:
        headers["Referer"] = referer
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    try:
        with session.get(url, timeout=timeout, headers=headers, stream=True) as resp:
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise Refused(f"download is {declared} bytes, over the {max_bytes}-byte bound")
            chunks, size = [], 0
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise Refused(f"download is over the {max_bytes}-byte bound")
                chunks.append(chunk)
            if resp.status_code >= 400:
                raise ConversionError(f"download failed: HTTP {resp.status_code}")
            return Fetched(resp.url, resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                           b"".join(chunks), referer, now(), [r.url for r in resp.history])
    except requests.TooManyRedirects:
        raise ConversionError(f"download failed: more than {MAX_REDIRECTS} redirects (a redirect loop?)")
    except requests.RequestException as e:
        raise ConversionError(f"download failed: {e.__class__.__name__}: {e}")


def _is_html(f: Fetched) -> bool:
    return "html" in f.content_type.lower() or f.body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def fetch_report(url: str, timeout: float = 30.0, max_bytes: int = MAX_BYTES) -> tuple[bytes, str, dict]:
    """(bytes, file name, source fields) of the report at url; a detail page whose report is an
    attachment gives the attachment (a page offering 文字版 and 全真版 gives its own 文字版 text)."""
    from xxgk.crawl import detail
    from xxgk.crawl.names import choose_name

    page = http_get(url, timeout, max_bytes)
    source = {"url": page.url, "referer": None, "fetched_at": page.fetched_at}
    if not _is_html(page):
        name = choose_name(page.headers.get("content-disposition", "").encode("latin-1", "replace") or None,
                           page.url, "", page.content_type, page.body[:512])
        return page.body, name, source
    doc = detail.parse(decode_html(page.body, page.content_type))
    target = detail.meta_refresh(doc, page.url)
    if target and not detail.body_is_report(doc):
        raise Refused(f"the page only refreshes to {target} (a deleted document?)")
    links = detail.attachments(doc, page.url)
    if detail.body_is_report(doc) or not links:
        return page.body, choose_name(None, page.url, "", page.content_type), source
    if len(links) > 1:
        names = ", ".join(link.url for link in links[:5])
        raise Refused(f"the page links {len(links)} attachments; convert the one holding the report: {names}")
    att = http_get(links[0].url, timeout, max_bytes, referer=page.url)
    disposition = att.headers.get("content-disposition")
    name = choose_name(disposition.encode("latin-1", "replace") if disposition else None, att.url, links[0].text,
                       att.content_type, att.body[:512])
    return att.body, name, {"url": att.url, "referer": page.url, "fetched_at": att.fetched_at}
