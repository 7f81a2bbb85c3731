"""Scanned pages -> Document: table grid, spans and OCR'd numbers against the real PDF's text layer.

The oracle is pdfplumber on fixtures/pdf/hzq2023.pdf (a real WPS report): its ruling cells
give the grid and spans of the table on page 3, and page.extract_words gives each number
with its position.
"""
from __future__ import annotations

import importlib.util
import io
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

pdfplumber = pytest.importorskip("pdfplumber")
pdfium = pytest.importorskip("pypdfium2")
from PIL import Image  # noqa: E402

from scan_support import make_scans as _make_scans  # noqa: E402
from xxgk.converters import image  # noqa: E402
from xxgk.converters.scan_prepare import page_dpi  # noqa: E402
from xxgk.model import ConversionError, Table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "fixtures" / "pdf" / "hzq2023.pdf"
SCANS = ROOT / "fixtures" / "scan"
NUMBER = re.compile(r"^\d+(\.\d+)?$")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
needs_rapidocr = pytest.mark.skipif(importlib.util.find_spec("rapidocr") is None,
                                    reason="rapidocr not installed (scripts/setup.sh)")
ENGINES = ["tesseract", pytest.param("rapidocr", marks=needs_rapidocr)]


def _engine(name: str):
    from xxgk.converters.ocr import RapidOcrEngine, TesseractEngine

    return TesseractEngine() if name == "tesseract" else RapidOcrEngine()




def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _edges(values, tol=1.0):
    out = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges, v):
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


@pytest.fixture(scope="module")
def oracle():
    """The page-3 application table from the text layer: spans by grid slot, numbers by slot."""
    with pdfplumber.open(PDF) as pdf:
        page = pdf.pages[2]
        table = max(page.find_tables(), key=lambda t: len(t.cells))
        xs = _edges([c[0] for c in table.cells] + [c[2] for c in table.cells])
        ys = _edges([c[1] for c in table.cells] + [c[3] for c in table.cells])
        spans = {}
        for x0, y0, x1, y1 in table.cells:
            r, c = _index(ys, y0), _index(xs, x0)
            spans[(r, c)] = (_index(ys, y1) - r, _index(xs, x1) - c)
        numbers = {}
        bx0, by0, bx1, by1 = table.bbox
        for w in page.extract_words():
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            if NUMBER.match(w["text"]) and bx0 < cx < bx1 and by0 < cy < by1:
                r = max(i for i in range(len(ys) - 1) if ys[i] <= cy)
                c = max(i for i in range(len(xs) - 1) if xs[i] <= cx)
                numbers[(r, c)] = (w["text"], (cx, cy))
    return {"shape": (len(ys) - 1, len(xs) - 1), "spans": spans, "numbers": numbers, "bbox": table.bbox}


def _main_table(doc) -> Table:
    return max(doc.tables(), key=lambda t: len(t.cells))


def _spans(table: Table):
    return {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}


@pytest.fixture(scope="module")
def clean_doc():
    with pdfium.PdfDocument(str(PDF)) as pdf:
        img = pdf[2].render(scale=300 / 72).to_pil().convert("L")
    return image.convert(_png(img), "hzq2023_p3_300dpi.png")


@needs_tesseract
def test_clean_scan_grid_matches_text_layer(clean_doc, oracle):
    assert clean_doc.source.format == "image" and clean_doc.source.ocr and clean_doc.source.pages == 1
    table = _main_table(clean_doc)
    assert (table.n_rows, table.n_cols) == oracle["shape"] == (17, 10)
    assert _spans(table) == oracle["spans"]
    assert all(c.method == "ocr" and 0.0 <= c.confidence <= 1.0 for c in table.cells)


@needs_tesseract
def test_clean_scan_numbers_match_text_layer_by_position(clean_doc, oracle):
    table = _main_table(clean_doc)
    k = 1.0  # cell boxes are in PDF points like the text layer; the clean render needs no deskew
    wrong = []
    for (text, (cx, cy)) in oracle["numbers"].values():
        px, py = cx * k, cy * k
        hits = [c for c in table.cells if c.bbox[0] <= px <= c.bbox[2] and c.bbox[1] <= py <= c.bbox[3]]
        assert len(hits) == 1, f"no single cell at {text!r} ({px:.0f},{py:.0f})"
        if hits[0].text != text:
            wrong.append((text, hits[0].text))
    assert len(oracle["numbers"]) == 7 * 14
    assert wrong == []
    # and no number invented where the text layer has none
    found = sum(bool(NUMBER.match(c.text)) for c in table.cells)
    assert found == len(oracle["numbers"])


