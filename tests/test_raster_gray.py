"""layout.raster.to_gray on small hand-built pages: seal ink becomes paper, print under it and shading stay."""
from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from xxgk.layout.raster import to_gray  # noqa: E402

PAPER = (250, 250, 250)
SEAL = (220, 40, 40)  # the red of a stamp
BLUE_PEN = (30, 60, 230)
SHADING = (200, 220, 240)  # a light blue table band: not ink


def page(ink: list[tuple[np.ndarray, tuple[int, int, int]]]) -> np.ndarray:
    img = np.empty((120, 160, 3), np.uint8)
    img[:] = PAPER
    for where, colour in ink:
        img[where] = colour
    return img


def strokes(rows: slice, cols: slice, every: int = 9, width: int = 3) -> np.ndarray:
    """Horizontal strokes `width` px thick, one every `every` rows: ink as thin as a seal's or a pen's."""
    mask = np.zeros((120, 160), bool)
    for y in range(rows.start, rows.stop, every):
        mask[y:y + width, cols] = True
    return mask


def plain_gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(img[:, :, :3]), cv2.COLOR_RGB2GRAY)


def test_a_red_seal_turns_to_paper_and_the_digits_under_it_stay_black():
    seal = strokes(slice(20, 80), slice(30, 110))
    digits = np.zeros_like(seal)
    digits[30:80, 60:63] = True  # a "1" crossing the seal's strokes
    img = page([(seal, SEAL), (digits, (0, 0, 0))])
    gray = to_gray(img)
    red = seal & ~digits
    assert plain_gray(img)[red].max() < 100  # what a plain conversion leaves: dark enough to read as ink
    assert gray[red].min() >= 200 and gray[digits].max() == 0
    assert np.array_equal(gray[~red], plain_gray(img)[~red])  # nothing else is touched


def test_blue_pen_is_dropped_and_light_blue_shading_is_kept():
    pen = strokes(slice(10, 50), slice(10, 150))
    shading = np.zeros_like(pen)
    shading[70:110, 10:150] = True
    img = page([(pen, BLUE_PEN), (shading, SHADING)])
    gray = to_gray(img)
    assert plain_gray(img)[pen].max() < 100 and gray[pen].min() >= 200  # pen ink (blue 170 above the rest) gone
    assert np.array_equal(gray[~pen], plain_gray(img)[~pen])  # shading: blue only 20 above green, kept


def test_rgba_and_gray_input_and_too_little_colour_to_matter():
    few = np.zeros((120, 160), bool)
    few[50:55, 50:55] = True  # 25 red pixels: under the 50 a seal needs
    img = page([(few, SEAL)])
    assert np.array_equal(to_gray(img), plain_gray(img))
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    assert np.array_equal(to_gray(rgba), to_gray(img))
    g = plain_gray(img)
    assert np.array_equal(to_gray(g), g)


def test_the_same_result_as_the_signed_formula_on_noise():
    # The saturating uint8 arithmetic must equal the int16 difference wherever it matters (excess > 25).
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(90, 110, 3), dtype=np.uint8)
    rgb = img.astype(np.int16)
    gray = to_gray(img)
    expected = plain_gray(img)
    paper = np.maximum(cv2.blur(cv2.dilate(expected, np.ones((15, 15), np.uint8)), (31, 31)).astype(np.float32), 1.0)
    for ch, (a, b), thresh in ((0, (1, 2), 25), (2, (0, 1), 30)):
        excess = rgb[:, :, ch] - np.maximum(rgb[:, :, a], rgb[:, :, b])
        mask, core = excess > thresh, excess > 80
        chan = rgb[:, :, ch].astype(np.float32)
        c = min(max(float(np.median(chan[core] / paper[core])), 0.5), 1.0)
        expected[mask] = np.minimum(chan[mask] / c, paper[mask]).astype(np.uint8)
    assert np.array_equal(gray, expected)
