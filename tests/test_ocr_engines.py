"""The OCR engine interface: choosing an engine, RapidOCR as the second engine, and how a
full-page engine's text lines are assigned to the grid's cells."""
from __future__ import annotations

import importlib.util
import json
import shutil
import socket
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from xxgk.converters import image
from xxgk.model import Paragraph, Table
from xxgk.converters.ocr import ENGINE_ENV, OcrEngine, engine_problem
from golden import differences, load
from xxgk.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "fixtures" / "scan"
needs_rapidocr = pytest.mark.skipif(importlib.util.find_spec("rapidocr") is None,
                                    reason="rapidocr not installed (scripts/setup.sh)")
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


@pytest.fixture(autouse=True)
def _engine_env(monkeypatch):
    # The CLI writes the chosen engine into os.environ; setenv makes monkeypatch restore the
    # variable's earlier state (absent) after each test, whatever the CLI wrote.
    monkeypatch.setenv(ENGINE_ENV, "tesseract")


def test_unknown_engine_is_refused_before_converting(tmp_path):
    res = CliRunner().invoke(main, ["convert", str(SCANS / "hzq2023_scanned.pdf"), "-o", str(tmp_path),
                                    "--ocr-engine", "easyocr"])
    assert res.exit_code == 2
    assert "easyocr" in res.output
    assert list(tmp_path.iterdir()) == []
    assert "unknown OCR engine 'easyocr'" in engine_problem("easyocr")


@needs_tesseract
def test_unknown_engine_in_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "easyocr")
    src = SCANS / "hzq2023_p3_200dpi_skew2_seal.jpg"
    res = CliRunner().invoke(main, ["convert", str(src), "-o", str(tmp_path)])
    assert res.exit_code == 2  # click refuses the value before anything runs
    assert "easyocr" in res.output


# ------------------------------------------------------------ line -> cell assignment

class _Lines(OcrEngine):
    """Stands in for a full-page engine: returns fixed text lines (a test double for RapidOCR)."""

    name = "rapidocr"
    reads_pages = True

    def __init__(self, lines):
        self.lines = lines
        self.calls = 0

    def read_block(self, img):
        self.calls += 1
        return self.lines


def _grid_page():
    """A 2x3 ruled table at 200 dpi with a digit drawn in every cell, and the cell centres."""
    img = np.full((1400, 1600), 255, np.uint8)
    xs, ys = [200, 600, 1000, 1400], [500, 650, 800]
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 0, 3)
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 3)
    centres = {}
    for r in range(2):
        for c in range(3):
            cx, cy = (xs[c] + xs[c + 1]) // 2, (ys[r] + ys[r + 1]) // 2
            cv2.putText(img, str(r * 3 + c + 1), (cx - 15, cy + 15), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 4)
            centres[(r, c)] = (cx, cy)
    return Image.fromarray(img), centres


def _box(cx, cy, w=40, h=40):
    return (float(cx - w / 2), float(cy - h / 2), float(cx + w / 2), float(cy + h / 2))


def test_full_page_lines_go_to_the_cell_holding_their_centre():
    page, centres = _grid_page()
    lines = [("1", 0.99, _box(*centres[(0, 0)])),
             ("2", 0.99, _box(*centres[(0, 1)])),
             ("3", 0.97, _box(*centres[(0, 2)])),
             # one reading run across the ruling between (1,0) and (1,1): trusted in neither
             ("45", 0.99, _box((centres[(1, 0)][0] + centres[(1, 1)][0]) / 2 - 40, centres[(1, 0)][1], w=420)),
             # (1,2) has ink but no line: an empty, zero-confidence reading, never a silent blank
             ("二、主动公开政府信息情况", 0.98, (200.0, 200.0, 900.0, 240.0))]
    engine = _Lines(lines)
    blocks = image.ocr_page(page, 1, engine=engine, detect_orientation=False, dpi=200)
    assert engine.calls == 1  # one pass over the page, not one per cell
    table = next(b for b in blocks if isinstance(b, Table))
    cells = {(c.row, c.col): c for c in table.cells}
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert [cells[(0, c)].text for c in range(3)] == ["1", "2", "3"]
    assert cells[(0, 0)].confidence >= 0.9 and cells[(0, 2)].confidence >= 0.9
    assert cells[(1, 0)].confidence <= 0.3 and cells[(1, 1)].confidence <= 0.3
    assert (cells[(1, 2)].text, cells[(1, 2)].confidence) == ("", 0.0)
    prose = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert prose == ["二、主动公开政府信息情况"]


def test_full_page_number_that_misses_a_digit_is_distrusted():
    page, centres = _grid_page()
    # The ink of (0,0) is one digit; a reading of two digits is not what the page shows.
    lines = [("11", 0.99, _box(*centres[(0, 0)])), ("o", 0.95, _box(*centres[(0, 1)]))]
    blocks = image.ocr_page(page, 1, engine=_Lines(lines), detect_orientation=False, dpi=200)
    table = next(b for b in blocks if isinstance(b, Table))
    cells = {(c.row, c.col): c for c in table.cells}
    assert cells[(0, 0)].text == "11" and cells[(0, 0)].confidence <= 0.5
    assert cells[(0, 1)].text == "0"  # a lone Latin "o" in a number cell is the digit


# ------------------------------------------------------------ RapidOCR itself

@needs_rapidocr
def test_rapidocr_models_ship_in_the_wheel_and_run_without_network(monkeypatch):
    from xxgk.converters.ocr import RapidOcrEngine

    def refuse(*a, **k):
        raise OSError("network use during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = RapidOcrEngine()
    img = Image.open(SCANS / "hzq2023_p3_200dpi_skew2_seal.jpg").convert("L")
    lines = engine.read_block(np.asarray(img))
    assert any("本年新收" in t for t, _, _ in lines)
    models = Path(importlib.util.find_spec("rapidocr").origin).parent / "models"
    assert sorted(p.suffix for p in models.glob("*.onnx")) == [".onnx"] * 3


@needs_rapidocr
@needs_tesseract
def test_rapidocr_converts_the_sealed_skewed_report_from_the_command_line(tmp_path):
    src = SCANS / "hzq2023_scan200_skew2_seal.pdf"
    res = CliRunner().invoke(main, ["convert", str(src), "-o", str(tmp_path), "--ocr-engine", "rapidocr"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "hzq2023_scan200_skew2_seal.pdf.json").read_text(encoding="utf-8"))
    assert report["source"]["ocr"] is True and report["source"]["ocr_engine"] == "rapidocr"
    assert differences(report, load(SCANS / "hzq2023_scan200_skew2_seal.expected.json")) == []
