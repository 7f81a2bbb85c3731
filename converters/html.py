"""HTML report pages (government CMS articles, Word "save as web page" exports) to a Document.

Only the report body is kept: the CMS content container if one is recognisable, otherwise the
tightest element holding all of the report's section headings. Prose becomes Paragraphs, data
tables become Tables (spans placed with layout.grid.place_spans); layout tables are walked through.
"""
from __future__ import annotations

import codecs
import re
from typing import Iterable, Optional

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from xxgk.model import ConversionError, Document, Paragraph, Table
from xxgk.layout.grid import SpanCell, place_spans

# --------------------------------------------------------------------------- encoding

GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "gb_2312", "csgb2312", "cp936", "ms936",
             "euc-cn", "hz-gb-2312"}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def declared_charset(data: bytes) -> Optional[str]:
    """First charset named by a <meta charset> or http-equiv Content-Type tag."""
    m = _META_CHARSET.search(data)
    return m.group(1).decode("ascii").lower() if m else None


def _codec_for(label: str) -> Optional[str]:
    if label in GB_FAMILY:
        return "gb18030"  # superset of GB2312/GBK; pages labelled gb2312 routinely use GBK-only characters
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str) -> Optional[str]:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_chinese(text: str) -> bool:
    """True if the non-ASCII characters of text are mostly common CJK (a sane gb18030 decoding)."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return True
    common = sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                 or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027")
    return common / len(non_ascii) >= 0.9


def _lenient(data: bytes, codec: str) -> Optional[str]:
    """Decode with replacement when only a few bytes are bad (a truncated character, a stray byte)."""
    text = data.decode(codec, errors="replace")
    return text if text.count("\ufffd") <= max(3, len(text) // 1000) else None


def decode_html(data: bytes) -> tuple[str, str, Optional[str]]:
    """Decode page bytes; returns (text, encoding used, note for a warning or None)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec, None
    if b"\x00" in data:
        raise ConversionError("not an HTML page: binary content (NUL bytes)")
    label = declared_charset(data)
    codec = _codec_for(label) if label else None
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page claims: GBK text is never valid
    # UTF-8 at page length, while templates copied between sites often carry a stale charset.
    if not data.isascii():
        text = _strict(data, "utf-8")
        if text is not None:
            note = f"page declares {label} but is UTF-8" if codec not in (None, "utf-8") else None
            return text, "utf-8", note
    if codec:
        text = _strict(data, codec)
        if text is not None:
            return text, codec, None
        text = _lenient(data, codec)
        if text is not None:
            return text, codec, f"a few bytes are not valid {label}; replaced"
    # Undeclared (or wrongly declared): Chinese government pages that are not UTF-8 are nearly
    # always GBK, which charset-normalizer often mistakes for another legacy code page.
    text = _strict(data, "gb18030") or _lenient(data, "gb18030")
    if text is not None and _looks_chinese(text):
        return text, "gb18030", f"page declares {label} but is GB18030/GBK" if codec else None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    text = str(best) if best is not None else data.decode("utf-8", errors="replace")
    if not _HTML_TAG.search(text) or text.count("\ufffd") > max(10, len(text) // 20):
        raise ConversionError("not an HTML page: binary content (undecodable bytes)")
    return text, best.encoding if best is not None else "utf-8", "encoding guessed by charset-normalizer"


_HTML_TAG = re.compile(r"<\s*(html|head|body|meta|title|p|div|table|span|br|h[1-6])\b", re.I)


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
    s = s.replace("\u200b", "").replace("\ufeff", "")
    s = _ASCII_WS_NEAR_CJK.sub("", s)
    return _WS.sub(" ", s).strip()


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


def _attr_tokens(el: Tag) -> list[str]:
    tokens = list(el.get("class") or [])
    if el.get("id"):
        tokens.append(el["id"])
    return tokens


def _is_hidden(el: Tag) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.has_attr("hidden")


def _is_known_container(el: Tag) -> bool:
    return el.name in _KNOWN_TAGS or any(_KNOWN_IDS.match(t) for t in _attr_tokens(el))


def _marker_count(text: str) -> int:
    return sum(1 for m in _MARKERS if m.search(text))


def _text(el: Tag) -> str:
    return el.get_text("", strip=False)


def _is_chrome(el: Tag) -> bool:
    # An HTML5 <header>/<footer> inside <article> belongs to the article (title, date), not the site.
    if el.name in ("header", "footer"):
        return el.find_parent(["article", "main"]) is None
    return el.name in CHROME_TAGS


def strip_furniture(root: Tag) -> None:
    """Remove non-content elements in place."""
    for el in list(root.find_all(True)):
        if el.decomposed:
            continue
        if el.name in SKIP_TAGS or _is_hidden(el):
            el.decompose()
        elif _is_chrome(el) or (el.name not in ("body", "html")
                                and any(_JUNK_ATTR.match(t) for t in _attr_tokens(el))):
            if not _marker_count(_text(el)):  # never drop something that holds the report
                el.decompose()


def find_body(soup: BeautifulSoup) -> Tag:
    """The element holding the report: tightest known container with all headings, else tightest element."""
    root = soup.body or soup
    whole = _marker_count(_text(root))
    known = [el for el in root.find_all(True) if _is_known_container(el)]
    if whole:
        sized = [(el, len(_text(el))) for el in known if _marker_count(_text(el)) >= whole]
        if sized:
            return min(sized, key=lambda p: p[1])[0]
        blocks = [el for el in root.find_all(["div", "td", "section", "article", "main", "ucapcontent"])
                  if _marker_count(_text(el)) >= whole]
        if blocks:
            return min(blocks, key=lambda el: len(_text(el)))
        return root
    with_text = [el for el in known if clean_inline(_text(el))]
    if with_text:
        return max(with_text, key=lambda el: len(_text(el)))
    return root


# --------------------------------------------------------------------------- tables

def _span(value: Optional[str]) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    n = int(m.group(1)) if m else 1
    return n if 1 <= n <= 1000 else 1


def _lines(el: Tag) -> list[str]:
    """Rendered lines of an element: <br> and block elements end a line."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = clean_inline("".join(buf))
        if line:
            lines.append(line)
        buf.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    buf.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    flush()
                elif child.name in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(el)
    flush()
    return lines


def _rows(table: Tag) -> list[Tag]:
    """The table's own rows (thead/tbody/tfoot included, nested tables excluded)."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def is_layout_table(table: Tag) -> bool:
    """A table used for page layout: holds other tables, or is a single box."""
    if table.find("table") is not None:
        return True
    cells = [c for tr in _rows(table) for c in tr.find_all(["td", "th"], recursive=False)]
    return len(cells) <= 1


def build_table(table: Tag) -> Optional[Table]:
    rows: list[list[SpanCell]] = []
    for tr in _rows(table):
        tds = tr.find_all(["td", "th"], recursive=False)
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
    """Walks the body in document order, emitting Paragraphs and Tables."""

    def __init__(self) -> None:
        self.blocks: list = []
        self.buf: list[str] = []
        self.style: Optional[str] = None

    def flush(self) -> None:
        text = clean_inline("".join(self.buf))
        self.buf.clear()
        if text and not is_furniture(text):
            self.blocks.append(Paragraph(text=text, style=self.style))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    self.buf.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, el: Tag) -> None:
        if el.name == "br":
            self.flush()
        elif el.name == "table":
            self.flush()
            if is_layout_table(el):
                self.walk(el)
            else:
                caption = el.find("caption")
                if caption is not None and caption.find_parent("table") is el:
                    self.walk(caption)
                    self.flush()
                table = build_table(el)
                if table is not None:
                    self.blocks.append(table)
            self.flush()
        elif el.name in HEADING_TAGS:
            self.flush()
            self.style = "heading"
            self.walk(el)
            self.flush()
            self.style = None
        elif el.name in BLOCK_TAGS:
            self.flush()
            self.walk(el)
            self.flush()
        else:
            self.walk(el)


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


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in soup.find_all("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        if key and m.get("content") and key not in out:
            out[key] = m["content"].strip()
    return out


def _report_segment(page_title: str) -> str:
    """`XX局2023年…年度报告-XX局` → the part naming the report (CMS titles append the site name)."""
    parts = [p.strip() for p in re.split(r"\s*[-_|｜—]+\s*", page_title) if p.strip()]
    return next((p for p in parts if "报告" in p), page_title)


def page_metadata(soup: BeautifulSoup) -> dict:
    meta = _metas(soup)
    out: dict = {}
    title_tag = soup.find("title")
    page_title = clean_inline(title_tag.get_text()) if title_tag else ""
    if page_title:
        out["page_title"] = page_title
    article_title = meta.get("articletitle") or ""
    if not article_title:
        ucap = soup.find("ucaptitle")
        article_title = clean_inline(ucap.get_text()) if ucap else ""
    title = clean_inline(article_title) or _report_segment(page_title)
    if title:
        out["title"] = title
    published = next((_date(meta[k]) for k in _PUBLISHED_META if k in meta and _date(meta[k])), None)
    if not published:
        tag = soup.find("publishtime")
        published = _date(tag.get_text()) if tag else None
    if not published:
        m = _PUBLISHED_TEXT.search(clean_inline((soup.body or soup).get_text(" ")))
        published = _date(m.group(0)) if m else None
    if published:
        out["published"] = published
    site = meta.get("sitename") or meta.get("og:site_name")
    if site:
        out["site"] = site
    source = meta.get("contentsource") or meta.get("source")
    if not source:
        m = _SITE_TEXT.search(clean_inline((soup.body or soup).get_text(" ")))
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
    soup = BeautifulSoup(text, "lxml")
    metadata = page_metadata(soup)
    metadata["encoding"] = encoding
    strip_furniture(soup)
    body = find_body(soup)
    writer = _BlockWriter()
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


def _prepend_title(blocks: list, soup: BeautifulSoup, body: Tag, title: Optional[str]) -> None:
    """Put the article's own title first when the CMS prints it outside the content container."""
    if not title or "报告" not in title:
        return
    first_texts = [b.text for b in blocks[:3] if isinstance(b, Paragraph)]
    if any(title in t or t in title for t in first_texts if len(t) >= 8):
        return
    blocks.insert(0, Paragraph(text=title, style="title"))
