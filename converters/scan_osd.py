"""Tesseract's OSD (page orientation) in-process through tesserocr, the osd model loaded once per process.

The command line costs 0.8 CPU-s a page (start-up, model load, PNG round trip); in-process the same
analysis costs 0.1-0.3 CPU-s and gives the same turn and confidence (tests/test_scan_osd.py). Used for
the Tesseract engine when tesserocr is there; other engines keep their own `orientation`.
"""
from __future__ import annotations

import os
import threading
from typing import Optional

import numpy as np

from xxgk.converters import tesseract_api
from xxgk.converters.ocr import OcrEngine, TesseractEngine
from xxgk.converters.tesseract_langs import _list_langs, tesseract_languages

_apis: dict[tuple, object] = {}
_lock = threading.Lock()


def orientation(engine: OcrEngine, gray: np.ndarray) -> Optional[tuple[int, float]]:
    """(clockwise degrees to turn the page upright, confidence) as the CLI's "Rotate:" line, or None."""
    if type(engine) is not TesseractEngine or not tesseract_api.available() \
            or "osd" not in tesseract_languages(engine.binary):
        return engine.orientation(gray)
    im = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = im.shape[:2]
    depth = 1 if im.ndim == 2 else im.shape[2]
    with _lock:
        api = _api(_list_langs(engine.binary)[0])
        try:
            api.SetImageBytes(im.tobytes(), w, h, depth, w * depth)
            api.SetSourceResolution(int(engine.dpi))
            r = api.DetectOrientationScript()
        except RuntimeError:  # too little text
            return None
        finally:
            api.Clear()
    if not r:
        return None
    return (360 - int(r["orient_deg"])) % 360, float(r["orient_conf"])  # orient_deg runs counter-clockwise


def _api(tessdata: str):
    key = (os.getpid(), tessdata)  # a forked worker builds its own
    if key not in _apis:
        import tesserocr

        _apis[key] = tesserocr.PyTessBaseAPI(path=tessdata, lang="osd", psm=tesserocr.PSM.OSD_ONLY)
    return _apis[key]
