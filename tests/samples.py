"""What the end-to-end tests share: copies of quick sample plans, and their scores against the gold.
Tests that break one document check that these plans keep exactly these scores."""

from __future__ import annotations

import shutil
from pathlib import Path

from planextract.score import score

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
QUICK = ("atsugi", "sagamihara")  # two quick plans that must keep their scores


def copy_corpus(tmp_path: Path, cities=QUICK) -> Path:
    """tmp_path/corpus holding copies of the sample plans of `cities`."""
    corpus = tmp_path / "corpus"
    for city in cities:
        shutil.copytree(ROOT / "corpus" / city, corpus / city)
    return corpus


def quick_scores(out: Path) -> dict:
    """(plan, table) → (gold, pred, tp) of the quick plans in a run's output."""
    return {(x.plan, x.table): (x.gold, x.pred, x.tp) for x in score(out / "csv", GOLD)
            if x.plan.split("-")[0] in QUICK}
