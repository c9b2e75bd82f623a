"""pipeline: calls the stages in order. ingest → segment → merge → store."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import ctypes
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from multiprocessing.connection import wait as mp_wait
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .compare import analyse_plan, text_rows, theme_rows
from .errors import InputError, PlanextractError, RulesError
from .ingest import document_format, ingest_document
from .merge import merge_plan
from .models import SLUG_PATTERN, PlanMeta, PlanResult, Problem, ProblemRow, RunResult, SegmentedDocument
from .normalise import drop_format_chars
from .prefectures import valid_code
from .rules import Rules, key_line, load_rules, schema_error
from .segment import segment_document
from .cache import DamagedEntry, read_entry, write_entry
from .store import SPOOL_PREFIX, OutLock, Spool, check_out, claim_out, clean_leftovers, store

log = logging.getLogger("planextract")

# PlanResult lists written to the output as each plan is done (RunResult keeps their counts)
SPOOLED_TABLES = ("nodes", "roles", "actions", "scores", "ratings", "unassigned", "furniture")

PLAN_FILE = "plan.yaml"
FORMATS = ("pdf", "text")


def parse_formats(formats: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """--formats as typed: `pdf`, `text` or `pdf,text` (also `both`) → the formats to read."""
    parts = formats.split(",") if isinstance(formats, str) else list(formats)
    fmts = tuple(dict.fromkeys(f.strip() for f in parts if f.strip()))
    if fmts == ("both",):
        fmts = FORMATS
    if not fmts or any(f not in FORMATS for f in fmts):
        raise InputError(f"--formats takes pdf, text or pdf,text (got {formats!r})")
    return fmts


NO_DOCUMENTS = "plan.yaml but no document to read"


def no_documents_message(formats: tuple[str, ...]) -> str:
    suffixes = [s for s, f in ((".pdf", "pdf"), (".txt", "text"), (".md", "text")) if f in formats]
    return (f"{NO_DOCUMENTS} ({', '.join(suffixes)}) in this folder: the plan is left out; "
            "put the city's PDFs or text renditions beside plan.yaml")


def read_plan_meta(folder: Path) -> PlanMeta:
    path = folder / PLAN_FILE
    if not path.exists():
        raise RulesError(f"{path}: missing (it holds the city's name and local government code)")
    if not path.is_file():  # a folder, a FIFO (reading it would wait forever), a device
        raise RulesError(f"{path}: not a regular file (it holds the city's name and local government code)")
    if not path.resolve().is_relative_to(folder.resolve()):
        raise RulesError(f"{path}: a symbolic link out of its plan folder; put the file itself there")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RulesError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from e
    except OSError as e:
        raise RulesError(f"{path}: cannot be read ({e.strerror})") from e
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{path}:{where} is not valid YAML") from e
    if not isinstance(data, dict):
        raise RulesError(f"{path}: expected keys city, city_code (a mapping)")
    if "slug" not in data and not re.fullmatch(SLUG_PATTERN, folder.name):
        raise RulesError(f"{path}: the folder name {folder.name!r} is not a plan slug (a-z, 0-9, -; it makes the "
                         "plan id): rename the folder or set `slug:` in plan.yaml")
    data.setdefault("slug", folder.name)
    for key in ("city", "prefecture"):  # as in plan.yaml, but never with an invisible reordering mark
        if isinstance(data.get(key), str):
            data[key] = drop_format_chars(data[key])
    if isinstance(data["slug"], str) and not re.fullmatch(SLUG_PATTERN, data["slug"]):
        line = key_line(path, ("slug",))
        raise RulesError(f"{path}: line {line}, key 'slug': {data['slug']!r} is not a plan slug "
                         "(a-z, 0-9, -; it makes the plan id)")
    try:
        meta = PlanMeta.model_validate(data)
    except ValidationError as e:
        raise schema_error(path, e) from e
    if not valid_code(meta.city_code):
        line = key_line(path, ("city_code",))
        raise RulesError(f"{path}: line {line}, key 'city_code': {meta.city_code!r} is not a valid 6-digit "
                         "local government code")
    return meta


def _outside(path: Path, root: Path) -> bool:
    """`path`, its symbolic links followed, lies outside the folder `root` (or leads nowhere: a loop)."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        return True


