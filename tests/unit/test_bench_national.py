"""The national benchmark's corpus (issue "Every plan in Japan on one machine"): distinct plans,
valid and distinct city codes over the 47 prefectures, sizes skewed like real plans."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_national  # noqa: E402
from planextract.pipeline import read_plan_meta  # noqa: E402
from planextract.prefectures import PREFECTURES, valid_code  # noqa: E402


def test_every_prefecture_and_distinct_valid_codes_for_1741_seeds():
    assert {bench_national.plan_prefecture(s) for s in range(47)} == set(range(1, 48))
    sys.path.insert(0, str(ROOT / "tests" / "zoo"))
    from generate import zoo_code

    codes = [zoo_code(bench_national.plan_prefecture(s), s % 999 + 1) for s in range(1741)]
    assert len(set(codes)) == 1741 and all(valid_code(c) for c in codes)


def test_sizes_are_a_few_pages_with_a_long_tail():
    pages = [bench_national.plan_pages(s) for s in range(1741)]
    assert statistics.median(pages) == bench_national.MEDIAN_PAGES
    assert min(pages) == bench_national.MIN_PAGES and max(pages) >= 3 * bench_national.MEDIAN_PAGES
    assert statistics.mean(pages) > statistics.median(pages)  # skewed to the right


def test_generated_corpus_is_reused_and_reads_as_plans(tmp_path):
    corpus = bench_national.generate_corpus(tmp_path, 3, 1, "sample")
    metas = [read_plan_meta(f) for f in sorted(corpus.iterdir())]
    assert len({m.slug for m in metas}) == 3 and len({m.city_code for m in metas}) == 3
    assert {m.city_code[:2] for m in metas} == {"01", "02", "03"} and PREFECTURES[0] == "北海道"
    assert all(list(f.glob("*.pdf")) for f in corpus.iterdir())
    stamp = (tmp_path / "corpus.json").stat().st_mtime_ns
    assert bench_national.generate_corpus(tmp_path, 3, 1, "sample") == corpus
    assert (tmp_path / "corpus.json").stat().st_mtime_ns == stamp  # not generated again
