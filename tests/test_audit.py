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
    towns = group_keys(["高良涧街道办事处", "洪泽区高良涧街道办事处", "城关镇人民政府", "甲县城关镇人民政府",
                        "乙县城关镇人民政府"])
    assert towns["高良涧街道办事处"] == "洪泽区高良涧街道办事处"  # a township under its county
    assert towns["城关镇人民政府"] == "城关镇人民政府"  # two counties could own it: left alone
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
    # The series' planted problems that show in one report alone (the others need the series).
    "hongze_2021.txt": [("prose_table", ("applications.new_received.total",))],
    "hongze_2023.txt": [("missing_section", ())],
}


def test_each_golden_fixture_reports_only_its_documented_inconsistencies(tmp_path):
    """Audited alone, a golden fixture shows exactly the failed checks its expected.json documents, nothing else."""
    cases = golden_pairs()
    assert len(cases) >= 55 and any(src.parent.name == "scan" for src, _ in cases)
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
        assert all(p["where"].startswith("表") for p in problems if p["kind"] in ("failed_rule", "prose_table"))


def test_unreadable_files_are_named_and_the_rest_audited(series_dir, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(series_dir, folder)
    (folder / "junk.json").write_text("[1, 2", encoding="utf-8")
    (folder / "other.json").write_text('{"a": 1}', encoding="utf-8")
    audit = audit_dirs([str(folder)])
    assert audit["summary"]["reports"] == 7
    assert audit["summary"]["unreadable_files"] == [f"{folder / 'junk.json'}: not readable JSON (JSONDecodeError)",
                                                    f"{folder / 'other.json'}: not a canonical report (no schema_version 1)"]


# --- each check on a variant of a clean series report, converted for real ------------------------------------

def _variant(folder: Path, name: str, edit=lambda t: t, base: str = "hongze_2024") -> Path:
    """A series report with its text edited (what an agency really published wrong), converted into folder."""
    from xxgk.pipeline import convert_bytes

    text = edit((SERIES / f"{base}.txt").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    report = convert_bytes(text.encode("utf-8"), f"{name}.txt", path=f"{name}.txt")
    (folder / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return folder


def _kinds(folder: Path) -> list[tuple[str, str, str]]:
    return [(p["kind"], p["severity"], p["where"]) for p in audit_dirs([str(folder)])["problems"]]


def test_a_form_that_does_not_fit_the_year(tmp_path):
    # The 2019 form's tables under a report on 2021; and the 2021 form's under a report on 2020.
    old_form = _variant(tmp_path / "a", "old", lambda t: t.replace("2020年", "2021年"), base="hongze_2020")
    new_form = _variant(tmp_path / "b", "new", lambda t: t.replace("2024年", "2020年"))
    got = audit_dirs([str(old_form)])["problems"]
    assert [(p["kind"], p["year"], p["message"]) for p in got] == [
        ("form_year", 2021, "a 2019-form table used for a report on 2021 (the 2021 form applies)")]
    assert [(p["kind"], p["year"], p["message"]) for p in audit_dirs([str(new_form)])["problems"]] == [
        ("form_year", 2020, "a 2021-form table used for a report on 2020 (the 2019 form applies)")]


def test_template_text_without_numbers(tmp_path):
    import re

    def blank(text: str) -> str:  # every cell emptied: the template as published, no numbers filled in
        head, _, rest = text.partition("二、主动公开政府信息情况")
        tables, _, tail = rest.partition("五、存在的主要问题及改进情况")
        return head + "二、主动公开政府信息情况" + re.sub(r"\| -?\d+(?= \||$)", "| ", tables, flags=re.M) \
            + "五、存在的主要问题及改进情况" + tail

    reviews = "2 | 1 | 0 | 0 | 3 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0"  # table 四: one line, no leading bar
    folder = _variant(tmp_path, "blank", lambda t: blank(t).replace(reviews, " | " * 14))
    report = json.loads((folder / "blank.json").read_text(encoding="utf-8"))
    assert report["applications"]["new_received"]["total"] is None
    assert _kinds(folder) == [("template_only", "error", "表二/表三/表四")]


def test_all_concluded_while_the_table_carries_forward(tmp_path):
    folder = _variant(tmp_path, "done", lambda t: t.replace("行政诉讼1起。", "行政诉讼1起。受理的申请已全部办结。"))
    problems = audit_dirs([str(folder)])["problems"]
    assert [(p["kind"], p["where"], p["message"]) for p in problems] == [
        ("all_concluded", "表三「四、结转下年度继续办理」·「总计」", "the text says 全部办结 but the table carries 5 forward")]
    untouched = _variant(tmp_path / "b", "notdone", lambda t: t.replace("行政诉讼1起。", "行政诉讼1起。部分申请未全部办结。"))
    assert _kinds(untouched) == []


def test_sections_out_of_statutory_order(tmp_path):
    def swap(text: str) -> str:  # section 四 printed before section 三
        head, _, rest = text.partition("三、收到和处理政府信息公开申请情况")
        three, _, tail = rest.partition("四、政府信息公开行政复议、行政诉讼情况")
        four, _, end = tail.partition("五、存在的主要问题及改进情况")
        return (head + "四、政府信息公开行政复议、行政诉讼情况" + four + "三、收到和处理政府信息公开申请情况" + three
                + "五、存在的主要问题及改进情况" + end)

    folder = _variant(tmp_path, "swapped", swap)
    report = json.loads((folder / "swapped.json").read_text(encoding="utf-8"))
    assert report["applications"]["new_received"]["total"] == 149  # the tables still read
    problems = audit_dirs([str(folder)])["problems"]
    assert [(p["kind"], p["where"], p["message"]) for p in problems] == [
        ("section_order", "三、收到和处理政府信息公开申请情况", "the sections are not in the statutory order: 一 二 四 三 五 六")]


@pytest.mark.parametrize("stated, kind, where", [
    ("上年结转4件", "上年结转N件", "表三「二、上年结转政府信息公开申请数量」·「总计」"),
    ("办结140件", "办结N件", "表三「（七）总计」·「总计」"),
    ("结转下年度继续办理6件", "结转N件", "表三「四、结转下年度继续办理」·「总计」"),
    ("行政复议2起", "行政复议N起", "表四「行政复议」·「总计」"),
    ("行政诉讼3起", "行政诉讼N起", "表四「行政诉讼·未经复议直接起诉」·「总计」 + 表四「行政诉讼·复议后起诉」·「总计」"),
])
def test_each_prose_number_against_its_table(tmp_path, stated, kind, where):
    original = {"上年结转N件": "上年结转3件", "办结N件": "办结147件", "结转N件": "结转下年度继续办理5件",
                "行政复议N起": "行政复议3起", "行政诉讼N起": "行政诉讼1起"}[kind]
    folder = _variant(tmp_path, "prose", lambda t: t.replace(original, stated, 1))
    problems = audit_dirs([str(folder)])["problems"]
    assert [(p["kind"], p["where"]) for p in problems] == [("prose_table", where)]
    assert f"「{stated}」" in problems[0]["message"] and f"({kind}: " in problems[0]["message"]


def test_section_four_prose_against_table_four(tmp_path):
    """A sentence beside table 四 (本年度发生行政复议案件N起) is kept in text.reviews and checked like section 一's."""
    def add(text: str, n: int) -> str:
        return text.replace("四、政府信息公开行政复议、行政诉讼情况",
                            f"四、政府信息公开行政复议、行政诉讼情况\n本年度发生政府信息公开行政复议案件{n}起。", 1)

    agreeing = _variant(tmp_path / "a", "four_ok", lambda t: add(t, 3))
    report = json.loads((agreeing / "four_ok.json").read_text(encoding="utf-8"))
    assert report["text"]["reviews"] == "本年度发生政府信息公开行政复议案件3起。"
    assert _kinds(agreeing) == []
    folder = _variant(tmp_path / "b", "four", lambda t: add(t, 7))
    problems = audit_dirs([str(folder)])["problems"]
    assert [(p["kind"], p["where"]) for p in problems] == [("prose_table", "表四「行政复议」·「总计」")]
    assert "section 四 says 「行政复议案件7起」" in problems[0]["message"] and "the table gives 3" in problems[0]["message"]


def test_received_may_include_the_carried_over(tmp_path):
    # 收到 = 本年新收 + 上年结转 (149 + 3) in some reports' wording: not a contradiction.
    folder = _variant(tmp_path, "with_co", lambda t: t.replace("收到政府信息公开申请149件", "收到政府信息公开申请152件"))
    assert _kinds(folder) == []


def test_duplicate_with_different_numbers_and_in_force_of_regulations(tmp_path):
    folder = tmp_path / "dup"
    _variant(folder, "hongze_2023", base="hongze_2023")
    _variant(folder, "a_2024")
    _variant(folder, "b_2024", lambda t: t.replace("行政许可 | 430 |", "行政许可 | 431 |")
             .replace("规章 | 1 | 0 | 4", "规章 | 1 | 0 | 9"))
    problems = audit_dirs([str(folder)])["problems"]
    dup = [p for p in problems if p["kind"] == "duplicate"]
    assert [(p["severity"], p["message"], p["fields"], p["reports"]) for p in dup] == [
        ("error", "2 reports for 2024 with different numbers (2 fields differ)",
         ["proactive.licensing.decisions", "proactive.regulations.in_force"], ["a_2024.json", "b_2024.json"])]
    # Cross-year checks take the first report of a year: a_2024 (规章 3 + 1 − 0 = 4; 规范性文件 the planted 43 ≠ 50).
    assert [p["where"] for p in problems if p["kind"] == "in_force"] == ["表二「行政规范性文件」·「现行有效件数」"]
    (folder / "a_2024.json").unlink()
    in_force = [p for p in audit_dirs([str(folder)])["problems"] if p["kind"] == "in_force"]
    assert sorted((p["where"], p["message"]) for p in in_force) == sorted([
        ("表二「规章」·「现行有效件数」", "2023 现行有效 3 + 2024 本年制发 1 − 本年废止 0 = 4, but 2024 现行有效 is 9"),
        ("表二「行政规范性文件」·「现行有效件数」",
         "2023 现行有效 40 + 2024 本年制发 5 − 本年废止 2 = 43, but 2024 现行有效 is 50")])


def test_failed_rules_are_named_by_table_and_cell(tmp_path):
    # 一、本年新收 自然人 121 instead of 120: the row total, the column balance and the results total all break.
    folder = _variant(tmp_path, "broken", lambda t: t.replace("数量 | 120 | 29 |", "数量 | 121 | 29 |")
                      .replace("2 | 1 | 0 | 0 | 3 | 1 | 0", "2 | 1 | 0 | 0 | 4 | 1 | 0"))
    wheres = sorted(p["where"] for p in audit_dirs([str(folder)])["problems"] if p["kind"] == "failed_rule")
    assert wheres == sorted([
        "表三「自然人」列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理",
        "表三「一、本年新收政府信息公开申请数量」行：总计 = 六类申请人之和",
        "表四「行政复议」·「总计」 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结"])


def test_a_crawl_folder_is_audited_by_start_site(series_dir, tmp_path):
    """A folder `xxgk crawl` wrote: reports under json/, staged copies under .crawl/, summary.json per start site."""
    from xxgk.crawl.summary import site_summaries

    crawl = tmp_path / "crawl"
    (crawl / "json").mkdir(parents=True)
    (crawl / ".crawl" / "reports").mkdir(parents=True)
    a, b, c = "http://a.example.gov.cn/nb/", "http://b.example.gov.cn/nb/", "http://c.example.gov.cn/nb/"
    kept, records = {}, []
    for site, name in ((a, "hongze_2023"), (a, "hongze_2024"), (b, "huaian_city_2023")):
        report = json.loads((series_dir / f"{name}.json").read_text(encoding="utf-8"))
        url = f"{site}{name}.html"
        (crawl / "json" / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        (crawl / ".crawl" / "reports" / f"{report['source']['sha256']}.json").write_text(
            json.dumps(report, ensure_ascii=False), encoding="utf-8")
        kept[url] = {"agency": report["agency"], "year": report["year"], "json": f"json/{name}.json"}
        records.append({"site": site, "url": url, "kind": "detail", "status": 200, "outcome": "converted"})
    records.append({"site": c, "url": f"{c}notice.html", "kind": "detail", "status": 200, "outcome": "not_report"})
    (crawl / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (crawl / "summary.json").write_text(json.dumps(site_summaries(records, kept)), encoding="utf-8")

    audit = audit_dirs([str(crawl)])
    assert audit["summary"]["reports"] == 3 and audit["summary"]["unreadable_files"] == []
    sites = {row["site"]: row for row in audit["coverage"]["sites"]}
    assert sites[a]["agencies"] == [AGENCY] and sites[a]["years"] == {"2023": 1, "2024": 1}
    assert sites[b]["agencies"] == ["淮安市交通运输局"] and sites[c]["agencies"] == []
    assert [(p["kind"], p["message"]) for p in audit["problems"] if p["kind"] == "no_report"] == [
        ("no_report", f"start site {c}: no report kept (1 report candidates found)")]
    from xxgk.audit.html import render_html

    assert f'<a href="{c}">{c}</a>' in render_html(audit)


def test_problem_links_open_the_source_at_its_page(tmp_path):
    from outputs_helper import FIXTURES
    from xxgk.audit.html import render_html

    pdf = FIXTURES / "pdf" / "hzq2023.pdf"
    convert_into(tmp_path, [pdf])
    audit = audit_dirs([str(tmp_path)])
    assert {p["page"] for p in audit["problems"]} == {4}  # table 四's failed totals, on page 4
    assert f'href="{pdf.resolve().as_uri()}#page=4"' in render_html(audit)
