"""HTML report pages (government CMS articles, Word "save as web page" exports) to a Document.

Only the report body is kept: the CMS content container if one is recognisable, otherwise the
tightest element holding all of the report's section headings. Prose becomes Paragraphs, data
tables become Tables (spans placed with layout.grid.place_spans); layout tables are walked through.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional

from xxgk.model import ConversionError, Document, Paragraph, Table
from xxgk.layout.grid import SpanCell, place_spans
from xxgk.converters.html_tree import Node, TextIndex, own_caption, own_rows, parse, remove

# Encoding lives in html_charset; re-exported because callers know it as part of the HTML converter.
from xxgk.converters.html_charset import declared_charset, decode_html  # noqa: E402,F401

# --------------------------------------------------------------------------- text helpers

# Characters between which a line break or source whitespace is not a word space.
CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201f\u2026\u00b7"
_CJK_CHAR = re.compile(f"[{CJK}]")
_ASCII_WS_NEAR_CJK = re.compile(f"(?<=[{CJK}])[ \t\r\n]+|[ \t\r\n]+(?=[{CJK}])")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def clean_inline(s: str) -> str:
    """Collapse whitespace of one rendered line.

    Plain source whitespace next to a CJK character is markup wrapping, not a space the author typed
    (Word splits `2023年` as `2023\\n<font>年`); &nbsp; and ideographic spaces stay as one space.
    """
    # Short lines recur (cells: 0, 无, the table headers): each is cleaned once; long ones are not kept.
    return _clean_short(s) if len(s) <= 200 else _clean_inline(s)


def _clean_inline(s: str) -> str:
    s = s.replace("\u200b", "").replace("\ufeff", "")
    s = _ASCII_WS_NEAR_CJK.sub("", s)
    return _WS.sub(" ", s).strip()


_clean_short = lru_cache(maxsize=16384)(_clean_inline)


def join_lines(lines: Iterable[str]) -> str:
    """Join lines of one cell: no space between two CJK characters, one space otherwise."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not (_CJK_CHAR.match(out[-1]) and _CJK_CHAR.match(line[0])):
            out += " "
        out += line
    return out


_SPLIT_NUMBER = re.compile(r"[0-9０-９][0-9０-９ ]*[0-9０-９]")


def clean_cell(lines: list[str]) -> str:
    text = join_lines(lines)
    if _SPLIT_NUMBER.fullmatch(text):
        text = text.replace(" ", "")  # a number typeset over several spans/lines
    return text


# --------------------------------------------------------------------------- markup classes

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "hgroup", "hr", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "tr", "td", "th", "ul", "ucapcontent", "body", "html",
}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIP_TAGS = {
    "script", "style", "noscript", "iframe", "object", "embed", "svg", "canvas", "template", "head",
    "title", "meta", "link", "button", "input", "select", "textarea", "option", "map", "audio", "video",
}
CHROME_TAGS = {"nav", "header", "footer", "aside"}  # dropped unless they hold the report itself
# id/class tokens of page furniture that CMSs put inside or next to the article.
_JUNK_ATTR = re.compile(
    r"^(bread|crumb|.*breadcrumb|position|location|curpos|dqwz|weizhi|share|bdshare|.*-share|fenxiang|"
    r"print|dayin|close|guanbi|toolbar|tools?|article-tools?|fontsize|zihao|font-size|pagination|"
    r"prev|next|prevnext|relate.*|xgwz|xglj|footer|header|nav|menu|sidebar|ewm|qrcode)$", re.I)
# Short lines that are page furniture whatever markup holds them: either they carry a site-chrome
# phrase, or they consist only of tool links like 【打印本页】【关闭窗口】.
_FURNITURE = re.compile(
    r"ICP备|ICP证|公网安备|版权所有|主办单位|承办单位|技术支持|网站标识码|网站地图|当前位置|您的位置|"
    r"您所在的位置|您现在的位置|浏览次数|访问量|点击数|阅读次数|分享到|字号[:：]|Copyright|©", re.I)
_TOOL_LINKS = re.compile(r"打印(本页|此页|本文|文章|页面)?|关闭(本页|窗口|此页|页面)?|保存(本页)?|收藏(本页)?|"
                         r"返回顶部|返回|扫一扫|[【】\[\]()（）|｜\s]")
