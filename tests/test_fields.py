"""xxgk fields and the schema describe every field id the same way; xxgk validate rejects a negative count."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from outputs_helper import SERIES
from xxgk.cli import main
from xxgk.normalize.schema import report_schema
from xxgk.pipeline import convert_file


def _schema_leaves(node: dict, prefix: str) -> dict[str, dict]:
    out = {}
    for k, v in node.get("properties", {}).items():
        path = f"{prefix}.{k}"
        out.update(_schema_leaves(v, path) if v.get("type") == "object" else {path: v})
    return out


def _leaves() -> dict[str, dict]:
    schema = report_schema()["properties"]
    return {**_schema_leaves(schema["proactive"], "proactive"), **_schema_leaves(schema["applications"], "applications"),
            **_schema_leaves(schema["reviews_and_lawsuits"], "reviews_and_lawsuits")}


def _fields_json(*args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["fields", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_fields_cover_every_schema_field_with_labels_units_and_forms():
    listed = {f["id"]: f for f in _fields_json()}
    leaves = _leaves()
    assert set(listed) == set(leaves) and len(listed) == 226
    for fid, f in listed.items():
        assert f["row"] and f["column"] and f["unit"] in ("件", "个", "万元") and f["forms"]
        assert f["row"] in leaves[fid]["description"] and f["column"] in leaves[fid]["description"]
    assert listed["applications.carried_forward.legal_service_agency"]["row"] == "四、结转下年度继续办理"
    assert listed["applications.carried_forward.legal_service_agency"]["column"] == "法人或其他组织·法律服务机构"
    assert listed["proactive.fees.amount"]["unit"] == "万元" and listed["proactive.fees.amount"]["forms"] == ["2021"]
    assert listed["reviews_and_lawsuits.lawsuit_direct.pending"]["row"] == "行政诉讼·未经复议直接起诉"
    assert listed["reviews_and_lawsuits.lawsuit_direct.pending"]["column"] == "尚未审结"


def test_fields_per_form_and_as_csv():
    f2019 = {f["id"] for f in _fields_json("--form", "2019")}
    f2021 = {f["id"] for f in _fields_json("--form", "2021")}
    assert "proactive.procurement.amount" in f2019 - f2021
    assert "applications.results.other.overdue_fee.total" in f2021 - f2019
    assert "applications.results.other_handling.total" in f2019 & f2021  # some 2021 reports print it as one row
    assert len(f2019) == 198 and len(f2021) == 207
    out = CliRunner().invoke(main, ["fields", "--format", "csv", "--form", "2019"]).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 198 and rows[0].keys() == {"id", "table", "row", "column", "unit", "kind", "forms"}
    table = CliRunner().invoke(main, ["fields"]).output.splitlines()
    assert len(table) == 226 and table[0].split("\t")[:4] == ["proactive.regulations.issued", "二", "规章", "本年制发件数"]


def test_counts_have_minimum_zero_and_changes_may_be_negative():
    leaves = _leaves()
    assert leaves["applications.results.disclosed.natural_person"]["minimum"] == 0
    assert leaves["reviews_and_lawsuits.review.total"]["minimum"] == 0
    assert "minimum" not in leaves["proactive.penalty.change"]
    assert "minimum" not in leaves["proactive.fees.amount"] and leaves["proactive.fees.amount"]["type"] == ["number", "null"]


def test_validate_rejects_a_hand_edited_negative_count(tmp_path):
    report = convert_file(SERIES / "hongze_2020.txt")
    assert report["proactive"]["penalty"]["change"] == -2  # a signed change, valid
    good = tmp_path / "good.json"
    good.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    report["applications"]["results"]["disclosed"]["natural_person"] = -3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(good)])
    assert ok.exit_code == 0 and ok.output.startswith("valid")
    rejected = runner.invoke(main, ["validate", str(bad)])
    assert rejected.exit_code == 1
    assert "applications/results/disclosed/natural_person: -3 is less than the minimum of 0" in rejected.output
