"""Every plan in Japan on one machine: a national-size run, timed.

    python benchmarks/bench_national.py [--plans 1741] [--jobs N] [--workdir DIR] [--steps 10,100]

Generates `--plans` distinct fictional plans with the layout zoo (tests/zoo/generate.py): city
codes with valid check digits spread over the 47 prefectures, a few pages each, sizes drawn like
real plans (most mid-sized, a long tail of large ones). Then, for the first 10, the first 100 and
all the plans, runs `planextract run --jobs N` (cache off) and `planextract align` in fresh
processes, and prints the time, pages/s, the peak RSS of the process tree and the cost per page;
the report of the largest run is written and its size printed. The last line is
machine-readable:

    national plans=1741 pages=N run_s=… align_s=… peak_rss_mb=… per_page_ratio_1741_vs_10=…

Generated files stay in --workdir (default: a folder under the system's temp dir, outside git);
the corpus is kept there and reused by the next run with the same plans and generator.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "tests" / "zoo"
sys.path.insert(0, str(ROOT / "src"))

MEDIAN_PAGES, MIN_PAGES, MAX_PAGES = 6, 3, 24


def plan_pages(seed: int) -> int:
    """Pages asked of plan `seed`: log-normal around MEDIAN_PAGES (real plans' sizes are skewed:
    many of median size, a few several times larger), scaled down to a few pages each."""
    rng = random.Random(f"pages-{seed}")
    return max(MIN_PAGES, min(MAX_PAGES, round(MEDIAN_PAGES * math.exp(rng.gauss(0, 0.5)))))


def plan_prefecture(seed: int) -> int:
    """Round the 47 prefectures: any first 47 plans cover them all, and (prefecture, seed % 999)
    differs for every seed below 47 × 999, so every city code differs."""
    return seed % 47 + 1


def generator_version() -> str:
    digest = hashlib.sha256()
    for p in sorted(ZOO.glob("*.py")):
        digest.update(p.read_bytes())
    return digest.hexdigest()[:12]


def _generate(args) -> str:
    seed, dest, profile = args
    sys.path.insert(0, str(ZOO))
    from generate import generate_plan

    gold = generate_plan(seed, Path(dest), prefecture=plan_prefecture(seed), pages=plan_pages(seed), profile=profile)
    return gold["plan"]["plan_id"]


def generate_corpus(workdir: Path, plans: int, jobs: int, profile: str | None) -> Path:
    """workdir/corpus with `plans` plans (seeds 0 … plans-1), generated once and reused."""
    corpus = workdir / "corpus"
    stamp = workdir / "corpus.json"
    wanted = {"plans": plans, "generator": generator_version(), "profile": profile}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted and corpus.is_dir():
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    tasks = [(seed, str(corpus), profile) for seed in range(plans)]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_generate, tasks, chunksize=16))
    else:
        for t in tasks:
            _generate(t)
    folders = [p for p in corpus.iterdir() if p.is_dir()]
    if len(folders) != plans:
        raise SystemExit(f"bench-national: generated {len(folders)} plan folders for {plans} seeds "
                         "(two seeds gave the same slug)")
    codes = {(f / "plan.yaml").read_text(encoding="utf-8").split('city_code: "')[1][:6] for f in folders}
    if len(codes) != plans:
        raise SystemExit(f"bench-national: {plans} plans but {len(codes)} distinct city codes")
    stamp.write_text(json.dumps(wanted))
    print(f"generated {plans} plans in {time.perf_counter() - started:.0f} s → {corpus}", flush=True)
    return corpus


def subset(corpus: Path, workdir: Path, n: int) -> Path:
    """A corpus of the first `n` plans (by seed order of generation, which is folder-name order
    here too: any n plans are alike), their files hard-linked (copied where links fail)."""
    dest = workdir / f"corpus-{n}"
    shutil.rmtree(dest, ignore_errors=True)
    folders = sorted((p for p in corpus.iterdir() if p.is_dir()), key=_seed_of)[:n]
    for folder in folders:
        (dest / folder.name).mkdir(parents=True)
        for f in folder.iterdir():
            try:
                os.link(f, dest / folder.name / f.name)
            except OSError:
                shutil.copy2(f, dest / folder.name / f.name)
    return dest


def _seed_of(folder: Path) -> int:
    """The zoo's slugs end with the seed (romaji name + seed)."""
    digits = "".join(c for c in folder.name if c.isdigit())
    return int(digits) if digits else 0


