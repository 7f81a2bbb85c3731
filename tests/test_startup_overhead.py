"""Start-up cost (issue 13): what a process loads to convert one report, and the cached place table it reads."""
from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

from xxgk.normalize.places import INDEX_VERSION, build

ROOT = Path(__file__).resolve().parent.parent
TXT = ROOT / "examples" / "changsha_ybj_2023.txt"
HTML = ROOT / "examples" / "shuyang_fgj_2023.html"
# Needed only to build a cache, run Tesseract, start workers or parse the command line: never by an API call
# converting a text or HTML report once the per-user cache exists.
NOT_FOR_A_REPORT = ("zipfile", "subprocess", "importlib.metadata", "tempfile", "multiprocessing", "click",
                    "jsonschema", "fastjsonschema")

PROBE = """
import json, sys
import xxgk
from xxgk.normalize.places import gazetteer
statuses = [xxgk.convert(p).status for p in sys.argv[1:]]
g = gazetteer()
print(json.dumps({"statuses": statuses, "loaded": sorted(m for m in %r if m in sys.modules),
                  "made": len(g._made), "divisions": len(g._depths), "name_dict": g._by_first is not None,
                  "hongze": [d.path() + ":" + str(d.gb2260) for d in g.named("洪泽区")]}))
"""


def _run(cache: Path, code: str, *args: str) -> dict:
    env = dict(os.environ, XXGK_CACHE_DIR=str(cache), OMP_THREAD_LIMIT="1")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_text_or_html_report_loads_no_machinery_and_few_divisions(tmp_path):
    probe = PROBE % (NOT_FOR_A_REPORT,)
    cold = _run(tmp_path, probe, str(TXT), str(HTML))  # builds the per-user cache (zipfile, tempfile)
    warm = _run(tmp_path, probe, str(TXT), str(HTML))
    assert cold["statuses"] == warm["statuses"] == ["converted", "converted"]
    assert warm["loaded"] == []
    assert warm["divisions"] == cold["divisions"] == 46667
    # Divisions are made as the reports name them; the 37k-name dict is never built for a report.
    assert warm["made"] < 200 and warm["name_dict"] is False
    assert warm["hongze"] == cold["hongze"] == ["江苏省淮安市洪泽区:320813"]


def test_the_command_line_module_imports_no_converter():
    code = ("import json, sys, xxgk.cli; print(json.dumps(sorted(m for m in sys.modules if m.startswith("
            "('xxgk.normalize', 'xxgk.converters', 'xxgk.layout', 'xxgk.pipeline', 'xxgk.batch')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout) == []  # `xxgk --help` and `xxgk schema` pay for click only


def test_a_damaged_place_cache_of_the_current_layout_is_read_again(tmp_path):
    probe = PROBE % ((),)
    fresh = _run(tmp_path, probe)
    [cache] = tmp_path.glob("places-*.marshal")
    cache.write_bytes(marshal.dumps({"version": INDEX_VERSION, "names": "江苏省\n"}))  # right version, parts missing
    assert _run(tmp_path, probe) == fresh


def test_names_are_found_whole_not_by_prefix_or_suffix():
    g = build([(0, "江苏省", "320000"), (1, "淮安市", "320800"), (2, "洪泽区", "320813"), (3, "洪泽街道", None),
               (1, "洪泽", "329900"), (2, "泽区", "329901"), (0, "洪", "990000")])
    assert [d.path() for d in g.named("洪泽区")] == ["江苏省淮安市洪泽区"]
    assert [d.code for d in g.named("洪泽")] == ["329900"]
    assert [d.code for d in g.named("洪")] == ["990000"]
    assert [d.path() for d in g.named("泽区")] == ["江苏省洪泽泽区"]
    assert g.named("洪泽区街") == [] and g.named("") == [] and g.named("淮安") == []
    assert g.named("洪泽街道")[0].gb2260 == "320813" and g.max_len == 4
    assert g.named("洪泽区")[0] is g.named("洪泽街道")[0].parent  # one object per division
    assert sorted(d.name for d in g.by_name["洪泽区"][0].children) == ["洪泽街道"]
    # the order of the old tree build (a depth-first walk from the last province): same as before the packing
    assert list(g.by_name) == ["洪", "江苏省", "洪泽", "泽区", "淮安市", "洪泽区", "洪泽街道"]
    assert [d.name for d in g.one_edit_from("潜泽区")] == ["泽区", "洪泽区"]
