"""xxgk audit: the generated series shows exactly its planted problems; golden fixtures only their own."""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from golden import golden_pairs
from outputs_helper import SERIES, convert_into, converted, series_inputs
from xxgk.audit.agency import canonical, group_keys
from xxgk.audit.run import audit_dirs
from xxgk.cli import main
from xxgk.model import MissingDependency

_spec = importlib.util.spec_from_file_location("make_series", SERIES / "make_series.py")
make_series = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_series)

AGENCY = "淮安市洪泽区交通运输局"
# What fixtures/series/make_series.py plants (fixtures/series/README.md): (kind, severity, year).
PLANTED = [
    ("duplicate", "check", 2019),
    ("carry_over", "error", 2020),
    ("prose_table", "error", 2021),
    ("missing_year", "check", 2022),
    ("missing_section", "error", 2023),
    ("in_force", "error", 2024),
    ("jump", "check", 2024),
    ("jump", "check", 2024),
]


@pytest.fixture(scope="module")
def series_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("series")
    convert_into(out, series_inputs())
    return out


@pytest.fixture(scope="module")
def series_audit(series_dir) -> dict:
    return audit_dirs([str(series_dir)])


def test_series_shows_exactly_the_planted_problems(series_audit):
    got = [(p["kind"], p["severity"], p["year"]) for p in series_audit["problems"]]
    assert got == PLANTED
    assert {p["agency_key"] for p in series_audit["problems"]} == {AGENCY}
    by_kind = {p["kind"]: p for p in series_audit["problems"]}
    assert by_kind["carry_over"]["message"] == "2019 carried forward ≠ 2020 carried over: 自然人 3 ≠ 2; 总计 3 ≠ 2"
    assert by_kind["carry_over"]["reports"] == ["hongze_2019.json", "hongze_2020.json"]
    assert by_kind["in_force"]["where"] == "表二「行政规范性文件」·「现行有效件数」"
    assert "40 + 2024 本年制发 5 − 本年废止 2 = 43, but 2024 现行有效 is 50" in by_kind["in_force"]["message"]
    assert by_kind["prose_table"]["where"] == "表三「一、本年新收政府信息公开申请数量」·「总计」"
    assert "申请35件" in by_kind["prose_table"]["message"] and "the table gives 29" in by_kind["prose_table"]["message"]
    assert by_kind["missing_section"]["where"] == "五、存在的主要问题及改进情况"
    assert by_kind["duplicate"]["reports"] == ["hongze_2019.json", "hongze_2019_repost.json"]


def test_series_audit_matches_its_golden(series_audit):
    golden = json.loads((SERIES / "audit.golden.json").read_text(encoding="utf-8"))
    assert make_series.golden_view(json.loads(json.dumps(series_audit))) == golden


def test_same_body_grouped_across_spellings_different_bodies_never(series_audit):
    rows = {r["agency_key"]: r for r in series_audit["coverage"]["agencies"]}
    assert set(rows) == {AGENCY, "淮安市交通运输局"}
    assert rows[AGENCY]["names"] == ["洪泽区交通运输局", AGENCY]  # the 2020 report omits 淮安市
    assert rows[AGENCY]["years"] == {"2019": 2, "2020": 1, "2021": 1, "2022": 0, "2023": 1, "2024": 1}
    assert rows["淮安市交通运输局"]["years"]["2023"] == 1 and sum(rows["淮安市交通运输局"]["years"].values()) == 1
    keys = group_keys(["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府", "上海市人民政府",
                       "上海市人民政府办公厅", "鼓楼区人民政府", "南京市鼓楼区人民政府", "福州市鼓楼区人民政府"])
    assert keys["洪泽区人民政府"] == keys["淮安市洪泽区人民政府"] == "江苏省淮安市洪泽区人民政府"
    assert keys["上海市人民政府"] != keys["上海市人民政府办公厅"]
    assert keys["鼓楼区人民政府"] == "鼓楼区人民政府"  # two parents could own it: left alone
    assert keys["南京市鼓楼区人民政府"] != keys["福州市鼓楼区人民政府"]
    assert canonical("洪泽区　人民政府 ") == "洪泽区人民政府" and canonical("ＡＢ局") == "AB局"
    codes = {"洪泽区人民政府": {"320813"}, "淮安市洪泽区人民政府": {"320999"}}
    assert group_keys(["洪泽区人民政府", "淮安市洪泽区人民政府"], codes)["洪泽区人民政府"] == "洪泽区人民政府"


