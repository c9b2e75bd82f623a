"""Score the pipeline on the layout zoo: generate N seeds, run planextract, score against the
generated gold with the project's metric (src/planextract/score.py, same as the workplace scorer),
and print F1 per table, per convention (over the plans that used it, worst first) and, last:

    zoo seeds=N overall F1=0.xxx worst_convention=NAME:0.xx

    python tests/zoo/run_zoo.py --seeds 200 [--keep DIR] [--jobs 1]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import parse_seeds, write_corpus  # noqa: E402

import planextract  # noqa: E402
from planextract.score import overall, prf, score  # noqa: E402


def pad(s: str, width: int) -> str:
    """Left-justify for a terminal: wide (Japanese) characters take two columns."""
    w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
    return s + " " * max(0, width - w)


def convention_scores(lines, golds) -> dict[str, tuple[int, float]]:
    """convention → (plans using it, F1 over the score lines of those plans)."""
    by_plan = defaultdict(list)
    for x in lines:
        by_plan[x.plan].append(x)
    users = defaultdict(list)
    for g in golds:
        for conv in g["conventions"]:
            users[conv].append(g["plan"]["plan_id"])
    out = {}
    for conv, plans in users.items():
        ls = [x for p in plans for x in by_plan[p]]
        out[conv] = (len(plans), overall(ls)[2])
    return out


def table_scores(lines) -> dict[str, float]:
    acc = defaultdict(lambda: [0, 0, 0])
    for x in lines:
        a = acc[x.table]
        a[0] += x.tp
        a[1] += x.gold
        a[2] += x.pred
    return {t: prf(*v)[2] for t, v in sorted(acc.items())}


def run_zoo(seeds: list[int], workdir: Path, jobs: int = 1, profile: str | None = None,
            show=print) -> tuple[float, str, float]:
    corpus, gold_dir, out = workdir / "corpus", workdir / "gold", workdir / "out"
    t0 = time.perf_counter()
    golds = write_corpus(seeds, corpus, gold_dir, profile=profile)
    t1 = time.perf_counter()
    planextract.run(corpus, out, jobs=jobs, cache=False)
    t2 = time.perf_counter()
    lines = score(out / "csv", gold_dir)
    convs = convention_scores(lines, golds)
    f1 = overall(lines)[2]
    show(f"generated {len(golds)} plans in {t1 - t0:.1f}s; pipeline {t2 - t1:.1f}s")
    show("table    F1")
    for t, f in table_scores(lines).items():
        show(f"{t:8} {f:.3f}")
    show(f"{'convention':44} {'plans':>5} {'F1':>6}")
    ranked = sorted(convs.items(), key=lambda kv: (kv[1][1], kv[0]))
    for conv, (n, f) in ranked:
        show(f"{pad(conv, 44)} {n:5d} {f:6.3f}")
    worst, (_, worst_f1) = ranked[0] if ranked else ("none", (0, 1.0))
    show(f"zoo seeds={len(seeds)} overall F1={f1:.3f} worst_convention={worst}:{worst_f1:.2f}")
    return f1, worst, worst_f1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Score planextract on the layout zoo.")
    ap.add_argument("--seeds", default="200", help="N (seeds 0..N-1), or a range 0-199, or a list 1,5,9")
    ap.add_argument("--keep", type=Path, default=None, help="write corpus, gold and out here (kept)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--profile", choices=["sample"], default=None)
    args = ap.parse_args(argv)
    spec = args.seeds
    try:
        seeds = list(range(int(spec))) if spec.isdigit() else parse_seeds(spec)
    except ValueError:
        print(f"--seeds {spec!r}: expected N, 0-199 or 1,5,9", file=sys.stderr)
        return 2
    logging.getLogger("planextract").setLevel(logging.ERROR)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run_zoo(seeds, args.keep, args.jobs, args.profile)
    else:
        with tempfile.TemporaryDirectory(prefix="zoo-") as tmp:
            run_zoo(seeds, Path(tmp), args.jobs, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
