"""Run one conversion in a child process with a wall-clock limit (the API's ``timeout=``).

It is the batch's worker (xxgk.batch.worker): same memory limit, same capture of library warnings,
same timeout / out of memory / crashed reasons.
"""
from __future__ import annotations

from typing import Callable, Optional

DEFAULT_MAX_MEMORY_MB = 2048


def run_isolated(fn: Callable, args: tuple, label: str, timeout: float,
                 max_memory_mb: Optional[int] = DEFAULT_MAX_MEMORY_MB):
    """fn(*args) -> report dict, run in a fresh worker process (forked from a small single-threaded caller,
    else spawned: xxgk.batch.worker.start_method); a ConversionResult whatever happens."""
    import os

    from xxgk.api import ConversionResult
    from xxgk.batch.worker import run_one

    engine = os.environ.get("XXGK_OCR_ENGINE") or "tesseract"
    payload = run_one({"call": (fn, args), "want_report": True}, timeout, max_memory_mb, engine)
    report = payload.get("report")
    errors = [] if report is not None else [payload.get("reason") or "failed"]
    return ConversionResult(label, payload["status"], report, errors, payload.get("seconds") or 0.0)
