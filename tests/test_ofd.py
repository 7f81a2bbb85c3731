"""converters.ofd on small hand-built OFD files (fixtures/ofd/make_ofd.py's writer) and on broken ones."""
import importlib.util
import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xxgk.converters import ofd, ofd_package
from xxgk.converters.registry import sniff
from xxgk.model import ConversionError, Paragraph, Refused, Table
from xxgk.pipeline import convert_bytes

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "ofd"
MM = 72 / 25.4

_spec = importlib.util.spec_from_file_location("make_ofd", FIX / "make_ofd.py")
make_ofd = importlib.util.module_from_spec(_spec)
sys.modules["make_ofd"] = make_ofd  # dataclasses look their module up there
_spec.loader.exec_module(make_ofd)

COLS = [25, 85, 105, 125, 145, 165]  # mm: a label column and four 20-mm number columns


def _grid(page, top: float, rows: int, header: bool, filled: bool = False) -> None:
    """Rulings of a table: rows of 10 mm; with a header, the number columns merge in row 0."""
    ys = [top + 10 * i for i in range(rows + 1)]
    lines = [(COLS[0], y, COLS[-1], y) for y in ys]
    for i, x in enumerate(COLS):
        inner = 0 < i < len(COLS) - 1 and i != 1
        lines.append((x, ys[1] if header and inner else ys[0], x, ys[-1]))
    if filled:
        page.filled_rects(lines)
    else:
        page.lines(lines)


def small_report() -> bytes:
    """Two pages: title, prose, a ruled table cut by the page end, a running header in a template."""
    w = make_ofd.OfdWriter(title="测试局2023年政府信息公开工作年度报告", author="测试局", created="2024-01-20")
    font = w.font("宋体")
    tpl_id, tpl = w.template()
    tpl.text(80, 15, "测试局·政务公开专栏", 3.2, font)
    p1 = w.page()
    p1.template = tpl_id
    p1.text(40, 35, "测试局2023年政府信息公开工作年度报告", 6.0, font)
    p1.text(33, 48, "本年度主动公开政府信息工作有序推进，全年没有发生重大问题。", 4.2, font)
    _grid(p1, 60, 3, header=True)
    p1.text(27, 67, "信息内容", 4.2, font)
    p1.text(100, 67, "本年处理决定数量", 4.2, font)
    p1.text(27, 77, "行政许可", 4.2, font)
    # "12" placed by a CTM: 25 + 2 × 31 = 87 mm (column 1), 60 + 2 × 8.5 = 77 mm (row 1)
    p1.raw('<ofd:TextObject ID="900" Boundary="25 60 140 30" CTM="2 0 0 2 0 0" Font="%s" Size="2.1">'
           '<ofd:TextCode X="31" Y="8.5" DeltaX="1.1">12</ofd:TextCode></ofd:TextObject>' % font)
    for x, t in ((110, "3"), (130, "4"), (150, "5")):
        p1.text(x, 77, t, 4.2, font)
    p1.text(27, 87, "行政处罚", 4.2, font)
    # four digits, one per column, advanced by a "g" repetition: 92, 112, 132, 152 mm
    p1.raw('<ofd:TextObject ID="901" Boundary="92 80 80 10" Font="%s" Size="4.2">'
           '<ofd:TextCode X="0" Y="7" DeltaX="g 3 20">7890</ofd:TextCode></ofd:TextObject>' % font)
    # a white stroke across the number columns is no ruling
    p1.raw('<ofd:PathObject ID="902" Boundary="0 0 210 297"><ofd:StrokeColor Value="255 255 255"/>'
           '<ofd:AbbreviatedData>M 95 60 L 95 90</ofd:AbbreviatedData></ofd:PathObject>')
    p2 = w.page()
    p2.template = tpl_id
    _grid(p2, 25, 1, header=False, filled=True)
    p2.text(27, 32, "行政强制", 4.2, font)
    for x, t in ((90, "1"), (110, "2"), (130, "3"), (150, "4")):
        p2.text(x, 32, t, 4.2, font)
    p2.text(33, 50, "以上数据截至2023年12月31日。", 4.2, font)
    return w.build()


