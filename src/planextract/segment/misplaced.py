"""segment, last step: a policy one document places under two goals.

A 施策の体系 drawn as boxes, a tree read in the wrong order or an overview that runs its numbers
on can put a policy under the wrong goal; the body's chapter then states it again under its own
goal, with its items. The statement that carries content (roles, actions, scores) is the one the
plan means: the bare one elsewhere is withdrawn and the policies after it move up, since a policy's
code is its position under its goal. Nothing with content is ever moved or dropped.

The same reading can state a goal's policies out of order (ハ before ロ); where every policy of a
goal carries a printed number and no two share one, the numbers give the positions.
"""

from __future__ import annotations

from ..models import Level, NodeRecord, SegmentedDocument
from ..normalise import similar

SAME_TITLE = 0.9


def _goal_of(code: str) -> str:
    return code.split(".", 1)[0]


def _records(out: SegmentedDocument) -> list:
    return [*out.roles, *out.actions, *out.scores, *out.ratings]


def _goal_policies(out: SegmentedDocument) -> list[NodeRecord]:
    """Policies coded under a numbered goal (1.2), not focus items or embedded plans."""
    return [n for n in out.nodes if n.level == Level.policy and "." in n.local_code
            and _goal_of(n.local_code).isdigit()]


def _position(n: NodeRecord) -> int:
    """A policy's place under its goal, from its code (1.3 → 3)."""
    tail = n.local_code.split(".", 1)[1]
    return int(tail) if tail.isdigit() else 0


def misplaced_policies(out: SegmentedDocument) -> list[NodeRecord]:
    """Policies without content whose title is a policy with content under another goal."""
    used = {r.local_code for r in _records(out)}
    policies = [n for n in _goal_policies(out) if n.title]
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


def drop_misplaced_policies(out: SegmentedDocument, drop: list[NodeRecord]) -> dict[str, str]:
    """Withdraw the misplaced policies (misplaced_policies) and renumber the goals they left.
    Returns old → new codes. A goal whose later policies carry content is renumbered too: their
    records follow the codes."""
    if not drop:
        return {}
    gone = {n.local_code for n in drop}
    renamed: dict[str, str] = {}
    for goal in sorted({_goal_of(c) for c in gone}):
        # positions as printed: the order of their codes, not of their statement
        kept = sorted((n for n in _goal_policies(out) if _goal_of(n.local_code) == goal and n.local_code not in gone),
                      key=_position)
        for i, n in enumerate(kept, start=1):
            new = f"{goal}.{i}"
            if n.local_code != new:
                renamed[n.local_code] = new
    out.nodes = [n for n in out.nodes if n.local_code not in gone]
    _renumber(out, renamed)
    return renamed


def _renumber(out: SegmentedDocument, renamed: dict[str, str]) -> None:
    for n in out.nodes:
        n.local_code = renamed.get(n.local_code, n.local_code)
    for r in _records(out):
        r.local_code = renamed.get(r.local_code, r.local_code)


def order_by_printed_numbers(out: SegmentedDocument, number_of: dict[str, int]) -> dict[str, str]:
    """Policies of a goal stated out of their printed order take the positions their numbers give.
    `number_of`: a printed label (施策の方向性(ハ)) → its number, as the outline read it."""
    renamed: dict[str, str] = {}
    goals: dict[str, list[NodeRecord]] = {}
    for n in _goal_policies(out):
        goals.setdefault(_goal_of(n.local_code), []).append(n)
    for goal, policies in goals.items():
        nums = [number_of.get(n.label or "") for n in policies]
        if len(policies) < 2 or None in nums or len(set(nums)) != len(nums):
            continue
        by_code = sorted(policies, key=_position)
        by_number = [n for _, n in sorted(zip(nums, policies), key=lambda x: x[0])]
        if [n.local_code for n in by_code] == [n.local_code for n in by_number]:
            continue
        for i, n in enumerate(by_number, start=1):
            if n.local_code != f"{goal}.{i}":
                renamed[n.local_code] = f"{goal}.{i}"
    _renumber(out, renamed)
    return renamed
