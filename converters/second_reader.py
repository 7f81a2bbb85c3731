"""A second reader for the cells Tesseract is unsure of on low-resolution scans.

At 100 dpi a table's digits are ~10 px tall: Tesseract's LSTM reads a serif "5" as "4" and "550" as
"350" (two of its three passes agreeing), whatever the crop is enlarged by (measured x1-x4, cubic,
Lanczos, blurred: at best 5 of 11 cells of the fax fixture's table 二). PP-OCR's recogniser, run on
the crop alone (RapidOCR with detection off; the ONNX model ships in its wheel, no download), reads
all 11 and the table's row labels. It is loaded on first use, once per process, and only asked
about cells Tesseract is unsure of, so sharp scans never pay for it.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from typing import Optional, Sequence

import numpy as np

_reader: dict[int, object] = {}
_lock = threading.Lock()
_available: Optional[bool] = None


def available() -> bool:
    """rapidocr and onnxruntime importable (both are dependencies; a trimmed install may lack them)."""
    global _available
    if _available is None:  # found, not imported: importing onnxruntime costs 0.7 CPU-s, paid on first read
        _available = all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))
    return _available


def _engine():
    pid = os.getpid()  # a forked worker builds its own session
    if pid not in _reader:
        from rapidocr import RapidOCR  # type: ignore

        # text_score 0: every reading comes back with its score, the caller decides what it trusts.
        # One ONNX thread: xxgk runs a worker per core, and onnxruntime's own pool spins (27 vs 15 CPU-ms a crop).
        _reader[pid] = RapidOCR(params={"Global.log_level": "error", "Global.use_det": False,
                                        "Global.use_cls": False, "Global.text_score": 0.0,
                                        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                                        "EngineConfig.onnxruntime.inter_op_num_threads": 1})
    return _reader[pid]


_seen: dict[tuple, tuple[str, float]] = {}  # a crop asked about twice (as a number and as a label) is read once
_SEEN_MAX = 4096


def read(crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
    """Each crop (grey, white ground, one text line) -> (text, score 0..1)."""
    if not crops:
        return []
    out = []
    with _lock:  # one ONNX session per process, used by one thread at a time
        engine = _engine()
        for crop in crops:
            key = (os.getpid(), crop.shape, hash(np.ascontiguousarray(crop).tobytes()))
            if key not in _seen:
                image = np.dstack([crop] * 3) if crop.ndim == 2 else crop
                res = engine(np.ascontiguousarray(image), use_det=False, use_cls=False, use_rec=True)
                texts, scores = getattr(res, "txts", None), getattr(res, "scores", None)
                if len(_seen) >= _SEEN_MAX:
                    _seen.clear()
                _seen[key] = (texts[0], float(scores[0])) if texts else ("", 0.0)
            out.append(_seen[key])
    return out
