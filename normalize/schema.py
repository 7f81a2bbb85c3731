"""The JSON Schema of the canonical report, generated from the template definitions."""
from __future__ import annotations

from functools import lru_cache

from xxgk.normalize.templates import TEMPLATES
from xxgk.normalize.templates.base import APPLICANT_KEYS, REVIEW_GROUPS, REVIEW_OUTCOMES

_COUNT = {"type": ["integer", "null"]}
_NUMBER = {"type": ["number", "null"]}


def _obj(props: dict, required: bool = False) -> dict:
    return {"type": "object", "properties": props, "additionalProperties": True,
            **({"required": list(props)} if required else {})}


def _tree(paths: dict[str, dict]) -> dict:
    """{'a.b': schema} → nested object schemas."""
    root: dict = {}
    for path, leaf in paths.items():
        node = root
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = leaf
    def build(node):
        return _obj({k: (v if "type" in v else build(v)) for k, v in node.items()})
    return build(root)


def _proactive() -> dict:
    paths = {}
    for t in TEMPLATES.values():
        for item in t.proactive:
            for f, kind in zip(item.fields, item.kinds):
                paths[f"{item.key}.{f}"] = _NUMBER if kind.startswith("money") else _COUNT
    return _tree(paths)


def _applications() -> dict:
    row = _obj({k: _COUNT for k in APPLICANT_KEYS}, required=True)
    paths = {}
    for t in TEMPLATES.values():
        for r in t.results:
            paths[r.path] = row
    return _tree(paths)


@lru_cache(maxsize=1)
def report_schema() -> dict:
    group = _obj({o: _COUNT for o in REVIEW_OUTCOMES}, required=True)
    nullable_str = {"type": ["string", "null"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://xxgk.invalid/schema/canonical-report-1.json",
        "title": "xxgk canonical report (政府信息公开工作年度报告), version 1",
        "type": "object",
        "required": ["schema_version", "template", "agency", "year", "title", "published", "source", "text",
                     "proactive", "applications", "reviews_and_lawsuits", "checks", "warnings", "provenance"],
        "properties": {
            "schema_version": {"const": "1"},
            "template": {"enum": ["2021", "2019"]},
            "agency": nullable_str,
            "year": {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100},
            "title": nullable_str,
            "published": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "source": _obj({"path": nullable_str, "url": nullable_str,
                            "format": {"enum": ["pdf", "docx", "doc", "image", "html", "text"]},
                            "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                            "pages": {"type": ["integer", "null"], "minimum": 0},
                            "ocr": {"type": "boolean"},
                            "ocr_engine": {"enum": ["tesseract", "rapidocr", None]}}),
            "text": _obj({k: nullable_str for k in ("overview", "problems", "other")}, required=True),
            "proactive": _proactive(),
            "applications": _applications(),
            "reviews_and_lawsuits": _obj({g: group for g, _ in REVIEW_GROUPS}, required=True),
            "checks": {"type": "array", "items": _obj({
                "rule": {"enum": ["applications.balance", "applications.row_total", "applications.results_total",
                                  "reviews_and_lawsuits.group_total"]},
                "passed": {"type": "boolean"}, "message": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}}}, required=True)},
            "warnings": {"type": "array", "items": _obj({
                "field": nullable_str, "kind": {"type": "string"}, "message": {"type": "string"},
                "raw": nullable_str}, required=True)},
            "provenance": {"type": "object", "additionalProperties": _obj({
                "page": {"type": ["integer", "null"]},
                "bbox": {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                "raw": nullable_str,
                "method": {"enum": ["text", "ocr", "inferred"]},
                "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1}}, required=True)},
        },
        "additionalProperties": True,
    }


def validate(report: dict) -> list[str]:
    """Schema errors as readable lines (empty when valid)."""
    from jsonschema import Draft202012Validator

    v = Draft202012Validator(report_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in v.iter_errors(report)]
