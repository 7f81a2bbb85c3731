"""OCR readings of number cells checked against the ink measured in the crop.

A reading whose digit count differs from the ink blobs, or whose sign differs from the ink (a
dash left of the digits is a minus sign), keeps a confidence below LOW_CONF; a number followed
by a unit is joined from the digits' and the unit's separate readings.
"""
from __future__ import annotations

import re
from typing import Optional

import cv2
import numpy as np

from xxgk.converters.ocr import is_number
from xxgk.converters.scan_cells import Crop, digit_count

LOW_CONF = 0.9


def numberish(probe: str) -> bool:
    """The eng probe read digits, or only punctuation (a serif "1" comes out as "]" or "l")."""
    letters = re.sub(r"[^A-Za-z]", "", probe)
    return len(letters) <= 2 and set(letters) <= set("oOlIi") and len(probe) <= 12


_UNITS = {"元", "万元", "亿元", "千元", "件", "个", "次", "人", "人次", "项", "条", "份", "家", "户", "天", "日", "万"}
_UNIT_TEXT = re.compile(r"^[\u3400-\u9fff]{1,3}$")


def side(image: np.ndarray, x: int, pad: int, left: bool) -> np.ndarray:
    """The padded crop left (the digits) or right (the unit) of column x."""
    part = image[:, :x] if left else image[:, x:]
    return cv2.copyMakeBorder(part, 0, 0, 0 if left else pad, pad if left else 0,
                              cv2.BORDER_CONSTANT, value=255)


def with_unit(digits: tuple[str, float], unit: tuple[str, float], k: Crop) -> Optional[tuple[str, float]]:
    """The digits' reading plus the unit, or None when the right part is no CJK unit (then the
    'wide glyph' was two touching digits and the whole-cell reading stands)."""
    u = unit[0].replace(" ", "")
    if not _UNIT_TEXT.match(u):
        return None
    text, conf = check_number(digits[0], digits[1], k.blobs - k.unit_glyphs, k.dash)
    if not text or not is_number(text):
        return None
    if u not in _UNITS or unit[1] < 0.6:
        conf = min(conf, 0.8)
    return text + u, conf


_DASHED = re.compile(r"^[-−－—–一_~]*(\d[\d,]*(\.\d+)?[\u3400-\u9fff]{0,3})$")


def signed(text: str, conf: float) -> tuple[str, float]:
    """A cell with a minus sign in its ink: its number reading starts with "-"."""
    m = _DASHED.match(text)
    if m is None or text.startswith("-") and not text.startswith("--"):
        return text, conf
    return "-" + m.group(1), round(min(conf, 0.8), 3)


def check_number(text: str, conf: float, blobs: int, dash: bool = False) -> tuple[str, float]:
    """Tidy a number reading; distrust it when the digits do not match the ink blobs, or the sign
    does not match the ink (a dash left of the digits is a minus sign)."""
    if text == "-":
        return text, conf
    signed = text.startswith("-")
    text = text.strip(".-")
    if not text:
        return "", 0.0
    if dash:
        text = "-" + text
        if not signed:
            conf = min(conf, 0.8)  # the reading ignored ink: sign added, but to be checked
    elif signed:
        conf = min(conf, 0.8)  # a sign the ink does not show (or a dash too faint to see)
    if not is_number(text):
        conf = min(conf, 0.4)
    if digit_count(text) != blobs:
        # The usual tesseract error here is a dropped digit ("11" -> "1").
        conf = min(conf, 0.5)
    return text, conf
