"""--jobs and the per-document cache change nothing in the output (speed figures are printed by
benchmarks/bench.py, not asserted here: machines are shared and noisy)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from planextract import pipeline

ROOT = Path(__file__).resolve().parents[2]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_parallel_run_gives_the_same_output(tmp_path):
    pipeline.run(ROOT / "corpus", tmp_path / "one", jobs=1, cache=False)
    pipeline.run(ROOT / "corpus", tmp_path / "two", jobs=2, cache=False)
    assert _digests(tmp_path / "one/csv") == _digests(tmp_path / "two/csv")


def test_rerun_reads_unchanged_documents_from_the_cache(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    out = tmp_path / "out"
    pipeline.run(corpus, out)
    first = _digests(out / "csv")
    assert len(list((out / ".cache").glob("*.json"))) == 5

    calls = []
    real = pipeline.read_document
    monkeypatch.setattr(pipeline, "read_document", lambda *a, **k: calls.append(a[0].name) or real(*a, **k))
    pipeline.run(corpus, out)
    assert calls == []  # nothing re-read: only merge and store ran
    assert _digests(out / "csv") == first

    # a changed document is read again; the others still come from the cache
    changed = corpus / "atsugi" / "taikeizu.pdf"
    changed.write_bytes(changed.read_bytes() + b"\n% edited\n")
    pipeline.run(corpus, out)
    assert calls == ["taikeizu.pdf"]


def test_cache_does_not_outlive_a_rules_change(tmp_path):
    from planextract.rules import Rules, find_rules_dir

    rules_dir = tmp_path / "rules"
    shutil.copytree(find_rules_dir(), rules_dir)
    before = Rules(rules_dir).version
    (rules_dir / "actors.yaml").write_text((rules_dir / "actors.yaml").read_text(encoding="utf-8") + "\n# edit\n",
                                          encoding="utf-8")
    assert Rules(rules_dir).version != before
    assert pipeline.cache_path(tmp_path, "ab", Rules(rules_dir)).name != pipeline.cache_path(
        tmp_path, "ab", Rules(find_rules_dir())).name
