"""Checked once before a batch that needs OCR: the engine, and the Tesseract language data it reads with."""
from __future__ import annotations

import os
from typing import Iterable, Optional

from xxgk.model import MissingDependency
from xxgk.output import is_url

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif"}
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8")


def _kind(path: str) -> Optional[str]:
    """'image' or 'pdf' from the first bytes (or the extension), else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError:
        head = b""
    if head.startswith(IMAGE_MAGIC) or (not head and os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS):
        return "image"
    if b"%PDF-" in head:
        return "pdf"
    return None


# Where Debian's and a source build's tesseract look for language data (besides $TESSDATA_PREFIX).
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/local/share/tessdata", "/usr/share/tessdata")


def _languages_key(binary: str) -> str:
    """What `tesseract --list-langs` answers from: the binary, $TESSDATA_PREFIX and the language files in the
    data folders (installing or removing a pack changes them)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    st = os.stat(binary)
    parts = [binary, str(st.st_mtime_ns), str(st.st_size), prefix or ""]
    for folder in ([prefix, os.path.join(prefix, "tessdata")] if prefix else []) + list(TESSDATA_DIRS):
        try:
            parts.append(folder + ":" + ",".join(sorted(f for f in os.listdir(folder) if f.endswith(".traineddata"))))
        except OSError:
            parts.append(folder + ":-")
    return "|".join(parts)


class _DoesNotRun(Exception):
    pass


def _list_languages(binary: str) -> list:
    """The languages `tesseract --list-langs` names, as the converter reads them; a failure is not cached."""
    import subprocess

    from xxgk.converters.tesseract_langs import list_langs

    try:
        return sorted(list_langs(binary)[1])
    except (OSError, subprocess.TimeoutExpired) as e:
        raise _DoesNotRun(f"Tesseract does not run ({e})") from e


def tesseract_problem() -> Optional[str]:
    """Why Tesseract cannot read our scans here (naming the package to install), or None. The language list
    is remembered in the per-user cache while the binary and the language files stay as they were: a batch
    of born-digital PDFs then starts no tesseract (~12 ms of CPU a run); each scan's converter asks again."""
    import hashlib
    import shutil

    from xxgk.converters.tesseract_langs import LANG_PACKAGES  # language → its Debian package (osd too)
    from xxgk.normalize.cache import cached_marshal

    binary = shutil.which("tesseract")
    if binary is None:
        return "Tesseract is not installed: apt-get install tesseract-ocr " + " ".join(LANG_PACKAGES.values())
    key = hashlib.sha256(_languages_key(binary).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    try:
        have = cached_marshal("tesseract-languages", key, lambda: _list_languages(binary))
    except _DoesNotRun as e:
        return str(e)
    missing = [lang for lang in LANG_PACKAGES if lang not in have]
    if missing:
        return (f"Tesseract language data {', '.join(missing)} is missing: apt-get install "
                + " ".join(LANG_PACKAGES[m] for m in missing))
    return None


def engine_problem(engine: str) -> Optional[str]:
    if engine == "tesseract":
        return tesseract_problem()
    from xxgk.converters.ocr import engine_problem as converter_problem

    return converter_problem(engine)


def check_ocr(sources: Iterable[str], engine: str) -> Optional[str]:
    """Raise MissingDependency when an image input cannot be read; a warning text when only PDFs might need OCR."""
    kinds = {_kind(s) for s in sources if not is_url(s)}
    if not kinds & {"image", "pdf"}:
        return None
    problem = engine_problem(engine)
    if problem and "image" in kinds:
        raise MissingDependency(problem)
    return f"scanned PDF pages will fail: {problem}" if problem else None
