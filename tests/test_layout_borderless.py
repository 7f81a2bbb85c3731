"""Tables without vertical rulings, rebuilt from hand-placed text (layout/borderless.py)."""
from __future__ import annotations

from xxgk.model import Table
from xxgk.layout.borderless import borderless_tables
from xxgk.layout.geometry import Piece

CH = 10.0  # char width and height in points


def line(y: float, *words: tuple[float, str]) -> list[Piece]:
    """One text line: each word starts at its x and is set one char per CH."""
    out = []
    for x, text in words:
        for i, ch in enumerate(text):
            out.append(Piece(ch, x + i * CH, y, x + (i + 1) * CH, y + CH))
    return out


def rows(table: Table) -> list[list[str]]:
    return [[c.text for c in r] for r in table.rows()]


COLS = (300.0, 360.0, 420.0)  # left edges of three number columns


def test_blank_cell_stays_in_its_column():
    lines = [line(100, (50, "规章"), (COLS[0], "0"), (COLS[1], "0"), (COLS[2], "5")),
             line(116, (50, "行政规范性文件"), (COLS[0], "9"), (COLS[2], "91")),
             line(132, (50, "其他文件"), (COLS[0], "12"), (COLS[1], "3"), (COLS[2], "40"))]
    tables, rest = borderless_tables(lines, page=1)
    assert rest == [] and len(tables) == 1
    t = tables[0]
    assert t.positional
    assert rows(t) == [["规章", "0", "0", "5"], ["行政规范性文件", "9", "", "91"], ["其他文件", "12", "3", "40"]]
    assert [c.col for c in t.rows()[1]] == [0, 1, 2, 3]


def test_a_column_blank_in_every_row_is_not_invented():
    # Nothing shows the middle column exists: two value columns, and the template's width check
    # (not this layer) decides how to place them.
    lines = [line(100, (50, "规章"), (COLS[0], "0"), (COLS[2], "5")),
             line(116, (50, "行政规范性文件"), (COLS[0], "9"), (COLS[2], "91"))]
    (t,), _ = borderless_tables(lines)
    assert rows(t) == [["规章", "0", "5"], ["行政规范性文件", "9", "91"]]


def test_wrapped_label_joins_its_row_and_header_text_does_not():
    lines = [line(80, (50, "信息内容"), (COLS[0], "本年制发"), (COLS[2], "现行有效")),
             line(96, (50, "（二）部分公开"), (COLS[0], "41"), (COLS[1], "0"), (COLS[2], "45")),
             line(112, (50, "（区分处理）")),
             line(128, (50, "（三）其他"), (COLS[0], "1"), (COLS[1], "2"), (COLS[2], "3"))]
    (t,), rest = borderless_tables(lines)
    assert rest == []
    got = rows(t)
    assert got[0] == ["信息内容 本年制发 现行有效"]  # header: one cell over the whole row, no value slots
    assert got[1] == ["（二）部分公开（区分处理）", "41", "0", "45"]
    assert got[2] == ["（三）其他", "1", "2", "3"]
    assert t.rows()[0][0].colspan == 4


def test_page_header_far_above_and_prose_stay_prose():
    lines = [line(20, (150, "某某局·政务公开专栏")),
             line(100, (50, "行政许可"), (COLS[0], "2736"), (COLS[1], "12")),
             line(116, (50, "行政处罚"), (COLS[0], "446"), (COLS[1], "3")),
             line(160, (50, "二、主动公开政府信息情况")),
             line(180, (50, "全年主动公开政府信息"), (COLS[1], "211")),
             line(300, (200, "—"), (220, "1"), (240, "—"))]
    tables, rest = borderless_tables(lines)
    assert len(tables) == 1 and rows(tables[0])[0] == ["行政许可", "2736", "12"]
    kept = ["".join(p.text for p in ln) for ln in rest]
    assert kept == ["某某局·政务公开专栏", "二、主动公开政府信息情况", "全年主动公开政府信息211", "—1—"]


def test_numbers_sharing_a_column_make_the_table_flattened():
    # A wide number runs under its neighbour's column: positions cannot be trusted.
    lines = [line(100, (50, "甲"), (COLS[0], "1"), (COLS[1], "2"), (COLS[2], "3")),
             line(116, (50, "乙"), (COLS[0] - 10, "123456789012"), (COLS[2] + 70, "4"))]
    (t,), _ = borderless_tables(lines)
    assert not t.positional
    assert rows(t)[1] == ["", "乙", "123456789012", "4"]  # numbers in order, no blanks claimed


def test_values_with_units_and_signs_are_numbers():
    a, b, c = 300, 400, 500
    lines = [line(100, (50, "行政许可"), (a, "18"), (b, "-3"), (c, "1448")),
             line(116, (50, "其他事项"), (a, "9"), (b, "增2"), (c, "291")),
             line(132, (50, "政府集中采购"), (a, "3"), (b, "251000元"))]
    (t,), rest = borderless_tables(lines)
    assert rest == []
    assert rows(t)[2] == ["政府集中采购", "3", "251000元", ""]


def test_ocr_junk_among_numbers_is_a_value_to_read_again():
    # Whole-page OCR turned two digits into "!" and "“"; header chars over the columns stay labels.
    lines = [line(80, (COLS[0], "结"), (COLS[1], "果"), (COLS[2], "维")),
             line(100, (50, "保护第三方"), (COLS[0], "0"), (COLS[1], "!"), (COLS[2], "“")),
             line(116, (50, "属于国家秘密"), (COLS[0], "1"), (COLS[1], "0"), (COLS[2], "2"))]
    (t,), _ = borderless_tables(lines, ocr=True)
    got = {(c.row, c.col): (c.text, c.confidence) for c in t.cells}
    assert rows(t)[0] == ["结 果 维"]
    assert got[(1, 2)] == ("!", 0.0) and got[(1, 3)] == ("“", 0.0)
    assert got[(1, 1)] == ("0", None)
    # From a text layer, junk is text: the row has no trailing numbers and is not a table row.
    (t2,), _ = borderless_tables(lines)
    assert ["保护第三方", "0", "!", "“"] not in rows(t2)
