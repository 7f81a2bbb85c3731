"""layout.geometry and layout.join on small hand-built geometries (no PDF involved)."""
from __future__ import annotations

from xxgk.model import Table
from xxgk.layout.geometry import (Piece, Segment, fill_table, find_grids, join_lines, line_text,
                             merge_collinear, pieces_text, segments_from_rect, snap,
                             table_from_geometry)
from xxgk.layout.join import join, join_all


def box_segments(boxes):
    """Rulings of a table drawn cell by cell: the four edges of every cell box."""
    segs = []
    for x0, top, x1, bottom in boxes:
        segs += [Segment("h", top, x0, x1), Segment("h", bottom, x0, x1),
                 Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]
    return segs


def word(text, x0, top, size=10.0):
    """A piece of text whose box is `size` high and size wide per char."""
    return Piece(text, x0, top, x0 + size * len(text), top + size, size)


def spans(table: Table):
    return sorted((c.row, c.col, c.rowspan, c.colspan) for c in table.cells)


def texts(table: Table):
    return {(c.row, c.col): c.text for c in table.cells}


# ---------------------------------------------------------------- segments

def test_snap_and_merge_collinear_bridge_small_gaps():
    segs = [Segment("h", 100.0, 0, 50), Segment("h", 100.8, 52, 120), Segment("h", 101.2, 130, 200),
            Segment("v", 10.0, 0, 40)]
    merged = sorted(merge_collinear(snap(segs)), key=lambda s: (s.orient, s.start))
    hs = [s for s in merged if s.orient == "h"]
    assert [(round(s.pos, 2), s.start, s.end) for s in hs] == [(100.67, 0, 120), (100.67, 130, 200)]


def test_thin_rect_is_one_ruling_and_box_gives_four_edges():
    assert segments_from_rect(10, 99.5, 200, 100.5) == [Segment("h", 100.0, 10, 200)]
    assert segments_from_rect(49.6, 0, 50.4, 80) == [Segment("v", 50.0, 0, 80)]
    assert len(segments_from_rect(0, 0, 100, 30)) == 4


# ---------------------------------------------------------------- grids

