"""What a scan may make the converter allocate: pixel counts checked before decoding, PDF pages
rendered at the dpi of their images (bounded), TIFF pages one by one, Pillow's bomb warning kept
inside the document, and missing Tesseract language data reported before any page is read."""
from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from xxgk.converters import image, scan_pages
from xxgk.model import MissingDependency, Refused

SCANS = Path(__file__).resolve().parent.parent / "fixtures" / "scan"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _blank_1bit_png(width: int, height: int) -> bytes:
    """A real, valid all-white 1-bit PNG, written row by row (never held as pixels here)."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + white bits
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class _BlankEngine:
    name = "blank"

    def read_cells(self, crops, kind):
        return [("", 0.0) for _ in crops]

    def read_block(self, img):
        return []

    def orientation(self, img):
        return None


def test_huge_blank_png_is_refused_from_its_header():
    data = _blank_1bit_png(13000, 13000)
    assert len(data) < 600_000  # the 0.5 MB file that decoded to 3.4 GB
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning must not escape
        with pytest.raises(Refused, match=r"13000x13000 pixels \(169 Mpx\), over the 100 Mpx limit"):
            image.convert(data, "blank.png", engine=_BlankEngine())


def test_pillow_bomb_warning_becomes_a_document_warning(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000)  # Pillow warns above this
    data = _png(Image.new("L", (900, 700), 255))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = image.convert(data, "big.png", engine=_BlankEngine())
    notes = [w for w in doc.warnings if w["kind"] == "image_size"]
    assert len(notes) == 1 and notes[0]["message"].startswith("page 1: large image:")


def test_tiff_pages_are_checked_and_decoded_one_at_a_time(monkeypatch):
    monkeypatch.setattr(scan_pages, "MAX_PIXELS", 500_000)
    frames = [Image.new("L", (600, 600), 255), Image.new("L", (1000, 1000), 255)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    n, pages = scan_pages.image_pages(buf.getvalue(), [])
    assert n == 2
    assert next(pages).size == (600, 600)  # the first page comes before the second is looked at
    with pytest.raises(Refused, match=r"page 2 of the image is 1000x1000 pixels"):
        next(pages)


def _a0_pdf_with_small_image() -> bytes:
    """An A0 page (33.1 x 46.8 in) showing one 200x283 px picture: the issue's 4.8 KB PDF."""
    buf = io.BytesIO()
    Image.new("L", (200, 283), 255).save(buf, "PDF", resolution=200 / 33.1)
    return buf.getvalue()


def test_a0_page_is_rendered_at_the_dpi_its_image_needs_not_300():
    import pypdfium2 as pdfium

    data = _a0_pdf_with_small_image()
    assert len(data) < 10_000
    pdf = pdfium.PdfDocument(data)
    try:
        notes: list = []
        img, dpi = scan_pages.pdf_page_image(pdf[0], notes)
    finally:
        pdf.close()
    assert dpi == scan_pages.MIN_RENDER_DPI  # the picture is ~6 dpi; 300 dpi would be 139 Mpx
    assert img.width * img.height <= scan_pages.MAX_RENDER_PIXELS
    assert abs(img.width - 33.1 * dpi) < 3


def test_render_dpi_is_bounded_by_pixels_and_follows_the_scan():
    a4, a0 = (595.0, 842.0), (2384.0, 3370.0)
    assert scan_pages.render_dpi(*a4, 200.0) == 200.0  # a 200-dpi scan is not rendered at 300
    assert scan_pages.render_dpi(*a4, 600.0) == 300.0
    assert scan_pages.render_dpi(*a4, None) == 300.0
    dpi = scan_pages.render_dpi(*a0, 300.0)
    assert (a0[0] / 72 * dpi) * (a0[1] / 72 * dpi) <= scan_pages.MAX_RENDER_PIXELS + 1
    assert 150 < dpi < 170


def _pdf_with_image_object(width: int, height: int) -> bytes:
    """A hand-written one-page PDF whose single 1-bit image claims width x height pixels."""
    stream = zlib.compress(b"\xff" * ((width + 7) // 8 * height), 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >>"
            b" /Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(stream))
            + stream + b"\nendstream",
            b"<< /Length 30 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def test_pdf_page_whose_image_claims_huge_pixels_is_refused_before_decoding():
    data = _pdf_with_image_object(12000, 12000)
    assert len(data) < 100_000
    with pytest.raises(Refused, match=r"12000x12000 pixels \(144 Mpx\)"):
        image.convert_pdf_images(data, "bomb.pdf", engine=_BlankEngine())


@pytest.fixture
def tessdata_without_vertical(tmp_path, monkeypatch):
    """A Tesseract data folder holding every language but chi_sim_vert."""
    from xxgk.converters import ocr

    lines = os.popen("tesseract --list-langs 2>&1").read().splitlines()
    home = lines[0].split('"')[1] if lines and '"' in lines[0] else None
    if home is None or not Path(home, "chi_sim.traineddata").exists():
        pytest.skip("tesseract with chi_sim not installed")
    for lang in ("eng", "chi_sim", "osd"):
        (tmp_path / f"{lang}.traineddata").symlink_to(Path(home, f"{lang}.traineddata"))
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setenv(ocr.ENGINE_ENV, "tesseract")
    return tmp_path


def test_missing_language_pack_fails_the_scan_naming_the_package(tessdata_without_vertical):
    with pytest.raises(MissingDependency, match="chi_sim_vert is missing: install tesseract-ocr-chi-sim-vert"):
        image.convert((SCANS / "hzq2023_p3_200dpi_skew2_seal.jpg").read_bytes(), "p3.jpg")


def test_missing_language_pack_in_a_scanned_pdf_is_not_a_page_of_nulls(tessdata_without_vertical):
    from xxgk.converters import pdf

    with pytest.raises(MissingDependency, match="tesseract-ocr-chi-sim-vert"):
        pdf.convert((SCANS / "hzq2023_scanned.pdf").read_bytes(), "hzq2023_scanned.pdf")


def _pdf_of(picture: Image.Image, dpi: int) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, format="PDF", resolution=dpi)
    return buf.getvalue()


def test_a_scan_page_comes_as_the_same_pixels_without_the_pil_round_trip():
    """pdf_page_pixels hands the OCR the very pixels pdf_page_image's picture holds: the colour scan's
    BGR bitmap, a grey scan's, and a page pdfium renders (a born-digital one)."""
    import numpy as np
    import pypdfium2 as pdfium

    from xxgk.converters.scan_prepare import as_array

    grey = Image.effect_noise((992, 1403), 40).point(lambda v: 255 if v > 110 else 60)  # an A4 page at 120 dpi
    sources = [(SCANS / "hzq2023_scanned.pdf").read_bytes(), _pdf_of(grey, 120),
               (SCANS.parent / "pdf" / "hzq2023.pdf").read_bytes()]
    kinds = set()
    for data in sources:
        pdf = pdfium.PdfDocument(data)
        try:
            for i in range(min(2, len(pdf))):
                picture, dpi = scan_pages.pdf_page_image(pdf[i])
                pixels, same_dpi = scan_pages.pdf_page_pixels(pdf[i])
                kinds.add((type(pixels).__name__, picture.mode))
                assert same_dpi == dpi
                a, b = as_array(picture), as_array(pixels)
                assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
        finally:
            pdf.close()
    assert {("ndarray", "RGB"), ("ndarray", "L")} <= kinds
