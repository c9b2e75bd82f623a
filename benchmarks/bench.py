"""Speed of planextract against the PDF floor and the usual converters, on the same pages.

    python benchmarks/bench.py [--scale N] [--repeat R] [--jobs N] [--checks]

(a) raw PyMuPDF text of every page, (b) pdfplumber text + tables, (c) pymupdf4llm to_markdown,
(d) the whole `planextract run` (PDF → DuckDB + CSV, cache off). Prints pages/s (median of R
runs), the ratios d/a, d/b, d/c and peak RSS; with --checks also the scaling, parallel and
incremental figures the targets speak of. The last line is machine-readable:

    ratios pipeline/raw=0.31 pipeline/pdfplumber=5.2 pipeline/pymupdf4llm=6.0
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

logging.getLogger("pdfminer").setLevel(logging.ERROR)


def make_corpus(scale: int, dest: Path) -> list[Path]:
    """The sample corpus's PDFs, `scale` times, each copy a city of its own (distinct names)."""
    pdfs = []
    for k in range(scale):
        for city in sorted(p for p in (ROOT / "corpus").iterdir() if p.is_dir()):
            target = dest / f"{city.name}{k:03d}"
            target.mkdir(parents=True)
            shutil.copy(city / "plan.yaml", target / "plan.yaml")
            for pdf in sorted(city.glob("*.pdf")):
                copy = target / f"{pdf.stem}_{k:03d}.pdf"
                # distinct bytes too (a comment after %%EOF), so no copy is served from the cache
                copy.write_bytes(pdf.read_bytes() + f"\n% copy {k}\n".encode())
                pdfs.append(copy)
    return pdfs


def count_pages(pdfs: list[Path]) -> int:
    import pymupdf

    return sum(pymupdf.open(str(p)).page_count for p in pdfs)


def raw_pymupdf(pdfs):
    import pymupdf

    for p in pdfs:
        with pymupdf.open(str(p)) as doc:
            for page in doc:
                page.get_text()


def pdfplumber_text_tables(pdfs):
    import pdfplumber

    for p in pdfs:
        with pdfplumber.open(str(p)) as doc:
            for page in doc.pages:
                page.extract_text()
                page.extract_tables()


def pymupdf4llm_markdown(pdfs):
    import pymupdf4llm

    for p in pdfs:
        pymupdf4llm.to_markdown(str(p), show_progress=False)


def pipeline_run(corpus: Path, out: Path, jobs: int = 1, cache: bool = False):
    from planextract import pipeline

    pipeline.run(corpus, out, formats=("pdf",), jobs=jobs, cache=cache)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_kb() -> int:
    """This process's peak RSS. VmHWM belongs to the process's own address space; ru_maxrss would
    carry over the parent's peak across fork and exec on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child_pipeline(corpus: str, out: str, q):
    pipeline_run(Path(corpus), Path(out))
    q.put(peak_rss_kb())


def pipeline_peak_rss_mb(corpus: Path, out: Path) -> float:
    """Peak RSS of a fresh process that runs the pipeline once."""
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_child_pipeline, args=(str(corpus), str(out), q))
    proc.start()
    kb = q.get()
    proc.join()
    return kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1, help="replicate the corpus N times")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the fast measurements (median)")
    ap.add_argument("--repeat-slow", type=int, default=1, help="runs of pdfplumber and pymupdf4llm")
    ap.add_argument("--jobs", type=int, default=1, help="--jobs of the pipeline run (d)")
    ap.add_argument("--checks", action="store_true", help="also scaling, --jobs 2 and re-run figures")
    ap.add_argument("--skip-converters", action="store_true", help="only (a) and (d)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="planextract-bench-"))
    try:
        corpus = tmp / "corpus"
        pdfs = make_corpus(args.scale, corpus)
        pages = count_pages(pdfs)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{len(pdfs)} PDFs, {pages} pages (scale {args.scale})")
        rows = []
        t_a = timed(lambda: raw_pymupdf(pdfs), args.repeat)
        rows.append(("(a) raw PyMuPDF get_text", t_a))
        t_d = timed(lambda: pipeline_run(corpus, tmp / "out", args.jobs), args.repeat)
        rows.append((f"(d) planextract run --jobs {args.jobs}", t_d))
        t_b = t_c = None
        if not args.skip_converters:
            t_b = timed(lambda: pdfplumber_text_tables(pdfs), args.repeat_slow)
            rows.append(("(b) pdfplumber text + tables", t_b))
            try:
                t_c = timed(lambda: pymupdf4llm_markdown(pdfs), args.repeat_slow)
                rows.append(("(c) pymupdf4llm to_markdown", t_c))
            except ImportError:
                print("pymupdf4llm is not installed (pip install pymupdf4llm): (c) skipped")
        print(f"{'measurement':40} {'seconds':>9} {'pages/s':>9}")
        for name, t in rows:
            print(f"{name:40} {t:9.2f} {pages / t:9.1f}")
        rss = pipeline_peak_rss_mb(corpus, tmp / "out-rss")
        print(f"peak RSS of a pipeline run: {rss:.0f} MB")
        if args.checks:
            checks(tmp, args)
        ratios = [f"pipeline/raw={t_a / t_d:.2f}"]
        if t_b:
            ratios.append(f"pipeline/pdfplumber={t_b / t_d:.1f}")
        if t_c:
            ratios.append(f"pipeline/pymupdf4llm={t_c / t_d:.1f}")
        print("ratios " + " ".join(ratios))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(tmp: Path, args) -> None:
    """The targets: linear in pages, --jobs 2 vs 1, re-run with nothing changed vs cold."""
    c1 = tmp / "c1"
    make_corpus(1, c1)
    c20 = tmp / "c20"
    make_corpus(20, c20)
    t1 = timed(lambda: pipeline_run(c1, tmp / "o1"), args.repeat)
    t20 = timed(lambda: pipeline_run(c20, tmp / "o20"), 1)
    print(f"scale 20 / scale 1: {t20 / t1:.1f}x the time for 20x the pages (target <= 22)")
    c10 = tmp / "c10"
    make_corpus(10, c10)
    j1 = timed(lambda: pipeline_run(c10, tmp / "j1", jobs=1), 1)
    j2 = timed(lambda: pipeline_run(c10, tmp / "j2", jobs=2), 1)
    print(f"scale 10: --jobs 2 is {j1 / j2:.2f}x as fast as --jobs 1 (target >= 1.7)")
    shutil.rmtree(tmp / "inc", ignore_errors=True)
    cold = timed(lambda: pipeline_run(c10, tmp / "inc", cache=True), 1)
    warm = timed(lambda: pipeline_run(c10, tmp / "inc", cache=True), args.repeat)
    print(f"scale 10: re-run with nothing changed takes {warm / cold:.0%} of the cold run (target <= 10%)")
    c50 = tmp / "c50"
    make_corpus(50, c50)
    print(f"scale 50: peak RSS of a pipeline run {pipeline_peak_rss_mb(c50, tmp / 'o50'):.0f} MB (target <= 500)")


if __name__ == "__main__":
    main()
