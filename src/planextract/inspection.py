"""`planextract inspect`: what the pipeline sees in one document, and why."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .ingest import ingest_document
from .rules import Rules, load_rules
from .segment import segment_document


def inspect_document(path: Path | str, page: int | None = None, explain: bool = False,
                     rules: Rules | None = None) -> dict:
    """A report (plain data, JSON-ready) of furniture, headings, roles, items, tables, unplaced text."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; give a document of corpus/<city>/ (a .pdf, .txt or .md)")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give one document in it (a .pdf, .txt or .md)")
    if page is not None and page < 1:
        raise InputError(f"--page {page}: pages are numbered from 1")
    rules = rules or load_rules()
    doc = ingest_document(path, path.parent.parent, path.parent.name, rules)
    if page is not None and page > doc.info.n_pages:
        raise InputError(f"--page {page}: {path.name} has {doc.info.n_pages} "
                         f"page{'s' if doc.info.n_pages != 1 else ''} (a text rendition is one page)")
    trace: list = [] if explain else None  # type: ignore[assignment]
    seg = segment_document(doc, rules, trace)

    def on_page(p: int | None) -> bool:
        return page is None or p == page

    report = {
        "document": {"path": str(path), "format": doc.info.format, "kind": doc.info.kind,
                     "pages": doc.info.n_pages, "chars": doc.info.chars_total, "assigned": seg.chars_assigned},
        "facts": seg.facts.model_dump(),
        "furniture": [{"page": ln.page, "text": ln.text} for p in doc.pages for ln in p.furniture if on_page(p.number)],
        # the outline step: each heading found, and the evidence it was taken on
        "outline": [{"level": e.level.value, "label": e.label, "title": e.title, "page": e.page,
                     "evidence": "; ".join(e.evidence)} for e in seg.outline.entries if on_page(e.page)],
        "outline_styles": seg.outline.styles,
        "headings": [{"level": n.level.value, "code": n.local_code, "label": n.label, "title": n.title,
                      "new": n.is_new, "page": n.prov.page} for n in seg.nodes if on_page(n.prov.page)],
        "roles": [{"code": r.local_code, "actor": r.actor.value, "label": r.actor_label, "text": r.text,
                   "qualifier": r.qualifier, "page": r.prov.page} for r in seg.roles if on_page(r.prov.page)],
        "items": [{"code": a.local_code, "kind": a.kind.value, "text": a.text, "page": a.prov.page}
                  for a in seg.actions if on_page(a.prov.page)],
        "scores": [{"code": s.local_code, "kind": s.kind.value, "score": s.score, "page": s.prov.page}
                   for s in seg.scores if on_page(s.prov.page)],
        "tables": [{"page": b.table.page, "rows": b.table.n_rows, "cols": b.table.n_cols}
                   for p in doc.pages for b in p.blocks if b.table and on_page(p.number)],
        "unassigned": [{"page": u.prov.page, "reason": u.reason, "text": u.text}
                       for u in seg.unassigned if on_page(u.prov.page)],
        "problems": [p.model_dump() for p in seg.problems],
    }
    if explain:
        report["explain"] = [t.model_dump() for t in trace if t.page is None or on_page(t.page)]
    return report
