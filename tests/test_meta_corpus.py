"""The metadata corpus (fixtures/meta): partial pages and misread county names through the real converters."""
import json
from pathlib import Path

import pytest

from xxgk.converters.registry import converter_for, sniff
from xxgk.normalize.meta import document_metadata
from xxgk.normalize.schema import validate
from xxgk.pipeline import convert_file

META = Path(__file__).resolve().parent.parent / "fixtures" / "meta"
PARTIAL = sorted(META.glob("*.meta.json"))


def _input(golden: Path) -> Path:
    stem = golden.name[: -len(".meta.json")]
    (src,) = [p for p in META.glob(stem + ".*") if not p.name.endswith(".json")]
    return src


def test_the_corpus_holds_every_shape():
    names = {p.name[: -len(".meta.json")] for p in PARTIAL}
    assert len([n for n in names if n.startswith("partial_seed_")]) == 5
    assert {"partial_shanghai_office", "partial_sijiazi_town", "partial_logistics_zone", "partial_city_agencies",
            "partial_district_portal", "partial_contentsource"} <= names


@pytest.mark.parametrize("golden", PARTIAL, ids=[p.name[: -len(".meta.json")] for p in PARTIAL])
def test_partial_page_agency_is_exact_or_null_with_a_warning(golden):
    want = json.loads(golden.read_text(encoding="utf-8"))
    src = _input(golden)
    data = src.read_bytes()
    if src.suffix == ".txt":
        assert len(data) <= 2048 + 3 or not src.name.startswith("partial_seed_")
    meta = document_metadata(converter_for(sniff(data, src.name))(data, src.name))
    assert meta.agency == want["agency"]
    assert meta.agency_region_code == want["agency_region_code"]
    kinds = {w["kind"] for w in meta.warnings if w["field"] == "agency"}
    if want["agency"] is None:
        assert kinds & {"agency_not_found", "agency_ambiguous", "agency_unknown_place"}
        assert "agency" not in meta.provenance
    else:
        prov = meta.provenance["agency"]
        assert prov["source"] == want.get("source", prov["source"])
        assert prov["method"] in ("text", "ocr") and prov["raw"]
        if prov["source"] == "body":
            assert "agency_from_body" in kinds


def _report(name: str) -> dict:
    report = convert_file(META / f"{name}.txt")
    assert validate(report) == []
    return report


def test_misread_county_corrected_when_the_body_names_the_real_one():
    r = _report("county_misread_corrected_2022")
    assert r["agency"] == "淮安市洪泽区交通运输局"
    assert r["agency_region_code"] == "320813"
    assert r["title"] == "淮安市洪泽区交通运输局2022年政府信息公开工作年度报告"
    (w,) = [w for w in r["warnings"] if w["kind"] == "agency_corrected"]
    assert "潜泽区" in w["message"] and "洪泽区" in w["message"] and w["raw"] == "淮安市潜泽区交通运输局"
    assert r["provenance"]["agency"]["source"] == "title"
    assert r["provenance"]["published"] == {"page": None, "bbox": None, "raw": "2023年1月20日", "method": "text",
                                            "confidence": None, "source": "signature"}


@pytest.mark.parametrize("name,reason", [("county_misread_unsupported_2022", "nothing else in the document names it"),
                                         ("county_misread_twice_2022", "no division is one character away")])
def test_misread_county_without_support_leaves_agency_null(name, reason):
    r = _report(name)
    assert r["agency"] is None and r["agency_normalized"] is None and r["agency_region_code"] is None
    (w,) = [w for w in r["warnings"] if w["kind"] == "agency_unknown_place"]
    assert reason in w["message"] and w["field"] == "agency"
    assert r["proactive"]["normative_documents"]["in_force"] == 56  # the tables still read
