"""Start-up: converting an input imports only what that input needs (asserted on sys.modules of a fresh process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HEAVY = ("cv2", "numpy", "pdfplumber", "pdfminer", "PIL", "bs4", "jsonschema", "fastjsonschema", "jsonschema_rs",
         "rapidocr", "onnxruntime")

# Runs in a child process: converts each input in turn and records which heavy packages are loaded after it.
PROBE = """
import json, sys
import xxgk
from xxgk.batch.worker import convert_task  # what a batch worker runs for each input
heavy = %r
seen = {}
for path in sys.argv[1:]:
    if path.startswith("cli:"):
        from xxgk.cli import main
        try:
            main(["convert", path[4:], "-o", ".", "-q", "--no-progress", "--force"])
        except SystemExit as e:
            status = "cli exit %%s" %% e.code
    else:
        status = xxgk.convert(path).status if len(seen) %% 2 == 0 else convert_task({"path": path})["status"]
    seen[path] = [status, sorted({m.split(".")[0] for m in sys.modules} & set(heavy))]
print(json.dumps(seen))
"""


def _probe(tmp_path: Path, *inputs: str) -> dict:
    env = dict(os.environ, XXGK_CACHE_DIR=str(tmp_path / "cache"), OMP_THREAD_LIMIT="1")
    out = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), *inputs], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_text_html_and_born_digital_pdf_import_only_what_they_need(tmp_path):
    txt, html, pdf = (str(EXAMPLES / n) for n in ("changsha_ybj_2023.txt", "shuyang_fgj_2023.html",
                                                  "hongze_2023.pdf"))
    first = _probe(tmp_path, txt)  # a fresh cache: this process compiles the schema validator once
    assert first[txt] == ["converted", ["fastjsonschema"]] and list((tmp_path / "cache").glob("schema-validator-*"))
    seen = _probe(tmp_path, txt, html, pdf)
    assert seen[txt] == ["converted", []]  # no OpenCV, numpy, PDF or HTML libraries, no jsonschema for a valid report
    assert seen[html] == ["converted", []]  # HTML is parsed by lxml alone (not a "heavy" package: it is tiny to load)
    status, loaded = seen[pdf]
    assert status == "failed_checks" and loaded == ["pdfminer", "pdfplumber"]  # no cv2/numpy until a page needs OCR


def test_the_cli_process_itself_imports_no_converter_library(tmp_path):
    txt = str(EXAMPLES / "changsha_ybj_2023.txt")
    _probe(tmp_path, txt)
    seen = _probe(tmp_path, "cli:" + txt)
    assert seen["cli:" + txt] == ["cli exit 0", []]  # the conversion ran in a worker; this process stays light
    assert json.loads((tmp_path / "changsha_ybj_2023.txt.json").read_text(encoding="utf-8"))["year"] == 2023
