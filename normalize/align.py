"""Order-preserving alignment of table rows to template rows by label similarity."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from xxgk.normalize.labels import similarity

MIN_SCORE = 0.72


def align(labels: Sequence[str], templates: Sequence[tuple[str, ...]], min_score: float = MIN_SCORE) -> dict[int, int]:
    """Map row index → template index, keeping both in order and maximising total similarity.

    Order is what keeps 1.属于国家秘密 out of （四）'s 1. and 3.其他 away from 其他处理.
    """
    n, m = len(labels), len(templates)
    rows = tuple(templates)
    score = [_scores(label, rows) for label in labels]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if score[i][j] >= min_score:
                options.append(score[i][j] + best[i + 1][j + 1])
            best[i][j] = max(options)
    out: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        if score[i][j] >= min_score and abs(best[i][j] - (score[i][j] + best[i + 1][j + 1])) < 1e-9:
            out[i] = j
            i += 1
            j += 1
        elif abs(best[i][j] - best[i + 1][j]) < 1e-9:
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=16384)  # a label's scores against one template's rows: the same every report
def _scores(label: str, templates: tuple[tuple[str, ...], ...]) -> tuple[float, ...]:
    return tuple(similarity(label, t) for t in templates)


def fill_gaps(match: dict[int, int], n: int) -> dict[int, int]:
    """Pair unmatched rows by position where two matched rows enclose equal-sized gaps on both sides.

    OCR can garble a label past recognition (「计其他情形)」 for 部分公开…); its place between two
    recognised rows still says which row it is. Returns only the added pairs.
    """
    added: dict[int, int] = {}
    anchors = sorted(match.items())
    for (i0, j0), (i1, j1) in zip(anchors, anchors[1:]):
        if i1 - i0 == j1 - j0 and i1 - i0 > 1:
            for k in range(1, i1 - i0):
                added[i0 + k] = j0 + k
    return {i: j for i, j in added.items() if i < n}


def assign(labels: Sequence[str], templates: Sequence[tuple[str, ...]], min_score: float = MIN_SCORE) -> dict[int, int]:
    """Map row index → template index regardless of order: best-scoring pairs first, each used once."""
    pairs = sorted(((similarity(labels[i], templates[j]), i, j) for i in range(len(labels))
                    for j in range(len(templates))), key=lambda t: (-t[0], t[1], t[2]))
    out: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if score < min_score:
            break
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out
