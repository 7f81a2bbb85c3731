"""Born-digital PDF -> Document (paragraphs and true table grids).

Per page, one pass over pdfplumber's objects: chars become text pieces, lines
and visible rects become ruling segments. layout.geometry builds the grids from
the rulings; chars outside every grid are prose. Then, over the whole file:
page furniture (page numbers, running headers/footers) is removed, a paragraph
cut by a page end is joined with the next page's first one, and a table cut by
a page end is joined with the next page's first table (layout.join).
Pages without a usable text layer go to OCR when converters.image is present.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Optional, Union

from xxgk.model import BBox, Block, ConversionError, Document, Paragraph, Refused, Source, Table
from xxgk.layout.geometry import (Piece, Segment, fill_table, find_grids, group_lines, join_lines,
                             line_text, segment_from_line, segments_from_rect)
from xxgk.layout.borderless import borderless_tables
from xxgk.layout.join import join as join_tables

OCR_DPI = 300
MIN_TEXT_CHARS = 10  # fewer readable chars than this on a page with a big image: a scan
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
class _Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr_blocks: Optional[list[Block]] = None


@dataclass
class _Para:
    """A paragraph being built, with what the cross-page join needs to know."""

    lines: list[_Line]
    page: int
    indented: bool  # first line indented (a paragraph start)
    ends_full: bool = False  # last line reaches the right margin without closing punctuation
    own: int = 0  # how many lines are on `page` (the rest came from the next page)


# ---------------------------------------------------------------- entry point

def convert(data: bytes, name: str) -> Document:
    _quiet_pdfminer()
    try:
        doc = _convert(data, name)
    except Refused:
        raise
    except ConversionError as e:
        repaired = _repaired(data)
        if repaired is None:
            raise
        doc = _convert(repaired, name)
        doc.warn("repaired", f"the PDF's structure is damaged ({e}); read from a copy pdfium repaired")
        return doc
    if not doc.blocks and not doc.source.ocr:
        # pdfminer trusts a damaged xref stream and finds no pages; pdfium rebuilds the xref.
        repaired = _repaired(data)
        if repaired is not None:
            fixed = _convert(repaired, name)
            if fixed.blocks:
                fixed.warn("repaired", "pdfminer found no content in the PDF (damaged cross-reference "
                                           "table); read from a copy pdfium repaired")
                return fixed
    return doc


def _convert(data: bytes, name: str) -> Document:
    doc = Document(source=Source(path=name, format="pdf", sha256=hashlib.sha256(data).hexdigest()))
    pdf = _open(data)
    try:
        try:
            plumber_pages = pdf.pages
        except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on broken files
            raise _open_error(e) from None
        doc.source.pages = len(plumber_pages)
        doc.metadata = _metadata(pdf)
        renderer = _Renderer(data)
        pages = []
        try:
            for index, page in enumerate(plumber_pages):
                pages.append(_read_page(page, index, doc, renderer))
                page.close()  # drop the page's parsed objects now: a 200-page PDF must not hold them all
        finally:
            renderer.close()
    finally:
        pdf.close()
    _remove_furniture(pages)
    doc.blocks = _assemble(pages)
    return doc


def _repaired(data: bytes) -> Optional[bytes]:
    """The PDF re-saved by pdfium (fresh cross-reference table), or None if pdfium cannot open it either."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # noqa: BLE001 - pdfium errors: the original error stands
        return None
    try:
        if len(pdf) == 0:
            return None
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    except Exception:  # noqa: BLE001
        return None
    finally:
        pdf.close()


_PDFMINER_QUIETED = False


def _quiet_pdfminer() -> None:
    """pdfminer calls log.debug() for every operator; at DEBUG-disabled levels those calls still cost.

    Unless the user configured the pdfminer loggers, they are set to WARNING once, so
    Logger.isEnabledFor answers from its cache at once.
    """
    global _PDFMINER_QUIETED
    if _PDFMINER_QUIETED:
        return
    import logging

    root = logging.getLogger("pdfminer")
    if root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    _PDFMINER_QUIETED = True


