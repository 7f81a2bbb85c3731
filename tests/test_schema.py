"""The published schema names every numeric field id of the contract."""
import re
from pathlib import Path

from xxgk.normalize.schema import report_schema

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "canonical-report.md"


def _schema_paths(node, prefix=""):
    props = node.get("properties", {})
    out = set()
    for k, v in props.items():
        p = f"{prefix}.{k}" if prefix else k
        out.add(p)
        out |= _schema_paths(v, p)
    return out


def test_every_spec_field_id_is_in_the_schema():
    paths = _schema_paths(report_schema())
    expected = {
        "proactive.regulations.issued", "proactive.regulations.repealed", "proactive.regulations.in_force",
        "proactive.normative_documents.in_force", "proactive.licensing.decisions", "proactive.penalty.decisions",
        "proactive.coercion.decisions", "proactive.fees.amount", "proactive.regulations.made",
        "proactive.regulations.published", "proactive.regulations.total_public", "proactive.other_services.change",
        "proactive.licensing.previous_year", "proactive.fees.previous_year", "proactive.fees.change",
        "proactive.procurement.projects", "proactive.procurement.amount",
        "applications.results.other_handling.total", "applications.results.other.overdue_fee.natural_person",
        "applications.results.withheld.administrative_inquiry.legal_service_agency",
        "applications.carried_forward.social_welfare_organization", "applications.results.total.research_institution",
        "reviews_and_lawsuits.lawsuit_after_review.pending", "reviews_and_lawsuits.review.upheld",
    }
    assert expected <= paths


def test_spec_row_paths_all_present():
    if not SPEC.exists():
        return
    rows = set(re.findall(r"^\| `((?:results\.|new_received|carried_over|carried_forward)[a-z_.]*)`", SPEC.read_text(), re.M))
    assert len(rows) >= 25
    paths = _schema_paths(report_schema())
    assert {f"applications.{r}" for r in rows} <= paths


def test_published_schema_file_is_current():
    import json

    published = Path(__file__).resolve().parent.parent / "schema" / "canonical-report.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == report_schema(), \
        "regenerate with: xxgk schema > schema/canonical-report.schema.json"


# --- issue 11: descriptions, enums, bbox convention; issue 13: the compiled validator ---------------------

import copy  # noqa: E402

import pytest  # noqa: E402

from outputs_helper import FIXTURES, SERIES, converted, text_and_html_inputs  # noqa: E402
from xxgk.normalize.schema import (BBOX_CONVENTION, METHODS, WARNING_KINDS, compiled_is_valid, is_valid,  # noqa: E402
                                   native_is_valid, schema_errors, validate)
from xxgk.pipeline import convert_bytes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def outputs() -> list[dict]:
    return [converted(p) for p in text_and_html_inputs() + sorted(SERIES.glob("*.txt"))
            + [FIXTURES / "pdf" / "hzq2023.pdf"]]


def _mutations(report: dict):
    """Hand edits a validator must reject, each paired with a description."""
    def edit(fn):
        r = copy.deepcopy(report)
        fn(r)
        return r
    yield "negative count", edit(lambda r: r["applications"]["results"]["disclosed"].__setitem__("natural_person", -3))
    yield "negative review", edit(lambda r: r["reviews_and_lawsuits"]["review"].__setitem__("total", -1))
    yield "unknown warning kind", edit(lambda r: r["warnings"].append(
        {"field": None, "kind": "guess", "message": "m", "raw": None}))
    yield "unknown method", edit(lambda r: next(iter(
        v for k, v in r["provenance"].items() if k.startswith("applications."))).__setitem__("method", "guessed"))
    yield "bbox of 3", edit(lambda r: next(iter(
        v for k, v in r["provenance"].items() if k.startswith("applications."))).__setitem__("bbox", [1, 2, 3]))
    yield "field provenance without page", edit(lambda r: next(iter(
        v for k, v in r["provenance"].items() if k.startswith("applications."))).pop("page"))
    yield "text count", edit(lambda r: r["applications"]["new_received"].__setitem__("total", "12"))
    yield "missing column", edit(lambda r: r["applications"]["carried_over"].pop("natural_person"))
    yield "bad date", edit(lambda r: r.__setitem__("published", "2024-1-5"))