def test_rates_are_computed_with_their_definitions(series_audit):
    rates = {e["report"]: e["rates"] for e in series_audit["reports"]}
    r2021 = rates["hongze_2021.json"]
    assert r2021["disclosed_in_full"] == round(17 / 28, 4) and r2021["disclosed_in_full_or_part"] == round(21 / 28, 4)
    assert r2021["withheld"] == 0.0 and r2021["not_held"] == round(6 / 28, 4)
    assert r2021["review_corrected"] == 0.0  # 3 reviews, 1 pending, none corrected
    assert rates["hongze_2020.json"]["review_corrected"] == 0.5 and rates["hongze_2020.json"]["lawsuit_corrected"] == 0.0
    assert rates["hongze_2019.json"]["lawsuit_corrected"] is None  # no lawsuit concluded: no rate
    assert set(series_audit["rate_definitions"]) == set(r2021)
    assert "予以公开" in series_audit["rate_definitions"]["disclosed_in_full"]


def test_cli_writes_json_and_html_and_names_expected_agencies_without_reports(series_dir, tmp_path):
    expect = tmp_path / "sites.txt"
    expect.write_text("淮安市交通运输局\n淮安市洪泽区财政局\n", encoding="utf-8")
    out_json, out_html = tmp_path / "a.json", tmp_path / "a.html"
    result = CliRunner().invoke(main, ["audit", str(series_dir), "--json", str(out_json), "--html", str(out_html),
                                       "--expect", str(expect)])
    assert result.exit_code == 1, result.output  # errors found
    assert "audited 7 reports of 2 agencies: 5 errors, 4 to check" in result.output
    audit = json.loads(out_json.read_text(encoding="utf-8"))
    missing = [p for p in audit["problems"] if p["kind"] == "no_report"]
    assert [p["agency_key"] for p in missing] == ["淮安市洪泽区财政局"]
    assert "淮安市洪泽区财政局" in [r["agency_key"] for r in audit["coverage"]["agencies"]]
    html = out_html.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html and html.count("<svg") == 2
    again = CliRunner().invoke(main, ["audit", str(series_dir), "--json", str(out_json)])
    assert again.exit_code == 2 and "exists" in again.output


# Source inconsistencies of golden fixtures beyond their failed checks (fixtures/series/README.md lists them):
# fixture → [(kind, fields)].
DOCUMENTED = {
    "run_together_2021.txt": [("prose_table", ("applications.new_received.total",))],  # text 11 件, table 22
}


def _single_fixture_cases():
    # OCR'd fixtures (fixtures/scan, *scan* pages) are left out for time; the series has its own test.
    return [(i, e) for i, e in golden_pairs() if "scan" not in i.as_posix() and "/series/" not in i.as_posix()]


def test_each_golden_fixture_reports_only_its_documented_inconsistencies(tmp_path):
    """Audited alone, a golden fixture shows exactly the failed checks its expected.json documents, nothing else.

    Scans are left out for time: they are scans of fixtures/pdf/hzq2023.pdf, audited here born-digital.
    """
    cases = _single_fixture_cases()
    assert len(cases) >= 30
    for n, (src, expected_file) in enumerate(cases):
        try:
            report = converted(src)
        except MissingDependency:  # .doc without LibreOffice: the golden test reports that
            continue
        folder = tmp_path / f"{n}_{src.stem}"
        folder.mkdir()
        (folder / "r.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        problems = audit_dirs([str(folder)])["problems"]
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        want = sorted(("failed_rule", rule, tuple(sorted(fields))) for rule, fields in expected.get("failed_checks", []))
        want += [(kind, kind, fields) for kind, fields in DOCUMENTED.get(src.name, [])]
        got = [(p["kind"], p["message"].split(":")[0] if p["kind"] == "failed_rule" else p["kind"],
                tuple(sorted(p["fields"]))) for p in problems]
        assert sorted(got) == sorted(want), (src.name, [p["message"] for p in problems])
        assert all(p["where"].startswith("表") for p in problems)


def test_unreadable_files_are_named_and_the_rest_audited(series_dir, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(series_dir, folder)
    (folder / "junk.json").write_text("[1, 2", encoding="utf-8")
    (folder / "other.json").write_text('{"a": 1}', encoding="utf-8")
    audit = audit_dirs([str(folder)])
    assert audit["summary"]["reports"] == 7
    assert audit["summary"]["unreadable_files"] == [f"{folder / 'junk.json'}: not readable JSON (JSONDecodeError)",
                                                    f"{folder / 'other.json'}: not a canonical report (no schema_version 1)"]
