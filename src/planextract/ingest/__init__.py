"""ingest: the only stage that reads documents. PDF or text → IngestedDocument."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError
from ..models import DocumentInfo, IngestedDocument, Page, Problem
from ..normalise import drop_format_chars, squash_space
from ..rules import Rules
from .pdf import ingest_pdf
from .text import ingest_text

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md"}

def document_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def guess_kind(name: str, first_text: str, rules: Rules) -> str:
    """The document's kind from words in its file name and first lines (rules/documents.yaml)."""
    probe = f"{name} {first_text[:400]}".lower()
    for kind in rules.documents.kinds:
        if any(w.lower() in probe for w in kind.words):
            return kind.kind
    return "other"


def drop_format_chars_of(pages: list[Page]) -> None:
    """Format characters (U+202E, U+200B, U+FEFF …) out of every line read, before anything
    matches patterns on the text: they are invisible, change nothing a reader sees but the order
    of what is shown, and would otherwise hide a heading from its pattern or reach the output."""
    for p in pages:
        lines = [b.line for b in p.blocks if b.line] + p.furniture
        lines += [ln for b in p.blocks if b.table for c in b.table.cells for ln in c.lines]
        for ln in lines:
            ln.text = drop_format_chars(ln.text)


def count_chars(pages: list[Page]) -> int:
    """Characters of everything read (body lines, table cells, furniture), white space not counted."""
    total = 0
    for p in pages:
        for b in p.blocks:
            if b.line:
                total += len(squash_space(b.line.text))
            elif b.table:
                total += sum(len(squash_space(ln.text)) for c in b.table.cells for ln in c.lines)
        total += sum(len(squash_space(ln.text)) for ln in p.furniture)
    return total


def ingest_document(path: Path, corpus_root: Path, plan_slug: str, rules: Rules,
                    password: str | None = None) -> IngestedDocument:
    fmt = document_format(path)
    if fmt is None:
        raise InputError(f"{path}: unsupported file type (expected {', '.join(sorted(PDF_SUFFIXES | TEXT_SUFFIXES))})")
    data = path.read_bytes()
    if not data:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    sha = hashlib.sha256(data).hexdigest()
    rel = path.relative_to(corpus_root).as_posix() if path.is_relative_to(corpus_root) else str(path)
    title_hint = None
    warnings: list[tuple[int, str]] = []
    bookmarks = []
    if fmt == "pdf":
        if b"%PDF" not in data[:1024]:
            raise InputError(f"{path}: named .pdf but is not a PDF file")
        pages, title_hint, warnings, bookmarks = ingest_pdf(str(path), password)
    else:
        pages = ingest_text(str(path), data, rules)
    drop_format_chars_of(pages)
    first = " ".join(b.line.text for p in pages[:1] for b in p.blocks[:12] if b.line)
    info = DocumentInfo(doc_id=sha[:12], plan_slug=plan_slug, path=rel, sha256=sha, format=fmt,
                        kind=guess_kind(path.name, f"{title_hint or ''} {first}", rules),
                        n_pages=len(pages), title_hint=title_hint, chars_total=count_chars(pages))
    problems = [Problem(doc_path=rel, stage="ingest", severity="warning", message=msg, page=page)
                for page, msg in warnings]
    return IngestedDocument(info=info, pages=pages, bookmarks=bookmarks, problems=problems)
