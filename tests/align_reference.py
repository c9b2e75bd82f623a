"""The policy alignment of planextract before scikit-learn (commit 15123b6), kept verbatim as the
reference that tests compare the scalable alignment against: same lemmas, same TF-IDF, same
top-3 lists. Pure Python, quadratic in the number of policies: for small inputs only."""

from __future__ import annotations

import math
from collections import Counter

from planextract.compare.align import STOP


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


def policy_lemmas(con) -> dict[tuple[str, str], list[str]]:
    """Content-word lemmas of each policy (title, description, roles, actions), from `tokens`."""
    rows = con.execute("""
        SELECT i.plan_id, i.code, t.normalized_form
        FROM tokens t JOIN v_items i USING (ref)
        JOIN nodes n ON n.plan_id = i.plan_id AND n.code = i.code AND n.level = 'policy'
        WHERE t.pos IN ('名詞', '動詞', '形容詞', '形状詞')
        ORDER BY i.plan_id, i.code, i.ref, t.position""").fetchall()
    out: dict[tuple[str, str], list[str]] = {}
    for plan_id, code, lemma in rows:
        if lemma not in STOP and not lemma.isdigit():
            out.setdefault((plan_id, code), []).append(lemma)
    return out
