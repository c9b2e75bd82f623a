"""segment, last step: a policy one document places under two goals.

A 施策の体系 drawn as boxes, a tree read in the wrong order or an overview that runs its numbers
on can put a policy under the wrong goal; the body's chapter then states it again under its own
goal, with its items. The statement that carries content (roles, actions, scores) is the one the
plan means: the bare one elsewhere is withdrawn and the policies after it move up, since a policy's
code is its position under its goal. Nothing with content is ever moved or dropped.
"""

from __future__ import annotations

from ..models import Level, NodeRecord, SegmentedDocument
from ..normalise import similar

SAME_TITLE = 0.9


def _goal_of(code: str) -> str:
    return code.split(".", 1)[0]


def _records(out: SegmentedDocument) -> list:
    return [*out.roles, *out.actions, *out.scores, *out.ratings]


def misplaced_policies(out: SegmentedDocument) -> list[NodeRecord]:
    """Policies without content whose title is a policy with content under another goal."""
    used = {r.local_code for r in _records(out)}
    policies = [n for n in out.nodes if n.level == Level.policy and n.title and "." in n.local_code
                and n.local_code.split(".", 1)[0].isdigit()]
    out_of_place = []
    for bare in policies:
        if bare.local_code in used:
            continue
        for full in policies:
            if (full.local_code in used and _goal_of(full.local_code) != _goal_of(bare.local_code)
                    and similar(full.title, bare.title) >= SAME_TITLE):
                out_of_place.append(bare)
                break
    return out_of_place


def drop_misplaced_policies(out: SegmentedDocument) -> dict[str, str]:
    """Withdraw the misplaced policies and renumber the goals they left. Returns old → new codes.
    A goal whose later policies carry content is renumbered too: their records follow the codes."""
    drop = misplaced_policies(out)
    if not drop:
        return {}
    gone = {n.local_code for n in drop}
    renamed: dict[str, str] = {}
    for goal in sorted({_goal_of(c) for c in gone}):
        kept = [n for n in out.nodes if n.level == Level.policy and _goal_of(n.local_code) == goal
                and n.local_code not in gone]
        # positions as printed: the order of their codes, not of their statement
        kept.sort(key=lambda n: int(n.local_code.split(".", 1)[1]) if n.local_code.split(".", 1)[1].isdigit() else 0)
        for i, n in enumerate(kept, start=1):
            new = f"{goal}.{i}"
            if n.local_code != new:
                renamed[n.local_code] = new
    out.nodes = [n for n in out.nodes if n.local_code not in gone]
    for n in out.nodes:
        n.local_code = renamed.get(n.local_code, n.local_code)
    for r in _records(out):
        r.local_code = renamed.get(r.local_code, r.local_code)
    return renamed
