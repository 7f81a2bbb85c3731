"""The JSON Schema of the canonical report, generated from the template definitions and the field dictionary."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Callable, Optional

from xxgk.normalize.catalog import FieldInfo, field_catalog

# Every warnings[].kind the converters and the normaliser emit; a new kind is added here (tests/test_schema.py
# scans the source for kinds missing from this list).
WARNING_KINDS: dict[str, str] = {
    "blank": "a cell the source leaves blank; the value is null",
    "unreadable": "a cell that does not read as a number; the value is null",
    "missing": "a row of table 二 the source does not print",
    "missing_row": "a row of table 三 or 四 the source does not print",
    "missing_table": "a whole table (二, 三 or 四) not found",
    "unplaced": "a row that lost numbers in extraction and cannot be placed column by column",
    "placed": "a row that lost numbers, placed by the only placement that fits the sums",
    "inferred": "a value pinned by the template's sums, not read from the source",
    "negative": "a count written as negative; the value is null, the raw text kept",
    "unit_not_stated": "an amount written without a unit; kept as written",
    "label_by_position": "a row label unreadable, the row placed by its position",
    "template_guessed": "the form (2019/2021) decided without clear table headers",
    "title_corrected": "the title's agency misread (OCR) and spelled as in the body",
    "agency_corrected": "the agency's region was no division; the one division one character away, named elsewhere in the document, replaces it",
    "agency_unknown_place": "the agency's region is no division and no single correction is supported: agency null",
    "agency_unconfirmed": "an OCR'd region is a real division named nowhere else while one a character away is: agency null",
    "agency_not_found": "nothing in the document names the issuing body as an organisation: agency null",
    "agency_ambiguous": "the body text names more than one possible issuing body: agency null",
    "agency_title_unparsed": "the title's agency part is not an organisation name; a later source was used",
    "agency_sources_disagree": "title, signature and page metadata name different bodies; the most trusted kept",
    "agency_from_body": "no title, signature or metadata names the agency; it is taken from the body text",
    "agency_region_placeholder": "the agency's region is an anonymised placeholder (某某市): no region code",
    "agency_region_ambiguous": "the agency's region names several divisions: agency_region_code null",
    "year_guessed": "no statistics period or title year: the year is the one the text cites most",
    "low_confidence": "an OCR'd number read with confidence below 0.9",
    "ocr_check_failed": "an OCR'd number inside a failed consistency check",
    "ocr": "a page read by OCR",
    "ocr_low_confidence": "a page OCR read with low overall confidence",
    "ocr_structure": "a scanned page whose table structure OCR could not fully recover",
    "ocr_empty": "a scanned page where OCR found no table and no text",
    "versions_disagree": "the report's 文字版 and 全真版 (crawled together) give different values here",
    "image_page": "a PDF page without a text layer that could not be read",
    "image_region": "a PDF page with a large image and no text layer over it",
    "encoding": "the text encoding was guessed or repaired",
    "image_size": "a scanned page scaled before OCR (too large or too small to read as given)",
    "ofd": "an OFD container holding more than one document: only the first is read",
    "repaired": "a damaged file read after repair (a PDF cross-reference table pdfium rebuilt, a DOCX part the package lacks dropped)",
    "unsplit": "a row whose cells ran together into one digit string that more than one split (or none) fits",
    "annotated": "a cell holding a number and a note (22（其中修订 16 件）): the number kept, the note in raw",
}
METHODS = ("text", "ocr", "inferred")
META_SOURCES = ("title", "signature", "metadata", "body")
META_KEYS = r"^(agency|year|title|published)$"
# One coordinate convention for every bbox, whatever the input.
BBOX_CONVENTION = ("[x0, top, x1, bottom] in PDF points (1/72 inch) measured from the top-left corner of the "
                   "page: born-digital PDFs as laid out; scans and images converted from pixels at the "
                   "image's own dpi (points = pixels × 72 / dpi); null for inputs without pages (HTML, DOCX, text)")
FIELD_PREFIX = r"^(proactive|applications|reviews_and_lawsuits)\."
FIELD_PROVENANCE = ("page", "bbox", "raw", "method", "confidence")

_NULLABLE_STR = {"type": ["string", "null"]}


def _obj(props: dict, required: bool = False, description: Optional[str] = None) -> dict:
    return {"type": "object", **({"description": description} if description else {}), "properties": props,
            "additionalProperties": True, **({"required": list(props)} if required else {})}


def _leaf(info: FieldInfo) -> dict:
    if info.kind == "money":
        return {"type": ["number", "null"], "description": info.description()}
    out = {"type": ["integer", "null"], "description": info.description()}
    if info.kind == "count":
        out["minimum"] = 0
    return out


def _tree(fields: list[FieldInfo], prefix: str, required: bool) -> dict:
    """Field ids under `prefix` → nested object schemas; `required` makes each innermost object require its leaves."""
    root: dict = {}
    for f in fields:
        node = root
        keys = f.id[len(prefix) + 1:].split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = _leaf(f)

    def build(node: dict) -> dict:
        props = {k: (v if "type" in v else build(v)) for k, v in node.items()}
        innermost = all("type" in v and v["type"] != "object" for v in node.values())
        return _obj(props, required=required and innermost)
    return build(root)


def _section(prefix: str, required: bool, description: str) -> dict:
    out = _tree([f for f in field_catalog() if f.id.startswith(prefix + ".")], prefix, required)
    return {**out, "description": description}


def _provenance_entry(required: tuple[str, ...]) -> dict:
    return {"type": "object", "required": list(required), "additionalProperties": True, "properties": {
        "page": {"type": ["integer", "null"], "minimum": 1, "description": "page number, from 1"},
        "bbox": {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                 "description": BBOX_CONVENTION},
        "raw": {**_NULLABLE_STR, "description": "the text as the source writes it"},
        "method": {"enum": list(METHODS), "description": "text: read from a text layer; ocr: read by OCR; "
                                                         "inferred: pinned by the template's sums"},
        "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "OCR confidence"}}}


def _meta_provenance() -> dict:
    """agency, year, title, published: a provenance entry that also says which part of the document it came from."""
    entry = _provenance_entry(("method", "source"))
    entry["properties"]["source"] = {"enum": list(META_SOURCES), "description": "the part of the document it was "
                                     "read from: title, signature block, page metadata or body text, in order of trust"}
    return entry


@lru_cache(maxsize=1)
def report_schema() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://xxgk.invalid/schema/canonical-report-1.json",
        "title": "xxgk canonical report (政府信息公开工作年度报告), version 1",
        "$comment": f"bbox convention: {BBOX_CONVENTION}",
        "type": "object",
        "required": ["schema_version", "template", "agency", "year", "title", "published", "source", "text",
                     "proactive", "applications", "reviews_and_lawsuits", "checks", "warnings", "provenance"],
        "properties": {
            "schema_version": {"const": "1"},
            "template": {"enum": ["2021", "2019"], "description": "which national form the tables follow: "
                         "2021 (国办公开办函〔2021〕30号) or 2019 (国办公开办函〔2019〕60号)"},
            "agency": {**_NULLABLE_STR, "description": "issuing body (发布机关)"},
            "agency_normalized": {**_NULLABLE_STR, "description": "the agency half-width, without spaces, with the "
                                  "region prefix the document states made explicit: the key for grouping years"},
            "agency_region_code": {"type": ["string", "null"], "pattern": r"^\d{6}$", "description": "GB/T 2260 "
                                   "code of the agency's region (a township's county) where the name resolves"},
            "year": {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100,
                     "description": "the year reported on (统计期限), not the year of publication"},
            "title": _NULLABLE_STR,
            "published": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "source": _obj({"path": _NULLABLE_STR, "url": _NULLABLE_STR,
                            "format": {"enum": ["pdf", "docx", "doc", "image", "html", "text", "ofd"]},
                            "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                            "pages": {"type": ["integer", "null"], "minimum": 0},
                            "ocr": {"type": "boolean"},
                            "ocr_engine": {"enum": ["tesseract", "rapidocr", None]}}),
            "text": {**_obj({k: _NULLABLE_STR for k in ("overview", "problems", "other", "reviews")},
                            description="prose of sections 一 (overview), 五 (problems) and 六 (other); "
                            "reviews: the sentences of section 四 beside its table, if any"),
                     "required": ["overview", "problems", "other"]},  # reviews came later: older outputs lack it
            "outline": {"type": "array", "items": {"enum": ["overview", "proactive", "applications", "reviews",
                                                            "problems", "other"]},
                        "description": "the section headings found (一 overview … 六 other), in document order"},
            "proactive": _section("proactive", False, "表二 二、主动公开政府信息情况"),
            "applications": _section("applications", True, "表三 三、收到和处理政府信息公开申请情况"),
            "reviews_and_lawsuits": _section("reviews_and_lawsuits", True,
                                             "表四 四、政府信息公开行政复议、行政诉讼情况"),
            "checks": {"type": "array", "items": _obj({
                "rule": {"enum": ["applications.balance", "applications.row_total", "applications.results_total",
                                  "reviews_and_lawsuits.group_total", "versions.agree"]},
                "passed": {"type": "boolean"}, "message": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}}}, required=True)},
            "warnings": {"type": "array", "items": _obj({
                "field": _NULLABLE_STR,
                "kind": {"enum": list(WARNING_KINDS), "description": "; ".join(f"{k}: {v}" for k, v in WARNING_KINDS.items())},
                "message": {"type": "string"}, "raw": _NULLABLE_STR}, required=True)},
            "provenance": {"type": "object",
                           "description": "field id → where its value came from; other keys (agency, year, …) "
                                          "may carry their own entries with extra keys",
                           "patternProperties": {FIELD_PREFIX: _provenance_entry(FIELD_PROVENANCE),
                                                 META_KEYS: _meta_provenance()},
                           "additionalProperties": _provenance_entry(())},
        },
        "additionalProperties": True,
    }


class SchemaViolation(Exception):
    """Raised by the compiled validator (stands in for fastjsonschema's exceptions, same arguments)."""

    def __init__(self, message: str = "", value=None, name=None, definition=None, rule=None):
        super().__init__(message)


_FJS_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"


def _draft07() -> dict:
    # fastjsonschema knows drafts 4/6/7; the schema uses no keyword whose meaning differs in 2020-12.
    return {**report_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}


def _validator_code():
    """The compiled validator as a code object, from the cache when this schema was compiled before.

    Generating it takes ~0.3 s, loading it ~1 ms: the cache (keyed by the schema, the generator's and
    Python's versions) lets every process, a one-file CLI run too, validate with it from its first report.
    """
    import hashlib
    import json
    import sys

    from xxgk.normalize.cache import cached_marshal

    key = hashlib.sha256(json.dumps([_draft07(), sys.version, _generator_version()], sort_keys=True,
                                    ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
    return cached_marshal("schema-validator", key, _compile_validator)


def _compile_validator():
    import fastjsonschema

    source = fastjsonschema.compile_to_code(_draft07())
    if _FJS_IMPORT not in source:
        raise RuntimeError("unexpected fastjsonschema output: cannot compile the schema")
    return compile(source.replace(_FJS_IMPORT, "", 1), "<xxgk report schema>", "exec")


def _generator_version() -> str:
    """fastjsonschema's version.py, read without importing it (importlib.metadata alone costs ~20 ms a process)."""
    import importlib.util

    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or not spec.submodule_search_locations:
        return "?"
    try:
        with open(os.path.join(list(spec.submodule_search_locations)[0], "version.py"), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "?"


@lru_cache(maxsize=1)
def _compiled() -> Callable[[dict], object]:
    """The schema compiled to Python (fastjsonschema's code): a report is checked in about a millisecond."""
    import re

    code = _validator_code()
    namespace = {"JsonSchemaValueException": SchemaViolation, "JsonSchemaValuesException": SchemaViolation,
                 "__name__": "xxgk_report_schema_validator"}
    exec(code, namespace)  # noqa: S102 - our own schema's generated validator
    root = re.sub(r"\W", "_", "validate_" + report_schema()["$id"])  # fastjsonschema names it after $id
    return namespace[root]


# A process that checks many reports (a batch worker) switches to jsonschema-rs: it checks a report in
# ~0.07 ms against the compiled code's ~0.55 ms, but loading it costs ~20 ms, more than a one-file run saves.
NATIVE_AFTER = 40
_checked = 0


@lru_cache(maxsize=1)
def _native():
    """jsonschema-rs built on the 2020-12 schema as written, or None where it is not installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(report_schema())


def compiled_is_valid(report: dict) -> bool:
    try:
        _compiled()(report)
    except SchemaViolation:
        return False
    return True


def native_is_valid(report: dict) -> Optional[bool]:
    """jsonschema-rs's verdict; None when it is not installed or cannot take a value (an int beyond 64 bits)."""
    checker = _native()
    if checker is None:
        return None
    try:
        return checker.is_valid(report)
    except (ValueError, OverflowError, TypeError):
        return None


def is_valid(report: dict) -> bool:
    """True when the report meets the schema (a compiled check; the same verdict as jsonschema's)."""
    global _checked
    _checked += 1
    if _checked > NATIVE_AFTER:
        verdict = native_is_valid(report)
        if verdict is not None:
            return verdict
    return compiled_is_valid(report)


@lru_cache(maxsize=1)
def _explainer():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(report_schema())


def schema_errors(report: dict) -> list[str]:
    """Every schema error as a readable line, from jsonschema (slow, complete)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in _explainer().iter_errors(report)]


def validate(report: dict) -> list[str]:
    """Schema errors as readable lines (empty when valid): the compiled check, jsonschema only to explain."""
    if is_valid(report):
        return []
    return schema_errors(report)
