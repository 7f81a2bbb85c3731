"""Table 三 of a fax-quality scan: numbers read, row labels junk; rows placed by their position (issue 14)."""
from xxgk.model import Cell, Table
from xxgk.normalize.fields import FieldStore
from xxgk.normalize.readers import read_applications
from xxgk.normalize.rows import table_rows
from xxgk.normalize.templates.base import APPLICANT_KEYS
from xxgk.normalize.templates.form2021 import FORM_2021

# The real 洪泽区 2023 report's table 三 (natural person, total; other columns 0), one-row （六）.
HEAD = [("new_received", 21), ("carried_over", 0), ("results.disclosed", 0), ("results.partially_disclosed", 4),
        ("results.withheld.state_secret", 1), ("results.withheld.prohibited_by_law", 0),
        ("results.withheld.security_stability", 0), ("results.withheld.third_party_rights", 0),
        ("results.withheld.internal_affairs", 0), ("results.withheld.process_information", 1),
        ("results.withheld.law_enforcement_files", 1), ("results.withheld.administrative_inquiry", 0),
        ("results.unable_to_provide.not_held", 10), ("results.unable_to_provide.needs_creation", 3),
        ("results.unable_to_provide.unclear_after_correction", 0), ("results.not_processed.complaint", 1),
        ("results.not_processed.duplicate", 0), ("results.not_processed.publication", 0),
        ("results.not_processed.excessive", 0), ("results.not_processed.confirmation", 0)]
ONE_ROW = HEAD + [("results.other_handling", 0), ("results.total", 21), ("carried_forward", 0)]
SUB_ROWS = HEAD[:12] + [("results.unable_to_provide.not_held", 9)] + HEAD[13:] + [
    ("results.other.overdue_correction", 1), ("results.other.overdue_fee", 0), ("results.other.other", 0),
    ("results.total", 21), ("carried_forward", 0)]
LABELS = {"new_received": "一、本年新收政府信息公开申请数量", "carried_forward": "四、结转下年度继续办理"}
JUNK = ["清和公开区分处音", "人不公于", "3位入”交合格入", "希上美间民六多让", "车js关注人站:", "二生晓在精装寺",
        "民二直提生", "?于妇庙暑", "四蝴", "发必5为本奔放让"]


TEMPLATE_LABEL = {row.path: row.labels[0] for row in FORM_2021.results}


def _grid(rows, conf=None, label_cell_one=None, readable=()):
    """An OCR'd grid: label in column 0, seven number cells in columns 1-7 (confidence 0.99 unless given);
    labels junk but for 一, 四 and the rows in `readable`."""
    cells = []
    for r, (path, n) in enumerate(rows):
        label = TEMPLATE_LABEL[path] if path in readable else LABELS.get(path, JUNK[r % len(JUNK)])
        cells.append(Cell(r, 0, label, method="ocr", confidence=0.2))
        if r == label_cell_one:  # a numbering 「1.」 in the label column read as a number
            cells[-1] = Cell(r, 0, "1", method="ocr", confidence=0.15)
        for k, v in enumerate([n, 0, 0, 0, 0, 0, n]):
            text, c = (conf or {}).get((r, k), (str(v), 0.99))
            cells.append(Cell(r, 1 + k, text, method="ocr", confidence=c))
    return Table(cells=cells, positional=True)


def _read(table):
    store = FieldStore()
    read_applications(table_rows(table), FORM_2021, store)
    return store


def _field(path, col):
    return f"applications.{path}.{col}"


def _expected(rows):
    return {_field(p, c): (n if c in ("natural_person", "total") else 0) for p, n in rows for c in APPLICANT_KEYS}


def _kinds(store, field):
    return {w["kind"] for w in store.warnings if w["field"] in (field, field.rsplit(".", 1)[0])}


def test_junk_labels_placed_by_position_one_row_other_handling():
    store = _read(_grid(ONE_ROW))
    for f, v in _expected(ONE_ROW).items():
        assert store.values[f] == v, f
        assert store.provenance[f]["method"] == "ocr"
    assert not any(k.startswith("applications.results.other.") for k in store.values)
    assert "label_by_position" in _kinds(store, _field("results.disclosed", "total"))
    assert "label_by_position" in _kinds(store, _field("results.other_handling", "total"))
    assert "label_by_position" not in _kinds(store, _field("new_received", "total"))  # an anchor


