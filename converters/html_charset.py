"""Page bytes → str: BOM, then what the bytes are (UTF-8, GBK), the declared charset only when it reads as text."""
from __future__ import annotations

import codecs
import re
from typing import Optional

from xxgk.model import ConversionError
from xxgk.converters.textdecode import looks_like_utf16

GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "gb_2312", "csgb2312", "cp936", "ms936",
             "euc-cn", "hz-gb-2312"}
# Single-byte code pages: any byte string decodes in them, so a success proves nothing about GBK bytes.
SINGLE_BYTE = {"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "cp1251", "iso8859-2",
               "windows-1252", "mac-roman", "cp437"}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_TAG = re.compile(r"<\s*(html|head|body|meta|title|p|div|table|span|br|h[1-6])\b", re.I)


def declared_charset(data: bytes) -> Optional[str]:
    """First charset named by a <meta charset> or http-equiv Content-Type tag."""
    m = _META_CHARSET.search(data[:65536])
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


def looks_chinese(text: str) -> bool:
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


def _is_single_byte(codec: str) -> bool:
    return codec.replace("_", "-") in {c.replace("_", "-") for c in SINGLE_BYTE}


def decode_html(data: bytes) -> tuple[str, str, Optional[str]]:
    """Decode page bytes; returns (text, encoding used, note for a warning or None)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec, None
    utf16 = looks_like_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16, f"page is {utf16.upper()} without a byte-order mark"
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
    # A single-byte charset decodes anything: believe it only when GBK does not read as Chinese.
    if codec and not (_is_single_byte(codec) and not data.isascii()):
        text = _strict(data, codec)
        if text is not None:
            return text, codec, None
        text = _lenient(data, codec)
        if text is not None:
            return text, codec, f"a few bytes are not valid {label}; replaced"
    # Undeclared (or wrongly declared): Chinese government pages that are not UTF-8 are nearly
    # always GBK, which charset-normalizer often mistakes for another legacy code page.
    text = _strict(data, "gb18030") or _lenient(data, "gb18030")
    if text is not None and looks_chinese(text):
        return text, "gb18030", f"page declares {label} but is GB18030/GBK" if codec else None
    if codec:  # the declared single-byte charset, now that GBK is ruled out
        text = _strict(data, codec)
        if text is not None:
            return text, codec, None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    text = str(best) if best is not None else data.decode("utf-8", errors="replace")
    if not _HTML_TAG.search(text) or text.count("\ufffd") > max(10, len(text) // 20):
        raise ConversionError("not an HTML page: binary content (undecodable bytes)")
    return text, best.encoding if best is not None else "utf-8", "encoding guessed by charset-normalizer"
