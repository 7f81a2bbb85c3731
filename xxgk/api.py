"""The public Python API; it mirrors ``xxgk convert``.

    >>> import xxgk
    >>> result = xxgk.convert("examples/hongze_2023.pdf")
    >>> result.status, result.report["agency"]
    ('converted', '淮安市洪泽区人民政府')
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from xxgk import status as st
from xxgk.model import ConversionError

PathOrBytes = Union[str, "os.PathLike[str]", bytes]
OCR_ENGINES = ("tesseract", "rapidocr")


@dataclass
class ConversionResult:
    """What one input became.

    ``report`` is the canonical JSON as a dict (None unless the input converted); ``status`` is one of
    xxgk.status.STATUSES; ``errors`` holds the one-line reason when the status is refused or failed.
    """

    input: str
    status: str
    report: Optional[dict] = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def warnings(self) -> list[dict]:
        """The report's warnings: everything the converter was unsure of."""
        return list(self.report["warnings"]) if self.report else []

    @property
    def null_fields(self) -> list[str]:
        """Field ids the conversion could not read (each has a warning)."""
        return st.null_fields(self.report) if self.report else []

    @property
    def ok(self) -> bool:
        """True when a report was built (converted, incomplete or failed_checks)."""
        return self.report is not None


def _convert_source(source: PathOrBytes, name: Optional[str], ocr_engine: str) -> dict:
    from xxgk import pipeline

    with pipeline.ocr_engine_selected(ocr_engine):
        if isinstance(source, (bytes, bytearray, memoryview)):
            return pipeline.convert_bytes(bytes(source), name or "input")
        text = os.fspath(source)
        if pipeline.is_url(text):
            return pipeline.convert_url(text)
        return pipeline.convert_file(text)


def convert(source: PathOrBytes, *, name: Optional[str] = None, ocr_engine: str = "tesseract",
            timeout: Optional[float] = None) -> ConversionResult:
    """Convert one report (a path, an http(s) URL or the file's bytes) into a ConversionResult.

    ``name`` is the file name for bytes input (its extension helps pick the converter).
    ``ocr_engine`` picks the engine for scanned pages ("tesseract" or "rapidocr").
    ``timeout`` (seconds) runs the conversion in a child process that is killed when the time is up;
    without it the conversion runs in this process. Never raises for a bad input: the result says why.
    """
    if ocr_engine not in OCR_ENGINES:
        raise ValueError(f"ocr_engine must be one of {', '.join(OCR_ENGINES)}")
    label = name or (os.fspath(source) if not isinstance(source, (bytes, bytearray, memoryview)) else "<bytes>")
    if timeout is not None:
        from xxgk.isolated import run_isolated

        return run_isolated(_convert_source, (source, name, ocr_engine), label, timeout)
    start = time.monotonic()
    try:
        report = _convert_source(source, name, ocr_engine)
    except ConversionError as e:
        return ConversionResult(label, e.status, None, [str(e)], time.monotonic() - start)
    return ConversionResult(label, st.report_status(report), report, [], time.monotonic() - start)


def convert_many(sources: Iterable[PathOrBytes], *, ocr_engine: str = "tesseract",
                 timeout: Optional[float] = None) -> Iterator[ConversionResult]:
    """Convert each source in turn, yielding one ConversionResult per source in input order."""
    for source in sources:
        yield convert(source, ocr_engine=ocr_engine, timeout=timeout)


def schema() -> dict:
    """The JSON Schema of the canonical report (what ``xxgk schema`` prints)."""
    from xxgk.normalize.schema import report_schema

    return report_schema()


def validate(report: dict) -> list[str]:
    """Problems with a report dict: schema violations and consistency rules that no longer hold. [] if valid."""
    from xxgk.normalize.revalidate import recheck

    return recheck(report)
