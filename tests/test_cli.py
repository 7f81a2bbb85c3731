"""The command line as users run it: batches with bad inputs, outputs, schema, validate, URLs."""
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seeds" / "001_08da6b8b0cd87d19.txt"
SEED0 = ROOT / "fixtures" / "seeds" / "000_0a876d42556c3c3e.txt"


def xxgk(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def bad_inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "junk.html").write_bytes(bytes(range(256)) * 4)
    (d / "notes.txt").write_text("会议纪要\n今天讨论了三件事。\n", encoding="utf-8")
    (d / "fake.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage without xref")
    (d / "fake.docx").write_bytes(b"PK\x03\x04 this is not a real zip")
    (d / "good.txt").write_bytes(SEED.read_bytes())
    (d / "report_named.pdf").write_bytes(SEED0.read_bytes())  # a text report behind a wrong extension
    return d


def test_batch_reports_each_bad_file_and_converts_the_rest(bad_inputs, tmp_path):
    out = tmp_path / "out"
    r = xxgk("convert", bad_inputs, "-o", out)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("xxgk: error:")]
    named = {Path(line.split(": ")[2]).name for line in errors}
    assert named == {"empty.txt", "junk.html", "notes.txt", "fake.pdf", "fake.docx"}
    assert all(len(line) < 300 for line in errors)
    assert sorted(p.name for p in out.iterdir()) == ["good.txt.json", "report_named.pdf.json", "xxgk-run.jsonl"]
    summary = dict(part.rsplit(" ", 1) for part in r.stdout.strip().splitlines()[-1].split(", "))
    assert int(summary["converted"]) + int(summary["with failed checks"]) == 2
    assert int(summary["refused"]) + int(summary["failed"]) == 5
    report = json.loads((out / "report_named.pdf.json").read_text())
    assert report["applications"]["new_received"]["natural_person"] == 1


def test_existing_foreign_output_is_kept_unless_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "001_08da6b8b0cd87d19.txt.json"
    target.write_text("precious")
    r = xxgk("convert", SEED, "-o", out)
    assert r.returncode == 1 and "exists and is not an xxgk report" in r.stderr
    assert target.read_text() == "precious"
    r = xxgk("convert", SEED, "-o", out, "--overwrite")
    assert r.returncode == 0
    assert json.loads(target.read_text())["agency"] == "长沙市医疗保障局"
    assert sorted(p.name for p in out.iterdir()) == [target.name, "xxgk-run.jsonl"]  # no temporary files left


def test_output_never_replaces_an_input(tmp_path):
    src = tmp_path / "r.txt"
    src.write_bytes(SEED.read_bytes())
    victim = tmp_path / "r.txt.json"  # the name r.txt's output would get: an input too, so it is kept
    victim.write_bytes(SEED0.read_bytes())
    r = xxgk("convert", src, victim, "-o", tmp_path, "--overwrite")
    assert r.returncode == 0, r.stderr
    assert victim.read_bytes() == SEED0.read_bytes()
    tagged = [p.name for p in tmp_path.glob("r.txt~*.json")]
    assert len(tagged) == 1 and len(tagged[0]) == len("r.txt~12345678.json")
    assert json.loads((tmp_path / tagged[0]).read_text())["agency"] == "长沙市医疗保障局"
    assert (tmp_path / "r.txt.json.json").is_file()


def test_parallel_jobs_give_the_same_reports(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    seeds = ROOT / "fixtures" / "seeds"
    assert xxgk("convert", seeds, "-o", one, "--jobs", "1").returncode == 0
    assert xxgk("convert", seeds, "-o", two, "--jobs", "2").returncode == 0
    for f in one.glob("*.json"):
        assert f.read_bytes() == (two / f.name).read_bytes()


def test_one_file_without_out_is_written_next_to_it(tmp_path):
    src = tmp_path / "长沙 report.txt"
    src.write_bytes(SEED.read_bytes())
    r = xxgk("convert", src, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["长沙 report.txt", "长沙 report.txt.json"]
    report = json.loads((tmp_path / "长沙 report.txt.json").read_text())
    assert report["agency"] == "长沙市医疗保障局"
    assert report["applications"]["results"]["total"]["total"] == 10


def test_out_dash_prints_the_json_to_stdout(tmp_path):
    from xxgk.pipeline import convert_file

    r = xxgk("convert", SEED, "-o", "-")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == convert_file(str(SEED))
    assert list(tmp_path.iterdir()) == []
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    r = xxgk("convert", bad, "-o", "-")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith(f"xxgk: error: {bad}: ")
    r = xxgk("convert", SEED, SEED0, "-o", "-")
    assert r.returncode == 2 and "exactly one input" in r.stderr


def test_schema_and_validate(tmp_path):
    r = xxgk("schema")
    schema = json.loads(r.stdout)
    assert "applications" in schema["properties"]
    out = tmp_path / "out"
    assert xxgk("convert", SEED0, "-o", out).returncode == 0
    good = out / "000_0a876d42556c3c3e.txt.json"
    r = xxgk("validate", good)
    assert r.returncode == 0 and "2 failed checks recorded" in r.stdout
    report = json.loads(good.read_text())
    report["applications"]["new_received"]["total"] = 7  # tampered: its recorded checks no longer hold
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report, ensure_ascii=False))
    report["template"] = "2030"
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps(report, ensure_ascii=False))
    r = xxgk("validate", good, bad, worse)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("valid") and lines[1].startswith("invalid") and "recorded True" in lines[1]
    assert lines[2].startswith("invalid") and "template" in lines[2]


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_url_input_from_a_local_server(tmp_path):
    (tmp_path / "report.txt").write_bytes(SEED.read_bytes())
    handler = lambda *a, **kw: _Handler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        out = tmp_path / "out"
        r = xxgk("convert", f"{base}/report.txt", f"{base}/missing.html", "-o", out)
    finally:
        server.shutdown()
    assert r.returncode == 1
    assert "missing.html: download failed" in r.stderr
    (written,) = list(out.glob("*.json"))
    assert written.name == "report.txt.json"
    report = json.loads(written.read_text())
    assert report["source"]["url"] == f"{base}/report.txt"
    assert report["applications"]["results"]["total"]["total"] == 10