_FURNITURE_MAX_LEN = 60

# Containers of the article text in the common Chinese government CMSs.
_KNOWN_IDS = re.compile(
    r"^(zoom|zoomcon|zoomcontent|content|contents|con|article|articlecontent|article[-_]content|"
    r"detail|details|detail[-_]content|main[-_]text|maintext|text|txt|body|art[-_]con|"
    r"trs_editor|custom_unionstyle|pages_content|news_content|newscontent|xxgk_content|"
    r"info[-_]?cont(ent)?|wzy_con|xlcon|nrcontent|fontzoom|ivs_content|zwnr|conTxt|view|"
    r"article-body|article_body|con_text|cont)$", re.I)
_KNOWN_TAGS = {"ucapcontent", "article"}

# The report's section headings: an element holding all of those the page holds is the report.
_MARKERS = [re.compile(p) for p in (
    r"一\s*[、.．]\s*总体情况",
    r"二\s*[、.．]\s*主动公开",
    r"三\s*[、.．]\s*收到和处理",
    r"四\s*[、.．][^。]{0,20}?行政复议",
    r"五\s*[、.．][^。]{0,30}?问题",
    r"六\s*[、.．]\s*其他需要报告",
    r"勾稽关系",
)]


# The same class, id and style values recur on every element of a page (MsoNormal): each is judged once.
@lru_cache(maxsize=8192)
def _attr_tokens_match(pattern: re.Pattern, classes: str, id_: str) -> bool:
    tokens = classes.split()
    if id_:
        tokens.append(id_)
    return any(pattern.match(t) for t in tokens)


def _attrs_match(el: Node, pattern: re.Pattern) -> bool:
    """Some class of the element, or its id, matches `pattern`."""
    attrs = el.attrs
    return bool(attrs) and _attr_tokens_match(pattern, attrs.get("class") or "", attrs.get("id") or "")


@lru_cache(maxsize=8192)
def _hiding_style(style: str) -> bool:
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _is_hidden(el: Node) -> bool:
    if not el.attrs:
        return False
    return _hiding_style(el.get("style") or "") or el.has_attr("hidden")


def _is_known_container(el: Node) -> bool:
    return el.name in _KNOWN_TAGS or _attrs_match(el, _KNOWN_IDS)


def _is_chrome(el: Node, index: TextIndex) -> bool:
    # An HTML5 <header>/<footer> inside <article> belongs to the article (title, date), not the site.
    if el.name in ("header", "footer"):
        return not index.inside[id(el)]
    return el.name in CHROME_TAGS


def strip_furniture(root: Node) -> TextIndex:
    """Remove non-content elements in place; returns the text index of what is left.

    Every element is judged on the page as parsed (one text index, one pass in document order);
    what is inside a removed element is not judged again.
    """
    index = TextIndex(root, _MARKERS, ancestors=frozenset({"article", "main"}))
    removed_until = -1  # last pre-order number inside a removed subtree
    dropped: list[Node] = []
    for el in root.descendants():
        if el.index <= removed_until:
            continue
        if el.name in SKIP_TAGS or _is_hidden(el):
            dropped.append(el)
            removed_until = el.last
        elif _is_chrome(el, index) or (el.name not in ("body", "html") and _attrs_match(el, _JUNK_ATTR)):
            if not index.marker_count(el):  # never drop something that holds the report
                dropped.append(el)
                removed_until = el.last
    remove(dropped)
    return index.without(dropped)


def find_body(soup: Node, index: Optional[TextIndex] = None) -> Node:
    """The element holding the report: tightest known container with all headings, else tightest element."""
    index = index or TextIndex(soup, _MARKERS)
    root = soup.find("body") or soup
    whole = index.marker_count(root)
    known = [el for el in root.descendants() if _is_known_container(el)]
    if whole:
        sized = [(el, index.length(el)) for el in known if index.marker_count(el) >= whole]
        if sized:
            return min(sized, key=lambda p: p[1])[0]
        blocks = [el for el in root.find_all(["div", "td", "section", "article", "main", "ucapcontent"])
                  if index.marker_count(el) >= whole]
        if blocks:
            return min(blocks, key=index.length)
        return root
    with_text = [el for el in known if index.has_ink(el)]
    if with_text:
        return max(with_text, key=index.length)
    return root


