"""Pages of a fixed-layout file (converters/page_layout) → the document's blocks, in reading order.

Over the whole file: page furniture (page numbers, running headers/footers) is removed, lines
become paragraphs, a paragraph cut by a page end is joined with the next page's first one, and
a table cut by a page end is joined with the next page's first table (layout.join).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import Optional, Union

from xxgk.model import BBox, Block, Paragraph, Table
from xxgk.layout.geometry import join_lines
from xxgk.layout.join import join as join_tables
from xxgk.converters.page_layout import Line, Page

FURNITURE_ZONE = 0.12  # top/bottom share of the page where headers, footers and numbers live

_PAGE_NUMBER_RES = [re.compile(p, re.I) for p in (
    r"^[-—–－~～·.]*\d{1,4}[-—–－~～·.]*$",
    r"^第\d{1,4}页(/?共\d{1,4}页)?$",
    r"^共\d{1,4}页第\d{1,4}页$",
    r"^\d{1,4}/\d{1,4}$",
    r"^page\d{1,4}(of\d{1,4})?$",
)]
_HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")
_END_PUNCT = "。！？；：!?;:"


@dataclass
class _Para:
    """A paragraph being built, with what the cross-page join needs to know."""

    lines: list[Line]
    page: int
    indented: bool  # first line indented (a paragraph start)
    ends_full: bool = False  # last line reaches the right margin without closing punctuation
    own: int = 0  # how many lines are on `page` (the rest came from the next page)


def assemble(pages: list[Page]) -> list[Block]:
    """Blocks in order: furniture dropped, paragraphs and tables that a page end cut in two joined."""
    _remove_furniture(pages)
    m = _margins(pages)
    out: list[_Item] = []
    prev_page_last: Optional[int] = None  # page number of the page whose last item ends `out`
    for page in pages:
        items = _page_items(page, m)
        for j, item in enumerate(items):
            if j == 0 and out and prev_page_last == page.number - 1:
                if _join_into(out, item):
                    continue
            out.append(item)
        if items:
            prev_page_last = page.number
    return _finish(out, pages)


# ---------------------------------------------------------------- furniture

def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _is_page_number(text: str) -> bool:
    t = re.sub(r"\s+", "", text)
    return any(r.match(t) for r in _PAGE_NUMBER_RES)


def _edge_lines(page: Page, n: int = 2) -> list[Line]:
    """The first and last n lines of the page that lie in its top/bottom zone."""
    if not page.lines:
        return []
    ordered = sorted(page.lines, key=lambda ln: ln.top)
    zone_top, zone_bottom = page.height * FURNITURE_ZONE, page.height * (1 - FURNITURE_ZONE)
    candidates = [ln for ln in ordered[:n] if ln.bottom <= zone_top]
    candidates += [ln for ln in ordered[-n:] if ln.top >= zone_bottom and ln not in candidates]
    # A line level with a table is text beside the table, not a header or footer.
    for t in page.tables:
        if t.bbox is None:
            continue
        candidates = [ln for ln in candidates if ln.bottom <= t.bbox[1] or ln.top >= t.bbox[3]]
    return candidates


def _remove_furniture(pages: list[Page]) -> None:
    """Drop page numbers and headers/footers repeated on most pages."""
    text_pages = [p for p in pages if p.ocr_blocks is None]
    edges = {p.number: _edge_lines(p) for p in text_pages}
    counts = Counter()
    for lines in edges.values():
        counts.update({_furniture_key(ln.text) for ln in lines})
    need = max(2, -(-len(text_pages) * 3 // 5))  # on at least 60 % of the pages, and twice
    for p in text_pages:
        drop = {id(ln) for ln in edges[p.number]
                if _is_page_number(ln.text) or counts[_furniture_key(ln.text)] >= need}
        p.lines = [ln for ln in p.lines if id(ln) not in drop]


# ---------------------------------------------------------------- paragraphs

@dataclass
class _Margins:
    left: float
    right: float


def _margins(pages: list[Page]) -> Optional[_Margins]:
    lines = [ln for p in pages for ln in p.lines]
    if not lines:
        return None
    x0s = sorted(ln.x0 for ln in lines)
    x1s = sorted(ln.x1 for ln in lines)
    return _Margins(left=x0s[len(x0s) // 10], right=x1s[(len(x1s) * 9) // 10])


def _split_paragraphs(lines: list[Line], page: int, m: _Margins) -> list[_Para]:
    """Paragraph breaks: an indented line, a short line before, a wide gap, a size change."""
    if not lines:
        return []
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:]) if b.top > a.bottom]
    usual_gap = median(gaps) if gaps else 0.0
    paras: list[_Para] = []
    for i, ln in enumerate(lines):
        indented = ln.x0 > m.left + 0.8 * ln.size
        if i == 0:
            paras.append(_Para([ln], page, indented))
            continue
        prev = lines[i - 1]
        size = max(ln.size, prev.size)
        new = (indented
               or prev.x1 < m.right - 1.5 * size
               or ln.top - prev.bottom > 1.6 * usual_gap + 0.3 * size
               or abs(ln.size - prev.size) > 0.15 * size)
        if new:
            paras.append(_Para([ln], page, indented))
        else:
            paras[-1].lines.append(ln)
    for p in paras:
        p.own = len(p.lines)
        last = p.lines[-1]
        p.ends_full = last.x1 >= m.right - 1.5 * last.size and last.text[-1] not in _END_PUNCT
    return paras


def _paragraph(p: _Para, title_size: float) -> Paragraph:
    text = join_lines([ln.text for ln in p.lines])
    own = p.lines[:p.own] or p.lines  # boxes are per page: only the lines on p.page
    bbox: BBox = (min(ln.x0 for ln in own), min(ln.top for ln in own),
                  max(ln.x1 for ln in own), max(ln.bottom for ln in own))
    style = None
    if len(p.lines) == 1 and _HEADING_RE.match(text):
        style = "heading"
    elif min(ln.size for ln in p.lines) >= title_size:
        style = "title"
    return Paragraph(text=text, page=p.page, bbox=bbox, style=style)


# ---------------------------------------------------------------- assembly

_Item = Union[_Para, Table, Paragraph]


def _page_items(page: Page, m: Optional[_Margins]) -> list[_Item]:
    """The page's paragraphs and tables in reading (top-to-bottom) order."""
    if page.ocr_blocks is not None:
        return list(page.ocr_blocks)
    tables = sorted(page.tables, key=lambda t: t.bbox[1] if t.bbox else 0.0)
    lines = sorted(page.lines, key=lambda ln: ln.top)
    items: list[_Item] = []
    for table in tables + [None]:
        limit = table.bbox[1] if table is not None and table.bbox else float("inf")
        chunk = [ln for ln in lines if ln.top < limit]
        lines = [ln for ln in lines if ln.top >= limit]
        if chunk and m is not None:
            items.extend(_split_paragraphs(chunk, page.number, m))
        if table is not None:
            items.append(table)
    return items