def _skipped(problems: list[ProblemRow] | None, path: Path, corpus: Path, why: str) -> None:
    if problems is not None:
        rel = path.relative_to(corpus).as_posix() if path.is_relative_to(corpus) else str(path)
        problems.append(ProblemRow(plan_id=None, doc_path=rel, stage="corpus", severity="error",
                                   message=f"{path}: {why}; skipped", page=None))


def plan_folders(corpus: Path, problems: list[ProblemRow] | None = None) -> list[Path]:
    """The plan folders of a corpus; a symbolic link to a folder outside it is skipped (and
    reported in `problems` when given): what a run reads lies inside the corpus."""
    if not corpus.is_dir():
        raise InputError(f"{corpus}: corpus folder not found")
    folders = []
    for p in sorted(corpus.iterdir()):
        if p.name.startswith(".") or not p.is_dir():
            continue
        if _outside(p, corpus):
            _skipped(problems, p, corpus, "a symbolic link to a folder outside the corpus")
            continue
        folders.append(p)
    return folders


def rendition_stem(path: Path) -> str:
    """'meeting.source.txt', 'taikeizu_text.txt' and 'meeting.pdf' name the same document."""
    stem = path.name
    for suffix in (".pdf", ".txt", ".md"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    for tail in (".source", "_text", ".text", "_source"):
        if stem.endswith(tail):
            stem = stem[: -len(tail)]
    return stem


def plan_documents(folder: Path, formats: tuple[str, ...], problems: list[ProblemRow] | None = None,
                   corpus: Path | None = None) -> list[Path]:
    """Documents to read. A PDF and its text rendition are one document: the PDF is read, and the
    text rendition only when there is no PDF of it (or when only text is asked for). A document
    name that is a symbolic link out of the corpus, or not a regular file (a FIFO, device, socket
    or folder), is skipped and reported in `problems` when given."""
    corpus = corpus or folder.parent
    files = []
    for p in sorted(folder.iterdir()):
        if document_format(p) not in formats:
            continue
        if _outside(p, corpus):
            _skipped(problems, p, corpus, "a symbolic link to a file outside the corpus")
        elif not p.is_file():
            _skipped(problems, p, corpus, "not a regular file (a folder, FIFO, device, socket or broken link)")
        else:
            files.append(p)
    pdf_stems = {rendition_stem(p) for p in files if document_format(p) == "pdf"}
    return [p for p in files if document_format(p) == "pdf" or rendition_stem(p) not in pdf_stems]


def extract(path: Path | str, rules: Rules | None = None, corpus_root: Path | None = None,
            password: str | None = None) -> SegmentedDocument:
    """One document through ingest and segment."""
    rules = rules or load_rules()
    path = Path(path)
    root = corpus_root or path.parent.parent
    return segment_document(ingest_document(path, root, path.parent.name, rules, password), rules)


def _furniture_lines(doc) -> list[tuple[int | None, str]]:
    return [(ln.page if doc.info.format == "pdf" else None, ln.text) for p in doc.pages for ln in p.furniture]


def read_document(path: Path, corpus: Path, meta: PlanMeta, rules: Rules, password: str | None):
    """ingest + segment of one document; its furniture lines beside it."""
    ingested = ingest_document(path, corpus, meta.slug, rules, password)
    return segment_document(ingested, rules), _furniture_lines(ingested)


class CachedDocument(BaseModel):
    segmented: SegmentedDocument
    furniture: list[tuple[int | None, str]]


@lru_cache(maxsize=1)
def code_version() -> str:
    """Changes whenever the package's code changes: cached results of older code are not reused."""
    digest = hashlib.sha256()
    for p in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(p.read_bytes())
    return digest.hexdigest()[:12]


def cache_path(cache_dir: Path, data_sha: str, rules: Rules) -> Path:
    """Where a document's reading is cached: by its bytes, the rules reading uses, and the code."""
    return cache_dir / f"{data_sha}-{rules.reading_version}-{code_version()}.json"


def _damaged(entry: Path, why: Exception) -> str:
    entry.unlink(missing_ok=True)
    return f"cache entry {entry.name} was damaged ({why}); dropped and rebuilt"


def read_document_cached(path: Path, corpus: Path, meta: PlanMeta, rules: Rules, password: str | None,
                         cache_dir: Path | None):
    """read_document, or its result from an earlier run when file, rules and code are unchanged.
    A damaged cache entry is dropped and the document read again, with a warning."""
    if cache_dir is None:
        return read_document(path, corpus, meta, rules, password)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    entry = cache_path(cache_dir, sha, rules)
    rel = path.relative_to(corpus).as_posix()
    warning = None
    try:
        payload = read_entry(entry)
        if payload is not None:
            cached = CachedDocument.model_validate_json(payload)
            seg = cached.segmented
            seg.info.path, seg.info.plan_slug = rel, meta.slug  # the same bytes may sit elsewhere now
            for pr in seg.problems:
                pr.doc_path = rel
            return seg, cached.furniture
    except (DamagedEntry, ValidationError, ValueError) as e:
        warning = _damaged(entry, e)
    seg, furniture = read_document(path, corpus, meta, rules, password)
    write_entry(entry, CachedDocument(segmented=seg, furniture=furniture).model_dump_json().encode("utf-8"))
    if warning:
        seg.problems.append(Problem(doc_path=rel, stage="cache", severity="warning", message=warning))
    return seg, furniture


class CachedAnalysis(BaseModel):
    """Tokens and themes of one plan, as the CSV rows the spool takes."""
    tokens: str
    themes: str


def analyse_cached(plan: PlanResult, rules: Rules, spool: Spool, cache_dir: Path | None) -> None:
    """Tokens and themes of a plan, into the spool; reused from the cache when the plan's text,
    the rules and the code are those of an earlier run (then no tokenizer is even loaded). A
    damaged entry is dropped and rebuilt, with a warning."""
    entry = None
    if cache_dir is not None:
        digest = hashlib.sha256(f"{rules.version}:{code_version()}".encode())
        for ref, text, kind in text_rows(plan):
            digest.update(f"{ref}\t{kind}\t{text}\n".encode())
        entry = cache_dir / f"plan-{plan.plan.plan_id}-{digest.hexdigest()[:24]}.analysis"
        try:
            payload = read_entry(entry)
            if payload is not None:
                cached = CachedAnalysis.model_validate_json(payload)
                spool.add_text("tokens", cached.tokens)
                spool.add_text("item_themes", cached.themes)
                return
        except (DamagedEntry, ValidationError, ValueError) as e:
            plan.problems.append(ProblemRow(plan_id=plan.plan.plan_id, doc_path=plan.plan.plan_id, stage="cache",
                                            severity="warning", message=_damaged(entry, e), page=None))
    tokens_buf, themes_buf = io.StringIO(), io.StringIO()
    analyse_plan(plan, rules, csv.writer(tokens_buf, lineterminator="\n"), csv.writer(themes_buf, lineterminator="\n"))
    spool.add_text("tokens", tokens_buf.getvalue())
    spool.add_text("item_themes", themes_buf.getvalue())
    if entry is not None:
        write_entry(entry, CachedAnalysis(tokens=tokens_buf.getvalue(),
                                          themes=themes_buf.getvalue()).model_dump_json().encode("utf-8"))


_WORKER: dict = {}


def _init_worker(rules_dir: str) -> None:
    """Each worker process loads the rules once (not the theme prior: workers read documents,
    the main process tags themes)."""
    _WORKER["rules"] = load_rules(rules_dir, with_prior=False)


def _work(args):
    path, corpus, meta, password, cache_dir = args
    try:
        return "ok", read_document_cached(path, corpus, meta, _WORKER["rules"], password, cache_dir)
    except PlanextractError as e:
        return "error", str(e)
    except Exception as e:  # a bug: reported, the run goes on
        log.exception("internal error while reading %s", path)
        return "bug", f"{type(e).__name__}: {e}"


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


DEFAULT_TIMEOUT = 300.0  # seconds one document may take (the CLI's --timeout)


def check_corpus(corpus: Path, folders: list[Path]) -> None:
    """Refuse a corpus with no plan folder (a sub-folder holding plan.yaml), before anything is
    written: a city folder given as the corpus would otherwise replace a good output with empty
    tables."""
    if any((f / PLAN_FILE).exists() for f in folders):
        return
    if (corpus / PLAN_FILE).exists():
        hint = f"did you mean --corpus {corpus.resolve().parent}? ({corpus} is one city's folder: it holds {PLAN_FILE})"
    else:
        nested = sorted(p.parent.parent for p in corpus.glob(f"*/*/{PLAN_FILE}"))
        hint = (f"did you mean --corpus {nested[0]}?" if nested else
                f"each city is a sub-folder with a {PLAN_FILE}: `planextract init {corpus}/<city> --city … --code …`")
    raise InputError(f"--corpus {corpus}: no plan folder (a sub-folder with {PLAN_FILE}); {hint}")


def run(corpus: Path | str = "corpus", out: Path | str = "out", formats: tuple[str, ...] = FORMATS,
        rules: Rules | None = None, progress: Callable[[str], None] | None = None,
        password: str | None = None, jobs: int = 1, cache: bool = True, timeout: float | None = None,
        lock_timeout: float = 600.0, waiting: Callable[[str], None] | None = None) -> RunResult:
    """Every plan folder under `corpus` → DuckDB + CSV under `out`.

    Each document is read on its own (in `jobs` worker processes; the CLI uses one per core): a document
    that fails becomes an error in `problems` and the others go on, also when the process reading it
    dies (out of memory) or takes longer than `timeout` seconds (then it is read in a worker
    process even with jobs=1, so that it can be stopped). The result holds each plan's
    row, documents, problems and row counts (`PlanResult.counts`); the rows themselves are in the
    output (`planextract.connect(out)`), written as each plan is done. Results per document are cached
    under `out/.cache` by the file's sha256 and the rules' and code's versions, so a re-run with
    unchanged inputs only merges and stores.

    `out` must be new, empty or an earlier run's output (store.check_out); the run locks it (a
    second run waits up to `lock_timeout` seconds, `waiting` is told why) and writes only what it
    owns there (store.OWNED, the cache, the marker)."""
    started = time.perf_counter()
    rules = rules or load_rules()
    corpus, out = Path(corpus), Path(out)
    skipped: list[ProblemRow] = []  # folders that are links out of the corpus
    folders = plan_folders(corpus, skipped)
    check_corpus(corpus, folders)
    check_out(out, corpus)
    claim_out(out)
    with OutLock(out, lock_timeout, waiting), _signals_end_the_run():
        clean_leftovers(out)  # what killed runs left; the lock says no live run owns it
        result = _run_locked(corpus, out, folders, formats, rules, progress, password, jobs, cache, timeout,
                             skipped)
    result.seconds = time.perf_counter() - started
    return result


_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _signals_end_the_run():
    """SIGTERM and SIGHUP end the run like Ctrl-C does: cleanup code runs (workers stopped,
    temporary folders removed) instead of the process vanishing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in _ENDING_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_locked(corpus, out, folders, formats, rules, progress, password, jobs, cache, timeout,
                skipped=()) -> RunResult:
    cache_dir = out / ".cache" if cache else None
    problems: list[ProblemRow] = list(skipped)
    tasks = []
    metas: dict[str, PlanMeta] = {}
    for folder in folders:
        try:
            metas[folder.name] = read_plan_meta(folder)
        except PlanextractError as e:
            problems.append(ProblemRow(plan_id=None, doc_path=folder.name, stage="plan.yaml", severity="error",
                                       message=str(e), page=None))
            continue
        documents = plan_documents(folder, formats, problems, corpus)
        if not documents:  # said, never skipped silently
            problems.append(ProblemRow(plan_id=None, doc_path=folder.name, stage="ingest", severity="warning",
                                       message=no_documents_message(formats), page=None))
        for path in documents:
            tasks.append((path, corpus, metas[folder.name], password, cache_dir))
    plans: list[PlanResult] = []
    pending: dict[str, tuple[list, dict]] = {}
    spool_dir = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=out))
    spool = Spool(spool_dir)
    left = {name: sum(1 for t in tasks if t[0].parent.name == name) for name in metas}

    def collect(task, outcome) -> None:
        """Take one document's outcome; merge its plan as soon as the plan's last document is in,
        so that documents do not pile up in memory on a large run."""
        path, status, value = task[0], *outcome
        name = path.parent.name
        if status == "ok":
            seg, furn = value
            docs, furniture = pending.setdefault(name, ([], {}))
            docs.append(seg)
            furniture[seg.info.doc_id] = furn
        else:
            stage, message = {"error": ("ingest", value), "died": ("worker", value), "timeout": ("timeout", value)}.get(
                status, ("internal", f"internal error (a bug, please report): {value}"))
            problems.append(ProblemRow(plan_id=None, doc_path=str(path.relative_to(corpus)), stage=stage,
                                       severity="error", message=message, page=None))
        left[name] -= 1
        if left[name] == 0 and name in pending:
            plan = merge_plan(metas[name], *pending.pop(name))
            analyse_cached(plan, rules, spool, cache_dir)
            # The plan's rows go to the output files now: memory does not grow with the corpus.
            # What stays is the plan row, its documents, its problems and the counts.
            for table in SPOOLED_TABLES:
                plan.counts[table] = spool.add(table, getattr(plan, table))
                setattr(plan, table, [])
            plans.append(plan)

    try:
        _read_all(tasks, jobs, rules, corpus, progress, collect, timeout)
        result = RunResult(plans=plans, problems=problems, themes=theme_rows(rules), spooled=spool.close())
        result.notes = store(result, out)
    finally:
        spool.close()
        shutil.rmtree(spool_dir, ignore_errors=True)
    return result


def _read_all(tasks, jobs, rules, corpus, progress, collect, timeout=None) -> None:
    """Read every document (in worker processes when jobs > 1 or a timeout applies); hand each
    outcome to `collect` in corpus order."""
    if (jobs > 1 and len(tasks) > 1) or (timeout and tasks):
        with WorkerPool(min(max(jobs, 1), len(tasks)), rules, timeout) as pool:
            for i, outcome in pool.read(tasks):  # in corpus order: output does not depend on timing
                collect(tasks[i], outcome)
                if progress:
                    progress(str(tasks[i][0].relative_to(corpus)))
    else:
        _WORKER["rules"] = rules
        for t in tasks:
            if progress:
                progress(str(t[0].relative_to(corpus)))
            collect(t, _work(t))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the run's process dies (even by SIGKILL), so that no
    worker outlives a killed run."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _worker_main(conn, parent: int, rules: Rules | None, rules_dir: str) -> None:
    """A worker: reads one document at a time, as the parent sends them, until told to stop."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops the workers
    for sig in _ENDING_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    if rules is not None:
        _WORKER["rules"] = rules
    else:
        _init_worker(rules_dir)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(_work(task))


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        cause = "; out of memory?" if -exitcode == signal.SIGKILL else ""
        return f"the process reading this document was killed ({name}{cause}); the other documents were read"
    return f"the process reading this document died (exit status {exitcode}); the other documents were read"


class _Worker:
    def __init__(self, ctx, rules: Rules):
        self.conn, child = ctx.Pipe()
        fork = ctx.get_start_method() == "fork"
        # a forked worker shares the parent's loaded rules; a spawned one loads them
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid(), rules if fork else None,
                                                           str(rules.directory)), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.started = 0.0

    def give(self, i: int, task) -> None:
        self.task, self.started = i, time.monotonic()
        self.conn.send(task)

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()


