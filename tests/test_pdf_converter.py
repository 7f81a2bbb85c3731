"""converters.pdf at the Document level: the real WPS report and small PDFs made here."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from xxgk.model import ConversionError, Document, Table
from xxgk.converters.pdf import convert

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "fixtures" / "pdf" / "hzq2023.pdf"
ZEROS = ["0"] * 7


@pytest.fixture(scope="module")
def real_doc() -> Document:
    return convert(REAL.read_bytes(), "hzq2023.pdf")


def tables(doc: Document) -> list[Table]:
    return list(doc.tables())


# ---------------------------------------------------------------- the real report

def test_real_source_and_metadata(real_doc):
    assert real_doc.source.format == "pdf"
    assert real_doc.source.pages == 5
    assert real_doc.source.ocr is False
    assert real_doc.metadata["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert real_doc.warnings == []


def test_real_tables_joined_across_pages(real_doc):
    shapes = [(t.page, t.n_rows, t.n_cols) for t in tables(real_doc)]
    # 二 runs over pages 2-3, 三 over pages 3-4: each is one grid.
    assert shapes == [(2, 14, 4), (3, 26, 10), (4, 4, 15)]


def test_real_table_3_spans(real_doc):
    t = tables(real_doc)[1]
    spans = {(c.row, c.col): (c.rowspan, c.colspan, c.text) for c in t.cells}
    assert spans[(0, 0)] == (3, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert spans[(0, 3)] == (1, 7, "申请人情况")
    assert spans[(1, 3)] == (2, 1, "自然人")
    assert spans[(1, 4)] == (1, 5, "法人或其他组织")
    assert spans[(1, 9)] == (2, 1, "总计")
    assert [spans[(2, k)][2] for k in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert spans[(3, 0)] == (1, 3, "一、本年新收政府信息公开申请数量")
    assert spans[(5, 0)] == (20, 1, "三、本年度办理结果")  # vertical text, cut by the page end
    assert spans[(7, 1)] == (8, 1, "（三）不予公开")
    assert spans[(15, 1)] == (3, 1, "（四）无法提供")  # two rows on page 3, one on page 4
    assert spans[(18, 1)] == (5, 1, "（五）不予处理")
    assert spans[(23, 1)] == (1, 2, "（六）其他处理")
    assert spans[(25, 0)] == (1, 3, "四、结转下年度继续办理")
    assert len(t.cells) == 10 + 23 * 7 + 27  # header cells, number cells, label cells
    assert {c.page for c in t.cells if c.row >= 17} == {4}


def test_real_table_3_rows(real_doc):
    rows = tables(real_doc)[1].text_rows()
    assert rows[3] == ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"]
    assert rows[6] == ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "4", "0", "0", "0", "0", "0", "4"]
    assert rows[8] == ["2.其他法律行政止公开"] + ZEROS  # the source's typo is kept
    assert rows[9] == ["3.危及“三安全一稳定”"] + ZEROS
    assert rows[15] == ["（四）无法提供", "1.本机关不掌握相关政府信息", "10", "0", "0", "0", "0", "0", "10"]
    assert rows[17] == ["3.补正后申请内容仍不明确"] + ZEROS  # first row of page 4
    assert rows[21] == ["4.无正当理由大量反复申请"] + ZEROS
    assert rows[22] == ["5.要求行政机关确认或重新出具已获取信息"] + ZEROS
    assert rows[24] == ["（七）总计", "21", "0", "0", "0", "0", "0", "21"]


def test_real_tables_2_and_4(real_doc):
    t2, _, t4 = tables(real_doc)
    rows = t2.text_rows()
    assert rows[0] == ["第二十条第（一）项"] and t2.rows()[0][0].colspan == 4
    assert rows[3] == ["行政规范性文件", "0", "5", "5"]
    assert rows[7] == ["第二十条第（六）项"]
    assert rows[8] == ["信息内容", "本年处理决定数量"]  # first row of page 3, not a repeated header
    assert rows[9] == ["行政处罚", "4119"] and t2.rows()[9][1].colspan == 3
    assert rows[13] == ["行政事业性收费", "7730.28"]
    rows4 = t4.text_rows()
    assert rows4[0] == ["行政复议", "行政诉讼"]
    assert rows4[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert rows4[3] == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]


def test_real_prose_without_page_furniture(real_doc):
    paras = list(real_doc.paragraphs())
    texts = [p.text for p in paras]
    assert not any(re.fullmatch(r"-\s*\d+\s*-", t) for t in texts)
    assert not any(re.search(r"-\s*[1-5]\s*-", t) for t in texts)
    assert all(p.page is not None for p in paras)
    # Paragraphs cut by a page end are joined: pages 1->2 and 4->5.
    cut = [p for p in paras if "严格执行“分级审核、先审后发”程序" in p.text]
    assert len(cut) == 1 and cut[0].page == 1
    assert any("实行政府信息公开工作人员跟班学习制度" in t for t in texts)
    assert (paras[0].text, paras[0].style) == ("洪泽区人民政府2023年政府信息公开工作年度报告", "title")
    assert texts[1].startswith("本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）")
    assert texts[1].endswith("电话：0517-87222589，电子邮箱：hzzwgk@126.com）。")
    headings = [p.text for p in paras if p.style == "heading"]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                        "六、其他需要报告的事项"]


def test_real_block_order(real_doc):
    kinds = [("T" if isinstance(b, Table) else "P", b.page) for b in real_doc.blocks]
    assert kinds == [("P", 1)] * 8 + [("P", 2)] * 3 + [("T", 2), ("P", 3), ("T", 3), ("P", 4), ("T", 4),
                                                         ("P", 4), ("P", 4), ("P", 5), ("P", 5)]
    before_tables = [real_doc.blocks[i - 1].text for i, k in enumerate(kinds) if k[0] == "T"]
    assert before_tables == ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                             "四、政府信息公开行政复议、行政诉讼情况"]


# ---------------------------------------------------------------- generated PDFs

A4_W, A4_H = 595.0, 842.0
FONT = "STSong-Light"


def _canvas(path, **kw):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return canvas.Canvas(str(path), pagesize=(A4_W, A4_H), **kw)


def _text(c, x, top, text, size=12):
    """Draw text with its top at `top` (pdfplumber coordinates)."""
    c.setFont(FONT, size)
    c.drawString(x, A4_H - top - size * 0.88, text)


def _table(c, xs, top, rows, row_h=24, size=10):
    """A fully ruled table; rows are lists of cell texts, one per column."""
    ys = [top + row_h * i for i in range(len(rows) + 1)]
    c.setLineWidth(0.5)
    for y in ys:
        c.line(xs[0], A4_H - y, xs[-1], A4_H - y)
    for x in xs:
        c.line(x, A4_H - ys[0], x, A4_H - ys[-1])
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            if text:
                _text(c, xs[k] + 3, ys[r] + (row_h - size) / 2, text, size)
    return ys[-1]


def _page_furniture(c, n):
    _text(c, 250, 40, "洪泽区人民政府办公室", 9)  # running header on every page
    _text(c, 280, 800, f"- {n} -", 10)


FULL_LINE = "加强区政府门户网站及政务新媒体日常管理运用第三方检测平台实行常态化监测执行"  # 36 chars


def test_split_table_with_repeated_header_and_wrapped_row(tmp_path):
    path = tmp_path / "split.pdf"
    c = _canvas(path)
    header = ["项目", "自然人", "法人", "总计"]
    _page_furniture(c, 1)
    _text(c, 96, 80, "一、总体情况")
    _text(c, 72, 110, FULL_LINE)
    _text(c, 72, 135, "均在法定期限答复。")
    _text(c, 96, 170, "三、收到和处理政府信息公开申请情况")
    rows1 = [header] + [[f"{i}.属于第{i}类", str(i), "0", str(i)] for i in range(1, 23)]
    rows1.append(["23.无正当理由大量", "2", "0", "2"])
    bottom = _table(c, [72, 250, 330, 410, 490], 200, rows1)
    assert bottom > 760  # the table runs to the page end
    c.showPage()
    _page_furniture(c, 2)
    # Column edges moved by up to two points, header repeated, then the rest of row 23.
    _table(c, [73.5, 252, 331, 409, 491], 72, [header, ["反复申请", "", "", ""],
                                               ["24.保护第三方合法权益", "0", "0", "0"]])
    _text(c, 96, 200, "五、存在的主要问题及改进情况")
    _text(c, 96, 230, FULL_LINE[:34])
    _text(c, 72, 255, FULL_LINE)
    c.showPage()
    _page_furniture(c, 3)
    _text(c, 72, 80, "人员跟班学习制度。")
    c.save()

    doc = convert(path.read_bytes(), "split.pdf")
    assert doc.source.pages == 3 and doc.warnings == []
    [table] = tables(doc)
    rows = table.text_rows()
    assert (table.n_rows, table.n_cols) == (25, 4)
    assert rows[0] == header and header not in rows[1:]
    assert rows[1] == ["1.属于第1类", "1", "0", "1"]
    assert rows[23] == ["23.无正当理由大量反复申请", "2", "0", "2"]
    assert rows[24] == ["24.保护第三方合法权益", "0", "0", "0"]
    texts = [p.text for p in doc.paragraphs()]
    assert texts == ["一、总体情况", FULL_LINE + "均在法定期限答复。", "三、收到和处理政府信息公开申请情况",
                     "五、存在的主要问题及改进情况",
                     FULL_LINE[:34] + FULL_LINE + "人员跟班学习制度。"]
    assert [p.page for p in doc.paragraphs()] == [1, 1, 1, 2, 2]


def test_encrypted_pdf_is_a_conversion_error(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "locked.pdf"
    c = _canvas(path, encrypt=StandardEncryption("user-secret", "owner-secret"))
    _text(c, 72, 100, "保密")
    c.save()
    with pytest.raises(ConversionError, match="encrypted"):
        convert(path.read_bytes(), "locked.pdf")


def test_encrypted_pdf_with_empty_user_password_opens(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "owner_only.pdf"
    c = _canvas(path, encrypt=StandardEncryption("", "owner-secret"))
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Applications received: 21")
    c.save()
    doc = convert(path.read_bytes(), "owner_only.pdf")
    assert [p.text for p in doc.paragraphs()] == ["Applications received: 21"]


def test_garbage_text_layer_is_not_taken_as_text(tmp_path, monkeypatch):
    # pdfminer cannot map this encrypted CID font's glyphs: every char is "(cid:N)".
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "cid.pdf"
    c = _canvas(path, encrypt=StandardEncryption("", "owner-secret"))
    _text(c, 72, 100, "本年新收申请21件。")
    c.save()
    monkeypatch.setitem(sys.modules, "xxgk.converters.image", None)
    doc = convert(path.read_bytes(), "cid.pdf")
    assert list(doc.blocks) == []
    assert [w["message"] for w in doc.warnings] == ["page 1 has no text layer; OCR not available"]


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", b"hello world", b""])
def test_corrupt_input_is_a_conversion_error(data):
    with pytest.raises(ConversionError) as info:
        convert(data, "broken.pdf")
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def _image_pdf(path):
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((150, 300, 1090, 700), outline="black", width=3)
    draw.line((150, 500, 1090, 500), fill="black", width=3)
    c = _canvas(path)
    _text(c, 72, 100, "第一页有文字。")
    c.showPage()
    c.drawImage(ImageReader(img), 0, 0, width=A4_W, height=A4_H)
    c.showPage()
    c.save()


def test_image_only_page_without_ocr_warns(tmp_path, monkeypatch):
    path = tmp_path / "scan.pdf"
    _image_pdf(path)
    monkeypatch.setitem(sys.modules, "xxgk.converters.image", None)  # import now raises ImportError
    doc = convert(path.read_bytes(), "scan.pdf")
    assert [p.text for p in doc.paragraphs()] == ["第一页有文字。"]
    assert doc.warnings == [{"field": None, "kind": "image_page",
                             "message": "page 2 has no text layer; OCR not available", "raw": None}]


def test_a_scan_unread_for_want_of_ocr_is_a_missing_dependency_not_a_refusal(monkeypatch):
    """Without OCR the real scan has no text at all: before, it was refused as "not a report" (a lost report
    that looked like the input's fault); it is the installation's (exit 3), and says which pages went unread."""
    from xxgk.model import MissingDependency
    from xxgk.pipeline import convert_file

    scan = Path(__file__).resolve().parents[1] / "fixtures" / "scan" / "hzq2023_scanned.pdf"
    monkeypatch.setitem(sys.modules, "xxgk.converters.image", None)
    with pytest.raises(MissingDependency) as info:
        convert_file(scan)
    assert str(info.value).startswith("pages 1, 2, 3, 4, 5 have no text layer and OCR is not installed"), info.value


def test_a_notice_with_an_unread_image_page_is_still_refused_as_what_it_says(tmp_path, monkeypatch):
    from xxgk.model import MissingDependency, Refused
    from xxgk.pipeline import convert_bytes
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "notice.pdf"
    c = _canvas(path)
    c.setTitle("关于开展2023年度政务公开工作的通知")
    _text(c, 72, 100, "关于开展2023年度政务公开工作的通知")
    c.showPage()
    c.drawImage(ImageReader(Image.new("RGB", (620, 877), "white")), 0, 0, width=A4_W, height=A4_H)
    c.showPage()
    c.save()
    monkeypatch.setitem(sys.modules, "xxgk.converters.image", None)
    with pytest.raises(Refused) as info:
        convert_bytes(path.read_bytes(), "notice.pdf")
    assert not isinstance(info.value, MissingDependency)
    assert str(info.value).startswith("a notice (通知)"), info.value
    _image_pdf(path)  # a line of text and an image page: its tables may be on the page that went unread
    with pytest.raises(MissingDependency) as info:
        convert_bytes(path.read_bytes(), "scan.pdf")
    assert str(info.value).startswith("page 2 has no text layer and OCR is not installed"), info.value


def test_image_only_page_is_never_silent(tmp_path):
    path = tmp_path / "scan.pdf"
    _image_pdf(path)
    doc = convert(path.read_bytes(), "scan.pdf")
    page2_blocks = [b for b in doc.blocks if b.page == 2]
    warned = [w for w in doc.warnings if w["kind"] == "image_page" and "page 2" in w["message"]]
    assert warned or (doc.source.ocr and page2_blocks)


def test_rect_borders_shaded_header_and_borderless_table(tmp_path):
    path = tmp_path / "rects.pdf"
    c = _canvas(path)
    _text(c, 96, 60, "二、主动公开政府信息情况")
    # Table 1: every border is a thin filled rect (Word style); the header row is a shaded
    # rect with no rule under it, and the column rules start below it.
    xs, ys = [72, 200, 300, 400], [90, 120, 150, 180, 210]
    c.setFillColorRGB(0.78, 0.85, 0.95)
    c.rect(72, A4_H - 120, 328, 30, fill=1, stroke=0)
    c.setFillColorRGB(0, 0, 0)
    for y in (90, 150, 180, 210):
        c.rect(72, A4_H - y - 0.5, 328, 1, fill=1, stroke=0)
    for x in xs:
        top = 90 if x in (72, 400) else 120
        c.rect(x - 0.5, A4_H - 210, 1, 210 - top, fill=1, stroke=0)
    c.rect(72, A4_H - 120 - 0.5, 328, 1, fill=1, stroke=0)
    _text(c, 180, 99, "第二十条第（一）项", 10)
    for r, row in enumerate([["信息内容", "本年制发件数", "本年废止件数"], ["规章", "0", "0"],
                             ["行政规范性文件", "2", "11"]]):
        for k, text in enumerate(row):
            _text(c, xs[k] + 4, ys[r + 1] + 10, text, 10)
    # Table 2: no outer border, only the inner rules.
    c.setLineWidth(0.5)
    c.line(72, A4_H - 330, 400, A4_H - 330)
    for x in (200, 300):
        c.line(x, A4_H - 300, x, A4_H - 360)
    for r, row in enumerate([["结果维持", "结果纠正", "总计"], ["10", "1", "0"]]):
        for k, text in enumerate(row):
            _text(c, [80, 210, 310][k], 310 + 30 * r, text, 10)
    _text(c, 96, 420, "五、存在的主要问题及改进情况")
    c.save()

    doc = convert(path.read_bytes(), "rects.pdf")
    t1, t2 = tables(doc)
    assert t1.text_rows() == [["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数"],
                              ["规章", "0", "0"], ["行政规范性文件", "2", "11"]]
    assert t1.rows()[0][0].colspan == 3
    assert t2.text_rows() == [["结果维持", "结果纠正", "总计"], ["10", "1", "0"]]
    assert [p.text for p in doc.paragraphs()] == ["二、主动公开政府信息情况", "五、存在的主要问题及改进情况"]


def test_grid_drawn_as_one_path(tmp_path):
    path = tmp_path / "path.pdf"
    c = _canvas(path)
    p = c.beginPath()  # outer box, then the inner rules, all in one stroked path
    p.moveTo(72, A4_H - 100)
    for x, top in ((372, 100), (372, 160), (72, 160), (72, 100)):
        p.lineTo(x, A4_H - top)
    p.moveTo(72, A4_H - 130)
    p.lineTo(372, A4_H - 130)
    p.moveTo(222, A4_H - 100)
    p.lineTo(222, A4_H - 160)
    p.moveTo(100, A4_H - 300)
    p.curveTo(150, A4_H - 250, 250, A4_H - 250, 300, A4_H - 300)  # a curve is no ruling
    c.drawPath(p, stroke=1, fill=0)
    for r, row in enumerate([["行政处罚", "4119"], ["行政强制", "195"]]):
        for k, text in enumerate(row):
            _text(c, 80 + 150 * k, 108 + 30 * r, text, 10)
    c.save()
    [table] = tables(convert(path.read_bytes(), "path.pdf"))
    assert table.text_rows() == [["行政处罚", "4119"], ["行政强制", "195"]]


def test_large_picture_on_a_text_page_is_reported(tmp_path):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "pasted.pdf"
    c = _canvas(path)
    _text(c, 96, 80, "三、收到和处理政府信息公开申请情况（见下图）")
    c.drawImage(ImageReader(Image.new("RGB", (900, 900), "white")), 72, A4_H - 560, width=450, height=450)
    c.save()
    doc = convert(path.read_bytes(), "pasted.pdf")
    assert [p.text for p in doc.paragraphs()] == ["三、收到和处理政府信息公开申请情况（见下图）"]
    assert [(w["kind"], w["message"]) for w in doc.warnings] == [
        ("image_region", "page 1 has a large image without a text layer; its content is not read")]