def _seal_scan() -> bytes:
    committed = SCANS / "hzq2023_p3_200dpi_skew2_seal.jpg"
    if committed.exists():
        return committed.read_bytes()
    return _make_scans().seal_page3(200, 2.0)


@needs_tesseract
@pytest.mark.parametrize("engine", ENGINES)
def test_skewed_sealed_scan_numbers(oracle, engine):
    doc = image.convert(_seal_scan(), "hzq2023_p3_200dpi_skew2_seal.jpg", engine=_engine(engine))
    assert doc.source.ocr_engine == engine
    table = _main_table(doc)
    assert (table.n_rows, table.n_cols) == oracle["shape"]
    assert _spans(table) == oracle["spans"]
    cells = {(c.row, c.col): c for c in table.cells}
    right, bad = 0, []
    for slot, (text, _) in oracle["numbers"].items():
        cell = cells[slot]
        if cell.text == text:
            right += 1
        elif cell.text and cell.confidence >= 0.9:
            bad.append((slot, text, cell.text, cell.confidence))
    assert right >= 0.99 * len(oracle["numbers"])
    assert bad == [], "wrong numbers with high confidence"


@needs_tesseract
def test_two_page_tiff_joins_the_split_table():
    """Pages 3-4 at 150 dpi in one TIFF: the application table continues on page 4."""
    frames = []
    with pdfium.PdfDocument(str(PDF)) as pdf:
        for n in (2, 3):
            frames.append(pdf[n].render(scale=150 / 72).to_pil().convert("L"))
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    doc = image.convert(buf.getvalue(), "p3-4.tif")
    assert doc.source.pages == 2
    table = _main_table(doc)
    # 17 rows on page 3 + 9 on page 4; the vertical 三、本年度办理结果 cell runs on across the break
    assert (table.n_rows, table.n_cols) == (26, 10)
    tall = next(c for c in table.cells if (c.row, c.col) == (5, 0))
    assert tall.rowspan == 20
    assert (tall.text, tall.confidence >= 0.9) == ("三、本年度办理结果", True)  # its glyphs read in a row
    totals = [c.text for c in table.cells if c.col == 9 and c.row >= 3]
    assert totals[:2] == ["21", "0"] and totals[-2:] == ["21", "0"]


def test_corrupt_image_raises_conversion_error():
    with pytest.raises(ConversionError):
        image.convert(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50, "broken.png")
    with pytest.raises(ConversionError):
        image.convert(b"not an image at all", "broken.jpg")


def test_truncated_jpeg_raises_conversion_error():
    buf = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buf, "JPEG")
    with pytest.raises(ConversionError):
        image.convert(buf.getvalue()[:200], "cut.jpg")


@pytest.mark.parametrize("angle", [5.0, -4.5])
def test_deskew_up_to_5_degrees_keeps_the_grid(oracle, angle):
    """layout.raster alone (no OCR): the fitLine estimate undoes the skew and the grid survives."""
    import numpy as np

    from xxgk.layout import raster

    scans = _make_scans()
    page = scans.skew(scans.render(3, 150), angle)
    lay = raster.analyze(page, 150)
    assert abs(lay.skew + angle) < 0.15  # the page was turned counter-clockwise by `angle`
    table = max(lay.tables, key=lambda t: len(t.cells))
    assert (table.n_rows, table.n_cols) == oracle["shape"]
    assert _spans(table) == oracle["spans"]
    assert isinstance(lay.gray, np.ndarray) and lay.gray.shape == page.shape[:2]


class _BlankEngine:
    """Reads nothing: checks the page plumbing and the table joins without tesseract's time."""

    name = "blank"

    def read_cells(self, crops, kind):
        return [("", 0.0) for _ in crops]

    def read_block(self, image):
        return []

    def orientation(self, image):
        return None


