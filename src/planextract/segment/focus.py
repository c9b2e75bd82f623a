"""Focus lists: their final codes, and the embedded plan a list belongs to when its box was lost."""

from __future__ import annotations

from ..models import Level, NodeRecord, SegmentedDocument
from ..rules import Rules


def attribute_focus_groups(out: SegmentedDocument, rules: Rules) -> None:
    """Give focus groups their final codes (focus.N); a group whose items mostly use an embedded
    plan's keywords becomes that plan's (guardianship.N) when no list of that plan was boxed."""
    groups: dict[str, list[NodeRecord]] = {}
    for n in out.nodes:
        if n.local_code.startswith("focusg"):
            groups.setdefault(n.local_code.split(".")[0], []).append(n)
    remap: dict[str, str] = {}
    used = {n.local_code.split(".")[0] for n in out.nodes if n.level == Level.focus}
    for gname, members in groups.items():
        target = "focus"
        for plan in rules.sections.embedded_plans:
            if plan.code in used:
                continue
            hits = 0
            for n in members:
                texts = [n.title] + [a.text for a in out.actions if a.local_code == n.local_code]
                if any(k in t for k in plan.keywords for t in texts):
                    hits += 1
            if hits * 2 > len(members):
                target = plan.code
                break
        for n in members:
            remap[n.local_code] = f"{target}.{n.local_code.split('.', 1)[1]}"
        used.add(target)
    if not remap:
        return
    seen: set[str] = {n.local_code for n in out.nodes if n.local_code not in remap}
    for n in out.nodes:
        if n.local_code in remap:
            new = remap[n.local_code]
            if new in seen:  # a second list of the same kind: keep both, numbered on
                prefix = new.split(".")[0]
                k = 1
                while f"{prefix}.{k}" in seen:
                    k += 1
                new = f"{prefix}.{k}"
                remap[n.local_code] = new
            seen.add(new)
            n.local_code = new
    for a in out.actions:
        a.local_code = remap.get(a.local_code, a.local_code)
