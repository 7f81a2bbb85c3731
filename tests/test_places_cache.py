"""The place table is read from jionlp's file once and from the per-user cache afterwards: same divisions."""
import json
import marshal
import os
import subprocess
import sys

DUMP = """
import json
from xxgk.normalize.places import gazetteer
g = gazetteer()
print(json.dumps({"sample": sorted((n, [d.gb2260 for d in ds]) for n, ds in g.by_name.items())[::97],
                  "hongze": [d.path() + ":" + str(d.gb2260) for d in g.named("洪泽区")], "names": len(g.by_name)}))
"""


def _run(cache):
    env = dict(os.environ, XXGK_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-c", DUMP], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_cached_place_table_equals_the_one_read_from_the_data_file(tmp_path):
    fresh = _run(tmp_path)
    assert fresh["hongze"] == ["江苏省淮安市洪泽区:320813"]
    [cache] = tmp_path.glob("places-*.marshal")
    assert _run(tmp_path) == fresh
    # The second process really reads the cache: a planted one-row table under the same key is what it sees.
    cache.write_bytes(marshal.dumps([(0, "测试省", "990000")]))
    assert _run(tmp_path)["names"] == 1
    cache.write_bytes(b"\x00not marshal")  # a damaged cache costs only the time to read the table again
    assert _run(tmp_path) == fresh