def test_text_rulings_spans_and_a_table_cut_by_the_page_end():
    doc = ofd.convert(small_report(), "small.ofd")
    assert doc.source.format == "ofd" and doc.source.pages == 2
    assert doc.metadata == {"title": "测试局2023年政府信息公开工作年度报告", "author": "测试局",
                            "creator": "xxgk make_ofd", "created": "2024-01-20"}
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    title, prose, table, tail = doc.blocks
    assert title.text == "测试局2023年政府信息公开工作年度报告" and title.style == "title"
    assert prose.text.startswith("本年度主动公开政府信息工作有序推进")
    assert tail.text == "以上数据截至2023年12月31日。" and tail.page == 2
    assert table.text_rows() == [["信息内容", "本年处理决定数量"],
                                 ["行政许可", "12", "3", "4", "5"],
                                 ["行政处罚", "7", "8", "9", "0"],
                                 ["行政强制", "1", "2", "3", "4"]]
    header = table.rows()[0][1]
    assert (header.colspan, header.rowspan) == (4, 1)
    assert table.bbox[0] == pytest.approx(25 * MM, abs=0.5)  # millimetres became points
    assert table.bbox[1] == pytest.approx(60 * MM, abs=0.5)
    assert not any("政务公开专栏" in p.text for p in doc.paragraphs())  # template header is furniture


def test_image_page_goes_to_ocr_and_a_missing_image_is_named():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(buf, "PNG")
    w = make_ofd.OfdWriter(page_box=(40.0, 30.0))
    rid = w.add_image(buf.getvalue())
    w.page().image(rid, 0, 0, 40, 30)
    w.page().image("77", 0, 0, 40, 30)
    doc = ofd.convert(w.build(), "scan.ofd")
    assert doc.source.ocr is True
    messages = [x["message"] for x in doc.warnings]
    assert any(m.startswith("page 2: image 77 is missing") for m in messages)
    assert any(m.startswith("page 1 has no text layer") for m in messages)


def test_sniffed_from_its_bytes_whatever_the_name():
    data = small_report()
    assert sniff(data, "report.bin") == "ofd"
    report = convert_bytes(data, "report.bin")
    assert report["source"]["format"] == "ofd"


