"""Listing pages: which links are report candidates, and every way a column pages on (agency-sites.md §1-2).

Pagination read from the page itself: TRS createPageHTML (0-based 4 arguments, 1-based 6 arguments),
下一页/尾页 links, index_N / ?page=N links, and the Hanweb dataproxy.jsp XML behind a static first page.
"""
from __future__ import annotations

import re
from typing import Optional
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from xxgk.crawl.detail import Link

REPORT_TITLE = re.compile(r"年度报告|年报|信息公开工作报告|信息公开.{0,6}年度|年度.{0,4}信息公开")
NOT_A_REPORT = re.compile(r"通知|编制|工作要点|解读|方案|意见|办法|规定|征集|公示|图解|问答|格式")
# A list entry titled only with a unit's name (部门年报 columns) is a candidate by its URL: a document
# in a report column, the annual-report module, or a file whose own name names a report.
REPORT_COLUMN_URL = re.compile(r"/(?:zfxxgknb|zfxxgkndbg|xxgknb|gknb|wzxxgknb|xxgkndbg|\d{4}nzfxxgkndbg|xxgk-xxgknb|"
                               r"ndbg|bmnb)(?:_\d+)?/", re.I)
DOCUMENT_URL = re.compile(r"/(?:t\d{8}_\d+|art_\d+_\d+|post_\d+|[0-9a-f]{32}|\d{15,})\.s?html?$|"
                          r"\.(?:pdf|docx?|wps|ofd)$", re.I)
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
NEXT_WORDS = ("下一页", "下页", "尾页", "末页", "后页")
MIN_TITLE_CHARS = 8  # shorter link texts are navigation (首页, 政务公开), not list entries


def report_year(text: str) -> Optional[int]:
    """The year a report title reports on (the first year named in it)."""
    m = YEAR.search(text)
    return int(m.group(1)) if m else None


def _report_url(url: str) -> bool:
    parts = urlsplit(url)
    if "xxgkAnnualReport" in parts.path:
        return True
    name = unquote(parts.path.rsplit("/", 1)[-1])
    return bool(REPORT_COLUMN_URL.search(parts.path) and DOCUMENT_URL.search(parts.path)) or (
        bool(DOCUMENT_URL.search(parts.path)) and bool(REPORT_TITLE.search(name)))


def classify(text: str, url: str) -> str:
    """'candidate', 'pre2019', 'not_report' (a list entry that names no report) or 'ignore' (navigation)."""
    title = re.sub(r"\s+", "", text)
    if NOT_A_REPORT.search(title):
        return "not_report" if len(title) >= MIN_TITLE_CHARS else "ignore"
    if REPORT_TITLE.search(title) or _report_url(url):
        year = report_year(title) or report_year(unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
        return "pre2019" if year is not None and year < 2019 else "candidate"
    return "not_report" if len(title) >= MIN_TITLE_CHARS else "ignore"


def links(doc, base: str) -> list[Link]:
    out = []
    for a in doc.xpath("//a[@href]"):
        href = a.get("href").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        text = a.get("title") or a.text_content() or ""
        out.append(Link(urljoin(base, href).split("#")[0], re.sub(r"\s+", " ", text).strip()))
    return out


def _args(call: str) -> list[str]:
    return [a.strip().strip("'\"") for a in call.split(",")]


def create_page_html(html: str, url: str) -> list[str]:
    """Every page a TRS createPageHTML(...) call names, read from its own arguments.

    4 arguments (count, index, name, ext): 0-based, page k+1 is name_k.ext.
    6 arguments (div, count, current, name, ext, total): 1-based, page N is name_N.ext.
    Page 1 is name.ext in both.
    """
    out: list[str] = []
    for call in re.findall(r"createPageHTML\s*\(([^)]*)\)", html):
        args = _args(call)
        if len(args) == 4 and args[0].isdigit():
            count, name, ext, first = int(args[0]), args[2], args[3], 1
        elif len(args) == 6 and args[1].isdigit():
            count, name, ext, first = int(args[1]), args[3], args[4], 2
        else:
            continue  # template placeholders (${PAGE_COUNT}) or an unknown variant: do not guess
        if not re.fullmatch(r"[\w-]+", name) or not re.fullmatch(r"\w+", ext):
            continue
        out.append(urljoin(url, f"{name}.{ext}"))
        last = count - 1 if first == 1 else count
        out += [urljoin(url, f"{name}_{k}.{ext}") for k in range(first, last + 1)]
    return out


def pager_links(page_links: list[Link], url: str) -> list[str]:
    """下一页/尾页 links, and index_N / ?page=N links that stay in this column."""
    here = urlsplit(url)
    folder = here.path.rsplit("/", 1)[0] + "/"
    out = []
    for link in page_links:
        target = urlsplit(link.url)
        if target.netloc != here.netloc:
            continue
        if any(w in link.text for w in NEXT_WORDS):
            out.append(link.url)
        elif target.path.startswith(folder) and re.fullmatch(r"(index|list|default)_\d+\.s?html?",
                                                             target.path[len(folder):]):
            out.append(link.url)
        elif target.path == here.path and re.search(r"(?:^|&)(page|pageNo|pageNum|PageIndex|currPage|pn)=\d+",
                                                     target.query):
            out.append(link.url)
    return out


# --------------------------------------------------------------------------- Hanweb 大汉 JCMS

HANWEB_PER_CALL = 45  # what the site's own script asks for: 3 visible pages of 15


def hanweb_static_records(html: str) -> list[str]:
    """The <li> records a Hanweb page carries inline in its <script type="text/xml"> datastore."""
    return re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", html, re.S)


def hanweb_endpoint(html: str, url: str) -> Optional[tuple[str, dict]]:
    """(dataproxy.jsp URL, form fields) from the datastore's nextgroup link, or None."""
    m = re.search(r"""href=["']([^"']*dataproxy\.jsp\?[^"']*)["']""", html)
    if not m:
        return None
    target = urlsplit(urljoin(url, m.group(1).replace("&amp;", "&")))
    fields = dict(parse_qsl(target.query))
    form = {k: fields[k] for k in ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
            if k in fields}
    form["col"] = "1"
    return f"{target.scheme}://{target.netloc}{target.path}", form


def hanweb_call(endpoint: str, start: int) -> str:
    end = start + HANWEB_PER_CALL - 1
    return f"{endpoint}?{urlencode({'startrecord': start, 'endrecord': end, 'perpage': 15})}"


def hanweb_total(xml: str) -> int:
    m = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", xml)
    return int(m.group(1)) if m else 0


def record_links(records: list[str], base: str) -> list[Link]:
    out = []
    for rec in records:
        for href, attrs, text in re.findall(r"""<a[^>]*?href=["']([^"']+)["']([^>]*)>(.*?)</a>""", rec, re.S):
            title = re.search(r"""title=["']([^"']+)["']""", attrs)
            label = title.group(1) if title else re.sub(r"<[^>]+>", "", text)
            out.append(Link(urljoin(base, href.strip()), re.sub(r"\s+", " ", label).strip()))
    return out
