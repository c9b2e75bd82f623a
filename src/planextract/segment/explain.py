"""`inspect --explain`: for each paragraph and table, what the three steps of segment made of it
(outline: heading evidence; blocks: the rule it met; attribution: the node open and what it added),
and, when its text was left unplaced, at which step it was lost."""

from __future__ import annotations

from ..models import Decision, SegmentedDocument


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
    label = seg.actor_of(text) if len(text) <= 24 else None
    if label:
        return f"actor label {label[0].value} ({label[1]})"
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


# unplaced reasons and the step that let the text go
_LOST = (("outside a policy", "attribution"), ("outside any extracted item", "blocks"),
         ("outside an extracted section", "attribution"), ("not extracted", "attribution"),
         ("outside a policy or actor", "attribution"), ("prose under", "attribution"))


def lost_at(rule: str, evidence: str, result: str, under: str) -> str:
    """Which step let a paragraph's text go unplaced, in words (empty when nothing was lost)."""
    if "unassigned (" not in result or under.endswith("ignore"):
        return ""  # (under 成果指標 and the like, text is set aside on purpose)
    reason = result.split("unassigned (", 1)[1].split(")", 1)[0]
    step = next((s for key, s in _LOST if key in reason), "")
    if step == "blocks" and evidence:
        step = "attribution"  # the outline took it as a heading, yet nothing was opened
    if step == "blocks":
        return "blocks: no rule read it as a heading, section, actor label or item (numbering, " \
               "typography and repetition gave no evidence either)"
    if step == "attribution":
        return f"attribution: read as {rule}, but no node or section was open to take it (under {under})"
    return f"{reason}"


def record(seg, page: int | None, line: int | None, what: str, text: str, rule: str, evidence: str,
           under: str, before: dict[str, int]) -> None:
    """Append one decision to the Segmenter's trace."""
    result = delta(seg, before)
    seg.trace.append(Decision(page=page, line=line, what=what, text=text, rule=rule, evidence=evidence,
                              under=under, result=result, lost_at=lost_at(rule, evidence, result, under)))