def test_both_fast_checks_agree_with_jsonschema_on_every_output_and_edit(outputs):
    assert len(outputs) >= 25
    for report in outputs:
        assert is_valid(report) and schema_errors(report) == [] and validate(report) == []
        assert compiled_is_valid(report) is True and native_is_valid(report) is True
    # Hand edits on one report of each form and kind of source (jsonschema is slow: not on all of them).
    samples = [r for r in outputs if r["source"]["format"] == "pdf"][:1] + \
        [next(r for r in outputs if r["template"] == t and r["source"]["format"] == f)
         for t, f in (("2019", "text"), ("2021", "text"), ("2021", "html"))]
    for report in samples:
        for what, bad in _mutations(report):
            errors = schema_errors(bad)
            assert not is_valid(bad) and errors, what
            assert compiled_is_valid(bad) is False and native_is_valid(bad) is False, what
            assert validate(bad) == errors, what


def test_provenance_entries_may_carry_extra_keys_and_non_field_entries(outputs):
    report = copy.deepcopy(outputs[0])
    report["provenance"]["agency"] = {"method": "text", "source": "title", "raw": "x", "note": "extra keys allowed"}
    report["provenance"]["applications.new_received.total"]["note"] = "extra keys allowed"
    assert validate(report) == []
    report["provenance"]["agency"]["method"] = "guessed"
    assert not is_valid(report)


def test_warning_kinds_and_methods_are_enums():
    props = report_schema()["properties"]
    assert props["warnings"]["items"]["properties"]["kind"]["enum"] == list(WARNING_KINDS)
    field_prov = props["provenance"]["patternProperties"]
    assert next(iter(field_prov.values()))["properties"]["method"]["enum"] == list(METHODS) == ["text", "ocr", "inferred"]


def test_every_warning_kind_in_the_source_is_in_the_enum():
    """A new kind added in code but not in schema.WARNING_KINDS would make its report fail validation."""
    found = set()
    pattern = re.compile(r"""(?:\.warn\(|set_null\()\s*(?:[^,()]+|f?"[^"]*"),\s*"([a-z_]+)"|"field".*"kind":\s*"([a-z_]+)\"""")
    doc_warn = re.compile(r"""doc\.warn\(\s*"([a-z_]+)\"""")
    for folder in ("converters", "layout", "normalize", "xxgk"):
        for py in (ROOT / folder).rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            found |= {a or b for a, b in pattern.findall(text)} | set(doc_warn.findall(text))
    found -= {"template", "title"}  # field names, caught by the first alternative: not kinds
    assert found and found <= set(WARNING_KINDS), sorted(found - set(WARNING_KINDS))


def test_bbox_convention_is_stated_once_in_the_schema(outputs):
    schema = report_schema()
    assert BBOX_CONVENTION in schema["$comment"]
    entry = next(iter(schema["properties"]["provenance"]["patternProperties"].values()))
    assert entry["properties"]["bbox"]["description"] == BBOX_CONVENTION and "PDF points" in BBOX_CONVENTION
    pdf = outputs[-1]
    box = pdf["provenance"]["reviews_and_lawsuits.review.upheld"]["bbox"]
    assert len(box) == 4 and 0 <= box[0] < box[2] <= 612 and 0 <= box[1] < box[3] <= 842  # on an A4 page, in points


