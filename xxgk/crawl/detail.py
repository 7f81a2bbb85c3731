"""Detail pages: the content root, whether the page body is itself a report, its attachments, meta refresh."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

from xxgk.crawl.names import url_filename

# Content roots of the CMS families (agency-sites.md §3), most specific first; the longest text wins.
CONTENT_ROOTS = ("//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]", "//*[@id='zoom']",
                 "//ucapcontent", "//*[@id='zoomcon']", "//*[contains(@class, 'article_content')]",
                 "//div[contains(@class, 'bt-content')]", "//div[contains(@class, 'news_cont_d_wrap')]",
                 "//*[contains(@class, 'con_txt')]", "//*[contains(@class, 'article-content')]",
                 "//*[@id='content']", "//div[contains(@class, 'xl_content')]", "//div[contains(@class, 'mainText')]")
# Headings of the national template's tables: two of them make the page body a report.
REPORT_HEADINGS = ("主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议、行政诉讼情况",
                   "行政复议和行政诉讼情况", "因政府信息公开申请提起行政复议")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".rtf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
ATTACHMENT_WORDS = ("附件", "下载", "全真版", "原文", "全文")


@dataclass
class Link:
    url: str
    text: str


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html or "<html></html>")


def _text(el) -> str:
    return re.sub(r"\s+", "", el.text_content() or "")


def content_root(doc) -> lxml.html.HtmlElement:
    found = [el for xp in CONTENT_ROOTS for el in doc.xpath(xp)]
    return max(found, key=lambda el: len(_text(el))) if found else (doc.find("body") if doc.find("body") is not None else doc)


def body_is_report(doc) -> bool:
    """True when the page's own text holds the template's tables (a 文字版 report), not just a link to one."""
    root = content_root(doc)
    text = _text(root)
    return sum(h in text for h in REPORT_HEADINGS) >= 2 and bool(root.xpath(".//table"))


def page_title(doc) -> str:
    for xp in ("//meta[@name='ArticleTitle']/@content", "//ucaptitle//text()", "//h1//text()", "//title//text()"):
        values = [v.strip() for v in doc.xpath(xp) if v.strip()]
        if values:
            return values[0]
    return ""


def meta_refresh(doc, base: str) -> Optional[str]:
    """Where a <meta http-equiv=refresh> sends the reader (TRS answers a deleted document so)."""
    for content in doc.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content"):
        m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", content, re.I)
        if m:
            return urljoin(base, m.group(1).strip())
    return None


def _viewer_target(url: str) -> Optional[str]:
    """The PDF a pdf.js viewer link shows (/generic2/web/viewer.html?file=…: the 全真版)."""
    parts = urlsplit(url)
    if "viewer" in parts.path.lower():
        files = parse_qs(parts.query).get("file")
        if files:
            return urljoin(url, files[0])
    return None


def _is_attachment(url: str, text: str) -> bool:
    if url_filename(url).lower().endswith(ATTACHMENT_EXTENSIONS) or text.lower().endswith(ATTACHMENT_EXTENSIONS):
        return True
    path = urlsplit(url).path.lower()
    return any(w in text for w in ATTACHMENT_WORDS) and not path.endswith((".html", ".htm", ".shtml", "/"))


def attachments(doc, base: str) -> list[Link]:
    """Attachment links of a detail page, each once, in page order (viewer links resolved to their file)."""
    root = content_root(doc)
    out: dict[str, Link] = {}
    for scope, strict in ((root, False), (doc, True)):
        for a in scope.xpath(".//a[@href]"):
            href = a.get("href").strip()
            if href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = urljoin(base, href).split("#")[0]
            text = re.sub(r"\s+", " ", a.text_content() or a.get("title") or "").strip()
            target = _viewer_target(url)
            if target:
                url = target
            elif not _is_attachment(url, text) or (strict and not url_filename(url).lower().endswith(ATTACHMENT_EXTENSIONS)):
                continue
            if url not in out:
                out[url] = Link(url, text)
    return list(out.values())
