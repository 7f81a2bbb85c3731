"""The second reader (PP-OCR's recogniser) for cells Tesseract reads unsure on scans below 150 dpi (issue 14)."""
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from xxgk.converters import second_reader
from xxgk.converters.ocr import SECOND_READ_DPI, TesseractEngine, _with_second, second_number

SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def test_second_number_trims_specks_and_refuses_a_gap():
    assert second_number(":550") == "550"  # a speck left of the digits
    assert second_number("1o5") == "105"
    assert second_number("7730 28") == ""  # a 1-bit fax lost 7730.28's decimal point: no reading
    assert second_number("行政许可") == ""


def test_two_recognisers_agreeing_are_trusted():
    passes = [("", 0.0), ("", 0.0), ("5", 0.37)]
    text, conf = _with_second(passes, ("5", 0.11), "5", 0.98)
    assert text == "5" and conf >= 0.9


def test_a_sure_second_reading_wins_but_stays_warned():
    passes = [("4", 0.92), ("4", 0.91), ("", 0.0)]  # Tesseract on a 10-px serif "5"
    assert _with_second(passes, ("4", 0.78), "5", 1.0) == ("5", 0.7)


def test_an_unsure_second_reading_changes_nothing():
    passes = [("350", 0.87), ("350", 0.80), ("30", 0.0)]
    assert _with_second(passes, ("350", 0.77), "550", 0.9) == ("350", 0.77)
    assert _with_second(passes, ("350", 0.77), "550", 0.5) == ("350", 0.77)
    assert _with_second(passes, ("350", 0.77), "", 1.0) == ("350", 0.77)


def _digits(text: str, px: int) -> np.ndarray:
    """`text` in a serif face `px` pixels tall on white, padded like a cell crop."""
    font = ImageFont.truetype(SERIF, px)
    w = int(font.getlength(text)) + 24
    im = Image.new("L", (w, px + 24), 255)
    ImageDraw.Draw(im).text((12, 6), text, font=font, fill=0)
    return np.asarray(im)


@pytest.mark.skipif(not second_reader.available(), reason="rapidocr not installed")
def test_the_second_reader_reads_small_digits():
    readings = second_reader.read([_digits("550", 14), _digits("4119", 14), _digits("195", 14)])
    assert [second_number(t) for t, _ in readings] == ["550", "4119", "195"]
    assert all(score >= 0.9 for _, score in readings)


def test_only_low_resolution_scans_are_read_twice():
    assert TesseractEngine(dpi=100)._second_reads() is second_reader.available()
    assert not TesseractEngine(dpi=SECOND_READ_DPI)._second_reads()
    assert not TesseractEngine(dpi=300)._second_reads()
