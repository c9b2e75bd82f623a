"""pipeline: calls the stages in order. ingest → segment → merge → store."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .compare import analyse_plan, text_rows, theme_rows
from .errors import InputError, PlanextractError, RulesError
from .ingest import document_format, ingest_document
from .merge import merge_plan
from .models import PlanMeta, PlanResult, ProblemRow, RunResult, SegmentedDocument
from .prefectures import valid_code
from .rules import Rules, key_line, load_rules, schema_error
from .segment import segment_document
from .store import Spool, store

log = logging.getLogger("planextract")

# PlanResult lists written to the output as each plan is done (RunResult keeps their counts)
SPOOLED_TABLES = ("nodes", "roles", "actions", "scores", "ratings", "unassigned", "furniture")

PLAN_FILE = "plan.yaml"
FORMATS = ("pdf", "text")


def read_plan_meta(folder: Path) -> PlanMeta:
    path = folder / PLAN_FILE
    if not path.exists():
        raise RulesError(f"{path}: missing (it holds the city's name and local government code)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{path}:{where} is not valid YAML") from e
    if not isinstance(data, dict):
        raise RulesError(f"{path}: expected keys city, city_code (a mapping)")
    data.setdefault("slug", folder.name)
    try:
        meta = PlanMeta.model_validate(data)
    except ValidationError as e:
        raise schema_error(path, e) from e
    if not valid_code(meta.city_code):
        line = key_line(path, ("city_code",))
        raise RulesError(f"{path}: line {line}, key 'city_code': {meta.city_code!r} is not a valid 6-digit "
                         "local government code")
    return meta


def plan_folders(corpus: Path) -> list[Path]:
    if not corpus.is_dir():
        raise InputError(f"{corpus}: corpus folder not found")
    return sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))


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


def plan_documents(folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """Documents to read. A PDF and its text rendition are one document: the PDF is read, and the
    text rendition only when there is no PDF of it (or when only text is asked for)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and document_format(p) in formats)
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
    return cache_dir / f"{data_sha}-{rules.version}-{code_version()}.json"


def read_document_cached(path: Path, corpus: Path, meta: PlanMeta, rules: Rules, password: str | None,
                         cache_dir: Path | None):
    """read_document, or its result from an earlier run when file, rules and code are unchanged."""
    if cache_dir is None:
        return read_document(path, corpus, meta, rules, password)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    entry = cache_path(cache_dir, sha, rules)
    rel = path.relative_to(corpus).as_posix()
    if entry.exists():
        cached = CachedDocument.model_validate_json(entry.read_bytes())
        seg = cached.segmented
        seg.info.path, seg.info.plan_slug = rel, meta.slug  # the same bytes may sit elsewhere now
        for pr in seg.problems:
            pr.doc_path = rel
        return seg, cached.furniture
    seg, furniture = read_document(path, corpus, meta, rules, password)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(CachedDocument(segmented=seg, furniture=furniture).model_dump_json(), encoding="utf-8")
    tmp.replace(entry)
    return seg, furniture


def analyse_cached(plan: PlanResult, rules: Rules, spool: Spool, cache_dir: Path | None) -> None:
    """Tokens and themes of a plan, into the spool; reused from the cache when the plan's text,
    the rules and the code are those of an earlier run (then no tokenizer is even loaded)."""
    entry = None
    if cache_dir is not None:
        digest = hashlib.sha256(f"{rules.version}:{code_version()}".encode())
        for ref, text, kind in text_rows(plan):
            digest.update(f"{ref}\t{kind}\t{text}\n".encode())
        entry = cache_dir / f"plan-{plan.plan.plan_id}-{digest.hexdigest()[:24]}"
        tokens, themes = entry.with_suffix(".tokens.csv"), entry.with_suffix(".themes.csv")
        if tokens.exists() and themes.exists():
            spool.add_text("tokens", tokens.read_text(encoding="utf-8"))
            spool.add_text("item_themes", themes.read_text(encoding="utf-8"))
            return
    tokens_buf, themes_buf = io.StringIO(), io.StringIO()
    analyse_plan(plan, rules, csv.writer(tokens_buf, lineterminator="\n"), csv.writer(themes_buf, lineterminator="\n"))
    spool.add_text("tokens", tokens_buf.getvalue())
    spool.add_text("item_themes", themes_buf.getvalue())
    if entry is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        entry.with_suffix(".tokens.csv").write_text(tokens_buf.getvalue(), encoding="utf-8")
        entry.with_suffix(".themes.csv").write_text(themes_buf.getvalue(), encoding="utf-8")


