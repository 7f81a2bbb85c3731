"""Ink-component helpers of the scan path on small hand-built masks, each against the per-pixel formula
it replaces (a label lookup and a full-page dilation; labelling every pixel for boxes): same answers."""
from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from xxgk.converters import scan_cells  # noqa: E402
from xxgk.converters.scan_cells import component_mask, keep_components  # noqa: E402
from xxgk.converters.scan_orient import component_boxes  # noqa: E402
from xxgk.layout import raster  # noqa: E402
from xxgk.layout.raster import components, text_skew  # noqa: E402


def by_lookup(labels, stats, cents, s):
    """keep_components as a full-page dilation of the big components, sampled at each small one's centroid."""
    area = stats[:, cv2.CC_STAT_AREA]
    keep = area >= scan_cells._big(s)
    keep[0] = False
    small = np.nonzero(~keep & (area >= 3))[0]
    small = small[small > 0]
    if keep.any() and len(small):
        near = cv2.dilate(keep.astype(np.uint8)[labels], np.ones((max(3, int(12 * s)), max(3, int(14 * s))), np.uint8))
        at = cents[small].astype(int)
        keep[small] = near[at[:, 1], at[:, 0]] > 0
    return keep


def glyph_row() -> np.ndarray:
    """Two glyph-sized blocks, a dot beside one (kept), a dot inside the window's far corner (kept), a speck
    far from both (dropped), a dot touching the page edge, and a ring with a dot in its hole."""
    ink = np.zeros((60, 120), np.uint8)
    ink[10:30, 10:22] = 255
    ink[10:30, 40:52] = 255
    ink[28:30, 24:26] = 255  # "." just right of the first glyph
    ink[33:35, 58:60] = 255  # a dot whose window just reaches the second glyph's corner
    ink[50:52, 100:102] = 255  # isolated speck
    ink[0:2, 118:120] = 255  # speck in the page corner
    ink[36:56, 70:90] = 255
    ink[40:52, 74:86] = 0  # a ring ...
    ink[45:47, 79:81] = 255  # ... with a dot in its hole
    return ink


def random_masks(n: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        h, w = (int(v) for v in rng.integers(3, 160, 2))
        ink = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 50))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            a, b = (int(v) for v in rng.integers(1, 26, 2))
            ink[y:y + a, x:x + b] = 255
        ink[rng.random((h, w)) < rng.choice([0.0, 0.02, 0.2])] = 255
        yield ink


@pytest.mark.parametrize("s", [0.5, 1.0, 1.5])
def test_keep_components_and_its_mask_match_the_lookup_on_a_glyph_row(s):
    ink = glyph_row()
    _, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = keep_components(labels, stats, cents, s)
    assert (keep == by_lookup(labels, stats, cents, s)).all()
    assert (component_mask(ink, labels, stats, keep) == np.where(keep, 255, 0).astype(np.uint8)[labels]).all()
    if s == 1.0:  # the windows at 200 dpi: 12 rows x 14 columns around the centroid
        dot, far_dot, speck = (labels[29, 25], labels[34, 59], labels[51, 101])
        assert keep[dot] and keep[far_dot] and not keep[speck]


@pytest.mark.parametrize("boxes_per_pixel", [None, 1, 10 ** 9])  # the as-set balance, always boxes, always lookup
def test_both_ways_of_each_helper_agree_with_the_lookup_on_random_masks(boxes_per_pixel, monkeypatch):
    if boxes_per_pixel is not None:
        monkeypatch.setattr(scan_cells, "PIXELS_PER_BOX", boxes_per_pixel)
    for ink in random_masks(120):
        _, labels, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
        for s in (0.5, 1.0, 1.5):
            keep = keep_components(labels, stats, cents, s)
            assert (keep == by_lookup(labels, stats, cents, s)).all()
            assert (component_mask(ink, labels, stats, keep) == np.where(keep, 255, 0).astype(np.uint8)[labels]).all()


def test_component_boxes_are_the_labelled_components_boxes_holes_and_page_edges_included():
    for ink in [glyph_row(), np.zeros((5, 5), np.uint8), np.full((4, 7), 255, np.uint8), *random_masks(200, seed=9)]:
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        assert sorted(component_boxes(ink)) == sorted(tuple(int(v) for v in r[:4]) for r in stats[1:])


def test_text_skew_finds_the_tilt_of_hand_drawn_lines():
    page = np.zeros((1100, 800), np.uint8)
    for y in range(80, 1000, 40):
        page[y:y + 14, 60:740] = 255  # text lines as solid bars
    m = cv2.getRotationMatrix2D((400, 550), 1.5, 1.0)
    tilted = cv2.warpAffine(page, m, (800, 1100), flags=cv2.INTER_NEAREST, borderValue=0)
    assert text_skew(page) == 0.0
    assert abs(text_skew(tilted) + 1.5) <= 0.05  # turning back by -1.5 deg gives the sharpest profile


def full_size_skew(ink: np.ndarray) -> float:
    """text_skew as it searched before: every angle, coarse and fine, on the full 800-px page."""
    sharp = raster._sharpness_of(ink)
    best = float(max(np.arange(-raster.MAX_SKEW, raster.MAX_SKEW + 1e-9, 0.25), key=sharp))
    best = float(max(np.arange(best - 0.2, best + 0.2 + 1e-9, 0.05), key=sharp))
    return 0.0 if abs(best) < 0.1 else best