def test_2x2_merge_in_3x3_grid():
    boxes = [(0, 0, 200, 200), (200, 0, 300, 100), (200, 100, 300, 200),
             (0, 200, 100, 300), (100, 200, 200, 300), (200, 200, 300, 300)]
    pieces = [word("合并", 80, 90), word("B", 240, 40), word("C", 240, 140),
              word("D", 40, 240), word("E", 140, 240), word("F", 240, 240)]
    [table] = table_from_geometry(box_segments(boxes), pieces, page=1)
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert spans(table) == [(0, 0, 2, 2), (0, 2, 1, 1), (1, 2, 1, 1),
                            (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]
    assert table.text_rows() == [["合并", "B"], ["C"], ["D", "E", "F"]]
    assert all(c.page == 1 for c in table.cells)
    assert table.matrix()[1][1].text == "合并"


def test_vertical_merge_with_vertical_text():
    # Column 0 is one cell over three rows holding text typeset one char per line.
    boxes = [(0, 0, 30, 90)] + [(30, 30 * r, 130, 30 * (r + 1)) for r in range(3)]
    stacked = [Piece(ch, 10, 5 + 12 * i, 20, 15 + 12 * i, 10) for i, ch in enumerate("三、办理结果")]
    pieces = stacked + [word("一", 40, 10), word("二", 40, 40), word("三", 40, 70)]
    [table] = table_from_geometry(box_segments(boxes), pieces)
    assert spans(table) == [(0, 0, 3, 1), (0, 1, 1, 1), (1, 1, 1, 1), (2, 1, 1, 1)]
    assert texts(table)[(0, 0)] == "三、办理结果"


def three_level_header_boxes():
    """Table 三's header: a 3x3 corner, 申请人情况 x7, 自然人/总计 two rows tall, 法人或其他组织 x5."""
    xs = [0, 30, 80, 200] + [200 + 30 * k for k in range(1, 8)]  # 3 label + 7 number columns
    ys = [0, 20, 40, 80, 100, 120]
    cell = lambda r0, c0, r1, c1: (xs[c0], ys[r0], xs[c1], ys[r1])  # noqa: E731
    boxes = [cell(0, 0, 3, 3), cell(0, 3, 1, 10), cell(1, 3, 3, 4), cell(1, 4, 2, 9), cell(1, 9, 3, 10)]
    boxes += [cell(2, k, 3, k + 1) for k in range(4, 9)]
    boxes += [cell(3, 0, 4, 3)] + [cell(3, k, 4, k + 1) for k in range(3, 10)]
    boxes += [cell(4, k, 5, k + 1) for k in range(10)]  # a row that shows the three label columns
    return xs, ys, boxes


def test_three_level_header_like_table_3():
    xs, ys, boxes = three_level_header_boxes()
    names = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    pieces = [word("（本列数据）", 20, 35), word("申请人情况", 260, 5), word("自然人", 201, 50, 9),
              word("法人或其他组织", 260, 25), word("总计", 382, 50, 9)]
    # Two-line header texts, 社会 / 公益 / 组织 style.
    for k, name in enumerate(names):
        x = xs[4 + k] + 2
        for i in range(0, len(name), 2):
            pieces.append(Piece(name[i:i + 2], x, 42 + 12 * (i // 2), x + 18, 51 + 12 * (i // 2), 9))
    pieces += [word("一、本年新收", 5, 85)] + [word(str(k), xs[3 + k] + 10, 85) for k in range(7)]
    [table] = table_from_geometry(box_segments(boxes), pieces)
    assert (table.n_rows, table.n_cols) == (5, 10)
    s = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert s[(0, 0)] == (3, 3) and s[(0, 3)] == (1, 7)
    assert s[(1, 3)] == (2, 1) and s[(1, 4)] == (1, 5) and s[(1, 9)] == (2, 1)
    assert s[(3, 0)] == (1, 3)
    t = texts(table)
    assert [t[(2, k)] for k in range(4, 9)] == names
    assert t[(0, 3)] == "申请人情况" and t[(1, 4)] == "法人或其他组织" and t[(1, 9)] == "总计"
    assert [t[(3, k)] for k in range(3, 10)] == [str(k) for k in range(7)]


def test_no_outer_border_edges_inferred_from_inner_lines():
    # Only the inner rulings: two verticals and two horizontals crossing, nothing around.
    segs = [Segment("v", 100, 0, 90), Segment("v", 200, 0, 90),
            Segment("h", 30, 0, 300), Segment("h", 60, 0, 300)]
    [grid] = find_grids(segs)
    assert grid.xs == [0, 100, 200, 300] and grid.ys == [0, 30, 60, 90]
    pieces = [word("a", 40, 10), word("b", 140, 10), word("c", 240, 70)]
    table, outside = fill_table(grid, pieces + [word("prose", 10, 200)])
    assert len(table.cells) == 9
    assert texts(table)[(0, 0)] == "a" and texts(table)[(0, 1)] == "b" and texts(table)[(2, 2)] == "c"
    assert [p.text for p in outside] == ["prose"]


def test_shaded_header_row_from_filled_rect():
    # The header row has no ruling under it; its shading (a filled rect) provides the edge.
    segs = [Segment("h", 0, 0, 200), Segment("h", 60, 0, 200), Segment("v", 0, 0, 60),
            Segment("v", 200, 0, 60), Segment("v", 100, 20, 60)]
    segs += segments_from_rect(0.4, 0.3, 199.6, 20.2)
    [table] = table_from_geometry(segs, [word("第二十条", 60, 5), word("规章", 10, 30), word("0", 150, 30)])
    assert spans(table) == [(0, 0, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1)]
    assert table.text_rows()[0] == ["第二十条"]
    assert table.text_rows()[1] == ["规章", "0"]


def test_lone_box_is_not_a_table():
    assert find_grids(segments_from_rect(0, 0, 300, 40)) == []


# ---------------------------------------------------------------- text joining

def test_line_text_cjk_and_numbers():
    line = [word("2023", 0, 0), word("年", 45, 0), word("收到", 57, 0)]
    assert line_text(line) == "2023年收到"
    chars = [Piece(ch, 10 * i + (20 if i >= 2 else 0), 0, 10 * i + 8 + (20 if i >= 2 else 0), 10, 10)
             for i, ch in enumerate("1234")]
    assert line_text(chars) == "12 34"  # a visible gap between two numbers stays a space
    assert line_text([word("hzzwgk@126.com", 0, 0), word("）。", 141, 0)]) == "hzzwgk@126.com）。"


def test_multiline_cell_text_reading_order():
    pieces = [word("计其他情形）", 0, 20), word("（二）部分公开（区分处理的", 0, 5)]
    assert pieces_text(pieces) == "（二）部分公开（区分处理的计其他情形）"
    assert join_lines(["Total", "applications"]) == "Total applications"
    assert join_lines(["1254", "5"]) == "12545"


# ---------------------------------------------------------------- joining across pages

def grid_table(xs, rows, page, top=0.0, row_h=20.0, spans_=None):
    """A Table with cell boxes from column edges; rows are lists of texts (None = covered)."""
    segs = []
    ys = [top + row_h * i for i in range(len(rows) + 1)]
    spans_ = spans_ or {}
    boxes = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            rs, cs = spans_.get((r, c), (1, 1))
            boxes.append((xs[c], ys[r], xs[c + cs], ys[r + rs]))
    segs = box_segments(boxes)
    pieces = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                pieces.append(word(text, xs[c] + 2, ys[r] + 5, 8))
    [table] = table_from_geometry(segs, pieces, page=page)
    return table


def test_join_shifted_columns_and_repeated_header():
    header = ["项目", "甲", "乙"]
    a = grid_table([0, 100, 160, 220], [header, ["规章", "1", "2"], ["文件", "3", "4"]], page=1, top=600)
    b = grid_table([1.5, 102.5, 158, 221], [header, ["许可", "5", "6"]], page=2, top=70)
    joined = join(a, b)
    assert joined is not None
    assert joined.text_rows() == [header, ["规章", "1", "2"], ["文件", "3", "4"], ["许可", "5", "6"]]
    assert [c.page for c in joined.rows()[3]] == [2, 2, 2]


def test_join_subset_columns_and_vertical_merge_across_break():
    # Page 1 ends inside a group cell spanning two rows; page 2 continues it with an empty cell.
    a = grid_table([0, 40, 120, 160, 200], [["标题", None, None, None],
                                             ["（四）", "1.不掌握", "10", "10"],
                                             [None, "2.没有现成", "3", "3"]],
                   page=1, spans_={(0, 0): (1, 4), (1, 0): (2, 1)})
    b = grid_table([0, 40, 120, 160, 200], [["", "3.补正后", "0", "0"], ["（五）", "1.信访", "1", "1"]],
                   page=2)
    joined = join(a, b)
    assert joined is not None
    assert (joined.n_rows, joined.n_cols) == (5, 4)
    m = joined.matrix()
    assert m[3][0].text == "（四）" and m[3][0].rowspan == 3 and m[3][0].row == 1
    assert joined.text_rows()[3] == ["3.补正后", "0", "0"]
    assert joined.text_rows()[4] == ["（五）", "1.信访", "1", "1"]
    # Table 二 style: the second part has fewer column edges (a superset on page 1).
    c = grid_table([0, 100, 150, 200], [["信息内容", "件数", "废止"], ["规章", "0", "0"]], page=1)
    d = grid_table([0, 100, 200], [["行政处罚", "4119"]], page=2)
    cd = join(c, d)
    assert cd.text_rows()[2] == ["行政处罚", "4119"]
    assert cd.matrix()[2][1].colspan == 2


def test_join_row_wrapped_over_the_break():
    header = ["项目", "甲", "总计"]
    a = grid_table([0, 100, 140, 180], [header, ["4.无正当理由大量", "0", "0"]], page=1)
    b = grid_table([0, 100, 140, 180], [header, ["反复申请", "", ""], ["5.要求确认", "0", "0"]], page=2)
    joined = join(a, b)
    assert joined.text_rows() == [header, ["4.无正当理由大量反复申请", "0", "0"], ["5.要求确认", "0", "0"]]


def test_no_join_when_columns_differ_or_next_row_is_new():
    a = grid_table([0, 100, 200], [["a", "1"]], page=1)
    b = grid_table([0, 60, 140, 200], [["x", "y", "z"]], page=2)
    assert join(a, b) is None
    assert len(join_all([a, b])) == 2
    # A numbered label starts a row of its own even when its numbers are blank.
    c = grid_table([0, 100, 200], [["1.属于国家秘密", "1"]], page=1)
    d = grid_table([0, 100, 200], [["2.其他法律", ""]], page=2)
    assert join(c, d).text_rows() == [["1.属于国家秘密", "1"], ["2.其他法律", ""]]