def test_image_only_pdf_pages_and_joined_tables():
    data = (SCANS / "hzq2023_scanned.pdf").read_bytes()
    doc = image.convert_pdf_images(data, "hzq2023_scanned.pdf", engine=_BlankEngine())
    assert (doc.source.format, doc.source.pages, doc.source.ocr) == ("pdf", 5, True)
    shapes = [(t.page, t.n_rows, t.n_cols) for t in doc.tables()]
    # 二 runs from page 2 onto page 3 (4 columns, then 2 of them), 三 from page 3 onto page 4
    assert shapes == [(2, 14, 4), (3, 26, 10), (4, 4, 15)]
    assert {c.page for c in list(doc.tables())[1].cells} == {3, 4}
    assert any(w["kind"] == "ocr_empty" for w in doc.warnings)  # pages 1 and 5: no table, no text here


def test_cropped_low_resolution_table_is_measured_by_its_text(oracle):
    """A screenshot-like crop of just the table at 96 dpi: not page-shaped, so the scale comes
    from the text height, and the grid is still found."""
    with pdfium.PdfDocument(str(PDF)) as pdf:
        k = 96 / 72
        img = pdf[2].render(scale=k).to_pil().convert("RGB")
    x0, y0, x1, y1 = oracle["bbox"]
    img = img.crop((int((x0 - 6) * k), int((y0 - 6) * k), int((x1 + 6) * k), int((y1 + 6) * k)))
    assert 70 <= page_dpi(img) <= 130
    doc = image.convert(_png(img), "table.png", engine=_BlankEngine())
    table = _main_table(doc)
    assert (table.n_rows, table.n_cols) == oracle["shape"]
    assert _spans(table) == oracle["spans"]


# ------------------------------------------------------------------ signs and units

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SIGNED_ROWS = [["信息内容", "上一年数量", "本年增/减", "采购总金额"],
               ["行政许可", "18", "-3", "251000元"],
               ["行政处罚", "4", "减4", "36"],
               ["行政强制", "7", "−12", "1200万元"],
               ["行政收费", "0", "－5", "3件"]]
needs_cjk_font = pytest.mark.skipif(not CJK_FONT.exists(), reason="Noto Sans CJK not installed")


def _signed_table_scan(dpi: int) -> bytes:
    """An A4 page with a small ruled table of signed numbers and numbers with units, drawn at
    `dpi`, slightly blurred, greyed and noisy like a clean scan."""
    import cv2
    import numpy as np
    from PIL import ImageDraw, ImageFont

    s = dpi / 72.0
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    d = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(CJK_FONT), round(10.5 * s), index=2)  # the SC face
    widths, rh = [round(w * s) for w in (110, 90, 90, 110)], round(26 * s)
    xs = [round(60 * s)]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [round(120 * s) + i * rh for i in range(len(SIGNED_ROWS) + 1)]
    lw = max(1, round(0.75 * s))
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=lw)
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=lw)
    for r, row in enumerate(SIGNED_ROWS):
        for c, text in enumerate(row):
            l, t, rr, b = d.textbbox((0, 0), text, font=font)
            d.text((xs[c] + (widths[c] - (rr - l)) / 2 - l, ys[r] + (rh - (b - t)) / 2 - t), text, fill=0, font=font)
    d.text((xs[0], round(80 * s)), "二、主动公开政府信息情况", fill=0, font=font)
    a = cv2.GaussianBlur(np.asarray(page, np.float32), (3, 3), 0.6 * dpi / 200)
    a = a * 0.95 + 8 + np.random.default_rng(dpi).normal(0, 5, a.shape)
    return _png(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))


def _body_cells(doc) -> dict:
    table = _main_table(doc)
    assert (table.n_rows, table.n_cols) == (5, 4)
    return {(c.row, c.col): c for c in table.cells if c.row > 0 and c.col > 0}


@needs_tesseract
@needs_cjk_font
@pytest.mark.parametrize("dpi", [200, 300])
def test_minus_signs_and_units_survive_the_digit_whitelist(dpi):
    cells = _body_cells(image.convert(_signed_table_scan(dpi), f"signed_{dpi}.png"))
    text = {slot: c.text for slot, c in cells.items()}
    # printed "-3" lost its sign (read "3" at 0.994) and "251000元" came out "2510007"
    assert text[(1, 2)] == "-3" and text[(1, 3)] == "251000元"
    assert text[(2, 1)] == "4" and text[(2, 2)] == "减4"
    assert text[(3, 2)] == "-12" and text[(3, 3)] == "1200万元" and text[(4, 3)] == "3件"
    assert text[(4, 2)] in ("-5", "－5")
    for slot, truth in {(1, 2): "-3", (3, 2): "-12", (4, 2): "-5"}.items():
        c = cells[slot]
        assert c.text.lstrip("-－") == truth.lstrip("-")
        assert c.text.startswith(("-", "－")) or c.confidence < 0.9, "a minus in the ink was ignored"
    for slot, c in cells.items():
        if c.confidence >= 0.9:
            assert c.text == [row[slot[1]] for row in SIGNED_ROWS][slot[0]].replace("−", "-").replace("－", "-")