def test_a_negative_count_in_the_source_becomes_null_with_a_warning():
    text = (SERIES / "hongze_2021.txt").read_text(encoding="utf-8").replace("行政许可 | 430 |", "行政许可 | -430 |")
    report = convert_bytes(text.encode("utf-8"), "negative.txt")
    assert report["proactive"]["licensing"]["decisions"] is None
    warning = next(w for w in report["warnings"] if w["field"] == "proactive.licensing.decisions")
    assert warning["kind"] == "negative" and warning["raw"] == "-430"
    assert validate(report) == []


def test_the_compiled_validator_is_cached_and_explains_with_jsonschema(outputs, tmp_path, monkeypatch):
    from xxgk.normalize import schema

    monkeypatch.setenv("XXGK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(schema, "_checked", 0)  # as in a fresh process: the compiled check answers
    schema._compiled.cache_clear()
    assert validate(outputs[0]) == []  # compiled now, and written for the next process
    cached = list(tmp_path.glob("schema-validator-*.marshal"))
    assert len(cached) == 1
    schema._compiled.cache_clear()
    assert validate(outputs[0]) == []  # loaded from the cache
    bad = copy.deepcopy(outputs[0])
    bad["reviews_and_lawsuits"]["review"]["total"] = -2
    assert validate(bad) == ["reviews_and_lawsuits/review/total: -2 is less than the minimum of 0"]
    cached[0].write_bytes(b"not marshal data")  # a damaged cache file is compiled again, not trusted
    schema._compiled.cache_clear()
    assert validate(outputs[0]) == [] and not is_valid(bad)
    schema._compiled.cache_clear()


def test_both_fast_checks_agree_with_jsonschema_at_the_edges_of_json_types(outputs):
    """The compiled check (fastjsonschema, draft 7) and jsonschema-rs (Rust, 2020-12) against jsonschema where
    their type rules could differ; jsonschema-rs may decline a value it cannot convert (None), never differ."""
    report = next(r for r in outputs if r["source"]["format"] == "text" and r["template"] == "2021")
    assert "amount" in report["proactive"]["fees"]
    cases = {"float with no fraction for a count": 12.0, "float for a count": 12.5, "bool for a count": True,
             "int beyond 64 bits": 2 ** 70, "negative int beyond 64 bits": -(2 ** 70), "negative zero": -0.0,
             "string of digits": "12", "null": None}
    for what, value in cases.items():
        bad = copy.deepcopy(report)
        bad["applications"]["new_received"]["total"] = value
        errors = schema_errors(bad)
        assert is_valid(bad) == compiled_is_valid(bad) == (errors == []), what
        assert native_is_valid(bad) in (errors == [], None), what
        assert validate(bad) == errors, what
    money = copy.deepcopy(report)
    money["proactive"]["fees"]["amount"] = 2 ** 70  # a number, however large, is a valid amount
    assert is_valid(money) and compiled_is_valid(money) and native_is_valid(money) in (True, None)
    assert schema_errors(money) == []
    bad = copy.deepcopy(report)
    bad["reviews_and_lawsuits"]["review"]["total"] = -2
    assert validate(bad) == ["reviews_and_lawsuits/review/total: -2 is less than the minimum of 0"]


def test_a_process_that_checks_many_reports_switches_to_jsonschema_rs_with_the_same_verdicts(outputs, monkeypatch):
    from xxgk.normalize import schema

    report = outputs[0]
    bad = copy.deepcopy(report)
    bad["applications"]["new_received"]["total"] = -1
    huge = copy.deepcopy(report)
    huge["applications"]["new_received"]["total"] = 2 ** 70  # a valid count beyond 64 bits
    monkeypatch.setattr(schema, "_checked", 0)
    schema._native.cache_clear()
    for _ in range(schema.NATIVE_AFTER // 2):
        assert is_valid(report) and not is_valid(bad)
    assert schema._native.cache_info().currsize == 0  # a one-file run never builds the second checker
    assert is_valid(report) and not is_valid(bad) and is_valid(huge)
    assert schema._native.cache_info().currsize == 1 and schema._native() is not None
    assert native_is_valid(huge) in (True, None) and schema_errors(huge) == []
