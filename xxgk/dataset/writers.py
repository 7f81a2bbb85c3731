"""Arrow tables with declared schemas, and writing them as csv, parquet, jsonl or a DuckDB file (atomically)."""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Optional

import pyarrow as pa

from xxgk.dataset.columns import (CHECK_COLUMNS, LONG_COLUMNS, WARNING_COLUMNS, Column, schema_of, wide_columns)
from xxgk.dataset.load import LoadedReport
from xxgk.dataset.rows import check_rows, long_rows, warning_rows, wide_row

FORMATS = ("csv", "parquet", "jsonl", "duckdb")


def _table(rows: list[dict], columns: tuple[Column, ...]) -> pa.Table:
    schema = schema_of(columns)
    return pa.Table.from_pylist(rows, schema=schema)


def build_tables(items: Iterable[LoadedReport], keys: dict[str, Optional[str]]) -> dict[str, pa.Table]:
    """reports (wide), fields (long), checks, warnings; keys: report id → agency grouping key."""
    items = list(items)
    return {
        "reports": _table([wide_row(i, keys.get(i.id)) for i in items], wide_columns()),
        "fields": _table([r for i in items for r in long_rows(i)], LONG_COLUMNS),
        "checks": _table([r for i in items for r in check_rows(i)], CHECK_COLUMNS),
        "warnings": _table([r for i in items for r in warning_rows(i)], WARNING_COLUMNS),
    }


def _json_value(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _write_csv(table: pa.Table, path: str) -> None:
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)


def _write_parquet(table: pa.Table, path: str) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)


def _write_jsonl(table: pa.Table, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in table.to_pylist():
            f.write(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False) + "\n")


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _write_duckdb(tables: dict[str, pa.Table], path: str) -> None:
    import duckdb

    con = duckdb.connect(path)
    try:
        for name, table in tables.items():
            con.register("incoming", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
            for f in table.schema:  # the descriptions travel as column comments
                desc = (f.metadata or {}).get(b"description", b"").decode()
                unit = (f.metadata or {}).get(b"unit", b"").decode()
                text = desc + (f" [{unit}]" if unit and unit not in desc else "")
                con.execute(f'COMMENT ON COLUMN {name}."{f.name}" IS {_sql_str(text)}')
    finally:
        con.close()


def write_atomic(target: Path, overwrite: bool, write: Callable[[str], None]) -> None:
    """Write beside the target, then move into place; an existing file is kept unless overwrite."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # duckdb wants to create its own file
    try:
        write(tmp)
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the target appeared meanwhile
            os.unlink(tmp)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def write_export(tables: dict[str, pa.Table], fmt: str, target: Path, long: bool = False,
                 overwrite: bool = False) -> None:
    if fmt == "duckdb":
        write_atomic(target, overwrite, lambda p: _write_duckdb(tables, p))
        return
    table = tables["fields" if long else "reports"]
    writer = {"csv": _write_csv, "parquet": _write_parquet, "jsonl": _write_jsonl}[fmt]
    write_atomic(target, overwrite, lambda p: writer(table, p))
