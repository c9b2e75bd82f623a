"""merge: the documents of one plan → one plan with canonical codes.

The reference for the hierarchy is the document that states the most policies (the plan body or
an evaluation sheet usually; an overview sheet may regroup or renumber). Nodes of the other
documents are matched to it by title, not by printed number; a commitment restated in another
document (or another sheet of the same document) is one row.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .models import (
    ActionRow,
    DocumentRow,
    FurnitureRow,
    Level,
    NodeRecord,
    NodeRow,
    PlanMeta,
    PlanResult,
    PlanRow,
    ProblemRow,
    RatingRow,
    RoleRow,
    ScoreRow,
    SegmentedDocument,
    UnassignedRow,
)
from .normalise import Matcher, clipped, completes, label_form, similar, squash_space
from .prefectures import prefecture_of

from .segment.facts import best_edition

KIND_PRIORITY = {"plan": 0, "evaluation": 1, "diagram": 2, "overview": 3, "minutes": 4, "other": 5}
_ENDING = re.compile(r"(?:します|ます|する|る|ります|ています|ている)?。?$")


def _core(text: str) -> str:
    """A commitment without its sentence ending, for matching restatements."""
    return _ENDING.sub("", text)


def choose_reference(docs: list[SegmentedDocument]) -> SegmentedDocument:
    def key(d: SegmentedDocument):
        n_pol = sum(1 for n in d.nodes if n.level == Level.policy)
        return (-n_pol, KIND_PRIORITY.get(d.info.kind, 9), d.info.path)
    return sorted(docs, key=key)[0]


def _prefix(code: str) -> str:
    return code.split(".")[0]


def map_nodes(ref: SegmentedDocument, doc: SegmentedDocument, canon: dict[str, NodeRecord]) -> dict[str, str]:
    """local code in `doc` → canonical code; adds nodes the reference does not have."""
    mapping: dict[str, str] = {}
    # goals first
    for n in doc.nodes:
        if n.level != Level.goal:
            continue
        best = _best(n, [c for c in canon.values() if c.level == Level.goal], 0.8)
        code = best.local_code if best else (n.local_code if n.local_code in canon else None)
        if code is None:
            code = n.local_code
            canon[code] = n.model_copy()
        mapping[n.local_code] = code
        _fill(canon[code], n)
    for n in doc.nodes:
        if n.level != Level.policy:
            continue
        goal_local = n.local_code.split(".")[0]
        goal = mapping.get(goal_local, goal_local)
        pols = [c for c in canon.values() if c.level == Level.policy]
        best = _best(n, [c for c in pols if _prefix(c.local_code) == goal], 0.75) or _best(n, pols, 0.85)
        if best is None and n.local_code in canon and (not canon[n.local_code].title or not n.title):
            best = canon[n.local_code]
        _place(n, best, goal, canon, mapping)
    for n in doc.nodes:
        if n.level != Level.focus:
            continue
        prefix = _prefix(n.local_code)
        same = [c for c in canon.values() if c.level == Level.focus and _prefix(c.local_code) == prefix]
        _place(n, _best(n, same, 0.75), prefix, canon, mapping, keep_code=True)
    return mapping


def _place(n: NodeRecord, best: NodeRecord | None, prefix: str, canon: dict[str, NodeRecord],
           mapping: dict[str, str], keep_code: bool = False) -> None:
    """Map `n` onto `best`, or add it to the plan under the next free code of `prefix`."""
    if best is not None:
        code = best.local_code
    else:
        code = n.local_code if keep_code and n.local_code not in canon else None
        k = 1 + sum(1 for c in canon if _prefix(c) == prefix and "." in c)
        while code is None or code in canon:
            code = f"{prefix}.{k}"
            k += 1
        canon[code] = n.model_copy(update={"local_code": code})
    mapping[n.local_code] = code
    _fill(canon[code], n)


def _best(n: NodeRecord, candidates: list[NodeRecord], threshold: float) -> NodeRecord | None:
    if not n.title:
        return None
    best, score = None, threshold
    for c in candidates:
        s = similar(c.title, n.title) if c.title else 0.0
        if s < threshold and c.title and clipped(c.title, n.title):
            s = threshold  # one statement's title was cut short (a page edge): the same node
        if s >= score:
            best, score = c, s
    return best


def _fill(target: NodeRecord, other: NodeRecord) -> None:
    if completes(target.title, other.title):
        target.title = other.title  # (the whole title, where the first statement had it cut short)
    if not target.description and other.description:
        target.description = other.description
    if not target.label and other.label:
        target.label = other.label
    target.is_new = target.is_new or other.is_new


def share(part: int, whole: int) -> float:
    return round(min(part, whole) / whole, 4) if whole else 0.0


def document_row(plan_id: str, d: SegmentedDocument, furniture_chars: int) -> DocumentRow:
    """The document's row with three figures over its characters (white space not counted):
    coverage: accounted for anywhere (rows, the tree's headings and labels, unassigned, furniture);
    of the text that is not page furniture, extracted: in rows (or headings and labels), and
    kept: in rows or in `unassigned` (set aside, with a reason)."""
    total = d.info.chars_total
    assigned = min(total, d.chars_assigned + furniture_chars)
    unassigned = sum(len(squash_space(u.text)) for u in d.unassigned)
    content = max(0, total - furniture_chars)
    in_rows = max(0, d.chars_assigned - unassigned)
    return DocumentRow(doc_id=d.info.doc_id, plan_id=plan_id, path=d.info.path, sha256=d.info.sha256,
                       kind=d.info.kind, format=d.info.format, n_pages=d.info.n_pages, chars_total=total,
                       chars_assigned=assigned, coverage=share(assigned, total),
                       chars_unassigned=unassigned, chars_furniture=min(furniture_chars, total), extracted=share(in_rows, content),
                       kept=share(in_rows + unassigned, content))


def merge_plan(meta: PlanMeta, docs: list[SegmentedDocument],
               furniture: dict[str, list[tuple[int | None, str]]] | None = None) -> PlanResult:
    """`furniture`: per doc_id, the (page, text) lines ingest set aside as page furniture."""
    furniture = furniture or {}
    order = sorted(docs, key=lambda d: (KIND_PRIORITY.get(d.info.kind, 9), d.info.path))
    ref = choose_reference(docs)
    canon: dict[str, NodeRecord] = {}
    mappings: dict[str, dict[str, str]] = {}
    for n in ref.nodes:
        canon[n.local_code] = n.model_copy()
    mappings[ref.info.doc_id] = {n.local_code: n.local_code for n in ref.nodes}
    for d in [ref] + [d for d in order if d is not ref]:
        if d is ref:
            continue
        mappings[d.info.doc_id] = map_nodes(ref, d, canon)

    facts_docs = order
    edition = None
    for d in facts_docs:
        if d.facts.titles and best_edition(d.facts):
            edition = best_edition(d.facts)
            break
    if edition is None:
        eds = [e for d in facts_docs for e in d.facts.editions]
        edition = max(eds) if eds else meta.edition
    period = next((p for d in facts_docs for p in d.facts.periods), None)
    visions = [v for d in facts_docs for v in d.facts.visions if v] or \
        [v for d in facts_docs for v in d.facts.other_visions if v] or \
        [v for d in facts_docs for v in d.facts.slogans if v]
    vision = visions[0] if visions else None
    title = next((t for d in facts_docs for t in d.facts.titles), None)
    plan_id = f"{meta.slug}-{edition}" if edition else meta.slug
    plan = PlanRow(plan_id=plan_id, city=meta.city, city_code=meta.city_code,
                   prefecture=meta.prefecture or prefecture_of(meta.city_code), title=title, edition=edition,
                   period_start_fy=period[0] if period else None, period_end_fy=period[1] if period else None,
                   vision=vision)

    # provenance of the first place each canonical node was found
    first_place: dict[str, tuple[str, int | None]] = {}
    for d in [ref] + [x for x in order if x is not ref]:
        m = mappings[d.info.doc_id]
        for n in d.nodes:
            code = m.get(n.local_code)
            if code and code not in first_place:
                first_place[code] = (d.info.doc_id, n.prov.page)

    nodes = []
    for code, n in sorted(canon.items(), key=lambda kv: _sort_key(kv[0])):
        parent = code.split(".")[0] if n.level == Level.policy else None
        doc_id, page = first_place.get(code, (n.prov.doc_id, n.prov.page))
        nodes.append(NodeRow(plan_id=plan_id, level=n.level.value, code=code, label=label_form(n.label), title=n.title,
                             parent_code=parent, description=n.description, is_new=n.is_new,
                             doc_id=doc_id, page=page, ref=f"node:{plan_id}:{code}"))

    roles = merge_roles(plan_id, [ref] + [x for x in order if x is not ref], mappings)

    actions = merge_actions(plan_id, [ref] + [x for x in order if x is not ref], mappings)

    scores: list[ScoreRow] = []
    seen_scores = set()
    for d in order:
        m = mappings[d.info.doc_id]
        for s in d.scores:
            code = m.get(s.local_code, s.local_code)
            key = (code, s.kind.value, s.actor.value if s.actor else None, s.fiscal_year, s.score)
            if key in seen_scores:
                continue
            seen_scores.add(key)
            scores.append(ScoreRow(plan_id=plan_id, policy_code=code, kind=s.kind.value,
                                   actor=s.actor.value if s.actor else None, fiscal_year=s.fiscal_year,
                                   score=s.score, scale=s.scale, doc_id=s.prov.doc_id, page=s.prov.page))
    ratings = []
    for d in order:
        m = mappings[d.info.doc_id]
        for r in d.ratings:
            ratings.append(RatingRow(plan_id=plan_id, policy_code=m.get(r.local_code, r.local_code),
                                     actor=r.actor.value if r.actor else None, department=r.department,
                                     score=r.score, raw_text=r.raw_text, doc_id=r.prov.doc_id, page=r.prov.page))
    unassigned = [UnassignedRow(plan_id=plan_id, doc_id=u.prov.doc_id, page=u.prov.page,
                                bbox=",".join(f"{v:.1f}" for v in u.prov.bbox) if u.prov.bbox else None,
                                text=u.text, reason=u.reason)
                  for d in order for u in d.unassigned]
    furniture_rows = [FurnitureRow(plan_id=plan_id, doc_id=d.info.doc_id, page=page, text=text)
                      for d in order for page, text in furniture.get(d.info.doc_id, [])]
    problems = [ProblemRow(plan_id=plan_id, doc_path=p.doc_path, stage=p.stage, severity=p.severity,
                           message=p.message, page=p.page) for d in order for p in d.problems]
    documents = [document_row(plan_id, d, sum(len(squash_space(t)) for _, t in furniture.get(d.info.doc_id, [])))
                 for d in order]
    return PlanResult(plan=plan, documents=documents, nodes=nodes, roles=roles, actions=actions, scores=scores,
                      ratings=ratings, unassigned=unassigned, furniture=furniture_rows, problems=problems)


def _numbered(marker: str | None) -> bool:
    """A marker that numbers an item (①, (2), 3.), not a bullet (・, ●) every item of a list shares."""
    return bool(marker) and any(ch.isdigit() for ch in unicodedata.normalize("NFKC", marker))


def _absorb(row: RoleRow | ActionRow, doc_id: str, page: int | None) -> None:
    """Record on the kept row where the restatement it absorbed was printed (doc_id:page)."""
    place = f"{doc_id}:{page if page is not None else ''}"
    row.merged_from = f"{row.merged_from};{place}" if row.merged_from else place


def _from_other_sources(by_source: dict[tuple[str, int], list[int]], source: tuple[str, int]) -> list[int]:
    """Kept items (indexes) of every source but `source`: the items of one list never absorb each other."""
    return [i for src, kept in by_source.items() if src != source for i in kept]


def _closest(core: str, candidates: list[int], matchers: list[Matcher], cores: list[str],
             threshold: float) -> int | None:
    """The kept item most like `core` among `candidates` (indexes), when one is at least `threshold`
    alike: a restated list joins each item to its own counterpart, not all to the first."""
    passing = [i for i in candidates if matchers[i].at_least(core, threshold)]
    return max(passing, key=lambda i: (similar(cores[i], core), -i)) if passing else None


def merge_actions(plan_id: str, docs: list[SegmentedDocument],
                  mappings: dict[str, dict[str, str]]) -> list[ActionRow]:
    """Actions of every document under their canonical node. An item that restates one of another
    source (another document, or another sheet of the same document) of the same node and kind is
    one row, which records the place it absorbed; the items of one list are never merged with each
    other, however alike (parallel items: 高齢者の…の実施 / 障がい者の…の実施)."""
    actions: list[ActionRow] = []
    matchers: list[Matcher] = []
    cores: list[str] = []
    by_node: dict[tuple[str, str], dict[tuple[str, int], list[int]]] = {}  # node, kind → source → indexes
    for d in docs:
        m = mappings[d.info.doc_id]
        for a in d.actions:
            code = m.get(a.local_code, a.local_code)
            source = (d.info.doc_id, a.unit)
            same_node = by_node.setdefault((code, a.kind.value), {})
            core = squash_space(_core(a.text))
            match = _closest(core, _from_other_sources(same_node, source), matchers, cores, 0.8)
            if match is not None:
                _absorb(actions[match], a.prov.doc_id, a.prov.page)
                continue
            seq = 1 + sum(len(kept) for kept in same_node.values())
            same_node.setdefault(source, []).append(len(actions))
            actions.append(ActionRow(plan_id=plan_id, parent_code=code, kind=a.kind.value, seq=seq, text=a.text,
                                     doc_id=a.prov.doc_id, page=a.prov.page,
                                     ref=f"action:{plan_id}:{code}:{a.kind.value}:{seq}"))
            matchers.append(Matcher(core))
            cores.append(core)
    return actions


def merge_roles(plan_id: str, docs: list[SegmentedDocument], mappings: dict[str, dict[str, str]]) -> list[RoleRow]:
    """The first source of roles (a document, or one sheet of it) is kept whole. Later sources
    restate it: their items are kept only when they match nothing kept from another source: not the
    same actor's items, not another actor's items of the same policy (restatements drift between
    rows of a wide sheet), not the same numbered item. The items of one source are never merged with
    each other (parallel items of one list); a merged item is recorded on the row it joined."""
    roles: list[RoleRow] = []
    sources: list[tuple[str, int]] = []  # per kept row, where it came from
    markers: dict[tuple[str, str, str], int] = {}
    matchers: list[Matcher] = []
    cores: list[str] = []
    # policy (or actor) → source → indexes into roles/matchers/cores
    by_policy: dict[str, dict[tuple[str, int], list[int]]] = {}
    by_actor: dict[str, dict[tuple[str, int], list[int]]] = {}
    n_rows: Counter = Counter()  # (policy, actor) → rows kept
    for d in docs:
        m = mappings[d.info.doc_id]
        for r in d.roles:
            source = (d.info.doc_id, r.unit)
            code = m.get(r.local_code, r.local_code)
            core = squash_space(_core(r.text))
            same_policy = _from_other_sources(by_policy.get(code, {}), source)
            same_actor = _from_other_sources(by_actor.get(r.actor.value, {}), source)
            numbered = markers.get((code, r.actor.value, r.marker)) if _numbered(r.marker) else None
            match = _closest(core, same_policy, matchers, cores, 0.75)
            if match is None:
                match = _closest(core, same_actor, matchers, cores, 0.85)
            if match is None and numbered is not None and sources[numbered] != source:
                match = numbered
            if match is not None:
                _absorb(roles[match], r.prov.doc_id, r.prov.page)
                continue
            n_rows[code, r.actor.value] += 1
            seq = n_rows[code, r.actor.value]
            roles.append(RoleRow(plan_id=plan_id, policy_code=code, actor=r.actor.value, actor_label=r.actor_label,
                                 qualifier=r.qualifier, seq=seq, text=r.text, doc_id=r.prov.doc_id,
                                 page=r.prov.page, ref=f"role:{plan_id}:{code}:{r.actor.value}:{seq}"))
            i = len(matchers)
            by_policy.setdefault(code, {}).setdefault(source, []).append(i)
            by_actor.setdefault(r.actor.value, {}).setdefault(source, []).append(i)
            sources.append(source)
            matchers.append(Matcher(core))
            cores.append(core)
            if _numbered(r.marker):
                markers.setdefault((code, r.actor.value, r.marker), i)
    return roles


def _sort_key(code: str) -> tuple:
    parts = code.split(".")
    head = parts[0]
    if head.isdigit():
        return (0, int(head), int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0)
    return (1, head, int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0)
