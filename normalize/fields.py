"""Collects field values with their provenance and the warnings raised while filling them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from xxgk.normalize.rows import Slot


@dataclass
class FieldStore:
    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)

    def set_from_slot(self, path: str, value, slot: Optional[Slot]) -> None:
        self.values[path] = value
        cell = slot.cell if slot else None
        self.provenance[path] = {
            "page": cell.page if cell else None,
            "bbox": list(cell.bbox) if cell and cell.bbox else None,
            "raw": slot.raw if slot else None,
            "method": (cell.method if cell else "text"),
            "confidence": cell.confidence if cell else None,
        }
        if slot and slot.merged:
            self.warn(path, "placed", f"the cell reads {slot.raw!r}: numbers of neighbouring columns the "
                      f"extraction put in one cell, taken in column order; this one is {value}", slot.raw)
        note = slot.parsed.note if slot and slot.parsed else None
        if note:
            self.warn(path, "annotated", f"the cell reads {slot.raw!r}: its number {value} is the value, "
                      f"the note 「{note}」 is kept in provenance raw", slot.raw)

    def set_inferred(self, path: str, value, message: str, raw: Optional[str] = None) -> None:
        self.values[path] = value
        prov = self.provenance.get(path, {"page": None, "bbox": None, "raw": raw, "confidence": None})
        prov["method"] = "inferred"
        self.provenance[path] = prov
        self.warn(path, "inferred", message, raw)

    def set_null(self, path: str, kind: str, message: str, raw: Optional[str] = None) -> None:
        self.values[path] = None
        self.provenance.setdefault(path, {"page": None, "bbox": None, "raw": raw, "method": "text", "confidence": None})
        self.warn(path, kind, message, raw)

    def warn(self, path: Optional[str], kind: str, message: str, raw: Optional[str] = None) -> None:
        self.warnings.append({"field": path, "kind": kind, "message": message, "raw": raw})


def nest(flat: dict[str, Any], prefix: str) -> dict:
    """{'a.b.c': 1} under prefix 'a' → {'b': {'c': 1}}, keeping insertion order."""
    out: dict = {}
    head = prefix + "."
    cut = len(head)
    for path, v in flat.items():
        if not path.startswith(head):
            continue
        keys = path[cut:].split(".")
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = v
    return out


def flatten(tree: dict, prefix: str) -> dict[str, Any]:
    """Inverse of nest: {'b': {'c': 1}} under 'a' → {'a.b.c': 1}."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        path = f"{prefix}.{k}"
        if isinstance(v, dict):
            out.update(flatten(v, path))
        else:
            out[path] = v
    return out
