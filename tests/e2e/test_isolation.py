"""Issue 11 points 5-7: every document fails alone (oversized lines, a worker killed by the OOM
killer, a document over its time budget), cache entries are checked, and runs on one --out neither
race nor leave processes or temporary folders behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import planextract
from planextract import pipeline
from planextract.errors import InputError

from samples import copy_corpus as _corpus, quick_scores as _scores

ROOT = Path(__file__).resolve().parents[2]




def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _leftovers(out: Path) -> list[str]:
    """Temporary folders and files of runs, in out/ and beside it."""
    names = [p.name for p in out.glob(".planextract-*") if p.name != ".planextract-out"]
    names += [p.name for p in (out / ".cache").glob("*.tmp")]
    names += [p.name for p in out.parent.glob(f".{out.name}.*")]
    return sorted(names)



def _all_problems(result):
    return list(result.problems) + [p for plan in result.plans for p in plan.problems]


# ---- point 5: every document fails alone


def test_a_line_over_two_megabytes_does_not_abort_the_load(tmp_path, baseline):
    corpus = _corpus(tmp_path)
    line = "地域の見守り活動を推進します。" * 60_000  # 2.7 MB of UTF-8 on one line
    (corpus / "sagamihara" / "huge.txt").write_text(line + "\n", encoding="utf-8")
    result = pipeline.run(corpus, tmp_path / "out", cache=False)
    assert not pipeline.failed(result)
    assert _scores(tmp_path / "out") == baseline
    con = planextract.connect(tmp_path / "out")
    assert con.execute("SELECT max(length(text)) FROM unassigned").fetchone() == (len(line),)


def _dies_on(name: str, how):
    real = pipeline.read_document

    def read(path, *args, **kwargs):
        if path.name == name:
            how()
        return real(path, *args, **kwargs)
    return read


@pytest.mark.parametrize("how,message", [
    (lambda: os.kill(os.getpid(), signal.SIGKILL), "killed (SIGKILL; out of memory?)"),
    (lambda: os._exit(3), "died (exit status 3)"),
], ids=["oom-killed", "exit"])
def test_a_worker_that_dies_costs_its_document_only(tmp_path, baseline, monkeypatch, how, message):
    corpus = _corpus(tmp_path)
    shutil.copy(ROOT / "corpus/ichinoseki/overview.pdf", corpus / "atsugi" / "doomed.pdf")
    monkeypatch.setattr(pipeline, "read_document", _dies_on("doomed.pdf", how))  # forked workers inherit it
    result = pipeline.run(corpus, tmp_path / "out", jobs=2, cache=False)
    mine = [p for p in _all_problems(result) if p.doc_path.endswith("doomed.pdf")]
    assert [(p.stage, p.severity) for p in mine] == [("worker", "error")]
    assert message in mine[0].message
    assert _scores(tmp_path / "out") == baseline  # the pool was rebuilt: the other documents were read
    assert _alive(_children(os.getpid())) == []
    assert _leftovers(tmp_path / "out") == []


def test_a_document_over_its_time_budget_is_stopped_and_reported(tmp_path, baseline, monkeypatch):
    corpus = _corpus(tmp_path)
    shutil.copy(ROOT / "corpus/ichinoseki/overview.pdf", corpus / "atsugi" / "endless.pdf")
    monkeypatch.setattr(pipeline, "read_document", _dies_on("endless.pdf", lambda: time.sleep(600)))
    started = time.monotonic()
    result = pipeline.run(corpus, tmp_path / "out", jobs=1, timeout=3, cache=False)
    assert time.monotonic() - started < 60
    mine = [p for p in _all_problems(result) if p.doc_path.endswith("endless.pdf")]
    assert [(p.stage, p.severity) for p in mine] == [("timeout", "error")]
    assert "--timeout" in mine[0].message
    assert _scores(tmp_path / "out") == baseline
    assert _alive(_children(os.getpid())) == []


# ---- point 6: cache entries are checked, a bad one rebuilt with a warning


def _warnings(result) -> list[str]:
    return [p.message for p in _all_problems(result) if p.stage == "cache" and p.severity == "warning"]


def test_cut_document_cache_entries_are_dropped_and_rebuilt(tmp_path):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    pipeline.run(corpus, out)
    first = _digests(out / "csv")
    entries = sorted((out / ".cache").glob("*.json"))
    assert len(entries) == 2
    for e in entries:
        e.write_bytes(e.read_bytes()[: e.stat().st_size // 2])
    result = pipeline.run(corpus, out)
    assert len(_warnings(result)) == 2 and all("dropped and rebuilt" in w for w in _warnings(result))
    assert not pipeline.failed(result)
    assert {k: v for k, v in _digests(out / "csv").items() if k != "problems.csv"} == \
        {k: v for k, v in first.items() if k != "problems.csv"}
    result = pipeline.run(corpus, out)  # rebuilt: trusted again, no warning
    assert _warnings(result) == [] and _digests(out / "csv") == first


@pytest.mark.parametrize("cut", ["line end", "mid row"])
def test_a_cut_tokens_cache_never_changes_the_output(tmp_path, cut):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    pipeline.run(corpus, out)
    first = _digests(out / "csv")
    entries = [p for p in (out / ".cache").iterdir() if not p.name.endswith(".json")]
    assert entries
    for e in entries:
        data = e.read_bytes()
        half = len(data) // 2
        # a row's end: a new line, or the escaped one of a row held in a JSON string
        ends = [i + len(end) for end in (b"\n", b"\\n") if (i := data.find(end, half)) >= 0]
        e.write_bytes(data[: min(ends)] if cut == "line end" else data[:half])
    result = pipeline.run(corpus, out)
    assert _warnings(result)
    assert _digests(out / "csv")["tokens.csv"] == first["tokens.csv"]
    assert _digests(out / "csv")["item_themes.csv"] == first["item_themes.csv"]


# ---- point 7: one run at a time on an --out; nothing left behind


def test_a_second_run_waits_and_says_who_holds_the_folder(tmp_path):
    from planextract.store import OutLock

    corpus, out = _corpus(tmp_path), tmp_path / "out"
    pipeline.run(corpus, out)
    told: list[str] = []
    with OutLock(out):
        with pytest.raises(InputError, match=f"in use by another planextract run \\(pid {os.getpid()}\\)"):
            pipeline.run(corpus, out, lock_timeout=0.5, waiting=told.append)
    assert told and f"pid {os.getpid()}" in told[0]

    told.clear()
    lock = OutLock(out).__enter__()
    threading.Timer(1.0, lock.__exit__, (None, None, None)).start()
    result = pipeline.run(corpus, out, lock_timeout=60, waiting=told.append)
    assert told and result.plans


def test_concurrent_runs_on_one_out_all_succeed(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(ROOT / "corpus", corpus)
    pipeline.run(corpus, tmp_path / "alone", formats=("text",))
    pipeline.run(corpus, out, formats=("text",))  # cached: the runs below reach the store together
    for _ in range(3):  # without the lock, about 40% of such rounds had a run crash
        procs = [subprocess.Popen([sys.executable, "-m", "planextract.cli", "run", "--corpus", "corpus", "--out", "out",
                                   "--formats", "text", "--jobs", "1"], cwd=tmp_path,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
        errors = [p.communicate(timeout=300)[1].decode()[-300:] for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert _digests(out / "csv") == _digests(tmp_path / "alone" / "csv")
    assert _leftovers(out) == []


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    from planextract.store import OutLock, clean_leftovers

    corpus, out = _corpus(tmp_path), tmp_path / "out"
    pipeline.run(corpus, out)
    first = _digests(out / "csv")
    # a run killed in the middle of its swap: csv/ moved aside, not yet replaced; it is put back
    (out / ".planextract-old-x3").mkdir()
    (out / "csv").rename(out / ".planextract-old-x3" / "csv")
    with OutLock(out):
        clean_leftovers(out)
    assert _digests(out / "csv") == first and _leftovers(out) == []

    (out / ".planextract-spool-x1").mkdir()
    (out / ".planextract-new-x2" / "csv").mkdir(parents=True)
    (out / ".cache" / "abc.json.123.deadbeef.tmp").write_text("half", encoding="utf-8")
    (tmp_path / ".out.spool-old").mkdir()  # what older versions left beside out/
    (tmp_path / ".out.new-old").mkdir()
    assert len(_leftovers(out)) == 5
    pipeline.run(corpus, out)
    assert _leftovers(out) == []
    assert _digests(out / "csv") == first


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_run_leaves_no_worker_and_its_temporary_folders_go(tmp_path, sig):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    pipeline.run(corpus, out, formats=("text",))
    before = _digests(out / "csv")
    proc = subprocess.Popen([sys.executable, "-m", "planextract.cli", "run", "--corpus", str(corpus), "--out",
                             str(out), "--jobs", "2", "--no-cache"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait_for(lambda: len(_children(proc.pid)) >= 2, 60), "the run started no workers"
    workers = _children(proc.pid)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert _wait_for(lambda: not _alive(workers), 10), f"workers {workers} outlived the run"
    assert _digests(out / "csv") == before
    if sig == signal.SIGTERM:  # the run cleaned up after itself
        assert _leftovers(out) == []
    pipeline.run(corpus, out, formats=("text",))  # after SIGKILL, the next run does
    assert _leftovers(out) == []
    assert _digests(out / "csv") == before
