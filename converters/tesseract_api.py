"""Tesseract in-process through tesserocr: the models are loaded once per worker process.

One API object per language and process, reused for every crop and page; the page segmentation
mode and the call's variables (a digit whitelist) are set per call and the variables put back
after it, so a language's model is loaded once (each load costs 0.1-0.2 CPU-s). Each object is
used by one thread at a time (its lock): batches of different languages still run side by side.
Images go in as raw bytes (no PIL/BMP encoding). Returns the same TSV as the command line, so
converters/ocr.py parses both alike. Measured on the 洪泽区 scans: a 200-dpi page read by the CLI
costs 1.2 CPU-s, in-process 0.74 CPU-s, and every crop batch saves a model load.
Set XXGK_TESSERACT=cli to use the command line instead.
"""
from __future__ import annotations

import os
import threading
from typing import Optional, Sequence

import numpy as np

_apis: dict[tuple, tuple[object, threading.Lock]] = {}
_guard = threading.Lock()
_available: Optional[bool] = None


def available() -> bool:
    """tesserocr importable and not switched off by XXGK_TESSERACT=cli."""
    global _available
    if os.environ.get("XXGK_TESSERACT", "").strip().lower() == "cli":
        return False
    if _available is None:
        try:
            import tesserocr  # noqa: F401
            _available = True
        except ImportError as e:
            from xxgk.model import raise_if_import_out_of_memory

            raise_if_import_out_of_memory(e)  # never switch engines for want of memory
            _available = False
    return _available


def _api(tessdata: str, lang: str):
    key = (os.getpid(), tessdata, lang)  # a forked worker builds its own
    with _guard:
        if key not in _apis:
            import tesserocr

            api = tesserocr.PyTessBaseAPI(path=tessdata, lang=lang, psm=tesserocr.PSM.SINGLE_BLOCK)
            _apis[key] = (api, threading.Lock())
        return _apis[key]


def run_tsv(images: Sequence[np.ndarray], tessdata: str, lang: str, psm: int, config: Sequence[str],
            dpi: int) -> str:
    """All images read by one in-process API: one TSV with page numbers 1..n, as the CLI gives."""
    api, lock = _api(tessdata, lang)
    parts = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"]
    with lock:
        saved = []
        for c in config:
            name, _, value = c.partition("=")
            saved.append((name, api.GetVariableAsString(name)))
            api.SetVariable(name, value)
        try:
            api.SetPageSegMode(psm)
            for i, im in enumerate(images):
                im = np.ascontiguousarray(im, dtype=np.uint8)
                h, w = im.shape[:2]
                depth = 1 if im.ndim == 2 else im.shape[2]
                api.SetImageBytes(im.tobytes(), w, h, depth, w * depth)
                api.SetSourceResolution(int(dpi))
                tsv = api.GetTSVText(i)
                if tsv:
                    parts.append(tsv.rstrip("\n"))
            api.Clear()
        finally:
            for name, value in saved:
                api.SetVariable(name, value or "")
    return "\n".join(parts) + "\n"
