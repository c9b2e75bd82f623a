"""`inspect --explain`: which rule a paragraph met, and what reading it added."""

from __future__ import annotations

from ..models import SegmentedDocument


def rule_of(seg, text: str) -> str:
    """Which rule a paragraph meets first (for `inspect --explain`)."""
    n = seg.narration.match(text)
    if n:
        return f"narration:{n[0]}"
    sec = seg.match_section(text)
    if sec:
        return f"section:{sec[0]}"
    head = seg.match_heading(text)
    if head:
        return f"heading:{head[0]}"
    actor = seg.role_heading(text)
    if actor:
        return f"role section of {actor[0].value} ({actor[1]})"
    if seg.marks.starts_item(text):
        return "list item"
    return "no rule (prose)"


def evidence_of(seg, text: str) -> str:
    """Why the outline step took a paragraph as a heading (numbering, nesting, repetition, typography)."""
    entry = seg.outline_entry(text)
    return "; ".join(entry.evidence) if entry is not None else ""


def counts(o: SegmentedDocument) -> dict[str, int]:
    return {"nodes": len(o.nodes), "roles": len(o.roles), "actions": len(o.actions), "scores": len(o.scores),
            "ratings": len(o.ratings), "unassigned": len(o.unassigned), "visions": len(o.facts.visions)}


def delta(seg, before: dict[str, int]) -> str:
    """What a step added, in words: the nodes it opened, the rows it made, why text was set aside."""
    after = counts(seg.out)
    parts = []
    for key, n in after.items():
        d = n - before[key]
        if d <= 0:
            continue
        if key == "nodes":
            parts += [f"{x.level.value} {x.local_code} {x.title[:30]!r}" for x in seg.out.nodes[-d:]]
        elif key == "unassigned":
            parts += sorted({f"unassigned ({u.reason})" for u in seg.out.unassigned[-d:]})
        else:
            parts.append(f"{d} {key}")
    if not parts and seg.section:
        parts.append(f"in section {seg.section}")
    return "; ".join(parts) or "structure"
