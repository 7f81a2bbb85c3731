"""The caches on label and prose helpers (issue 13) give exactly the uncached answers, and no caller can change them."""
from __future__ import annotations

from pathlib import Path

from xxgk.converters.registry import converter_for, sniff
from xxgk.model import Paragraph, Table
from xxgk.normalize import agency, align, furniture, labels, memo, prose
from xxgk.normalize.templates import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
REPORTS = [ROOT / "fixtures/series/hongze_2023.txt", ROOT / "fixtures/html/shuyang_fgj_2023.html",
           ROOT / "fixtures/damaged/markdown_2023.md"]


def _texts() -> list[str]:
    out = []
    for path in REPORTS:
        data = path.read_bytes()
        doc = converter_for(sniff(data, path.name))(data, path.name)
        for b in doc.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, Table):
                out += [c.text for c in b.cells]
    return out + ["", " ", "x" * (memo.CACHED_LEN + 1) + "三、本年度办理结果"]


def test_cached_helpers_equal_uncached():
    texts = _texts()
    assert len(texts) > 300
    for t in texts:
        assert labels.compact(t) == labels.compact.__wrapped__(t)
        assert agency.clean(t) == agency.clean.__wrapped__(t)
        assert prose.plain_line(t) == prose.plain_line.__wrapped__(t)
        assert furniture.is_furniture(t) == furniture.is_furniture.__wrapped__(t)
        assert agency.is_org_name(t) == agency.is_org_name.__wrapped__(t)


def test_best_label_and_alignment_equal_uncached():
    rows = TEMPLATES["2021"].results
    aliases = [r.labels for r in rows]
    texts = [t for t in _texts() if t.strip()]
    for i in range(len(texts) - 1):
        pair = texts[i:i + 2]
        got = labels.best_label(pair, aliases)
        assert got == labels.best_label(pair, tuple(aliases))
        want, score = pair[-1], max(labels.similarity(pair[-1], a) for a in aliases)
        joined = "".join(pair)
        if max(labels.similarity(joined, a) for a in aliases) > score + 1e-9:
            want = joined
        assert got == want
    for t in texts[:200]:
        assert align._scores(t, tuple(aliases)) == tuple(labels.similarity(t, a) for a in aliases)


def test_split_label_returns_a_fresh_list():
    text = "三、本年度办理结果（一）予以公开"
    first = labels.split_label(text)
    assert first == ["三、本年度办理结果", "（一）予以公开"]
    first.append("changed by a caller")
    assert labels.split_label(text) == ["三、本年度办理结果", "（一）予以公开"]
