"""Table 二 of a fax (1-bit) scan: numbers read, thin-stroke row labels not; rows placed by the
template's layout, row for row, when nothing contradicts it (issue 14)."""
import pytest

from golden import flat, load
from scan_support import SCANS, make_scans as _make_scans
from xxgk.model import Cell, Table
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.rows import table_rows
from xxgk.normalize.table_two import read_proactive
from xxgk.normalize.templates import FORM_2019, FORM_2021
from xxgk.normalize.templates.layout_two import proactive_layout
from xxgk.pipeline import convert_bytes


def _warned(report_or_store, kind: str) -> set:
    warnings = report_or_store["warnings"] if isinstance(report_or_store, dict) else report_or_store.warnings
    return {w["field"] for w in warnings if w["kind"] == kind and (w["field"] or "").startswith("proactive.")}


# --------------------------------------------------------------- the real report, scanned 1-bit

@pytest.fixture(scope="module")
def fax_pages():
    """Pages 2-3 (table 二 runs across the page break) of the real 洪泽区 report at 150 and 100 dpi, 1-bit."""
    mod = _make_scans()
    return {name: convert_bytes(mod.low_res_pages_pdf(name, (2, 3)), f"hzq2023_p23_{name}.pdf")
            for name in ("150dpi_1bit", "100dpi_1bit")}


