"""converter → normaliser → schema check: one input in, one canonical report out."""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import urlparse

from xxgk.model import ConversionError, Refused
from xxgk.converters.registry import converter_for, sniff
from xxgk.normalize.cache import save_tables
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
    save_tables()  # once per process, if patterns or label ratios were derived here: the next one loads them
    errors = validate(report)
    if errors:
        raise InvalidReport(f"output breaks the schema: {errors[0]}")
    return report


_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_input(p: Path) -> bytes:
    """The file's bytes, refusing before reading what is not a regular file or is over MAX_BYTES."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what it is.
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise ConversionError("is a directory")
    except OSError as e:
        raise ConversionError(f"cannot read: {e.strerror or e}")
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise ConversionError("is a directory")
    with os.fdopen(fd, "rb", buffering=0) as f:
        for test, what in _NOT_REGULAR:
            if test(info.st_mode):
                raise Refused(f"not a regular file: {what}")
        if info.st_size > MAX_BYTES:
            raise ConversionError(f"the file is {info.st_size // (1024 * 1024)} MB; "
                                  f"the limit is {MAX_BYTES // (1024 * 1024)} MB")
        try:
            return _read_bounded(f, info.st_size)
        except OSError as e:
            raise ConversionError(f"cannot read: {e.strerror or e}")


def _read_bounded(f, size: int) -> bytes:
    """Up to MAX_BYTES + 1 bytes: the stat size first (read(n) reserves n bytes up front, which under
    --max-memory failed every input below ~310 MB), then in 1 MB steps if the file grows while we read."""
    parts, total, want = [], 0, size + 1
    while total <= MAX_BYTES:
        chunk = f.read(min(want, MAX_BYTES + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = 1 << 20
    return b"".join(parts)


def convert_file(path: str | os.PathLike) -> dict:
    p = Path(path)
    return convert_bytes(read_input(p), p.name, path=str(p))


def fetch_url(url: str, timeout: float = 30.0) -> bytes:
    from xxgk.fetch import http_get

    return http_get(url, timeout).body


def convert_url(url: str) -> dict:
    """A report page, a file URL, or a detail page whose report is its attachment (xxgk.fetch follows it)."""
    from xxgk.fetch import fetch_report

    data, name, source = fetch_report(url)
    report = convert_bytes(data, name, url=source["url"])
    report["source"].update(source)
    return report
