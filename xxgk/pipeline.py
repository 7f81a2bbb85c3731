"""converter → normaliser → schema check: one input in, one canonical report out."""
from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import urlparse

from xxgk.model import ConversionError
from xxgk.converters.registry import converter_for, sniff
from xxgk.normalize.report import build_report
from xxgk.normalize.schema import validate

MAX_BYTES = 200 * 1024 * 1024  # larger inputs are refused rather than exhausting memory


ENGINE_ENV = "XXGK_OCR_ENGINE"  # read by xxgk.converters.ocr; set here so that cv2 is not imported for text input


def is_url(s: str) -> bool:
    return urlparse(s).scheme in ("http", "https")


@contextlib.contextmanager
def ocr_engine_selected(name: str) -> Iterator[None]:
    """Run the block with `name` as the OCR engine, restoring the previous choice afterwards."""
    before = os.environ.get(ENGINE_ENV)
    os.environ[ENGINE_ENV] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENGINE_ENV, None)
        else:
            os.environ[ENGINE_ENV] = before


class InvalidReport(Exception):
    """The report we built breaks our own schema: a bug, reported loudly."""


def convert_bytes(data: bytes, name: str, path: Optional[str] = None, url: Optional[str] = None) -> dict:
    if len(data) > MAX_BYTES:
        raise ConversionError(f"the file is {len(data) // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    kind = sniff(data, name)
    doc = converter_for(kind)(data, name)
    doc.source.path = path
    doc.source.url = url
    doc.source.sha256 = hashlib.sha256(data).hexdigest()
    report = build_report(doc)
    errors = validate(report)
    if errors:
        raise InvalidReport(f"output breaks the schema: {errors[0]}")
    return report


def convert_file(path: str | os.PathLike) -> dict:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ConversionError("is a directory")
    except OSError as e:
        raise ConversionError(f"cannot read: {e.strerror or e}")
    return convert_bytes(data, p.name, path=str(p))


def fetch_url(url: str, timeout: float = 30.0) -> bytes:
    import requests

    try:
        resp = requests.get(url, timeout=timeout, headers={"User-Agent": "xxgk/0.1 (+report converter)"})
        resp.raise_for_status()
    except requests.RequestException as e:
        raise ConversionError(f"download failed: {e.__class__.__name__}: {e}")
    return resp.content


def convert_url(url: str) -> dict:
    data = fetch_url(url)
    name = url.rstrip("/").rsplit("/", 1)[-1] or "index.html"
    return convert_bytes(data, name, url=url)
