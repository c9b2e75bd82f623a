"""pipeline: calls the stages in order. ingest → segment → merge → store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import ValidationError

from .errors import InputError, PlanextractError, RulesError
from .ingest import document_format, ingest_document
from .merge import merge_plan
from .models import PlanMeta, PlanResult, ProblemRow, RunResult, SegmentedDocument
from .prefectures import valid_code
from .rules import Rules, key_line, load_rules, schema_error
from .segment import segment_document
from .store import store

log = logging.getLogger("planextract")

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


def run(corpus: Path | str = "corpus", out: Path | str = "out", formats: tuple[str, ...] = FORMATS,
        rules: Rules | None = None, progress: Callable[[str], None] | None = None,
        password: str | None = None, strict: bool = False) -> RunResult:
    """Every plan folder under `corpus` → DuckDB + CSV under `out`.

    Each document is read on its own: a document that fails becomes an error in `problems` and
    the others go on. With `strict`, warnings count as failures too (see `failed`)."""
    started = time.perf_counter()
    rules = rules or load_rules()
    corpus = Path(corpus)
    plans: list[PlanResult] = []
    problems: list[ProblemRow] = []
    for folder in plan_folders(corpus):
        try:
            meta = read_plan_meta(folder)
        except PlanextractError as e:
            problems.append(ProblemRow(plan_id=None, doc_path=folder.name, stage="plan.yaml", severity="error",
                                       message=str(e), page=None))
            continue
        docs, furniture = [], {}
        for path in plan_documents(folder, formats):
            rel = str(path.relative_to(corpus))
            if progress:
                progress(rel)
            try:
                seg, furn = read_document(path, corpus, meta, rules, password)
            except PlanextractError as e:
                problems.append(ProblemRow(plan_id=None, doc_path=rel, stage="ingest", severity="error",
                                           message=str(e), page=None))
                continue
            except Exception as e:  # a bug: report it, keep going with the other documents
                log.exception("internal error while reading %s", rel)
                problems.append(ProblemRow(plan_id=None, doc_path=rel, stage="internal", severity="error",
                                           message=f"internal error (a bug, please report): {type(e).__name__}: {e}",
                                           page=None))
                continue
            docs.append(seg)
            furniture[seg.info.doc_id] = furn
        if docs:
            plans.append(merge_plan(meta, docs, furniture))
    result = RunResult(plans=plans, problems=problems)
    store(result, Path(out))
    result.seconds = time.perf_counter() - started
    return result


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
