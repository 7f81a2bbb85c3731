"""Bytes → str for text-like inputs: BOM, UTF-8, GB18030, then charset detection."""
from __future__ import annotations

from typing import Optional

from xxgk.model import ConversionError

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_bytes(data: bytes, declared: Optional[str] = None) -> str:
    if not data or not data.strip():
        raise ConversionError("the file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
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
