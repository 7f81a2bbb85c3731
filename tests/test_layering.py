"""The package's arrows all point down: CLI → pipeline → normalize/converters → layout → model.

Every module's imports of xxgk are read from its source (ast), so a lazy import inside a
function counts as much as one at the top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"xxgk.converters": ROOT / "converters", "xxgk.layout": ROOT / "layout",
           "xxgk.normalize": ROOT / "normalize", "xxgk": ROOT / "xxgk"}

# room -> rooms it may import (itself always allowed)
MODEL = "xxgk.model"
ALLOWED = {
    "model": set(),
    "layout": {"model"},
    "normalize": {"model"},
    "converters": {"model", "layout"},
    "pipeline": {"model", "layout", "converters", "normalize", "pipeline"},
    "cli": {"model", "layout", "converters", "normalize", "pipeline", "cli"},
}
CLI_MODULES = ("xxgk.cli", "xxgk.commands", "xxgk.__main__")


def room(module: str) -> str:
    if module == MODEL:
        return "model"
    for prefix in ("layout", "normalize", "converters"):
        if module == f"xxgk.{prefix}" or module.startswith(f"xxgk.{prefix}."):
            return prefix
    if module.startswith(CLI_MODULES):
        return "cli"
    return "pipeline"


def modules() -> list[tuple[str, Path]]:
    out = []
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out.append((".".join([package, *parts]), path))
    return out


def xxgk_imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "xxgk" or a.name.startswith("xxgk.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "xxgk":  # `from xxgk import status` names submodules
                found |= {f"xxgk.{a.name}" for a in node.names if not a.name.startswith("__")}
            elif node.module.startswith("xxgk."):
                found.add(node.module)
    # Plain string module names handed to importlib (registry, lazy CLI) count too.
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("xxgk."):
            if all(part.isidentifier() for part in node.value.split(".")):
                found.add(node.value)
    return found


def test_every_package_folder_is_read():
    names = {m for m, _ in modules()}
    assert {"xxgk.model", "xxgk.layout.grid", "xxgk.converters.pdf", "xxgk.normalize.report", "xxgk.cli"} <= names


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(module, path):
    mine = room(module)
    upward = sorted(i for i in xxgk_imports(path, module)
                    if i != "xxgk" and room(i) != mine and room(i) not in ALLOWED[mine])
    assert not upward, f"{module} ({mine}) imports upward: {upward}"


def test_the_rule_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from xxgk.converters.pdf import convert\n", encoding="utf-8")
    assert room("xxgk.layout.bad") == "layout"
    assert "xxgk.converters.pdf" in xxgk_imports(bad, "xxgk.layout.bad")
    assert "converters" not in ALLOWED["layout"]
