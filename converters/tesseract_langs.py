"""Which Tesseract language data is installed: asked once per binary and data folder, and the
reason scans cannot be read here (naming the Debian package to install) when some is missing."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Optional

# The language data every scan needs, and the Debian package that ships each.
LANG_PACKAGES = {"eng": "tesseract-ocr-eng", "chi_sim": "tesseract-ocr-chi-sim",
                 "chi_sim_vert": "tesseract-ocr-chi-sim-vert", "osd": "tesseract-ocr-osd"}
_languages: dict[tuple, tuple[str, frozenset]] = {}


def list_langs(binary: str) -> tuple[str, frozenset]:
    """(tessdata folder, languages) as this tesseract reports them now (`tesseract --list-langs`)."""
    res = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=60)
    out = (res.stdout + res.stderr).decode("utf-8", "replace").splitlines()
    home = re.search(r'"([^"]+)"', out[0]) if out else None
    return (home.group(1) if home else "",
            frozenset(ln.strip() for ln in out[1:] if ln.strip() and " " not in ln.strip()))


def _list_langs(binary: str) -> tuple[str, frozenset]:
    """list_langs, asked once per process, binary and data dir."""
    key = (binary, os.environ.get("TESSDATA_PREFIX"))
    if key not in _languages:
        _languages[key] = list_langs(binary)
    return _languages[key]


def tesseract_languages(binary: str = "tesseract") -> frozenset:
    """The languages this tesseract finds."""
    return _list_langs(binary)[1]


def tesseract_problem(binary: str = "tesseract") -> Optional[str]:
    """Why tesseract cannot read scans here (not installed, language data missing), or None."""
    if shutil.which(binary) is None:
        return "tesseract is not installed: install tesseract-ocr (run scripts/setup.sh)"
    missing = [lang for lang in LANG_PACKAGES if lang not in tesseract_languages(binary)]
    if missing:
        return (f"Tesseract language data {', '.join(missing)} is missing: install "
                f"{' '.join(LANG_PACKAGES[m] for m in missing)} (run scripts/setup.sh)")
    return None