def _open(data: bytes):
    import pdfplumber

    if b"%PDF-" not in data[:1024]:
        raise ConversionError("not a PDF file (no %PDF header)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001
        raise _open_error(e) from None
    return pdf


def _open_error(e: Exception) -> ConversionError:
    """The error to raise for a PDF pdfminer cannot open: encrypted is refused, the rest failed."""
    text = f"{type(e).__name__} {e} {e.__cause__!r} {e.__context__!r}".lower()
    if "password" in text or "encrypt" in text:
        return Refused("encrypted PDF: it cannot be opened without a password")
    return ConversionError(f"corrupt or unreadable PDF: {_short(e)}")


def _short(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:120]


# ---------------------------------------------------------------- metadata

def _decode_pdf_string(value) -> Optional[str]:
    if isinstance(value, str):
        return value
    if not isinstance(value, (bytes, bytearray)):
        return None
    raw = bytes(value)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _pdf_date(value: Optional[str]) -> Optional[str]:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _metadata(pdf) -> dict:
    """Title/author/dates from the document info (strings decoded from their raw bytes)."""
    from pdfminer.pdftypes import resolve1

    info: dict = {}
    for entry in getattr(pdf.doc, "info", None) or []:
        for key, value in (resolve1(entry) or {}).items():
            info[key] = _decode_pdf_string(resolve1(value))
    out: dict = {}
    for key, name in (("Title", "title"), ("Author", "author"), ("Subject", "subject"),
                      ("Creator", "creator"), ("Producer", "producer")):
        text = (info.get(key) or "").strip("\x00 \t\r\n")
        if text:
            out[name] = text
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        date = _pdf_date(info.get(key))
        if date:
            out[name] = date
    return out


# ---------------------------------------------------------------- one page

def _read_page(page, index: int, doc: Document, renderer: "_Renderer") -> _Page:
    number = index + 1
    out = _Page(number=number, width=float(page.width), height=float(page.height))
    try:
        objects = page.objects  # one pass over the content stream's objects
    except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on broken streams
        raise ConversionError(f"cannot read page {number} of the PDF: {_short(e)}") from None
    chars = objects.get("char", [])
    pieces = _dedupe([Piece(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c.get("size") or 0.0)
                      for c in chars if c["text"] and not c["text"].isspace()])
    if _is_image_page(pieces, objects.get("image", []), out.width * out.height):
        out.ocr_blocks = _ocr(doc, renderer, index, number)
        return out
    _warn_unread_images(doc, number, pieces, objects.get("image", []), out.width * out.height)
    segments = _segments(objects.get("line", []), objects.get("rect", []), objects.get("curve", []))
    rest = pieces
    for grid in find_grids(segments):
        table, rest = fill_table(grid, rest, page=number)
        if any(c.text for c in table.cells):
            out.tables.append(table)
    # Tables without vertical rulings (三线表, borderless) are rows of text with numbers in columns.
    tables, rest_lines = borderless_tables(group_lines(rest), page=number)
    out.tables += tables
    out.lines = _lines([p for ln in rest_lines for p in ln])
    return out


def _dedupe(pieces: list[Piece], tol: float = 1.0) -> list[Piece]:
    """Drop a char drawn again at (almost) the same place: simulated bold and shadow text."""
    out: list[Piece] = []
    last: dict[str, list[Piece]] = {}
    for p in sorted(pieces, key=lambda p: (p.top, p.x0)):
        seen = last.setdefault(p.text, [])
        if any(abs(q.x0 - p.x0) <= tol and abs(q.top - p.top) <= tol for q in seen[-4:]):
            continue
        seen.append(p)
        out.append(p)
    return out


def _is_white(color) -> bool:
    if color is None or isinstance(color, str):
        return False
    try:
        values = [float(v) for v in (color if isinstance(color, (list, tuple)) else [color])]
    except (TypeError, ValueError):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.05 for v in values)
    return bool(values) and all(v >= 0.95 for v in values)


def _segments(lines: list[dict], rects: list[dict], curves: list[dict] = ()) -> list[Segment]:
    """Rulings: drawn lines, visible rects (white cell backgrounds are ignored) and the
    straight pieces of visible paths (some producers draw a whole grid as one path)."""
    out: list[Segment] = []
    for ln in lines:
        if _is_white(ln.get("stroking_color")):
            continue
        seg = segment_from_line(ln["x0"], ln["top"], ln["x1"], ln["bottom"])
        if seg is not None:
            out.append(seg)
    for r in rects:
        stroked = r.get("stroke") and not _is_white(r.get("stroking_color"))
        filled = r.get("fill") and not _is_white(r.get("non_stroking_color"))
        if stroked or filled:
            out.extend(segments_from_rect(r["x0"], r["top"], r["x1"], r["bottom"]))
    for cv in curves:
        stroked = cv.get("stroke") and not _is_white(cv.get("stroking_color"))
        filled = cv.get("fill") and not _is_white(cv.get("non_stroking_color"))
        if stroked or filled:
            out.extend(_path_segments(cv.get("path") or []))
    return out


def _path_segments(path: list) -> list[Segment]:
    """Horizontal and vertical straight pieces of a path (pdfplumber's top-based "path")."""
    out: list[Segment] = []
    current = start = None
    for op in path:
        kind, points = op[0], op[1:]
        if kind == "m":
            current = start = points[0]
            continue
        if kind == "h":
            target = start
        elif kind == "l":
            target = points[0]
        else:  # a curve piece: never a ruling
            current = points[-1] if points else current
            continue
        if current is not None and target is not None:
            seg = segment_from_line(min(current[0], target[0]), min(current[1], target[1]),
                                    max(current[0], target[0]), max(current[1], target[1]))
            if seg is not None:
                out.append(seg)
        current = target
    return out


def _readable(text: str) -> bool:
    if text.startswith("(cid:"):
        return False
    return all(unicodedata.category(ch) not in ("Co", "Cc", "Cn", "Cs") and ch != "\ufffd" for ch in text)


