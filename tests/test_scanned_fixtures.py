"""Clean 300-dpi scans of the generated fixtures: every number as in the born-digital golden."""
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from golden import differences, load
from xxgk.pipeline import convert_bytes

PDFS = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
NUMERIC = ("template", "proactive", "applications", "reviews_and_lawsuits", "failed_checks", "year", "agency")


def scan_to_image_pdf(pdf_path: Path, dpi: int) -> bytes:
    """Print-and-scan stand-in: each page rendered to grayscale pixels, saved as an image-only PDF."""
    doc = pdfium.PdfDocument(str(pdf_path))
    pages = [p.render(scale=dpi / 72).to_pil().convert("L") for p in doc]
    doc.close()
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return buf.getvalue()


# *_threeline: 三线表 (no vertical rulings) scanned: columns come from where the numbers sit, every
# number cell is read again on its own, and a blank stays a blank in its column (gen2021_blanks).
# gen2021_split_plain: its title OCR'd into the first paragraph once made the agency lookup crash.
@pytest.mark.parametrize("name", ["gen2021_standard", "gen2019_form", "gen2021_split_plain",
                                  "gen2021_standard_threeline", "gen2021_blanks_threeline"])
def test_clean_300dpi_scan_gives_every_number(name):
    data = scan_to_image_pdf(PDFS / f"{name}.pdf", 300)
    report = convert_bytes(data, f"{name}_scan.pdf")
    assert report["source"]["ocr"] is True
    expected = {k: v for k, v in load(PDFS / f"{name}.expected.json").items() if k in NUMERIC}
    assert differences(report, expected) == []
