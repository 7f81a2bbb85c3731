"""The national template forms as data: one module per form, one shared vocabulary.

Code elsewhere reads these definitions; a new label variant or typo seen in a real
report is added here, never as an if-branch in a parser.
"""
from xxgk.normalize.templates.base import ProactiveItem, ResultRow, Template
from xxgk.normalize.templates.form2019 import FORM_2019
from xxgk.normalize.templates.form2021 import FORM_2021

TEMPLATES: dict[str, Template] = {"2021": FORM_2021, "2019": FORM_2019}

__all__ = ["ProactiveItem", "ResultRow", "Template", "TEMPLATES", "FORM_2019", "FORM_2021"]