_WORKER: dict = {}


def _init_worker(rules_dir: str) -> None:
    """Each worker process loads the rules once."""
    _WORKER["rules"] = load_rules(rules_dir)


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


def run(corpus: Path | str = "corpus", out: Path | str = "out", formats: tuple[str, ...] = FORMATS,
        rules: Rules | None = None, progress: Callable[[str], None] | None = None,
        password: str | None = None, jobs: int = 1, cache: bool = True) -> RunResult:
    """Every plan folder under `corpus` → DuckDB + CSV under `out`.

    Each document is read on its own (in `jobs` worker processes; the CLI uses one per core): a document
    that fails becomes an error in `problems` and the others go on. The result holds each plan's
    row, documents, problems and row counts (`PlanResult.counts`); the rows themselves are in the
    output (`planextract.connect(out)`), written as each plan is done. Results per document are cached
    under `out/.cache` by the file's sha256 and the rules' and code's versions, so a re-run with
    unchanged inputs only merges and stores."""
    started = time.perf_counter()
    rules = rules or load_rules()
    corpus = Path(corpus)
    cache_dir = Path(out) / ".cache" if cache else None
    problems: list[ProblemRow] = []
    tasks = []
    metas: dict[str, PlanMeta] = {}
    for folder in plan_folders(corpus):
        try:
            metas[folder.name] = read_plan_meta(folder)
        except PlanextractError as e:
            problems.append(ProblemRow(plan_id=None, doc_path=folder.name, stage="plan.yaml", severity="error",
                                       message=str(e), page=None))
            continue
        for path in plan_documents(folder, formats):
            tasks.append((path, corpus, metas[folder.name], password, cache_dir))
    plans: list[PlanResult] = []
    pending: dict[str, tuple[list, dict]] = {}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    spool_dir = Path(tempfile.mkdtemp(prefix=f".{Path(out).name}.spool-", dir=Path(out).parent))
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
            stage, message = ("ingest", value) if status == "error" else \
                ("internal", f"internal error (a bug, please report): {value}")
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
        _read_all(tasks, jobs, rules, corpus, progress, collect)
        result = RunResult(plans=plans, problems=problems, themes=theme_rows(rules), spooled=spool.close())
        store(result, Path(out))
    finally:
        spool.close()
        shutil.rmtree(spool_dir, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


def _read_all(tasks, jobs, rules, corpus, progress, collect) -> None:
    """Read every document (in worker processes when jobs > 1); hand each outcome to `collect`
    in corpus order."""
    if jobs > 1 and len(tasks) > 1:
        # Worker processes, not threads: PyMuPDF and tokenizer objects are never shared. Forked
        # workers start without re-importing (nothing of PyMuPDF is open in this process yet).
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        # largest documents first, so that the last one to finish is a small one
        order = sorted(range(len(tasks)), key=lambda i: -tasks[i][0].stat().st_size)
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx, initializer=_init_worker,
                                 initargs=(str(rules.directory),)) as pool:
            futures = {i: pool.submit(_work, tasks[i]) for i in order}
            for i, t in enumerate(tasks):  # read back in corpus order: output does not depend on timing
                collect(t, futures.pop(i).result())
                if progress:
                    progress(str(t[0].relative_to(corpus)))
    else:
        _WORKER["rules"] = rules
        for t in tasks:
            if progress:
                progress(str(t[0].relative_to(corpus)))
            collect(t, _work(t))



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
    for folder in plan_folders(Path(corpus)):
        try:
            read_plan_meta(folder)
        except PlanextractError as e:
            messages.append(str(e))
    return messages
