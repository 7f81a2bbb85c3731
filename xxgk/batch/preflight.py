"""Checked once before a batch that needs OCR: the engine, and the Tesseract language data it reads with."""
from __future__ import annotations

import os
from typing import Iterable, Optional

from xxgk.model import MissingDependency
from xxgk.output import is_url

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif"}
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8")
# language → the Debian package that ships it
TESSERACT_LANGS = {"chi_sim": "tesseract-ocr-chi-sim", "chi_sim_vert": "tesseract-ocr-chi-sim-vert",
                   "eng": "tesseract-ocr-eng"}


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


def tesseract_problem() -> Optional[str]:
    """Why Tesseract cannot read our scans here (naming the package to install), or None."""
    import shutil
    import subprocess  # here: a batch without PDFs or images never runs it

    if shutil.which("tesseract") is None:
        return "Tesseract is not installed: apt-get install tesseract-ocr " + " ".join(TESSERACT_LANGS.values())
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"Tesseract does not run ({e})"
    have = set((out.stdout + out.stderr).split())
    missing = [lang for lang in TESSERACT_LANGS if lang not in have]
    if missing:
        return (f"Tesseract language data {', '.join(missing)} is missing: apt-get install "
                + " ".join(TESSERACT_LANGS[m] for m in missing))
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