# --------------------------------------------------------------------------- tables

_SPAN = re.compile(r"\s*(\d+)")


def _span(value: Optional[str]) -> int:
    if not value:
        return 1
    m = _SPAN.match(value)
    n = int(m.group(1)) if m else 1
    return n if 1 <= n <= 1000 else 1


_END_OF_BLOCK = object()  # pushed after a block's contents: the line ends when the block does


def _lines(el: Node) -> list[str]:
    """Rendered lines of an element: <br> and block elements end a line."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = clean_inline("".join(buf))
        if line:
            lines.append(line)
        buf.clear()

    stack = list(reversed(el.contents))
    while stack:
        item = stack.pop()
        if type(item) is Node:
            if item.name == "br" or item.name in BLOCK_TAGS:
                flush()
                stack.append(_END_OF_BLOCK)
            stack.extend(reversed(item.contents))
        elif item is _END_OF_BLOCK:
            flush()
        else:
            buf.append(item)
    flush()
    return lines


def _cells(tr: Node) -> list[Node]:
    return [c for c in tr.children() if c.name in ("td", "th")]


def is_layout_table(table: Node, index: Optional[TextIndex] = None) -> bool:
    """A table used for page layout: holds other tables, or is a single box."""
    holds_table = index.table_below(table) if index is not None else table.find("table") is not None
    if holds_table:
        return True
    cells = [c for tr in own_rows(table) for c in _cells(tr)]
    return len(cells) <= 1


def build_table(table: Node) -> Optional[Table]:
    rows: list[list[SpanCell]] = []
    for tr in own_rows(table):
        tds = _cells(tr)
        if not tds:
            continue
        rows.append([SpanCell(text=clean_cell(_lines(td)), rowspan=_span(td.get("rowspan")),
                              colspan=_span(td.get("colspan"))) for td in tds])
    # Word exports end tables with an empty row of width-setting cells.
    while rows and not any(c.text for c in rows[-1]):
        rows.pop()
    if not rows or not any(c.text for row in rows for c in row):
        return None
    return place_spans(rows)


# --------------------------------------------------------------------------- blocks

def is_furniture(text: str) -> bool:
    return len(text) <= _FURNITURE_MAX_LEN and bool(_FURNITURE.search(text) or not _TOOL_LINKS.sub("", text))


class _BlockWriter:
    """Walks the body in document order, emitting Paragraphs and Tables.

    An explicit stack instead of recursion: pages nest thousands of elements deep.
    """

    def __init__(self, index: TextIndex) -> None:
        self.index = index
        self.blocks: list = []
        self.buf: list[str] = []
        self.style: Optional[str] = None

    def flush(self) -> None:
        text = clean_inline("".join(self.buf))
        self.buf.clear()
        if text and not is_furniture(text):
            self.blocks.append(Paragraph(text=text, style=self.style))

    def walk(self, node: Node) -> None:
        self._run(list(reversed(node.contents)))

    def element(self, el: Node) -> None:
        self._run([el])

    def _end_heading(self) -> None:
        self.flush()
        self.style = None

    def _table(self, el: Node) -> None:
        self.flush()
        table = build_table(el)
        if table is not None:
            self.blocks.append(table)
        self.flush()

    def _run(self, stack: list) -> None:
        """Pop nodes (or deferred actions) until done; children are pushed in reverse order."""
        while stack:
            item = stack.pop()
            if isinstance(item, Node):
                self._open(item, stack)
            elif isinstance(item, str):
                self.buf.append(item)
            else:
                item()

    def _open(self, el: Node, stack: list) -> None:
        children = list(reversed(el.contents))
        if el.name == "br":
            self.flush()
        elif el.name == "table":
            self.flush()
            if is_layout_table(el, self.index):
                stack.append(self.flush)
                stack.extend(children)
            else:
                stack.append(lambda el=el: self._table(el))
                caption = own_caption(el)
                if caption is not None:
                    stack.append(self.flush)
                    stack.extend(reversed(caption.contents))
        elif el.name in HEADING_TAGS:
            self.flush()
            self.style = "heading"
            stack.append(self._end_heading)
            stack.extend(children)
        elif el.name in BLOCK_TAGS:
            self.flush()
            stack.append(self.flush)
            stack.extend(children)
        else:
            stack.extend(children)


# --------------------------------------------------------------------------- metadata

_DATE = r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_PUBLISHED_TEXT = re.compile(
    r"(?:(?:发布时间|发布日期|公开日期|发文日期|成文日期|发布于)\s*[:：]?|(?<![统计])(?:时间|日期)\s*[:：])\s*" + _DATE)
_PUBLISHED_META = {"pubdate", "publishdate", "firstpublishedtime", "publishtime", "publish_date",
                   "article:published_time", "dc.date", "dcterms.issued", "dc.date.issued"}
_SITE_TEXT = re.compile(r"(?:信息来源|来源|发布机构)\s*[:：]\s*([\u4e00-\u9fff（）()]{2,30})")


def _date(text: str) -> Optional[str]:
    m = re.search(_DATE, text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _metas(soup: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in soup.find_all("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        if key and m.get("content") and key not in out:
            out[key] = m.get("content").strip()
    return out


def _report_segment(page_title: str) -> str:
    """`XX局2023年…年度报告-XX局` → the part naming the report (CMS titles append the site name)."""
    parts = [p.strip() for p in re.split(r"\s*[-_|｜—]+\s*", page_title) if p.strip()]
    return next((p for p in parts if "报告" in p), page_title)


def page_metadata(soup: Node) -> dict:
    meta = _metas(soup)
    out: dict = {}
    title_tag = soup.find("title")
    page_title = clean_inline(title_tag.text()) if title_tag else ""
    if page_title:
        out["page_title"] = page_title
    article_title = meta.get("articletitle") or ""
    if not article_title:
        ucap = soup.find("ucaptitle")
        article_title = clean_inline(ucap.text()) if ucap else ""
    title = clean_inline(article_title) or _report_segment(page_title)
    if title:
        out["title"] = title
    published = next((_date(meta[k]) for k in _PUBLISHED_META if k in meta and _date(meta[k])), None)
    if not published:
        tag = soup.find("publishtime")
        published = _date(tag.text()) if tag else None
    body_text = None
    if not published:
        body_text = clean_inline((soup.find("body") or soup).text(" "))
        m = _PUBLISHED_TEXT.search(body_text)
        published = _date(m.group(0)) if m else None
    if published:
        out["published"] = published
    site = meta.get("sitename") or meta.get("og:site_name")
    if site:
        out["site"] = site
    source = meta.get("contentsource") or meta.get("source")
    if not source:
        if body_text is None:
            body_text = clean_inline((soup.find("body") or soup).text(" "))
        m = _SITE_TEXT.search(body_text)
        source = m.group(1) if m else None
    if source:
        out["publisher"] = source
    return out


# --------------------------------------------------------------------------- entry point

def convert(data: bytes, name: str) -> Document:
    if not data or not data.strip():
        raise ConversionError(f"{name}: empty file")
    text, encoding, encoding_note = decode_html(data)
    if "\x00" in text or text.count("\ufffd") > max(10, len(text) // 20):
        raise ConversionError(f"{name}: not an HTML page (binary content)")
    soup = parse(text)
    metadata = page_metadata(soup)
    metadata["encoding"] = encoding
    index = strip_furniture(soup)
    body = find_body(soup, index)
    writer = _BlockWriter(index)
    writer.element(body) if body.name != "[document]" else writer.walk(body)
    writer.flush()
    blocks = writer.blocks
    if not blocks:
        raise ConversionError(f"{name}: HTML page has no text")
    _prepend_title(blocks, soup, body, metadata.get("title"))
    doc = Document(blocks=blocks, metadata=metadata)
    doc.source.format = "html"
    if encoding_note:
        doc.warn("encoding", encoding_note, raw=encoding)
    return doc


def _prepend_title(blocks: list, soup: Node, body: Node, title: Optional[str]) -> None:
    """Put the article's own title first when the CMS prints it outside the content container."""
    if not title or "报告" not in title:
        return
    first_texts = [b.text for b in blocks[:3] if isinstance(b, Paragraph)]
    if any(title in t or t in title for t in first_texts if len(t) >= 8):
        return
    blocks.insert(0, Paragraph(text=title, style="title"))