def test_three_sub_rows_between_five_and_seven_choose_the_sub_row_form():
    store = _read(_grid(SUB_ROWS))
    for f, v in _expected(SUB_ROWS).items():
        assert store.values[f] == v, f
    assert not any(k.startswith("applications.results.other_handling.") for k in store.values)


def test_sums_that_break_leave_the_placed_rows_null():
    # A confident misread (4 for 3) in a junk-labelled row: 总计 no longer equals the results' sum.
    store = _read(_grid(ONE_ROW, conf={(13, 0): ("4", 0.99), (13, 6): ("4", 0.99)}))
    truth = _expected(ONE_ROW)
    assert store.values[_field("results.unable_to_provide.needs_creation", "natural_person")] is None
    assert store.values[_field("results.disclosed", "total")] is None
    assert "label_by_position" in _kinds(store, _field("results.disclosed", "total"))
    for f, v in store.values.items():
        assert v is None or v == truth[f], f  # never a wrong number


def test_a_missing_row_is_not_placed_by_position():
    rows = ONE_ROW[:8] + ONE_ROW[9:]  # one row lost: the structure no longer fits the template
    store = _read(_grid(rows))
    truth = _expected(ONE_ROW)
    for f, v in store.values.items():
        assert v is None or v == truth[f], f
    assert store.values[_field("results.disclosed", "natural_person")] is None


def test_unsure_misread_in_a_placed_row_is_pinned_by_the_sums():
    # 1-bit scans turn a 0 into 9 at confidence 0.79: the row total pins it back, with a warning.
    store = _read(_grid(ONE_ROW, conf={(12, 3): ("9", 0.79)}))
    f = _field("results.unable_to_provide.not_held", "social_welfare_organization")
    assert store.values[f] == 0
    assert store.provenance[f]["method"] == "inferred"
    assert store.values[_field("results.unable_to_provide.not_held", "natural_person")] == 10


def test_label_column_read_as_a_number_is_left_out_by_column():
    store = _read(_grid(ONE_ROW, label_cell_one=15))
    for f, v in _expected(ONE_ROW).items():
        assert store.values[f] == v, f


def test_other_handling_form_from_the_rows_between_five_and_seven():
    # Labels read except （六）其他处理, and 四 lost at the foot of the page: the grid as a whole no
    # longer fits, but one row between (五) and （七） says （六） is the one-row form.
    rows = ONE_ROW[:-1]
    store = _read(_grid(rows, readable={p for p, _ in rows if p != "results.other_handling"}))
    for f, v in _expected(rows).items():
        assert store.values[f] == v, f
    assert "label_by_position" in _kinds(store, _field("results.other_handling", "total"))
    assert not any(k.startswith("applications.results.other.") for k in store.values)
    three = SUB_ROWS[:-1]
    store = _read(_grid(three, readable={p for p, _ in three if not p.startswith("results.other.")}))
    for f, v in _expected(three).items():
        assert store.values[f] == v, f
    assert not any(k.startswith("applications.results.other_handling.") for k in store.values)


def test_one_unread_label_between_recognised_rows_kept_only_when_the_sums_hold():
    rows = ONE_ROW[:-1]  # 四 lost: only the rows around the unread one place it
    readable = {p for p, _ in rows if p != "results.withheld.process_information"}
    store = _read(_grid(rows, readable=readable))
    f = _field("results.withheld.process_information", "natural_person")
    assert store.values[f] == 1 and store.provenance[f]["method"] == "ocr"
    assert "label_by_position" in _kinds(store, f)
    # 予以公开 read 1 for 0, confidently: （七）总计 no longer adds up, so the placed row is not used.
    broken = _read(_grid(rows, readable=readable, conf={(2, 0): ("1", 0.99), (2, 6): ("1", 0.99)}))
    # Not its cells' read: null, or pinned by the recognised rows' sums and flagged as inferred.
    assert broken.values[f] is None or broken.provenance[f]["method"] == "inferred"
    assert {"label_by_position", "inferred"} <= _kinds(broken, f) or broken.values[f] is None
