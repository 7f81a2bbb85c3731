"""xxgk export: every format loads into pandas and DuckDB with no glue, every value equal to the JSON."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from outputs_helper import FIXTURES, convert_into, series_inputs, text_and_html_inputs
from xxgk.cli import main
from xxgk.normalize.catalog import field_catalog

FIELDS = field_catalog()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    # Born-digital and scanned together: OCR confidences must survive every format.
    convert_into(out, text_and_html_inputs() + series_inputs() + [FIXTURES / "pdf" / "hzq2023.pdf",
                                                                  FIXTURES / "scan" / "hzq2023_scanned.pdf"])
    return out


@pytest.fixture(scope="module")
def reports(outputs) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(outputs.glob("*.json"))}


def _flat(report: dict) -> dict:
    out = {}

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}.{k}")
            else:
                out[f"{prefix}.{k}"] = v
    for s in ("proactive", "applications", "reviews_and_lawsuits"):
        walk(report[s], s)
    return out


def _export(outputs: Path, fmt: str, target: Path, *extra: str):
    result = CliRunner().invoke(main, ["export", str(outputs), "--to", fmt, "-o", str(target), *extra])
    assert result.exit_code == 0, result.output
    return result


def _same(got, want) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and got != got) or got is pd.NA or got is pd.NaT
    if isinstance(got, Decimal):
        return got == Decimal(str(want))
    return float(got) == float(want)


def _same_meta(got, want) -> bool:
    """A text, date, flag or count column as a reader gives it back (CSV readers type 320813 as a number)."""
    if want is None:
        return _same(got, None)
    if isinstance(want, bool):
        return bool(got) is want
    if isinstance(want, int):
        return float(got) == want
    if hasattr(got, "isoformat"):
        return str(got)[:10] == want
    if isinstance(got, (int, float)) and want.isdigit():  # a region code, typed as a number by a CSV reader
        return float(got) == float(want)
    return str(got) == want


def _meta(report: dict) -> dict:
    src = report["source"]
    return {"report_id": src["sha256"], "agency": report["agency"],
            "agency_normalized": report.get("agency_normalized"),
            "agency_region_code": report.get("agency_region_code"), "year": report["year"],
            "template": report["template"], "title": report["title"], "published": report["published"],
            "source_url": src["url"], "source_path": src["path"], "source_format": src["format"],
            "source_pages": src["pages"], "ocr": src["ocr"], "ocr_engine": src["ocr_engine"]}


def _counts(report: dict) -> dict:
    values = _flat(report)
    return {"failed_checks": sum(not c["passed"] for c in report["checks"]), "warnings": len(report["warnings"]),
            "null_fields": sum(v is None for v in values.values()),
            "inferred_fields": sum(report["provenance"].get(f, {}).get("method") == "inferred" for f in values)}


def _assert_wide_equal(frame: pd.DataFrame, reports: dict[str, dict]) -> None:
    assert len(frame) == len(reports)
    rows = {r["file"]: r for r in frame.to_dict("records")}
    for name, report in reports.items():
        row, values = rows[name], _flat(report)
        for column, want in {**_meta(report), **_counts(report)}.items():
            assert _same_meta(row[column], want), (name, column, row[column], want)
        for f in FIELDS:
            assert _same(row[f.id], values.get(f.id)), (name, f.id, row[f.id], values.get(f.id))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_wide_table_loads_into_pandas_with_every_value_equal(outputs, reports, tmp_path, fmt):
    target = tmp_path / f"reports.{fmt}"
    _export(outputs, fmt, target)
    frame = {"csv": pd.read_csv, "parquet": pd.read_parquet,
             "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt](target)
    # The column set is the spec's, whatever the files: meta, every field id, the counts.
    assert [c for c in frame.columns if c.startswith(("proactive.", "applications.", "reviews_and_lawsuits."))] \
        == [f.id for f in FIELDS]
    _assert_wide_equal(frame, reports)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_wide_table_loads_into_duckdb_with_every_value_equal(outputs, reports, tmp_path, fmt):
    target = tmp_path / f"reports.{fmt}"
    _export(outputs, fmt, target)
    frame = duckdb.sql(f"SELECT * FROM '{target}'").df()
    _assert_wide_equal(frame, reports)


def _assert_long_equal(rows: list[dict], reports: dict[str, dict], csv: bool = False) -> None:
    by_id = {r["source"]["sha256"]: r for r in reports.values()}
    assert len(rows) == sum(len(_flat(r)) for r in reports.values())
    assert len({(row["report_id"], row["field"]) for row in rows}) == len(rows)
    for row in rows:
        r = by_id[row["report_id"]]
        prov = r["provenance"][row["field"]]
        failed = {f for c in r["checks"] if not c["passed"] for f in c["fields"]}
        assert _same(row["value"], _flat(r)[row["field"]]), row
        assert _same(row["confidence"], prov["confidence"]) and _same_meta(row["page"], prov["page"]), row
        assert _same_meta(row["method"], prov["method"]), row
        # CSV has one empty cell for a null and for an empty string (a blank cell's raw text "").
        assert _same_meta(row["raw"], (prov["raw"] or None) if csv else prov["raw"]), row
        assert bool(row["warned"]) == any(w["field"] == row["field"] for w in r["warnings"])
        assert bool(row["in_failed_check"]) == (row["field"] in failed)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_long_table_loads_into_pandas_and_duckdb_with_every_value_equal(outputs, reports, tmp_path, fmt):
    target = tmp_path / f"fields.{fmt}"
    _export(outputs, fmt, target, "--long")
    read = {"csv": pd.read_csv, "parquet": pd.read_parquet, "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt]
    _assert_long_equal(read(target).to_dict("records"), reports, csv=fmt == "csv")
    _assert_long_equal(duckdb.sql(f"SELECT * FROM '{target}'").df().to_dict("records"), reports, csv=fmt == "csv")


def test_duckdb_file_has_four_tables_equal_to_the_json(outputs, reports, tmp_path):
    target = tmp_path / "audit.duckdb"
    _export(outputs, "duckdb", target)
    con = duckdb.connect(str(target), read_only=True)
    _assert_wide_equal(con.sql("SELECT * FROM reports").df(), reports)
    by_id = {r["source"]["sha256"]: r for r in reports.values()}
    fields = con.sql("SELECT report_id, field, value, method, page, raw, warned FROM fields").fetchall()
    assert len(fields) == sum(len(_flat(r)) for r in reports.values())
    for rid, fid, value, method, page, raw, warned in fields:
        r = by_id[rid]
        assert _same(value, _flat(r)[fid])
        prov = r["provenance"][fid]
        assert (method, page, raw) == (prov["method"], prov["page"], prov["raw"])
        assert warned == any(w["field"] == fid for w in r["warnings"])
    n_checks = con.execute("SELECT count(*), count(*) FILTER (WHERE NOT passed) FROM checks").fetchall()[0]
    assert n_checks == (sum(len(r["checks"]) for r in reports.values()),
                        sum(not c["passed"] for r in reports.values() for c in r["checks"]))
    kinds = dict(con.sql("SELECT kind, count(*) FROM warnings GROUP BY kind").fetchall())
    want: dict[str, int] = {}
    for r in reports.values():
        for w in r["warnings"]:
            want[w["kind"]] = want.get(w["kind"], 0) + 1
    assert kinds == want
    comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'reports' "
                      "AND column_name = 'proactive.fees.amount'").fetchall()[0][0]
    assert "行政事业性收费" in comment and "万元" in comment


def test_parquet_schema_is_declared_with_units_and_descriptions(outputs, tmp_path):
    target = tmp_path / "reports.parquet"
    _export(outputs, "parquet", target)
    schema = pq.read_schema(target)
    money = schema.field("proactive.procurement.amount")
    assert str(money.type) == "decimal128(20, 6)" and money.metadata[b"unit"].decode() == "万元"
    assert "政府集中采购" in money.metadata[b"description"].decode()
    count = schema.field("applications.results.total.natural_person")
    assert str(count.type) == "int64" and "（七）总计" in count.metadata[b"description"].decode()
    # 976.81万元 in the source stays exactly 976.81 (a decimal, not a binary float).
    frame = pq.read_table(target).to_pandas()
    amounts = dict(zip(frame["file"], frame["proactive.procurement.amount"]))
    assert amounts["units_2019_wanyuan.json"] == Decimal("976.81") and amounts["units_2019_yuan.json"] == Decimal("25.1")


def test_column_set_does_not_depend_on_the_files(outputs, tmp_path):
    only2019, only2021 = tmp_path / "a", tmp_path / "b"
    only2019.mkdir()
    only2021.mkdir()
    for name in ("units_2019_bare.json", "hongze_2020.json"):
        (only2019 / name).write_bytes((outputs / name).read_bytes())
    (only2021 / "hongze_2024.json").write_bytes((outputs / "hongze_2024.json").read_bytes())
    _export(only2019, "parquet", tmp_path / "a.parquet")
    _export(only2021, "parquet", tmp_path / "b.parquet")
    a, b = pq.read_schema(tmp_path / "a.parquet"), pq.read_schema(tmp_path / "b.parquet")
    assert a.equals(b, check_metadata=True)
    frame = pd.read_parquet(tmp_path / "b.parquet")
    assert frame["proactive.procurement.projects"].isna().all()  # a 2019-only column, null for a 2021 report
    assert int(frame["proactive.normative_documents.in_force"].iloc[0]) == 50


def test_long_table_one_row_per_report_and_field(outputs, reports, tmp_path):
    target = tmp_path / "fields.parquet"
    _export(outputs, "parquet", target, "--long")
    frame = pd.read_parquet(target)
    assert len(frame) == sum(len(_flat(r)) for r in reports.values())
    hz = reports["hzq2023.json"]
    row = frame[(frame.report_id == hz["source"]["sha256"])
                & (frame.field == "reviews_and_lawsuits.review.upheld")].iloc[0]
    assert row.value == hz["reviews_and_lawsuits"]["review"]["upheld"] == 10
    assert row.page == hz["provenance"]["reviews_and_lawsuits.review.upheld"]["page"] == 4
    assert row.in_failed_check and row.table == "四" and row.row_label == "行政复议" and row.column_label == "结果维持"
    lost = reports["lost_cells_2021.json"]
    nulls = frame[(frame.report_id == lost["source"]["sha256"]) & frame.value.isna()]
    assert sorted(nulls.field) == sorted(
        f"applications.{p}.{c}" for p in ("results.partially_disclosed", "results.unable_to_provide.not_held")
        for c in ("natural_person", "commercial_enterprise", "total"))
    assert nulls.warned.all()


def test_existing_output_is_kept_and_bad_files_are_named(outputs, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_bytes((outputs / "hongze_2021.json").read_bytes())
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("mine\n", encoding="utf-8")
    runner = CliRunner()
    kept = runner.invoke(main, ["export", str(folder), "--to", "csv", "-o", str(target)])
    assert kept.exit_code == 2 and "exists" in kept.output and target.read_text() == "mine\n"
    done = runner.invoke(main, ["export", str(folder), "--to", "csv", "-o", str(target), "--overwrite"])
    assert done.exit_code == 1  # one file skipped
    assert f"xxgk: error: {folder / 'broken.json'}: not readable JSON" in done.output
    assert len(pd.read_csv(target)) == 1


def test_readme_duckdb_query_over_a_parquet_export(outputs, reports, tmp_path, monkeypatch):
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- section:dataset (issue 11) -->"):]
    sql = re.search(r'import duckdb\nduckdb\.sql\("""(.+?)"""\)\.show\(\)', section, re.S).group(1)
    series = tmp_path / "series"
    series.mkdir()
    for name in reports:
        if name.startswith(("hongze_", "huaian_")):
            (series / name).write_bytes((outputs / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    _export(series, "parquet", tmp_path / "reports.parquet")
    rows = duckdb.sql(sql).fetchall()
    hongze = "淮安市洪泽区交通运输局"
    want = sorted((hongze if r["agency"] in (hongze, "洪泽区交通运输局") else r["agency"], r["year"],
                   r["applications"]["new_received"]["total"]) for n, r in reports.items() if (series / n).exists())
    assert rows == want and len(rows) == 7
    assert rows[-1] == (hongze, 2024, 149)  # the README shows this output
