"""Policy alignment: for each policy, its most similar policies in each other plan.

A policy is its title, description, roles and actions, as content-word lemmas (normalized forms)
weighted by TF-IDF over all policies of all plans; similarity is the cosine of those vectors.
"""

from __future__ import annotations

import math
from collections import Counter

# Lemmas too common in any plan to tell policies apart.
STOP = {"為る", "有る", "居る", "成る", "事", "為", "等", "取り組む", "努める", "図る", "行う", "推進",
        "充実", "地域", "福祉", "支援", "市", "もの", "こと", "ため", "よう"}


def tfidf(docs: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], dict[str, float]]:
    n = len(docs)
    df: Counter = Counter()
    for lemmas in docs.values():
        df.update(set(lemmas))
    out = {}
    for key, lemmas in docs.items():
        tf = Counter(lemmas)
        vec = {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w])) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[key] = {w: v / norm for w, v in vec.items()}
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def align(docs: dict[tuple[str, str], list[str]], top: int = 3,
          only: tuple[str, str] | None = None) -> list[tuple[str, str, str, str, int, float]]:
    """(plan, code, other plan, other code, rank, score) rows, best first within each other plan;
    for the policy `only` alone when given."""
    vecs = tfidf(docs)
    plans = sorted({p for p, _ in docs})
    rows = []
    for (plan, code), vec in sorted(vecs.items()):
        if only and (plan, code) != only:
            continue
        for other in plans:
            if other == plan:
                continue
            scored = sorted(((cosine(vec, v2), c2) for (p2, c2), v2 in vecs.items() if p2 == other),
                            key=lambda x: (-x[0], x[1]))
            for rank, (score, c2) in enumerate(scored[:top], 1):
                rows.append((plan, code, other, c2, rank, round(score, 4)))
    return rows
