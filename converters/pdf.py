"""Born-digital PDF -> Document (paragraphs and true table grids).

Per page, one pass over pdfplumber's objects: chars become text pieces, lines, visible rects
and straight path pieces become ruling segments; converters/page_layout makes the page's
tables and prose lines from them and converters/page_assembly joins the pages (furniture
removed, paragraphs and tables cut by a page end joined), as for OFD.
Pages without a usable text layer go to OCR when converters.image is present.
"""
from __future__ import annotations

import hashlib
import io
import re
from typing import Optional

from xxgk.model import ConversionError, Document, Refused, Source
from xxgk.layout.geometry import Piece, Segment, segment_from_line, segments_from_rect
from xxgk.converters.page_assembly import assemble
from xxgk.converters.page_layout import (Page, dedupe, is_image_page, ocr_blocks, ocr_page_result, short_error,
                                         text_page, warn_unread_images)


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
    doc.blocks = assemble(pages)
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
    return ConversionError(f"corrupt or unreadable PDF: {short_error(e)}")


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

def _read_page(page, index: int, doc: Document, renderer: "_Renderer") -> Page:
    number = index + 1
    width, height = float(page.width), float(page.height)
    try:
        objects = page.objects  # one pass over the content stream's objects
    except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on broken streams
        raise ConversionError(f"cannot read page {number} of the PDF: {short_error(e)}") from None
    pieces = dedupe([Piece(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c.get("size") or 0.0)
                     for c in objects.get("char", []) if c["text"] and not c["text"].isspace()])
    images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in objects.get("image", [])]
    if is_image_page(pieces, images, width * height):
        blocks = ocr_blocks(doc, number, lambda notes: renderer.render(index, notes))
        return ocr_page_result(number, width, height, blocks)
    warn_unread_images(doc, number, pieces, images, width * height)
    segments = _segments(objects.get("line", []), objects.get("rect", []), objects.get("curve", []))
    return text_page(number, width, height, pieces, segments)


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
        from xxgk.converters.scan_pages import pdf_page_pixels

        if self._pdf is None:
            self._pdf = pdfium.PdfDocument(self.data)
        return pdf_page_pixels(self._pdf[index], notes)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
