"""Policy alignment: for each policy, its most similar policies in each other plan.

A policy is its title, description, roles and actions, as content-word lemmas (normalized forms)
weighted by TF-IDF over all policies of all plans; similarity is the cosine of those vectors.

scikit-learn's vectorizer builds the sparse policy × lemma matrix and the cosines are sparse
matrix products, a block of policies at a time, so that time and memory stay bounded at national
size (~1,741 plans): never a dictionary per pair of policies, never the whole similarity matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Lemmas too common in any plan to tell policies apart.
STOP = {"為る", "有る", "居る", "成る", "事", "為", "等", "取り組む", "努める", "図る", "行う", "推進",
        "充実", "地域", "福祉", "支援", "市", "もの", "こと", "ため", "よう"}

# Beyond this many other plans, each policy keeps its top matches in the plans that match it best:
# a row per policy and per other plan grows with the square of the plans (at 1,741 plans of ~30
# policies, 270 million rows), which no analyst reads. Up to this many, every other plan is kept.
MAX_OTHER_PLANS = 40

# Similarities of the block of policies compared at once: at most this many cells (8 bytes each).
BLOCK_CELLS = 4_000_000

# Cosines are ranked after rounding, so that two equal scores summed in another order (1e-17
# apart) rank by policy code, as equal scores do.
RANK_DECIMALS = 10

Key = tuple[str, str]  # (plan_id, policy code)
Row = tuple[str, str, str, str, int, float]  # plan, code, other plan, other code, rank, score


def _given_lemmas(lemmas: list[str]) -> list[str]:
    """The vectorizer's analyzer: a policy is already a list of lemmas (tokens.py made them)."""
    return lemmas


@dataclass
class PolicyVectors:
    keys: list[Key]            # sorted by (plan, code)
    matrix: sparse.csr_matrix  # one L2-normalised TF-IDF row per key
    plans: list[str]           # sorted
    starts: np.ndarray         # first row of each plan (rows of a plan are contiguous)
    plan_index: np.ndarray     # row → index in `plans`


def tfidf(docs: Iterable[tuple[Key, list[str]]]) -> PolicyVectors:
    """TF-IDF rows of the policies: (1 + ln tf) × ln((1 + n) / (1 + df)), L2-normalised.

    scikit-learn's smooth idf is that idf plus 1, which would weigh lemmas found in every policy
    and change which policies rank first: the vectorizer gives the sublinear term frequencies and
    the idf is applied here."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    keys: list[Key] = []

    def lemma_lists():
        for key, lemmas in docs:
            keys.append(key)
            yield lemmas

    vectorizer = TfidfVectorizer(analyzer=_given_lemmas, lowercase=False, use_idf=False, sublinear_tf=True,
                                 norm=None, dtype=np.float64)
    try:
        tf = vectorizer.fit_transform(lemma_lists()).tocsr()
    except ValueError:  # no policy has a lemma
        tf = sparse.csr_matrix((len(keys), 0))
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log((1 + n) / (1 + df))
    weighted = tf @ sparse.diags(idf)
    weighted.eliminate_zeros()  # lemmas of every policy weigh 0: no work for them in the products
    # (no policy or no lemma: nothing to normalise, every score is 0)
    matrix = (normalize(weighted, norm="l2", copy=False) if min(weighted.shape) else weighted).tocsr()
    order = sorted(range(n), key=keys.__getitem__)
    if order != list(range(n)):
        keys = [keys[i] for i in order]
        matrix = matrix[order]
    plans = sorted({p for p, _ in keys})
    index = {p: i for i, p in enumerate(plans)}
    plan_index = np.array([index[p] for p, _ in keys], dtype=np.int64)
    starts = np.searchsorted(plan_index, np.arange(len(plans)))
    return PolicyVectors(keys, matrix, plans, starts, plan_index)


def _padded_rows(vectors: PolicyVectors) -> np.ndarray:
    """plans × (most policies of a plan): each plan's rows, -1 beyond its last."""
    ends = np.append(vectors.starts[1:], len(vectors.keys))
    sizes = ends - vectors.starts
    width = int(sizes.max()) if len(sizes) else 0
    offsets = np.arange(width)
    padded = vectors.starts[:, None] + offsets[None, :]
    return np.where(offsets[None, :] < sizes[:, None], padded, -1)


def top_matches(vectors: PolicyVectors, top: int = 3, max_other_plans: int | None = MAX_OTHER_PLANS,
                only: Key | None = None, progress: Callable[[int], None] | None = None) -> Iterator[Row]:
    """(plan, code, other plan, other code, rank, score) rows: for each policy (in key order) and
    each other plan (in plan order), its `top` most similar policies of that plan, best first,
    equal scores by code. With more than `max_other_plans` other plans (None or 0: no limit), only
    the `max_other_plans` plans whose best match scores highest (equal scores by plan id).
    `progress(n)` is called after each block with the number of policies done."""
    keys, matrix = vectors.keys, vectors.matrix
    n, n_plans = len(keys), len(vectors.plans)
    if only is not None:
        wanted = [i for i, k in enumerate(keys) if k == only]
    else:
        wanted = list(range(n))
    if not wanted or n_plans < 2:
        return
    padded = _padded_rows(vectors)
    keep = n_plans - 1 if not max_other_plans else min(max_other_plans, n_plans - 1)
    transposed = matrix.T.tocsr()
    block = max(1, BLOCK_CELLS // max(n, 1))
    for b0 in range(0, len(wanted), block):
        rows = np.array(wanted[b0:b0 + block])
        sims = np.round((matrix[rows] @ transposed).toarray(), RANK_DECIMALS)
        best = np.maximum.reduceat(sims, vectors.starts, axis=1)  # block × plans
        own = vectors.plan_index[rows]
        best[np.arange(len(rows)), own] = -np.inf
        # the other plans to keep: best match first, equal ones by plan id (a stable sort of
        # plans in id order); then back in plan order for the output
        chosen = np.sort(np.argsort(-best, axis=1, kind="stable")[:, :keep], axis=1)
        cols = padded[chosen]  # block × keep × width
        vals = sims[np.arange(len(rows))[:, None, None], np.maximum(cols, 0)]
        vals = np.where(cols >= 0, vals, -np.inf)
        # columns of a plan are in code order: a stable sort ranks equal scores by code
        ranked = np.argsort(-vals, axis=2, kind="stable")[:, :, :top]
        for bi, i in enumerate(rows):
            plan, code = keys[i]
            for pj, p in enumerate(chosen[bi]):
                other = vectors.plans[p]
                for rank, c in enumerate(ranked[bi, pj], 1):
                    j = cols[bi, pj, c]
                    if j < 0:
                        break
                    yield plan, code, other, keys[j][1], rank, round(float(vals[bi, pj, c]), 4)
        if progress:
            progress(len(rows))


def align(docs: dict[Key, list[str]] | Iterable[tuple[Key, list[str]]], top: int = 3,
          only: Key | None = None, max_other_plans: int | None = MAX_OTHER_PLANS) -> list[Row]:
    """(plan, code, other plan, other code, rank, score) rows, best first within each other plan;
    for the policy `only` alone when given."""
    items = docs.items() if isinstance(docs, dict) else docs
    return list(top_matches(tfidf(items), top, max_other_plans, only))