class _UnsignedEngine(_BlankEngine):
    """Reads every cell as an unsigned "3" with high confidence (tesseract's old failure)."""

    def read_cells(self, crops, kind):
        return [("3", 0.99) for _ in crops]


@needs_cjk_font
def test_a_dash_the_reading_ignores_gets_a_sign_and_low_confidence():
    cells = _body_cells(image.convert(_signed_table_scan(300), "signed.png", engine=_UnsignedEngine()))
    for slot in ((1, 2), (3, 2), (4, 2)):  # -3, −12, －5: the dash is in the ink
        assert cells[slot].text == "-3" and cells[slot].confidence < 0.9
    for slot in ((2, 1), (3, 1), (4, 1)):  # one digit, no dash: the reading stands
        assert cells[slot].text == "3" and cells[slot].confidence >= 0.9


@pytest.mark.parametrize("degrees", [2.5, -1.5])
def test_prose_page_without_rulings_is_deskewed_from_its_text_lines(degrees):
    """Page 1 of the real report has no table: the skew comes from the text lines."""
    from xxgk.layout import raster

    with pdfium.PdfDocument(str(PDF)) as pdf:
        page = np.asarray(pdf[0].render(scale=200 / 72).to_pil().convert("L"))
    ink = raster.binarize(raster.rotate(page, degrees), 1.0)
    assert abs(raster.estimate_skew(ink, 1.0) + degrees) <= 0.15


# ------------------------------------------------------------ orientation from the page's geometry

@pytest.mark.parametrize("variant", ["100dpi_1bit", "100dpi_grey"])
def test_orientation_from_geometry_never_turns_an_upright_page(variant):
    """The 100-dpi table pages that OSD once turned by 180°: the label column stands left of the
    number columns, so they are upright; the same pages upside down are known to be; a prose page
    is upright or left to the reading check, never turned."""
    from xxgk.converters.scan_orient import geometric_turn
    from xxgk.converters.scan_prepare import as_array
    from xxgk.layout import raster

    scans = _make_scans()
    for page in (1, 3, 4):
        arr = as_array(scans.low_res_page(variant, page))
        upright = geometric_turn(raster.analyze(arr, 100, page=page))
        flipped = geometric_turn(raster.analyze(arr, 100, page=page, rotation=180))
        if page == 1:
            assert upright in (0, None) and flipped in (180, None)
        else:
            assert (upright, flipped) == (0, 180)


@needs_tesseract
@pytest.mark.parametrize("variant", ["150dpi_1bit", "100dpi_1bit"])
def test_fax_scan_numbers_by_position(oracle, variant):
    """Page 3 of the real report as a 1-bit fax at 150 and 100 dpi: every number of table 三 read
    (cell crops enlarged to 200 dpi; a "1" 15 px tall is no vertical ruling) and none wrong with
    high confidence. (Its thin-stroke labels are mostly illegible at 1 bit: README, scan benchmark.)"""
    page = _make_scans().low_res_page(variant, 3)
    doc = image.convert(_png(page), f"hzq2023_p3_{variant}.png")
    assert not any("turned" in w["message"] for w in doc.warnings)
    table = _main_table(doc)
    assert (table.n_rows, table.n_cols) == oracle["shape"] and _spans(table) == oracle["spans"]
    cells = {(c.row, c.col): c for c in table.cells}
    right = sum(cells[slot].text == text for slot, (text, _) in oracle["numbers"].items())
    bad = [(slot, text, cells[slot].text) for slot, (text, _) in oracle["numbers"].items()
           if cells[slot].text != text and cells[slot].confidence >= 0.9]
    assert bad == [], "wrong numbers with high confidence"
    assert right >= (98 if variant == "150dpi_1bit" else 97)
