"""xxgk: 政府信息公开工作年度报告 → canonical JSON.

Public API (imported lazily, so ``import xxgk`` costs nothing until it is used)::

    result = xxgk.convert("report.pdf")          # -> ConversionResult
    for r in xxgk.convert_many(paths): ...
    xxgk.schema(); xxgk.validate(report)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["convert", "convert_many", "schema", "validate", "ConversionResult", "ConversionError", "__version__"]

if TYPE_CHECKING:
    from xxgk.api import ConversionResult, convert, convert_many, schema, validate
    from xxgk.model import ConversionError


def __getattr__(name: str) -> Any:
    if name in ("convert", "convert_many", "schema", "validate", "ConversionResult"):
        from xxgk import api

        return getattr(api, name)
    if name == "ConversionError":
        from xxgk.model import ConversionError

        return ConversionError
    raise AttributeError(f"module 'xxgk' has no attribute {name!r}")
