"""The scan fixture generator (fixtures/scan/make_scans.py), loaded for the tests that make scans."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCANS = Path(__file__).resolve().parent.parent / "fixtures" / "scan"


def make_scans():
    """The generator as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_scans", SCANS / "make_scans.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
