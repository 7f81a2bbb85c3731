"""Damage real extraction leaves behind (issue 12), on small hand-built rows and real seed text.

The whole-report fixtures are in fixtures/damaged/ (run by test_golden.py); here each mechanism is
checked on its own: digit strings split, annotated cells, detached notes, label/value blocks.
"""
from pathlib import Path

import pytest

from xxgk.layout.text_table import pipe_table
from xxgk.model import Paragraph
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.numbers import parse_number
from xxgk.normalize.readers import read_applications, read_proactive, read_reviews
from xxgk.normalize.rows import paragraph_row, table_rows
from xxgk.normalize.rules import application_rules
from xxgk.normalize.solver import ShortRow, solve
from xxgk.normalize.splits import splits
from xxgk.normalize.templates import FORM_2019, FORM_2021
from xxgk.pipeline import convert_bytes

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_organization",
        "legal_service_agency", "other_organization", "total")
ROW_SUM = [(6, (0, 1, 2, 3, 4, 5))]
REVIEW_SUMS = [(4, (0, 1, 2, 3)), (9, (5, 6, 7, 8)), (14, (10, 11, 12, 13))]


def _rows(*texts):
    return [paragraph_row(Paragraph(t)) for t in texts]


def _warnings(store, field, kind):
    return [w for w in store.warnings if w["field"] == field and w["kind"] == kind]


# ---------------------------------------------------------------- class 1: digit strings

def test_a_digit_string_splits_every_way_without_leading_zeros():
    assert splits("32537", ["count"] * 3) == [(3, 2, 537), (3, 25, 37), (3, 253, 7), (32, 5, 37), (32, 53, 7), (325, 3, 7)]
    assert splits("000", ["count"] * 3) == [(0, 0, 0)]
    assert splits("9", ["count"] * 3) == []
    assert splits("———", ["count"] * 3) == [(0, 0, 0)]  # zero marks are cells of their own


def test_the_row_total_and_kept_spaces_leave_one_split():
    assert splits("121 000013", ["count"] * 7, ROW_SUM) == [(12, 1, 0, 0, 0, 0, 13)]
    # 1|10|0|0|0|0|11 also adds up: the row alone cannot tell, the column sums must
    assert splits("110000011", ["count"] * 7, ROW_SUM) == [(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)]


