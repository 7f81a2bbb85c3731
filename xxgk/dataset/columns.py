"""The fixed column set of the exported tables, from the spec and the template forms (never from the files)."""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from xxgk.normalize.catalog import field_catalog

# Money in 万元 as exact decimals: six places hold 0.01 元.
MONEY = pa.decimal128(20, 6)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    unit: str = ""

    def field(self) -> pa.Field:
        meta = {"description": self.description}
        if self.unit:
            meta["unit"] = self.unit
        return pa.field(self.name, self.type, nullable=True, metadata=meta)


# Every table keys its rows by the report: one declaration, shared.
REPORT_ID = Column("report_id", pa.string(), "sha256 of the source file")
REPORT_META = (
    REPORT_ID,
    Column("file", pa.string(), "the JSON output's path"),
    Column("agency", pa.string(), "issuing body as the report names it"),
    Column("agency_key", pa.string(), "grouping key of the issuing body across years (see xxgk audit)"),
    Column("agency_normalized", pa.string(), "the converter's normalised agency name, when it gives one"),
    Column("agency_region_code", pa.string(), "the converter's administrative region code, when it gives one"),
    Column("year", pa.int32(), "the year reported on (统计期限)"),
    Column("template", pa.string(), "national form the tables follow: 2021 or 2019"),
    Column("title", pa.string(), "the report's own title"),
    Column("published", pa.date32(), "publication date printed in the report"),
    Column("source_url", pa.string(), "where the report was downloaded from"),
    Column("source_path", pa.string(), "the input file converted"),
    Column("source_format", pa.string(), "pdf, docx, doc, image, html or text"),
    Column("source_pages", pa.int32(), "pages in the source"),
    Column("ocr", pa.bool_(), "true when pages were read by OCR"),
    Column("ocr_engine", pa.string(), "OCR engine that read the scanned pages"),
)
REPORT_COUNTS = (
    Column("failed_checks", pa.int32(), "consistency rules the source breaks"),
    Column("warnings", pa.int32(), "warnings the converter recorded"),
    Column("null_fields", pa.int32(), "numeric fields of the report's form left null"),
    Column("inferred_fields", pa.int32(), "numeric fields pinned by the template's sums, not read"),
)


def field_columns() -> tuple[Column, ...]:
    return tuple(Column(f.id, MONEY if f.kind == "money" else pa.int64(), f.description(), f.unit)
                 for f in field_catalog())


def wide_columns() -> tuple[Column, ...]:
    return REPORT_META + field_columns() + REPORT_COUNTS


LONG_COLUMNS = (
    REPORT_ID,
    Column("field", pa.string(), "field id of the spec"),
    Column("table", pa.string(), "table of the template: 二, 三 or 四"),
    Column("row_label", pa.string(), "Chinese row label"),
    Column("column_label", pa.string(), "Chinese column label"),
    Column("unit", pa.string(), "unit of the value"),
    Column("value", pa.float64(), "the value (money in 万元); null when the source does not give it"),
    Column("method", pa.string(), "text, ocr or inferred"),
    Column("confidence", pa.float64(), "OCR confidence, 0..1"),
    Column("page", pa.int32(), "page of the source"),
    Column("raw", pa.string(), "the text as the source writes it"),
    Column("warned", pa.bool_(), "a warning names this field"),
    Column("in_failed_check", pa.bool_(), "a failed consistency check names this field"),
)
CHECK_COLUMNS = (
    REPORT_ID,
    Column("rule", pa.string(), "consistency rule"),
    Column("passed", pa.bool_(), "whether the source's numbers meet it"),
    Column("message", pa.string(), "the sum as written"),
    Column("fields", pa.list_(pa.string()), "field ids the rule sums"),
)
WARNING_COLUMNS = (
    REPORT_ID,
    Column("field", pa.string(), "field id the warning is about, if any"),
    Column("kind", pa.string(), "kind of warning"),
    Column("message", pa.string(), "what the converter was unsure of"),
    Column("raw", pa.string(), "the source's text"),
)


def schema_of(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema([c.field() for c in columns])
