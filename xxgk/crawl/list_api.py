"""JSON list endpoints behind columns whose HTML shows only part of the list (agency-sites.md §1):

Guangdong gkmlpt: the page carries `SID: '755031'`, the column is the URL's fragment (…/gkmlpt/index#2155),
the list is `GET …/gkmlpt/api/all/{catId}?page=N&sid={SID}` → {total, articles: [{title, url, post_url}]}.
TRS 动静结合: the page shows the first `maxStaticIndex` pages and a `listModel({... listArgs:{channelid,
classsql, sortfield}, pagebar:{prepage, recordCount}})` call; the full list is `POST /<app>/search`
(channelid, sortfield, classsql, page, prepage) → {data: [{doctitle, docpuburl}], pageCount}.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlencode, urljoin, urlsplit

from xxgk.crawl.detail import Link

GKMLPT_SID = re.compile(r"""\bSID\s*:\s*['"]?(\d+)""")
TRS_PREPAGE = 100  # records asked per search call; the server may answer fewer (it then reports more pages)
TITLE_KEYS = ("title", "doctitle", "DOCTITLE")
URL_KEYS = ("url", "post_url", "docpuburl", "DOCPUBURL", "chnldocurl")


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _article_links(items, base: str) -> list[Link]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = next((item[k] for k in URL_KEYS if isinstance(item.get(k), str) and item[k].strip()), None)
        title = next((item[k] for k in TITLE_KEYS if isinstance(item.get(k), str)), "")
        if url:
            out.append(Link(urljoin(base, url.strip()), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", title)).strip()))
    return out


# --------------------------------------------------------------------------- Guangdong gkmlpt

def gkmlpt_first_page(html: str, url: str, site: str) -> Optional[str]:
    """The list API's page 1 for a gkmlpt column page, or None. The column id is the fragment of the
    URL the user gave (the SPA keeps it there); without one, category 0 (every document) is listed."""
    parts = urlsplit(url)
    if "/gkmlpt/" not in parts.path + "/":
        return None
    sid = GKMLPT_SID.search(html)
    if not sid:
        return None
    frag = next((f for f in (urlsplit(site).fragment, parts.fragment) if f.isdigit()), "0")
    prefix = parts.path.split("/gkmlpt/")[0]
    return f"{parts.scheme}://{parts.netloc}{prefix}/gkmlpt/api/all/{frag}?page=1&sid={sid.group(1)}"


@dataclass
class ApiPage:
    links: list = field(default_factory=list)
    more: list = field(default_factory=list)  # further page requests to make (only read from page 1)
    total: Optional[int] = None
    ok: bool = True


def gkmlpt_page(text: str, url: str) -> ApiPage:
    data = _json(text)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        return ApiPage(ok=False)
    links = _article_links(data["articles"], url)
    total = data.get("total") if isinstance(data.get("total"), int) else None
    more = []
    per_page = len(data["articles"])  # the server's page size (entries without a URL count too)
    if re.search(r"[?&]page=1(?:&|$)", url) and total and per_page:
        pages = math.ceil(total / per_page)
        more = [re.sub(r"([?&]page=)1(?=&|$)", rf"\g<1>{n}", url) for n in range(2, pages + 1)]
    return ApiPage(links, more, total)


# --------------------------------------------------------------------------- TRS 动静结合 search

@dataclass
class TrsList:
    endpoint: Optional[str]  # the search app's URL, None when the page does not name it
    form: dict  # channelid, sortfield, classsql
    record_count: Optional[int]  # what the pager says the column holds


def _js_value(body: str, key: str) -> Optional[str]:
    m = re.search(rf"""\b{key}\s*:\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))""", body)
    return next((g for g in m.groups() if g is not None), None) if m else None


def trs_list_model(html: str, url: str) -> Optional[TrsList]:
    """The listModel({...}) call of a TRS 动静结合 list, with the search endpoint the page names."""
    start = html.find("listModel(")
    if start < 0:
        return None
    body = html[start:start + 4000]
    channel = _js_value(body, "channelid")
    if not channel or not channel.isdigit():
        return None
    form = {"channelid": channel, "sortfield": _js_value(body, "sortfield") or "-docreltime"}
    if _js_value(body, "classsql"):
        form["classsql"] = _js_value(body, "classsql")
    count = _js_value(body, "recordCount")
    # the search app: a url/searchUrl key of the call, else any "/<app>/search" literal on the page
    named = _js_value(body, "(?:url|searchUrl|apiUrl)")
    if not (named and named.rstrip("/").endswith("search")):
        scripts = "\n".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S | re.I))  # not a search <form>
        m = re.search(r"""["']((?:https?://[^"'\s]+)?/[\w./-]*?search)["']""", scripts)
        named = m.group(1) if m else None
    return TrsList(urljoin(url, named) if named else None, form, int(count) if count and count.isdigit() else None)


def trs_call(endpoint: str, page: int) -> str:
    """The search URL of one page: page and prepage in the query (one manifest line per page), the rest posted."""
    return f"{endpoint}?{urlencode({'page': page, 'prepage': TRS_PREPAGE})}"


def trs_page(text: str, url: str) -> tuple[ApiPage, int]:
    """(links of this page, page count the search reports)."""
    data = _json(text)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        return ApiPage(ok=False), 0
    count = next((data[k] for k in ("pageCount", "pagecount", "totalPage") if isinstance(data.get(k), int)), 1)
    total = next((data[k] for k in ("total", "totalCount", "recordCount") if isinstance(data.get(k), int)), None)
    return ApiPage(_article_links(data["data"], url), total=total), count


__all__ = ["ApiPage", "TrsList", "gkmlpt_first_page", "gkmlpt_page", "trs_call", "trs_list_model", "trs_page"]