# At 150 dpi the 规章 row's label cell reads blank; its place in the grid says which row it is.
def test_150dpi_fax_table_two_every_number(fax_pages):
    report = fax_pages["150dpi_1bit"]
    expected = load(SCANS / "hzq2023_scanned.expected.json")
    assert report["proactive"] == expected["proactive"]
    assert report["proactive"]["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    placed = _warned(report, "label_by_position")
    assert placed == {"proactive.regulations.issued", "proactive.regulations.repealed",
                      "proactive.regulations.in_force"}


# At 100 dpi Tesseract reads the digits unsure (4 for 5, 198 for 195, 350 for 550); the second reader
# (PP-OCR on the same crops) reads them and most row labels. The fax lost 7730.28's decimal point: that
# one field is warned, never silently wrong; the misread 行政规范性文件 row is placed and, reading most
# like its place, keeps its unsure 5 with a warning.
def test_100dpi_fax_table_two_no_placed_number_wrong(fax_pages):
    report = fax_pages["100dpi_1bit"]
    want = flat(load(SCANS / "hzq2023_scanned.expected.json")["proactive"], "proactive")
    got = flat(report["proactive"], "proactive")
    assert set(got) == set(want)
    warned = {w["field"] for w in report["warnings"]}
    assert all(got[f] in (None, want[f]) or f in warned for f in want)
    assert [f for f in want if got[f] != want[f]] == ["proactive.fees.amount"]
    placed = _warned(report, "label_by_position")
    assert all(got[f] == want[f] for f in placed)
    assert "proactive.normative_documents.repealed" in placed & _warned(report, "low_confidence")


# --------------------------------------------------------------- hand-built grids

# The real report's table 二 (2021 form), labels as a fax scan leaves them: 规章 blank, others junk
# but for 行政许可.
ROWS_2021 = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["", "1", "2", "3"],
    ["行政规范必文件", "0", "5", "5"],
    ["第二十条第（五）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "550"],
    ["第二十条第（六）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政处章", "4119"],
    ["了器遇和是制", "195"],
    ["第二十条第（八）项"],
    ["信息内容", "本年收费金额（单位：万元）"],
    ["行下六业站凿性收缴", "7730.28"],
]


def _grid(rows: list[list[str]], conf: float = 0.99) -> Table:
    """An OCR'd grid four columns wide: a lone cell spans the table, a second one the three columns."""
    cells = []
    for r, texts in enumerate(rows):
        if len(texts) == 1:
            cells.append(Cell(r, 0, texts[0], colspan=4, method="ocr", confidence=0.8))
            continue
        spans = [1, 3] if len(texts) == 2 else [1] * len(texts)
        col = 0
        for t, span in zip(texts, spans):
            cells.append(Cell(r, col, t, colspan=span, method="ocr", confidence=conf if t[:1].isdigit() else 0.3))
            col += span
    return Table(cells=cells)


def _read(rows: list[list[str]], template=FORM_2021, conf: float = 0.99) -> FieldStore:
    store = FieldStore()
    read_proactive(table_rows(_grid(rows, conf)), template, store)
    return store


def test_grid_as_the_template_places_every_row():
    store = _read(ROWS_2021)
    v = store.values
    assert [v[f"proactive.regulations.{f}"] for f in ("issued", "repealed", "in_force")] == [1, 2, 3]
    assert v["proactive.coercion.decisions"] == 195 and v["proactive.fees.amount"] == 7730.28
    assert _warned(store, "label_by_position") == {"proactive.regulations.issued", "proactive.regulations.repealed",
                                                   "proactive.regulations.in_force", "proactive.coercion.decisions",
                                                   "proactive.fees.amount"}
    assert v["proactive.licensing.decisions"] == 550 and "proactive.licensing.decisions" not in _warned(
        store, "label_by_position")


def _unplaced(store: FieldStore) -> None:
    """No row placed by position: 规章, 行政强制 and 行政事业性收费 stay null, as without the layout."""
    for f in ("proactive.regulations.issued", "proactive.coercion.decisions", "proactive.fees.amount"):
        assert store.values[f] is None
    assert not _warned(store, "label_by_position")
    assert {"proactive.regulations.issued", "proactive.coercion.decisions"} <= _warned(store, "missing")


def test_a_data_row_too_many_refuses_placement():
    extra = ROWS_2021[:11] + [["蝇制乙", "7"]] + ROWS_2021[11:]
    _unplaced(_read(extra))


def test_a_data_row_missing_refuses_placement():
    _unplaced(_read(ROWS_2021[:3] + ROWS_2021[4:]))


def test_a_row_of_the_wrong_width_refuses_placement():
    wide = [list(r) for r in ROWS_2021]
    wide[10] = ["了器遇和是制", "1", "9", "5"]
    _unplaced(_read(wide))


def test_a_readable_label_off_its_place_refuses_placement():
    swapped = [list(r) for r in ROWS_2021]
    swapped[6], swapped[9] = ["行政处罚", "550"], ["行政许可", "4119"]
    _unplaced(_read(swapped))


def test_a_section_row_naming_another_article_refuses_placement():
    moved = [list(r) for r in ROWS_2021]
    moved[7] = ["第二十条第（八）项"]
    _unplaced(_read(moved))


def test_an_unsure_read_in_a_placed_row_stays_null():
    store = _read(ROWS_2021, conf=0.5)
    assert store.values["proactive.regulations.issued"] is None
    assert "proactive.regulations.issued" in _warned(store, "low_confidence")
    assert store.values["proactive.licensing.decisions"] == 550  # read by its label: the usual low_confidence


def test_an_unsure_read_is_kept_warned_where_the_misread_label_reads_like_its_place():
    misread = [list(r) for r in ROWS_2021]
    misread[3] = ["行政规苞性之件", "0", "5", "5"]  # 5 of 7 characters: 0.71 like 行政规范性文件, below a match
    store = _read(misread, conf=0.7)
    paths = [f"proactive.normative_documents.{f}" for f in ("issued", "repealed", "in_force")]
    assert [store.values[p] for p in paths] == [0, 5, 5]
    assert set(paths) <= _warned(store, "label_by_position")
    assert {store.provenance[p]["confidence"] for p in paths} == {0.7}  # the report warns on each (report.py)
    assert store.values["proactive.coercion.decisions"] is None  # 「了器遇和是制」 reads like no row: null
    assert store.values["proactive.regulations.issued"] is None  # a blank label: null


def test_a_text_layer_label_is_never_taken_by_position():
    store = FieldStore()
    table = _grid(ROWS_2021)
    for c in table.cells:
        if c.row == 10 and c.col == 0:
            c.text, c.method, c.confidence = "行政给付", "text", None  # legible, and no template row
    read_proactive(table_rows(table), FORM_2021, store)
    _unplaced(store)


@pytest.mark.parametrize("template", [FORM_2021, FORM_2019])
def test_layout_has_every_item_once_in_template_order(template):
    rows = proactive_layout(template)
    assert [r.item for r in rows if r.kind == "data"] == list(range(len(template.proactive)))
    assert sum(r.kind == "section" for r in rows) == sum(r.kind == "header" for r in rows)
