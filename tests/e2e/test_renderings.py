"""Other renderings of the same plan must extract the same: the work is measured on documents the
project never sees. Each test rewrites a sample text rendition the way other exporters write it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from planextract import pipeline
from planextract.score import prf, score

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold"
SOURCE = ROOT / "corpus" / "aizuwakamatsu" / "plan_chapter5.source.txt"


def as_pipe_tables(text: str) -> str:
    """Tab-separated rows with <ul><li> cells → markdown pipe tables with <br> between items."""
    out, in_table = [], False
    for line in text.split("\n"):
        if "\t" in line:
            cells = []
            for cell in line.split("\t"):
                items = re.findall(r"<li[^>]*>(.*?)</li>", cell, re.S)
                cells.append("<br>".join(i.strip() for i in items) if items else cell.strip())
            if not in_table:
                out.append("| 主体 | 役割 |")
                out.append("|---|---|")
                in_table = True
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        else:
            in_table = False
            out.append(line)
    return "\n".join(out)


def without_markdown_marks(text: str) -> str:
    return re.sub(r"(?m)^#{1,6}\s*", "", text)


@pytest.mark.parametrize("rewrite", [as_pipe_tables, without_markdown_marks], ids=lambda f: f.__name__)
def test_other_text_renderings_of_a_plan(tmp_path, rewrite):
    city = tmp_path / "corpus" / "aizuwakamatsu"
    city.mkdir(parents=True)
    shutil.copy(ROOT / "corpus/aizuwakamatsu/plan.yaml", city / "plan.yaml")
    (city / "plan_chapter5.source.txt").write_text(rewrite(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    pipeline.run(tmp_path / "corpus", tmp_path / "out")
    lines = [x for x in score(tmp_path / "out/csv", GOLD) if x.plan == "aizuwakamatsu-2"]
    f1 = prf(sum(x.tp for x in lines), sum(x.gold for x in lines), sum(x.pred for x in lines))[2]
    assert f1 >= 0.95, [(x.table, x.gold, x.pred, x.tp) for x in lines]
