"""Prose lines tesseract's page pass skips are found as bands of unread ink and read on their own.

Real quirk: tesseract 5.5 (the tesserocr wheel) drops the large first title line `洪泽区人民政府` of the
150-dpi scans of the real report, and a short last line (`健康发展。`): the title then named no agency
and the report's agency was null. The CLI's tesseract 5.3 read the line.
"""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from xxgk.converters.ocr import TesseractEngine
from xxgk.converters.scan_prose import lost_line_boxes, second_reads

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
pytestmark = pytest.mark.skipif(not CJK_FONT.exists(), reason="Noto Sans CJK not installed")
DPI = 150
S = DPI / 200  # the layout's scale


def _page() -> tuple[np.ndarray, dict[str, tuple]]:
    """A 150-dpi page: a big title line, two body lines, a page number; the boxes each line's ink fills."""
    page = Image.new("L", (1240, 900), 255)
    d = ImageDraw.Draw(page)
    big = ImageFont.truetype(str(CJK_FONT), 44, index=2)
    body = ImageFont.truetype(str(CJK_FONT), 30, index=2)
    boxes = {}
    for key, (x, y, text, font) in {
        "title": (460, 180, "洪泽区人民政府", big),
        "body1": (160, 380, "本报告由淮安市洪泽区人民政府办公室编制。", body),
        "body2": (160, 440, "主动公开政府信息一千一百三十六条。", body),
        "page_no": (600, 820, "- 1 -", body),
    }.items():
        d.text((x, y), text, fill=0, font=font)
        boxes[key] = d.textbbox((x, y), text, font=font)
    return np.asarray(page, np.uint8).copy(), boxes


def _read(box: tuple, text: str) -> tuple[str, float, tuple]:
    return (text, 0.95, tuple(float(v) for v in box))


def test_the_band_no_line_covers_is_found_and_nothing_else():
    img, boxes = _page()
    lines = [_read(boxes["body1"], "本报告由淮安市洪泽区人民政府办公室编制。"),
             _read(boxes["body2"], "主动公开政府信息一千一百三十六条。")]
    found = lost_line_boxes(img, lines, S)
    assert len(found) == 1  # the page number is too narrow to be a line worth a read
    x0, y0, x1, y1 = found[0]
    tx0, ty0, tx1, ty1 = boxes["title"]
    assert abs(x0 - tx0) <= 3 and abs(x1 - tx1) <= 3 and abs(y0 - ty0) <= 3 and abs(y1 - ty1) <= 3


def test_every_line_read_means_no_extra_reads():
    img, boxes = _page()
    lines = [_read(boxes[k], k) for k in ("title", "body1", "body2")]
    assert lost_line_boxes(img, lines, S) == []


def test_specks_strewn_along_the_page_edge_are_no_line_to_read():
    """Real quirk: the 300-dpi scan variants (warp, skew) have a band of scanner specks along the page's
    bottom edge that no line covers; each was read at psm 13 as nothing, 0.4-0.6 CPU-s a page."""
    img, boxes = _page()
    rng = np.random.default_rng(7)
    xs, ys = rng.integers(150, 1100, 120), rng.integers(872, 890, 120)
    img[ys, xs] = 0  # lone pixels, two a row at least: a band as tall as a body line, ten times as wide
    img[ys, np.minimum(xs + 1, 1239)] = 0
    img[870:892, 8:11] = 0  # and the edge of the paper's shadow: one stroke the band's height
    lines = [_read(boxes[k], k) for k in ("body1", "body2")]
    found = lost_line_boxes(img, lines, S)
    tx0, ty0, tx1, ty1 = boxes["title"]
    assert [(abs(b[0] - tx0) <= 3 and abs(b[1] - ty0) <= 3) for b in found] == [True]


def test_the_lost_title_line_is_read_and_put_in_reading_order():
    img, boxes = _page()
    lines = [_read(boxes["body1"], "本报告由淮安市洪泽区人民政府办公室编制。"),
             _read(boxes["body2"], "主动公开政府信息一千一百三十六条。")]
    out = second_reads(img, lines, S, TesseractEngine(dpi=DPI))
    assert [t for t, _, _ in out] == ["洪泽区人民政府", "本报告由淮安市洪泽区人民政府办公室编制。",
                                      "主动公开政府信息一千一百三十六条。"]


def test_tall_lines_are_those_well_above_the_usual_line_and_the_reading_size():
    from xxgk.converters.scan_prose import LINE_PX, tall_lines

    body = [("正文", 0.9, (0, y, 900, y + 62)) for y in (300, 380, 460)]
    title = ("潜洋区人民政府", 0.75, (300, 100, 900, 183))  # 83 px: a 300-dpi title line
    assert tall_lines([title] + body) == [0]
    small = [(t, c, (b[0], b[1], b[2], b[1] + 30)) for t, c, b in body]  # a 150-dpi page
    assert tall_lines([("洪泽区人民政府", 0.9, (300, 100, 700, 100 + LINE_PX))] + small) == []


# The real report's first page scanned clean at 150 and 300 dpi (fixtures/scan/make_scans.py): its title's
# first line was dropped at 150 dpi and read 潜洋区人民政府 at 300 dpi, so the report named no agency.
@pytest.mark.parametrize("dpi", [150, 300])
def test_the_title_page_of_the_real_report_reads_whole(dpi):
    import io

    from scan_support import make_scans
    from xxgk.converters import image

    ms = make_scans()
    page = ms.degrade(ms.render(1, dpi), dpi, angle=0.0, seal=False, seed=1, noise=False, light=False)
    png = io.BytesIO()
    Image.open(io.BytesIO(ms.jpeg(page, 60))).save(png, "PNG", dpi=(dpi, dpi))
    doc = image.convert(png.getvalue(), "page1.png")
    texts = [p.text for p in doc.paragraphs()]
    assert texts[0] == "洪泽区人民政府"
    assert texts[1].replace(" ", "") == "2023年政府信息公开工作年度报告"
    assert any("健康发展" in t for t in texts)