def _merge_title(a: Paragraph, b: Paragraph) -> Paragraph:
    box = (min(a.bbox[0], b.bbox[0]), a.bbox[1], max(a.bbox[2], b.bbox[2]), b.bbox[3])
    return Paragraph(text=join_lines([a.text, b.text]), page=a.page, bbox=box, style="title")


def _finish(items: list[_Item], pages: list[Page]) -> list[Block]:
    """_Para -> Paragraph; large type before the first heading on the first page is the title."""
    sizes = [ln.size for p in pages for ln in p.lines]
    body = median(sizes) if sizes else 0.0
    blocks: list[Block] = []
    first_page = next((i.page for i in items if isinstance(i, _Para)), None)
    in_title_zone = True
    for item in items:
        if not isinstance(item, _Para):
            in_title_zone = False
            blocks.append(item)
            continue
        title_size = 1.2 * body if in_title_zone and item.page == first_page else float("inf")
        para = _paragraph(item, title_size)
        if para.style != "title":
            in_title_zone = False
        elif blocks and isinstance(blocks[-1], Paragraph) and blocks[-1].style == "title":
            blocks[-1] = _merge_title(blocks[-1], para)  # a title set on two centred lines
            continue
        blocks.append(para)
    return blocks


def _join_into(out: list[_Item], item: _Item) -> bool:
    """Join item (first on its page) into out[-1] (last on the previous page) when it continues it."""
    last = out[-1]
    if isinstance(last, Table) and isinstance(item, Table):
        joined = join_tables(last, item)
        if joined is not None:
            out[-1] = joined
            return True
        return False
    if isinstance(last, _Para) and isinstance(item, _Para):
        if last.ends_full and not item.indented:
            last.lines.extend(item.lines)
            last.ends_full = item.ends_full
            return True
    return False
