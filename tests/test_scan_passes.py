"""The cheaper cell passes of a scanned page (issue 13) read what the full passes read.

Real page: the sealed, skewed 200-dpi scan of the 洪泽区 report's page 3, through the real layout,
crops and Tesseract. The probe's digits stand for the number vote's eng pass; one model per
language serves whitelisted and plain calls alike; label-like cells skip the probe.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from xxgk.converters import tesseract_api
from xxgk.converters.ocr import TesseractEngine
from xxgk.converters.scan_cells import crop_cell
from xxgk.converters.scan_prepare import as_array
from xxgk.converters.scan_read import looks_cjk
from xxgk.layout import raster

PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "scan" / "hzq2023_p3_200dpi_skew2_seal.jpg"
pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


@pytest.fixture(scope="module")
def page():
    lay = raster.analyze(as_array(Image.open(PAGE)), 200.0, page=3)
    crops = [crop_cell(lay, c) for t in lay.tables for c in t.cells]
    return lay, [k for k in crops if k.image is not None and not k.vertical]


def test_probe_digits_stand_for_the_eng_pass(page):
    _, crops = page
    eng = TesseractEngine(dpi=200)
    single = [k for k in crops if k.lines == 1]
    probes = eng.read_cells([k.image for k in single], "probe")
    nums = [(k, p) for k, p in zip(single, probes) if p[2] and set(p[2]) <= set("0123456789.-")]
    assert len(nums) >= 60
    images = [k.image for k, _ in nums]
    full = eng.read_cells(images, "number")
    short = eng.read_cells(images, "number", [(p[2], p[1]) for _, p in nums])
    assert [t for t, _ in short] == [t for t, _ in full]
    assert sum(c >= 0.9 for _, c in short) == sum(c >= 0.9 for _, c in full)


def test_one_model_per_language_serves_whitelisted_and_plain_calls(page):
    if not tesseract_api.available():
        pytest.skip("tesserocr not installed")
    _, crops = page
    eng = TesseractEngine(dpi=200)
    label = next(k for k in crops if k.lines == 1 and looks_cjk(k))
    before = eng.read_cells([label.image], "label")[0][0]
    eng.read_cells([label.image], "number")  # a chi_sim digit-whitelisted pass in between
    after = eng.read_cells([label.image], "label")[0][0]
    assert before == after and any("\u4e00" <= ch <= "\u9fff" for ch in after)
    langs = {key[2] for key in tesseract_api._apis}
    assert len([k for k in tesseract_api._apis if k[2] == "chi_sim"]) == 1 and "eng" in langs


def test_label_like_cells_are_words_and_numbers_are_not(page):
    _, crops = page
    eng = TesseractEngine(dpi=200)
    cjk = [k for k in crops if looks_cjk(k)]
    assert len(cjk) >= 15
    texts = [t for t, _ in eng.read_cells([k.image for k in cjk], "label")]
    assert all(sum("\u4e00" <= ch <= "\u9fff" for ch in t) >= 2 for t in texts), texts
    digits = [k for k in crops if k.lines == 1 and k.glyphs == 1]
    assert digits and not any(looks_cjk(k) for k in digits)
    assert np.all([k.wide_glyphs <= k.glyphs for k in crops])

