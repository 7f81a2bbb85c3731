"""Order-preserving alignment of table rows to template rows by label similarity."""
from __future__ import annotations

from typing import Sequence

from normalize.labels import similarity

MIN_SCORE = 0.72


def align(labels: Sequence[str], templates: Sequence[tuple[str, ...]], min_score: float = MIN_SCORE) -> dict[int, int]:
    """Map row index → template index, keeping both in order and maximising total similarity.

    Order is what keeps 1.属于国家秘密 out of （四）'s 1. and 3.其他 away from 其他处理.
    """
    n, m = len(labels), len(templates)
    score = [[similarity(labels[i], templates[j]) for j in range(m)] for i in range(n)]
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
