"""File names for downloads: read from Content-Disposition (GBK, RFC 5987) or the URL, then made safe.

A server never chooses where xxgk writes: whatever it sends, the name is one plain path component.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Optional
from urllib.parse import unquote, unquote_to_bytes, urlsplit

MAX_NAME_BYTES = 150  # well under the 255-byte limit of common file systems, leaving room for suffixes
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
REPORT_EXTENSIONS = {".pdf", ".doc", ".docx", ".wps", ".ofd", ".rtf", ".odt", ".jpg", ".jpeg", ".png", ".tif",
                     ".tiff", ".html", ".htm", ".shtml", ".txt"}
TYPE_EXTENSIONS = {"application/pdf": ".pdf", "application/msword": ".doc", "application/ofd": ".ofd",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                   "application/kswps": ".wps", "image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif",
                   "text/html": ".html", "text/plain": ".txt"}


def _decode_header_bytes(raw: bytes) -> str:
    """Header bytes as sent: UTF-8 if valid, else GB18030 (the superset of GBK/GB2312), else latin-1."""
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def disposition_filename(header: Optional[bytes]) -> Optional[str]:
    """The file name a Content-Disposition header gives: filename* (RFC 5987) first, then filename."""
    if not header:
        return None
    m = re.search(rb"filename\*\s*=\s*([A-Za-z0-9_-]+)'[^']*'([^;\s]+)", header, re.I)
    if m:
        charset = m.group(1).decode("ascii").lower()
        data = unquote_to_bytes(m.group(2).decode("latin-1").strip('"'))
        try:
            return data.decode("gb18030" if charset in ("gbk", "gb2312", "gb18030") else charset)
        except (UnicodeDecodeError, LookupError):
            return _decode_header_bytes(data)
    m = re.search(rb'filename\s*=\s*"([^"]*)"', header, re.I) or re.search(rb"filename\s*=\s*([^;]+)", header, re.I)
    if not m:
        return None
    text = _decode_header_bytes(m.group(1).strip())
    return unquote(text) if re.search(r"%[0-9A-Fa-f]{2}", text) else text  # some servers percent-encode


def url_filename(url: str) -> str:
    """The last path segment of a URL, or a query value that looks like a file name (download.jsp?filename=x.pdf)."""
    parts = urlsplit(url)
    for value in re.findall(r"=([^&]+)", parts.query):
        value = unquote(value)
        if PurePosixPath(value).suffix.lower() in REPORT_EXTENSIONS:
            return value
    return unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or "index.html"


def safe_name(raw: str, fallback_ext: str = "") -> str:
    """One harmless path component: no directories, NUL, control characters, reserved or overlong names."""
    name = raw.replace("\\", "/").split("/")[-1]  # ../../x.pdf -> x.pdf; C:\\x -> x
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*\x00')
    name = name.strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        stem, ext = name, ""
    ext = ("." + ext.lower()) if ext else fallback_ext
    stem = re.sub(r"\s+", " ", stem).strip(" .") or "file"
    if stem.split(".")[0].lower() in RESERVED:
        stem = "_" + stem
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + ext


def extension_for(content_type: Optional[str], name: str) -> str:
    """The extension to save under: the name's if it is a known kind, else from the Content-Type."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in REPORT_EXTENSIONS:
        return suffix
    mime = (content_type or "").split(";")[0].strip().lower()
    return TYPE_EXTENSIONS.get(mime, "")


MAGIC_EXTENSIONS = ((b"%PDF", ".pdf"), (b"\xd0\xcf\x11\xe0", ".doc"), (b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"))


def choose_name(disposition: Optional[bytes], url: str, link_text: str, content_type: Optional[str],
                head: bytes = b"") -> str:
    """The safe name to save a download under: Content-Disposition, else the URL, else the link text."""
    raw = disposition_filename(disposition) or url_filename(url)
    if PurePosixPath(raw).suffix.lower() not in REPORT_EXTENSIONS and link_text.strip():
        if PurePosixPath(link_text.strip()).suffix.lower() in REPORT_EXTENSIONS:
            raw = link_text.strip()
    ext = extension_for(content_type, raw)
    if not ext:
        ext = next((e for magic, e in MAGIC_EXTENSIONS if head.startswith(magic)), "")
    if not ext and head.startswith(b"PK"):
        ext = ".ofd" if b"OFD.xml" in head[:200] else ".docx"
    stem = raw[: -len(PurePosixPath(raw).suffix)] if PurePosixPath(raw).suffix else raw
    if PurePosixPath(raw).suffix.lower() == ext:
        return safe_name(raw)
    return safe_name(stem.replace(".", "_") + ext if ext else stem, ext)