def test_table_four_as_one_line_of_17_digits():
    assert splits("10203120001200000", ["count"] * 15, REVIEW_SUMS) == [(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]


def test_money_keeps_its_point_and_counts_have_none():
    assert splits("14976.81", ["count", "money"]) == [(1, 4976.81), (14, 976.81), (149, 76.81), (1497, 6.81)]
    assert splits("1.5", ["count", "count"]) == []


def test_a_scraped_line_becomes_label_parts_and_a_run():
    row = paragraph_row(Paragraph("（三）不予公开1.属于国家秘密0000000"))
    assert row.labels == ["(三)不予公开", "1.属于国家秘密"] and row.run == "0000000"
    assert paragraph_row(Paragraph("本年度主动公开信息319件。")) is None  # prose, not a row
    header = paragraph_row(Paragraph("信息内容本年制发件数本年废止件数现行有效件数"))
    assert header.run is None and header.labels == ["信息内容本年制发件数本年废止件数现行有效件数"]


def test_column_sums_pick_the_split_of_a_row_the_row_total_cannot():
    rows = ["new_received", "carried_over", "results.disclosed", "results.total", "carried_forward"]
    rules = application_rules(rows, ["results.disclosed"])
    given = {"carried_over": [0] * 7, "results.total": [11, 0, 0, 0, 0, 0, 11], "carried_forward": [0] * 7,
             "results.disclosed": [11, 0, 0, 0, 0, 0, 11]}
    values = {f"applications.{r}.{c}": v for r, vs in given.items() for c, v in zip(COLS, vs)}
    fields = [f"applications.new_received.{c}" for c in COLS]
    values.update({f: None for f in fields})
    row = ShortRow("new_received", fields, [], candidates=splits("110000011", ["count"] * 7, ROW_SUM))
    sol = solve(values, rules, [row])
    assert [sol.values[f] for f in fields] == [11, 0, 0, 0, 0, 0, 11]
    assert "new_received" in sol.placed


def test_table_two_runs_split_only_when_one_split_is_possible():
    store = FieldStore()
    read_proactive(_rows("规章000", "行政规范性文件32537", "行政许可1517", "行政处罚23", "行政强制0", "行政事业性收费0"),
                   FORM_2021, store)
    assert [store.values[f"proactive.regulations.{k}"] for k in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert store.provenance["proactive.regulations.issued"] == {
        "page": None, "bbox": None, "raw": "000", "confidence": None, "method": "inferred"}
    assert _warnings(store, "proactive.regulations.issued", "inferred")
    assert store.values["proactive.licensing.decisions"] == 1517  # one cell: nothing to split
    for k in ("issued", "repealed", "in_force"):
        assert store.values[f"proactive.normative_documents.{k}"] is None
        assert "6 splits" in _warnings(store, f"proactive.normative_documents.{k}", "unsplit")[0]["message"]


def test_table_four_run_fills_all_fifteen_cells_as_inferred():
    store = FieldStore()
    read_reviews(_rows("行政复议行政诉讼", "10203120001200000"), store)
    assert store.values["reviews_and_lawsuits.lawsuit_direct.upheld"] == 12
    assert store.values["reviews_and_lawsuits.review.total"] == 3
    assert store.provenance["reviews_and_lawsuits.review.total"]["raw"] == "10203120001200000"
    assert all(store.provenance[f]["method"] == "inferred" for f in store.values)


def test_an_undecidable_table_four_run_is_null_with_warnings():
    store = FieldStore()
    read_reviews(_rows("1111111111111111111"), store)  # 19 ones in 15 cells: many splits keep the totals
    assert all(v is None for v in store.values.values()) and len(store.values) == 15
    assert all(_warnings(store, f, "unsplit") for f in store.values)


# ---------------------------------------------------------------- class 3: annotated cells

@pytest.mark.parametrize("raw,value,note", [
    ("22（其中修订 16 件）", 22, "其中修订 16 件"), ("55(含自然失效 29 件)", 55, "含自然失效 29 件"),
    ("3（含上年度结转）", 3, "含上年度结转"), ("12", 12, None)])
def test_annotated_cells_keep_the_number(raw, value, note):
    p = parse_number(raw)
    assert (p.value, p.note) == (value, note)


def test_a_note_is_not_a_number_when_nothing_before_it_is():
    assert parse_number("（二）部分公开（区分处理的）") is None
    assert parse_number("976.81（万元）").unit == "万元"


def _proactive(lines):
    store = FieldStore()
    read_proactive(table_rows(pipe_table(lines)), FORM_2021, store)
    return store


def test_a_detached_note_goes_to_the_column_it_names():
    store = _proactive(["行政规范性文件 | 22（其中修订 16 件） | 94 |", "55（含自然失效 29 件） | |"])
    got = [store.values[f"proactive.normative_documents.{k}"] for k in ("issued", "repealed", "in_force")]
    assert got == [22, 55, 94]
    assert store.provenance["proactive.normative_documents.repealed"]["raw"] == "55（含自然失效 29 件）"
    assert _warnings(store, "proactive.normative_documents.repealed", "annotated")
    assert _warnings(store, "proactive.normative_documents", "placed")


def test_a_detached_note_naming_no_column_leaves_the_row_null():
    store = _proactive(["规章 | 0 | 1 |", "3（含修改 1 件） | |"])
    assert [store.values[f"proactive.regulations.{k}"] for k in ("issued", "repealed", "in_force")] == [None] * 3
    assert _warnings(store, "proactive.regulations.in_force", "unplaced")


def test_a_detached_cell_in_table_three_is_placed_by_the_column_sums():
    head = ["一、本年新收政府信息公开申请数量 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |", "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "（四）无法提供 | 1.本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 0 | 4 |", "1（另转办 1 件） | | |",
            "（七）总计 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |", "四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"]
    store = FieldStore()
    read_applications(table_rows(pipe_table(head)), FORM_2021, store)
    got = [store.values[f"applications.results.unable_to_provide.not_held.{c}"] for c in COLS]
    assert got == [3, 1, 0, 0, 0, 0, 4]
    assert store.provenance["applications.results.unable_to_provide.not_held.natural_person"]["method"] == "inferred"


# ---------------------------------------------------------------- class 2: markdown extractions

def test_generic_and_placeholder_markdown_headers_are_dropped():
    t = pipe_table(["| 数据1 | 数据2 |", "|---|---|", "| 2.重复申请 | 1 |", "| - | - | - |", "|---|---|---|", "| a | b | c |"])
    assert t.text_rows() == [["2.重复申请", "1"], ["a", "b", "c"]]


def test_a_labels_block_then_a_values_block_pair_up():
    lines = ["| 一、本年新收政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
             "| （三）不予公开 1.属于国家秘密 |", "| 2.其他法律行政法规禁止公开 |", "| — 4 — |",
             "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
    store = FieldStore()
    read_applications(table_rows(pipe_table(lines)), FORM_2021, store)
    assert store.values["applications.results.withheld.state_secret.total"] == 0
    assert store.values["applications.results.withheld.prohibited_by_law.natural_person"] == 2


def test_table_two_blocks_out_of_order_still_match():
    store = _proactive(["行政许可 | 128 |", "规章 | 0 | 0 | 0 |", "行政规范性文件 | 2 | 1 | 21 |", "行政事业性收费 | 0 |",
                        "行政处罚 | 36 |", "行政强制 | 0 |"])
    assert store.values["proactive.licensing.decisions"] == 128
    assert store.values["proactive.fees.amount"] == 0
    assert store.values["proactive.normative_documents.in_force"] == 21


def test_a_wrapped_header_fragment_is_not_the_row_label():
    lines = ["| 一、本年新收政府信息公开申请数量 | 业构益组织务机构 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
    store = FieldStore()
    read_applications(table_rows(pipe_table(lines)), FORM_2021, store)
    assert store.values["applications.new_received.total"] == 2


# ---------------------------------------------------------------- never a field missing

def _seed(name="003_62938e86c4e2d319.txt"):
    return (SEEDS / name).read_text(encoding="utf-8")


def test_a_2021_report_without_its_six_rows_still_has_them_null():
    text = "\n".join(line for line in _seed().splitlines()
                     if not any(w in line for w in ("（六）其他处理", "(六)其他处理", "逾期未按收费", "3.其他 |")))
    report = convert_bytes(text.encode(), "no6.txt")
    other = report["applications"]["results"]["other"]
    assert set(other) == {"overdue_correction", "overdue_fee", "other"}
    warned = {w["field"] for w in report["warnings"]}
    for key, row in other.items():
        assert set(row) == set(COLS)
        for col, v in row.items():
            path = f"applications.results.other.{key}.{col}"
            assert path in warned  # the rows are lost: each cell null, or pinned by the sums, and said so
            assert v is None or report["provenance"][path]["method"] == "inferred"


@pytest.mark.parametrize("seed,form", [("003_62938e86c4e2d319.txt", "2021"), ("002_38bf42b0a2d574c0.txt", "2019")])
def test_a_missing_table_three_leaves_every_field_null_with_a_warning(seed, form):
    lines = _seed(seed).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("三、收到和处理"))
    end = next(i for i, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    report = convert_bytes("\n".join(lines[:start] + lines[end:]).encode(), "no3.txt")
    assert report["template"] == form
    from golden import flat
    fields = flat(report["applications"], "applications")
    assert len(fields) == (175 if form == "2021" else 161)
    warned = {w["field"] for w in report["warnings"]}
    assert all(v is None for v in fields.values()) and set(fields) <= warned


def test_what_section_one_states_decides_a_run_table_two_cannot():
    store = FieldStore()
    prose = ["2024年，本局制发行政规范性文件3件，废止25件，现行有效37件。"]
    read_proactive(_rows("行政规范性文件32537"), FORM_2021, store, prose)
    got = [store.values[f"proactive.normative_documents.{k}"] for k in ("issued", "repealed", "in_force")]
    assert got == [3, 25, 37]
    assert "section 一 states" in _warnings(store, "proactive.normative_documents.issued", "inferred")[0]["message"]
    # a statement that fits no split decides nothing
    store = FieldStore()
    read_proactive(_rows("行政规范性文件32537"), FORM_2021, store, ["制发行政规范性文件4件。"])
    assert store.values["proactive.normative_documents.issued"] is None


def _unlabelled_tail(total, carried_forward, leaves=True):
    lines = ["| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
             "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
             "| （一）予以公开 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |"]
    if leaves:  # every other results row, zeros
        lines += [f"| {row.labels[0]} | " + " | ".join("0" * 7) + " |" for row in FORM_2021.results
                  if row.leaf and row.path != "results.disclosed" and not row.alternative_to]
    lines += ["| 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 |", "|---|---|---|---|",
              "| " + " | ".join(map(str, total)) + " |", "| " + " | ".join(map(str, carried_forward)) + " |"]
    store = FieldStore()
    read_applications(table_rows(pipe_table(lines)), FORM_2021, store)
    return store


def test_unlabelled_last_rows_are_placed_when_every_sum_holds():
    store = _unlabelled_tail([4, 0, 0, 0, 0, 0, 4], [2, 0, 0, 0, 0, 0, 2])
    assert store.values["applications.results.total.total"] == 4
    assert store.values["applications.carried_forward.natural_person"] == 2
    assert _warnings(store, "applications.results.total", "label_by_position")


def test_unlabelled_last_rows_the_sums_contradict_are_not_used():
    swapped = _unlabelled_tail([2, 0, 0, 0, 0, 0, 2], [4, 0, 0, 0, 0, 0, 4])  # 一+二=（七）+四 still holds
    # the sums pin the right values from the rows above, never the swapped ones
    assert swapped.values["applications.results.total.natural_person"] == 4
    assert swapped.provenance["applications.results.total.natural_person"]["method"] == "inferred"
    assert _warnings(swapped, "applications.carried_forward.natural_person", "label_by_position")
    unchecked = _unlabelled_tail([4, 0, 0, 0, 0, 0, 4], [2, 0, 0, 0, 0, 0, 2], leaves=False)
    assert unchecked.values["applications.results.total.natural_person"] is None  # nothing can confirm
