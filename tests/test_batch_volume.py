"""A batch of many good inputs mixed with bad ones: every good report converts exactly as on its own, every bad
one is reported with its reason, nothing is written outside the output folder.
(The issue's run — the hostile corpus plus 1,000 good inputs — is bench/batch.py; the corpus with a few good
inputs is tests/test_hostile_inputs.py.)"""
import json
import os
import time

from batch_support import cli, good_copies, log_lines

from xxgk.pipeline import convert_file

N = int(os.environ.get("XXGK_BATCH_N", "120"))


def test_many_good_inputs_with_bad_ones_among_them(tmp_path):
    src = tmp_path / "in"
    good = good_copies(src, N)
    (src / "empty.docx").write_bytes(b"")
    (src / "junk.pdf").write_bytes(os.urandom(4096))
    (src / "wrong_ext.png").write_bytes(good[0].read_bytes())  # a text report behind an image extension
    os.mkfifo(src / "pipe.html")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    (src / "dangling.html").symlink_to(src / "gone.html")
    out = tmp_path / "out"
    before = set(p for p in tmp_path.rglob("*") if p.is_file()) - set(out.rglob("*"))
    start = time.monotonic()
    r = cli("convert", src, "-o", out, timeout=600)
    seconds = time.monotonic() - start
    assert r.returncode == 1 and "Traceback" not in r.stderr
    errors = {line.split(": ")[2]: line.split(": ", 3)[3] for line in r.stderr.splitlines()}
    assert errors == {
        str(src / "empty.docx"): "the file is empty",
        str(src / "junk.pdf"): errors[str(src / "junk.pdf")],  # the PDF reader's own words
        str(src / "pipe.html"): "not a regular file (a FIFO); not read",
        str(src / "loop.txt"): "cannot read: Too many levels of symbolic links",
        str(src / "dangling.html"): "broken symbolic link",
    }
    assert errors[str(src / "junk.pdf")]
    records = {rec["input"]: rec for rec in log_lines(out)}
    assert len(records) == N + 6
    assert records[str(src / "pipe.html")]["status"] == "refused"
    for p in good + [src / "wrong_ext.png"]:
        rec = records[str(p)]
        assert rec["status"] in ("converted", "failed_checks") and rec["peak_mb"] < 2048
        assert json.loads((out / rec["output"]).read_text()) == convert_file(str(p))
    after = set(p for p in tmp_path.rglob("*") if p.is_file()) - set(out.rglob("*"))
    assert after == before  # nothing written outside the output folder
    print(f"{N + 6} inputs in {seconds:.1f} s")