def _is_image_page(pieces: list[Piece], images: list[dict], page_area: float) -> bool:
    """No usable text layer: no chars over an image, a handful of chars over a page-sized
    image (a scan with a stray text object), or chars that are mostly unmapped glyphs."""
    if not pieces:
        return bool(images)
    readable = sum(1 for p in pieces if _readable(p.text))
    if readable < 0.5 * len(pieces):
        return True
    image_area = sum(max(0.0, (i["x1"] - i["x0"]) * (i["bottom"] - i["top"])) for i in images)
    return readable < MIN_TEXT_CHARS and image_area >= 0.25 * page_area


def _warn_unread_images(doc: Document, number: int, pieces: list[Piece], images: list[dict],
                        page_area: float) -> None:
    """A big picture on a text page with no text over it (a pasted scan of a table) is not read."""
    for im in images:
        area = (im["x1"] - im["x0"]) * (im["bottom"] - im["top"])
        if area < 0.25 * page_area:
            continue
        inside = sum(1 for p in pieces if im["x0"] <= p.cx <= im["x1"] and im["top"] <= p.cy <= im["bottom"])
        if inside < 0.1 * len(pieces):
            doc.warn("image_region", f"page {number} has a large image without a text layer; "
                                     "its content is not read", raw=None)
            return


def _lines(pieces: list[Piece]) -> list[_Line]:
    out = []
    for group in group_lines(pieces):
        text = line_text(group)
        if not text:
            continue
        out.append(_Line(text=text, x0=min(p.x0 for p in group), top=min(p.top for p in group),
                         x1=max(p.x1 for p in group), bottom=max(p.bottom for p in group),
                         size=median(p.height for p in group)))
    return out


# ---------------------------------------------------------------- OCR route

class _Renderer:
    """Opens the PDF in pypdfium2 only when a page needs rendering."""

    def __init__(self, data: bytes):
        self.data = data
        self._pdf = None

    def render(self, index: int, notes: Optional[list] = None):
        """(picture, dpi) for OCR: the embedded scan at its own resolution, or a render at the dpi
        of the page's images, bounded in pixels (converters/scan_pages.py)."""
        import pypdfium2 as pdfium
        from xxgk.converters.scan_pages import pdf_page_image

        if self._pdf is None:
            self._pdf = pdfium.PdfDocument(self.data)
        return pdf_page_image(self._pdf[index], notes)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _ocr(doc: Document, renderer: _Renderer, index: int, number: int) -> list[Block]:
    try:
        from xxgk.converters.image import ocr_page
        from xxgk.converters.ocr import engine_name
        from xxgk.model import MissingDependency
    except ImportError:
        doc.warn("image_page", f"page {number} has no text layer; OCR not available", raw=None)
        return []
    try:
        notes: list = []
        image, dpi = renderer.render(index, notes)
        for note in notes:
            doc.warn("image_size", f"page {number}: {note}", raw=None)
        blocks = list(ocr_page(image, number, warnings=doc.warnings, dpi=dpi))
    except MissingDependency:
        raise  # tesseract or its language data missing: the input fails saying so, not a page of nulls
    except Exception as e:  # noqa: BLE001 - OCR engines fail in many ways; never lose the page silently
        doc.warn("image_page", f"page {number} has no text layer; OCR failed: {_short(e)}", raw=None)
        return []
    doc.source.ocr = True
    doc.source.ocr_engine = engine_name()
    if not blocks:
        doc.warn("image_page", f"page {number} has no text layer; OCR found no text", raw=None)
    return blocks


# ---------------------------------------------------------------- furniture

def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _is_page_number(text: str) -> bool:
    t = re.sub(r"\s+", "", text)
    return any(r.match(t) for r in _PAGE_NUMBER_RES)


def _edge_lines(page: _Page, n: int = 2) -> list[_Line]:
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


def _remove_furniture(pages: list[_Page]) -> None:
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


def _margins(pages: list[_Page]) -> Optional[_Margins]:
    lines = [ln for p in pages for ln in p.lines]
    if not lines:
        return None
    x0s = sorted(ln.x0 for ln in lines)
    x1s = sorted(ln.x1 for ln in lines)
    return _Margins(left=x0s[len(x0s) // 10], right=x1s[(len(x1s) * 9) // 10])


def _split_paragraphs(lines: list[_Line], page: int, m: _Margins) -> list[_Para]:
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


def _page_items(page: _Page, m: Optional[_Margins]) -> list[_Item]:
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


def _assemble(pages: list[_Page]) -> list[Block]:
    """Blocks in order, joining paragraphs and tables that a page end cut in two."""
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


def _merge_title(a: Paragraph, b: Paragraph) -> Paragraph:
    box = (min(a.bbox[0], b.bbox[0]), a.bbox[1], max(a.bbox[2], b.bbox[2]), b.bbox[3])
    return Paragraph(text=join_lines([a.text, b.text]), page=a.page, bbox=box, style="title")


def _finish(items: list[_Item], pages: list[_Page]) -> list[Block]:
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

