"""Policy alignment that scales (issue "Every plan in Japan on one machine"): scikit-learn TF-IDF
and sparse products in blocks give the lists of the reference (pure-Python) implementation."""

from __future__ import annotations

import random

import pytest

from align_reference import align as reference_align
from planextract.compare import align as align_module
from planextract.compare.align import align, tfidf, top_matches

WORDS = [f"語{i}" for i in range(40)]


def fictional_policies(seed: int, plans: int, most: int = 7) -> dict[tuple[str, str], list[str]]:
    """Random plans of random policies over a small vocabulary: many shared lemmas, some
    duplicated policies (equal scores), some with no lemma in common with anything."""
    rnd = random.Random(seed)
    docs = {}
    for p in range(plans):
        for k in range(rnd.randint(1, most)):
            code = f"{rnd.randint(1, 12)}.{k + 1}"
            lemmas = [rnd.choice(WORDS[: rnd.randint(3, len(WORDS))]) for _ in range(rnd.randint(1, 12))]
            docs[(f"plan-{p:02d}", code)] = lemmas
    keys = sorted(docs)
    for a, b in zip(keys[::9], keys[4::9]):  # the same words in two plans: equal scores, ties by code
        docs[b] = list(docs[a])
    docs[(f"plan-{plans:02d}", "1.1")] = ["孤立語"]  # shares no lemma: every score 0
    return docs


@pytest.mark.parametrize("seed", range(6))
def test_same_top3_lists_as_the_reference_implementation(seed):
    docs = fictional_policies(seed, plans=5)
    assert align(docs, max_other_plans=None) == reference_align(docs)


def test_same_lists_when_the_policies_are_compared_in_small_blocks(monkeypatch):
    docs = fictional_policies(11, plans=8)
    expected = reference_align(docs)
    monkeypatch.setattr(align_module, "BLOCK_CELLS", 7)  # a block of one policy at a time
    assert align(docs, max_other_plans=None) == expected


def test_one_policy_alone_gives_its_rows_of_the_whole_alignment():
    docs = fictional_policies(3, plans=6)
    key = sorted(docs)[5]
    assert align(docs, only=key) == [r for r in reference_align(docs) if (r[0], r[1]) == key]


def test_beyond_the_limit_each_policy_keeps_the_plans_that_match_it_best():
    docs = fictional_policies(5, plans=12)
    full = reference_align(docs)
    capped = align(docs, max_other_plans=3)
    by_policy: dict[tuple[str, str], dict[str, list]] = {}
    for r in full:
        by_policy.setdefault((r[0], r[1]), {}).setdefault(r[2], []).append(r)
    kept: dict[tuple[str, str], set[str]] = {}
    for r in capped:
        kept.setdefault((r[0], r[1]), set()).add(r[2])
        assert r in by_policy[(r[0], r[1])][r[2]]  # the same rows as the full alignment
    assert set(kept) == set(by_policy)
    for key, others in by_policy.items():
        assert len(kept[key]) == 3
        best = {o: rows[0][5] for o, rows in others.items()}
        # no plan left out matches better than a plan kept
        assert min(best[o] for o in kept[key]) >= max((best[o] for o in others if o not in kept[key]),
                                                      default=0)


def test_progress_counts_every_policy_once(monkeypatch):
    docs = fictional_policies(2, plans=6)
    monkeypatch.setattr(align_module, "BLOCK_CELLS", 3 * len(docs))
    done = []
    list(top_matches(tfidf(docs.items()), progress=done.append))
    assert sum(done) == len(docs) and len(done) > 1


def test_policies_in_any_order_give_the_same_rows():
    docs = fictional_policies(4, plans=5)
    shuffled = list(docs.items())
    random.Random(0).shuffle(shuffled)
    assert align(shuffled, max_other_plans=None) == reference_align(docs)


@pytest.mark.parametrize("docs", [{}, {("a", "1"): []}, {("a", "1"): [], ("b", "1"): [], ("b", "2"): []},
                                  {("a", "1"): ["x"], ("b", "1"): ["x"]}])
def test_no_policy_no_lemma_or_one_lemma_everywhere(docs):
    assert align(docs, max_other_plans=None) == reference_align(docs)
