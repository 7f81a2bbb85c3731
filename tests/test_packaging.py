"""The wheel installs one top-level name, xxgk, and the README's API example runs."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _top_level_names(site: Path) -> set[str]:
    return {p.name.split(".")[0] if p.is_file() else p.name for p in site.iterdir()
            if not p.name.endswith((".dist-info", ".pth")) and p.name != "__pycache__"}


def test_wheel_installs_only_xxgk_at_the_top_level(tmp_path):
    # No build isolation and --no-deps: the test reaches no package index.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("xxgk-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        tops = {n.split("/")[0] for n in z.namelist() if not n.split("/")[0].endswith(".dist-info")}
        names = set(z.namelist())
    assert tops == {"xxgk"}
    # Every package folder of the checkout is in the wheel (pyproject lists them one by one).
    for base, prefix in ((ROOT / "xxgk", "xxgk"), (ROOT / "converters", "xxgk/converters"),
                         (ROOT / "layout", "xxgk/layout"), (ROOT / "normalize", "xxgk/normalize")):
        for init in base.rglob("__init__.py"):
            rel = init.relative_to(base).as_posix()
            assert f"{prefix}/{rel}" in names, f"{init} is not packaged: add it to pyproject.toml"
    for module in ("xxgk/converters/pdf.py", "xxgk/commands/convert.py", "xxgk/layout/grid.py", "xxgk/normalize/report.py",
                   "xxgk/normalize/templates/form2021.py", "xxgk/model.py", "xxgk/py.typed"):
        assert module in names, module

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    before = _top_level_names(site)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    added = _top_level_names(site) - before
    assert added == {"xxgk"}
    # Importing the installed package (not the checkout) finds the mapped sub-packages inside it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import xxgk.model, xxgk.normalize.templates as t; print(xxgk.model.__file__); print(sorted(t.TEMPLATES))"],
                         check=True, capture_output=True, text=True, cwd=tmp_path, env=env).stdout.split("\n")
    assert out[0].startswith(str(site)) and out[1] == "['2019', '2021']"


def test_readme_api_example_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT,
                         timeout=300).stdout
    # The example prints the status, agency and one number of the bundled real report.
    lines = out.strip().splitlines()
    assert lines[0] in ("converted", "failed_checks")
    assert "洪泽区人民政府" in lines[1]
    assert lines[2] == "21"
