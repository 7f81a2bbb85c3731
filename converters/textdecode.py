"""Bytes → str for text-like inputs: BOM, UTF-16 without BOM, UTF-8, GB18030, then charset detection."""
from __future__ import annotations

from typing import Optional

from xxgk.model import ConversionError

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_SNIFF_BYTES = 8192


def _texty_share(text: str) -> float:
    """Share of characters that occur in a Chinese report: CJK, printable ASCII, whitespace, full-width marks."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ("\u4e00" <= ch <= "\u9fff" or " " <= ch <= "~" or ch in "\r\n\t\f"
                                    or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
                                    or "\u2010" <= ch <= "\u2027"))
    return good / len(text)


def looks_like_utf16(data: bytes) -> Optional[str]:
    """"utf-16-le"/"utf-16-be" when BOM-less bytes are UTF-16 text (NULs in every other byte), else None."""
    head = data[:_SNIFF_BYTES]
    if len(head) < 4 or b"\x00" not in head:
        return None
    head = head[: len(head) // 2 * 2]
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    codec = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    if min(even_nuls, odd_nuls) > 0.02 * len(head):  # NULs on both sides: binary, not UTF-16
        return None
    text = head.decode(codec, errors="replace")
    if text.count("\ufffd") > 2 or _texty_share(text) < 0.95:
        return None
    return codec


def decode_bytes(data: bytes, declared: Optional[str] = None) -> str:
    if not data or not data.strip():
        raise ConversionError("the file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    utf16 = looks_like_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    if b"\x00" in data[:4096]:
        raise ConversionError("binary content, not text")
    candidates = [declared] if declared else []
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        if not enc:
            continue
        enc = "gb18030" if enc.lower().replace("-", "") in ("gbk", "gb2312", "gb18030", "x-gbk") else enc
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ConversionError("undecodable bytes: not a text document")
    return str(best)