@pytest.mark.parametrize("angle", [-4.3, -2.0, -0.7, 0.4, 1.15, 3.6])
def test_text_skew_searching_coarse_angles_at_half_size_finds_the_full_size_angle(angle):
    rng = np.random.default_rng(int(10 * angle) + 50)
    page = np.zeros((1130, 800), np.uint8)
    for y in range(70, 1060, 34):  # prose: lines of word-sized blobs with ragged ends
        x = 60 + int(rng.integers(0, 40))
        while x < 740 - int(rng.integers(0, 120)):
            w = int(rng.integers(8, 30))
            page[y:y + int(rng.integers(12, 17)), x:x + w] = 255
            x += w + int(rng.integers(3, 9))
    m = cv2.getRotationMatrix2D((400, 565), angle, 1.0)
    tilted = cv2.warpAffine(page, m, (800, 1130), flags=cv2.INTER_NEAREST, borderValue=0)
    assert text_skew(tilted) == round(full_size_skew(tilted), 2)
    assert abs(text_skew(tilted) + angle) <= 0.1


def test_components_are_those_of_32_bit_labels_and_past_65535_they_are_32_bit():
    ink = glyph_row()
    n, labels, stats, cents = components(ink)
    n32, labels32, stats32, cents32 = cv2.connectedComponentsWithStats(ink, connectivity=8)
    assert labels.dtype == np.uint16 and n == n32 == 9  # the background and eight components
    assert (labels == labels32).all() and (stats == stats32).all() and np.allclose(cents, cents32)
    assert (components(ink, 4)[1] == cv2.connectedComponentsWithStats(ink, connectivity=4)[1]).all()
    noise = np.zeros((600, 600), np.uint8)
    noise[::2, ::2] = 255  # 90,000 lone pixels: more labels than 16 bits hold
    n, labels, stats, _ = components(noise, 4)
    assert n == 90_001 and labels.dtype == np.int32 and labels[598, 598] == 90_000 and stats[90_000, 4] == 1


def vertical_label(mark: bool = True) -> np.ndarray:
    """A vertical label as a cell crop holds it: three 20 x 20 glyphs one under the other, 三-like strokes in
    the first (three bars with gaps), and a small mark at the top right of the second glyph's place."""
    crop = np.full((130, 40), 255, np.uint8)
    for y in (10, 18, 26):
        crop[y:y + 4, 10:30] = 0  # 三: three strokes, one glyph
    if mark:
        crop[36:41, 26:30] = 0  # 、 as vertical text sets it, top right
    crop[50:70, 10:30] = 0
    crop[80:100, 10:30] = 0
    return crop


def test_a_vertical_label_is_set_as_one_line_with_its_mark_at_the_bottom_left():
    line = scan_cells.glyphs_in_a_row(vertical_label())
    assert line.shape[0] < 60 and line.shape[1] > 3 * 20  # one line, glyphs side by side
    ink = line < 128
    cols = [i for i, v in enumerate(ink.any(0)) if v]
    runs = scan_cells.true_runs(ink.any(0), 1)
    assert len(runs) == 4  # 三, the mark, two glyphs: left to right in reading order
    widths = [b - a for a, b in runs]
    assert widths == [20, 4, 20, 20]
    mark = ink[:, runs[1][0]:runs[1][1]]
    rows = np.flatnonzero(mark.any(1))
    body = np.flatnonzero(ink[:, runs[2][0]:runs[2][1]].any(1))
    assert rows[-1] == body[-1]  # the mark sits on the line's bottom, as 、 does in horizontal text
    assert cols[0] == 10  # the line's padding
    three = ink[:, runs[0][0]:runs[0][1]]
    assert len(scan_cells.true_runs(three.any(1), 1)) == 3  # 三's strokes stayed one glyph


class _TwoReaders:
    """Reads a vertical label in a row as `row`, as printed as `column`: the choice between them is ours."""

    name = "two readers"

    def __init__(self, row, column):
        self.row, self.column, self.asked = row, column, []

    def read_cells(self, crops, kind, *probes):
        self.asked.append(kind)
        return [{"vertical": self.row, "column": self.column}.get(kind, ("", 0.0)) for _ in crops]


def _vertical_cell_page():
    from xxgk.converters.scan_cells import crop_cell
    from xxgk.layout.raster import analyze

    page = np.full((400, 400), 255, np.uint8)
    page[50:53, 50:350] = page[347:350, 50:350] = 0  # a ruled table of two columns
    page[50:350, 50:53] = page[50:350, 347:350] = page[50:350, 147:150] = 0
    page[100:230, 80:120] = vertical_label()
    lay = analyze(page, 200, deskew=False)
    return lay, [crop_cell(lay, c) for t in lay.tables for c in t.cells]


@pytest.mark.parametrize("row, column, kept, column_asked", [
    (("三本年", 0.95), ("三木年", 0.97), ("三本年", 0.95), False),  # sure in a row: the vertical model never loads
    (("三本年", 0.70), ("三本年", 0.93), ("三本年", 0.93), True),  # unsure: the surer reading stands
    (("三本年", 0.70), ("", 0.0), ("三本年", 0.70), True),
])
def test_a_vertical_label_read_unsure_in_a_row_is_read_as_printed_too(row, column, kept, column_asked):
    from concurrent.futures import ThreadPoolExecutor

    from xxgk.converters.scan_read import read_cells

    lay, crops = _vertical_cell_page()
    vertical = [k for k in crops if k.vertical]
    assert len(vertical) == 1
    engine = _TwoReaders(row, column)
    with ThreadPoolExecutor(2) as ex:
        read_cells(lay, crops, engine, ex)
    assert (vertical[0].cell.text, vertical[0].cell.confidence) == kept
    assert ("column" in engine.asked) == column_asked