def _zip(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _with(**changes) -> bytes:
    members = _members(small_report())
    for name, data in changes.items():
        name = name.replace("__", "/").replace("_xml", ".xml")
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    return _zip(members)


@pytest.mark.parametrize("data,cls,needle", [
    (b"PK\x03\x04 not really a zip", ConversionError, "not a readable zip"),
    (_zip({"Doc_0/Document.xml": b"<Document/>"}), ConversionError, "no OFD.xml"),
    (_with(OFD_xml=b"<ofd:OFD xmlns:ofd='x'><ofd:DocBody>"), ConversionError, "OFD.xml is not well-formed XML"),
    (_with(OFD_xml=b"<OFD><DocBody><DocInfo/></DocBody></OFD>"), ConversionError, "no DocRoot"),
    (_with(Doc_0__Pages__Page_1__Content_xml=None), ConversionError, "Doc_0/Pages/Page_1/Content.xml is missing"),
    (_with(Encryptions_xml=b"<Encryptions/>"), Refused, "encrypted OFD"),
    (_with(Doc_0__Pages__Page_0__Content_xml=b"\0" * (30 * 2**20)), Refused, "zip bomb"),
])
def test_broken_files_fail_with_a_clear_reason(data, cls, needle):
    with pytest.raises(cls) as e:
        ofd.convert(data, "bad.ofd")
    assert needle in str(e.value)
    assert len(str(e.value)) < 200


def test_a_part_larger_than_its_declared_size_is_cut_at_the_cap(monkeypatch):
    """Declared sizes can lie: the read itself stops at the cap."""
    rng = random.Random(0)
    body = ("<x>" + "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(600_000)) + "</x>").encode()  # 1.8 MB
    data = _with(Doc_0__Pages__Page_0__Content_xml=body)
    monkeypatch.setattr(ofd_package, "MAX_MEMBER_BYTES", 2**20)
    with pytest.raises(Refused, match="expands past 1 MB"):
        ofd.convert(data, "big.ofd")


def test_entities_are_not_expanded_and_files_not_read():
    evil = (b'<?xml version="1.0"?><!DOCTYPE OFD [<!ENTITY x SYSTEM "file:///etc/passwd">'
            b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocInfo>'
            b'<ofd:Title>&x;&b;</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
            b'</ofd:DocBody></ofd:OFD>')
    doc = ofd.convert(_with(OFD_xml=evil), "evil.ofd")
    assert "root:" not in json.dumps(doc.metadata) and "aaaaaaaaaa" not in json.dumps(doc.metadata)
    assert any(isinstance(b, Table) for b in doc.blocks)


def test_cli_converts_an_ofd_and_reports_a_bomb_beside_it(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.ofd").write_bytes((FIX / "gen2019_form.ofd").read_bytes())
    (src / "bomb.ofd").write_bytes(_with(Doc_0__Pages__Page_0__Content_xml=b"\0" * (30 * 2**20)))
    (src / "broken.ofd").write_bytes(b"PK\x03\x04 garbage")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "xxgk.cli", "convert", str(src), "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("xxgk: error:")]
    assert len(errors) == 2
    assert any("bomb.ofd" in e and "zip bomb" in e for e in errors)
    assert any("broken.ofd" in e and "not a readable OFD" in e for e in errors)
    [made] = [p for p in out.glob("good*.json")]  # named after the input
    report = json.loads(made.read_text(encoding="utf-8"))
    expected = json.loads((FIX / "gen2019_form.expected.json").read_text(encoding="utf-8"))
    assert report["source"]["format"] == "ofd"
    assert report["applications"] == expected["applications"]


def test_fixtures_on_disk_are_what_the_writer_makes(tmp_path):
    make_ofd.main(["--out", str(tmp_path)])
    made = sorted(tmp_path.glob("*.ofd"))
    assert [p.name for p in made] == sorted(p.name for p in FIX.glob("*.ofd"))
    for p in made:
        assert p.read_bytes() == (FIX / p.name).read_bytes(), p.name


def test_a_jbig2_scan_page_is_decoded_and_read_by_ocr():
    """Bilevel scans are embedded as JBIG2: page 3 of the scanned real report, thresholded."""
    from PIL import Image

    jpeg = make_ofd._scan_jpeg("hzq2023", 3)
    page = Image.open(io.BytesIO(jpeg)).convert("L").point(lambda v: 255 if v > 150 else 0)
    w = make_ofd.OfdWriter()
    rid = w.add_image(make_ofd.jbig2(page), "jb2")
    w.page().image(rid, 0, 0, 210, 297)
    doc = ofd.convert(w.build(), "scan.ofd")
    assert doc.source.ocr is True
    cells = {c.text for t in doc.tables() for c in t.cells}
    assert {"4119", "行政强制", "195", "7730.28"} <= cells  # 行政处罚 / 行政强制 / 行政事业性收费 rows
    assert all(c.method == "ocr" for t in doc.tables() for c in t.cells)


def test_glyphs_without_unicode_and_no_image_are_named_not_guessed():
    w = make_ofd.OfdWriter()
    w.page().text(30, 40, "\ue000\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009\ue00a\ue00b", 4.2)
    doc = ofd.convert(w.build(), "pua.ofd")
    assert doc.blocks == []
    assert [x["message"] for x in doc.warnings] == [
        "page 1: its text has no readable characters and it holds no image; the page is not read"]


def test_producer_quirks_no_namespace_absolute_paths_backslashes():
    """Some producers drop the ofd: namespace, write absolute locations or Windows separators."""
    members = {}
    for name, data in _members(small_report()).items():
        text = data.decode("utf-8").replace("ofd:", "").replace(' xmlns:ofd="http://www.ofdspec.org/2016"', "")
        text = text.replace("<DocRoot>Doc_0/Document.xml", "<DocRoot>/Doc_0/Document.xml")
        members[name.replace("/Pages/", "\\Pages\\") if "Pages/Page_1" in name else name] = text.encode()
    doc = ofd.convert(_zip(members), "quirks.ofd")
    [table] = list(doc.tables())
    assert table.text_rows()[-1] == ["行政强制", "1", "2", "3", "4"]
    assert doc.metadata["title"] == "测试局2023年政府信息公开工作年度报告"


def test_a_composite_object_places_its_unit_through_its_ctm():
    w = make_ofd.OfdWriter()
    font = w.font("宋体")
    w.page().raw('<ofd:CompositeObject ID="50" ResourceID="60" Boundary="50 100 80 20" CTM="2 0 0 2 0 0"/>')
    w.extra["Doc_0/DocumentRes.xml"] = (
        '<ofd:Res xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CompositeGraphicUnits>'
        '<ofd:CompositeGraphicUnit ID="60" Width="40" Height="10"><ofd:Content>'
        f'<ofd:TextObject ID="61" Boundary="5 0 35 10" Font="{font}" Size="2">'
        '<ofd:TextCode X="0" Y="3" DeltaX="g 5 2">联系电话号码</ofd:TextCode></ofd:TextObject>'
        '</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>').encode()
    doc = ofd.convert(w.build(), "composite.ofd")
    [para] = list(doc.paragraphs())
    assert para.text == "联系电话号码"
    assert para.bbox[0] == pytest.approx((50 + 2 * 5) * MM, abs=0.5)  # unit x 5 mm, scaled ×2, at 50 mm
    assert para.bbox[3] == pytest.approx((100 + 2 * 3 + 2 * 2 * 0.12) * MM, abs=0.5)  # baseline + descent
