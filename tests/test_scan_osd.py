"""In-process OSD (converters/scan_osd.py) gives the command line's turn on the real scanned page."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from xxgk.converters import scan_osd, tesseract_api
from xxgk.converters.ocr import TesseractEngine
from xxgk.converters.scan_prepare import as_array
from xxgk.layout import raster

PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "scan" / "hzq2023_p3_200dpi_skew2_seal.jpg"
pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


def test_in_process_osd_gives_the_command_lines_turn(monkeypatch):
    if not tesseract_api.available():
        pytest.skip("tesserocr not installed")
    gray = raster.analyze(as_array(Image.open(PAGE)), 200.0, page=3).gray
    eng = TesseractEngine(dpi=200)
    for rot in (90, 180, 270):
        turned = raster.rotate_quadrant(gray, rot)
        inproc = scan_osd.orientation(eng, turned)
        cli = eng.orientation(turned)  # the engine's own: the tesseract command line
        assert inproc[0] == cli[0] == (360 - rot) % 360
        assert abs(inproc[1] - cli[1]) < 0.01