def count_pages(corpus: Path) -> int:
    import pymupdf

    return sum(pymupdf.open(str(p)).page_count for p in corpus.glob("*/*.pdf"))


class TreeRss:
    """Peak of the summed RSS of a process and all its descendants, sampled every 0.2 s
    (conservative: pages a forked worker shares with its parent are counted twice)."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _children(self) -> dict[int, list[int]]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        return children

    def _rss_kb(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            children, total, todo = self._children(), 0, [self.pid]
            while todo:
                pid = todo.pop()
                total += self._rss_kb(pid)
                todo += children.get(pid, [])
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def timed_command(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS of the process tree in MB) of one planextract command."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "planextract.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    rss = TreeRss(proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    peak = rss.stop()
    if proc.returncode not in (0, 1):  # 1: some documents failed, reported in `problems`
        raise SystemExit(f"bench-national: planextract {' '.join(args)} exited {proc.returncode}: "
                         f"{err.strip().splitlines()[-1] if err.strip() else ''}")
    return seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=1741, help="plans to generate and run (Japan: 1,741)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="run --jobs")
    ap.add_argument("--steps", default="10,100", help="smaller runs for the per-page cost, comma-separated")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "planextract-bench-national",
                    help="where the corpus and outputs go (outside git)")
    ap.add_argument("--profile", default="sample", choices=["sample", "any"],
                    help="zoo conventions: sample (the layouts the pipeline reads: realistic extraction and "
                         "alignment load) or any")
    args = ap.parse_args()
    if args.plans < 1 or args.jobs < 1:
        raise SystemExit("bench-national: --plans and --jobs take 1 or more")
    steps = sorted({int(s) for s in args.steps.split(",") if s.strip() and int(s) < args.plans} | {args.plans})
    args.workdir.mkdir(parents=True, exist_ok=True)
    profile = None if args.profile == "any" else args.profile
    corpus = generate_corpus(args.workdir, args.plans, args.jobs, profile)
    import platform

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"run --jobs {args.jobs}", flush=True)
    results = {}
    for n in steps:
        source = corpus if n == args.plans else subset(corpus, args.workdir, n)
        out = args.workdir / f"out-{n}"
        pages = count_pages(source)
        run_s, run_rss = timed_command(["run", "--corpus", str(source), "--out", str(out), "--formats", "pdf",
                                        "--jobs", str(args.jobs), "--no-cache"])
        align_s, align_rss = timed_command(["align", "--out", str(out)])
        results[n] = {"pages": pages, "run_s": run_s, "align_s": align_s, "rss": max(run_rss, align_rss),
                      "per_page_ms": 1000 * run_s / max(pages, 1)}
        r = results[n]
        print(f"plans={n} pages={pages} run_s={run_s:.1f} pages_per_s={pages / run_s:.1f} "
              f"per_page_ms={r['per_page_ms']:.1f} align_s={align_s:.1f} peak_rss_mb(run)={run_rss:.0f} "
              f"peak_rss_mb(align)={align_rss:.0f}", flush=True)
    largest = args.workdir / f"out-{args.plans}"
    report_s, _ = timed_command(["report", "--out", str(largest)])
    report = largest / "report" / "index.html"
    print(f"report: {report.stat().st_size / 1e6:.2f} MB in {report_s:.1f} s ({report})")
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest single process: {children_peak:.0f} MB")
    for n in steps[:-1]:
        shutil.rmtree(args.workdir / f"corpus-{n}", ignore_errors=True)
    top, small = results[args.plans], results[steps[0]]
    ratio = top["per_page_ms"] / small["per_page_ms"]
    print(f"national plans={args.plans} pages={top['pages']} run_s={top['run_s']:.1f} align_s={top['align_s']:.1f} "
          f"peak_rss_mb={max(r['rss'] for r in results.values()):.0f} "
          f"per_page_ratio_{args.plans}_vs_{steps[0]}={ratio:.2f}")


if __name__ == "__main__":
    main()