class WorkerPool:
    """Worker processes that read one document each at a time. The pool knows which document each
    worker holds: a worker that dies (OOM killer, a crash in a C library) or overruns the time
    budget costs that document only; it gets a problems row and a fresh worker takes its place."""

    def __init__(self, size: int, rules: Rules, timeout: float | None):
        # Processes, not threads: PyMuPDF and tokenizer objects are never shared. Forked workers
        # start without re-importing (nothing of PyMuPDF is open in this process yet).
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.ctx = multiprocessing.get_context(method)
        self.size, self.rules, self.timeout = size, rules, timeout
        self.workers: list[_Worker] = []

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        for w in self.workers:
            w.stop()
        self.workers = []

    def _replace(self, w: _Worker) -> _Worker:
        w.stop()
        fresh = _Worker(self.ctx, self.rules)
        self.workers[self.workers.index(w)] = fresh
        return fresh

    def read(self, tasks):
        """(index, outcome) of every task, in task order."""
        # largest documents first, so that the last one to finish is a small one
        queue = sorted(range(len(tasks)), key=lambda i: -tasks[i][0].stat().st_size)
        self.workers = [_Worker(self.ctx, self.rules) for _ in range(self.size)]
        done: dict[int, tuple] = {}
        next_out = 0

        def feed(w: _Worker) -> None:
            if queue:
                i = queue.pop(0)
                try:
                    w.give(i, tasks[i])
                except OSError:  # it died while idle: a fresh one takes the document
                    self._replace(w).give(i, tasks[i])

        for w in self.workers:
            feed(w)
        while next_out < len(tasks):
            busy = [w for w in self.workers if w.task is not None]
            wait = None
            if self.timeout:
                wait = max(0.0, min(w.started + self.timeout for w in busy) - time.monotonic())
            ready = mp_wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait)
            for w in busy:
                i = w.task
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        done[i] = w.conn.recv() if w.conn.poll() else None
                    except (EOFError, OSError, pickle.UnpicklingError):
                        done[i] = None
                    if done[i] is None:  # the worker died without an answer
                        w.proc.join(5)
                        done[i] = ("died", _death(w.proc.exitcode))
                        w = self._replace(w)
                    w.task = None
                    feed(w)
                elif self.timeout and time.monotonic() - w.started >= self.timeout:
                    done[i] = ("timeout", f"took longer than the time budget of {self.timeout:g} s per document "
                                          "(--timeout); stopped, the other documents were read")
                    w = self._replace(w)
                    feed(w)
            while next_out in done:
                yield next_out, done.pop(next_out)
                next_out += 1


def failed(result: RunResult, strict: bool = False) -> list[ProblemRow]:
    """The problems that make a run fail: errors, and with `strict` warnings too."""
    levels = {"error", "warning"} if strict else {"error"}
    rows = list(result.problems) + [p for plan in result.plans for p in plan.problems]
    return [p for p in rows if p.severity in levels]


def validate(corpus: Path | str = "corpus", rules_dir: Path | str | None = None) -> list[str]:
    """Check rules/ and every plan.yaml against their schemas; the messages name file, line, key."""
    from .rules import Rules

    messages = []
    try:
        Rules(Path(rules_dir) if rules_dir else None)
    except RulesError as e:
        messages.append(str(e))
    skipped: list[ProblemRow] = []
    for folder in plan_folders(Path(corpus), skipped):
        try:
            read_plan_meta(folder)
        except PlanextractError as e:
            messages.append(str(e))
    messages += [p.message for p in skipped]
    return messages
