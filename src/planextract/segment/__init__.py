"""segment: IngestedDocument → SegmentedDocument (nodes, roles, actions, scores; local codes).

The document is read once, in reading order, by a small state machine: headings open goals,
policies and focus items; section markers say what the following items are; tables are handed
to the table interpreter. Codes are local to the document ("1.2" = second policy of goal 1 in
this document); merge maps them onto the plan's canonical hierarchy.
"""

from __future__ import annotations

import re

from ..models import (
    ActionKind,
    ActionRecord,
    Actor,
    Cursor,
    IngestedDocument,
    Level,
    NodeRecord,
    Problem,
    Provenance,
    RoleRecord,
    SegmentedDocument,
    Unassigned,
)
from ..normalise import ItemMarks, clean_text, clipped, completes, light_form, similar, split_qualifier, squash_space, to_int
from ..rules import Rules
from .explain import counts, evidence_of, record, rule_of
from .facts import text_to_facts
from .focus import attribute_focus_groups
from .misplaced import drop_misplaced_policies, misplaced_policies, order_by_printed_numbers
from .narration import Narration
from .blocks import BorderlessTables, label_column_tables
from .outline import LEADERS, OutlineEntry, document_outline, label_reader, outline_key
from .paragraphs import PAST_TENSE as _PAST, Para, lines_to_paragraphs, para_items

_BRACKETS = "【】《》≪≫<>＜＞〈〉●■◆▶◇□○〇"


_SENTENCE = re.compile(r"(?:ます|ましょう|します|です)。?\s*(?:[(（][^)）]*[)）])?\s*$")
# 1.1.1: an item of policy 1.1 (group 1) in a plan numbered decimally
_DECIMAL_ITEM = re.compile(r"\s*([0-9０-９]{1,2}[.．][0-9０-９]{1,2})[.．][0-9０-９]{1,2}\s*")
_LABEL_MARKS = _BRACKETS + "■□◆◇●○◎・▼▽★☆ :："  # around an actor label: ■家族, 【市民】
# reasons of unassigned text that mean an item found no node (not text set aside on purpose)
_UNPLACED = ("list item outside an extracted section", "role table cell outside a policy", "role table outside a policy",
             "roles outside a policy", "policy items outside a policy", "narrated item outside a policy")
_NOTE_MARKS = ("※", "＊", "*", "注", "(注", "（注")
_LEAD_MARK = re.compile(r"^[■□◆◇●○▼▽◎★☆]\s*")
# what a chart's axis or a figure's values print: years, numbers, units, a source line
_NOT_A_TITLE = re.compile(r"^(?:(?:令和|平成|昭和|R|H)?\s*[0-9０-９元]+\s*(?:年度?|月|日|人|件|回|か所|%|％|世帯)?"
                          r"|[(（][^)）]{1,4}[)）]|[0-9０-９.,，．%％\s]+|(?:資料|出典)\s*[:：].*)$")
_BRACKETED_LABEL = re.compile(r"^[【［\[〔]\s*([^】］\]〕]{1,16}?)\s*[】］\]〕]\s*")

COVER_LINES = 20  # a cover is the first page's first lines (a text rendition is all page 1)
# a slogan framed by wave dashes (～ ともに支え合うまち ～), as a cover prints the plan's motto
_FRAMED = re.compile(r"^[～〜~]\s*([^～〜~。]{4,60}?)\s*[～〜~]$")

_PARTICLE_START = re.compile(r"^[のをがにはとでもへや]")  # the rest of a sentence, not a value
_LEADER_RUN = re.compile(r"[.．…・‥･]{3}")  # a 目次 entry's leaders
_NOT_A_SLOGAN = re.compile(r"計画|概要")  # ～第2期計画の概要～: a document's name, no motto


def _heading_form(t: str) -> str:
    """'【基本目標１】 …' and '■基本施策1-2 …' read as '基本目標１ …' and '基本施策1-2 …'."""
    t = _LEAD_MARK.sub("", t)
    return _BRACKETED_LABEL.sub(lambda m: m.group(1) + " ", t)


def _at(name: str) -> property:
    """A field of the cursor, read and set as the Segmenter's own (the table reader uses them too)."""
    return property(lambda self: getattr(self.at, name), lambda self, v: setattr(self.at, name, v))


class Segmenter:
    goal = _at("goal")
    policy = _at("policy")
    focus = _at("focus")
    section = _at("section")
    list_context = _at("list_context")
    embedded = _at("embedded")
    role_actor = _at("role_actor")

    def __init__(self, doc: IngestedDocument, rules: Rules, trace: list | None = None):
        self.doc = doc
        self.trace = trace  # when a list, every decision is recorded in it (inspect --explain)
        self.rules = rules
        self.marks = ItemMarks(rules)
        self.narration = Narration(rules)
        self.out = SegmentedDocument(info=doc.info)
        self.doc_id = doc.info.doc_id
        # step 3, attribution: where the reading stands (the node the next item belongs to)
        self.at = Cursor()
        self.focus_group = 0
        self.pending_title: NodeRecord | None = None
        self.expect_vision: str | None = None  # the vision label just read; its value comes next
        self.narrated_list: str | None = None
        self.unit = 0
        self.nodes: dict[str, NodeRecord] = {}
        self.policies_of: dict[int, list[str]] = {}
        self.just_opened: NodeRecord | None = None
        self.section_items = 0  # items read since the section (or node) opened
        self.partial_label = ""  # a label broken over lines: "基本" + "理念"
        self.loose_prose: list[str] = []  # short unplaced lines since the last structure
        self.is_text = doc.info.format == "text"
        self.scheme = scheme_words(doc, rules)
        self._section_kinds: dict[str, str | None] = {}
        self.repeated, self.body_size = repeated_lines(doc)
        self.other_labels: set[str] = set()
        # step 1: the outline, from the document's own evidence, before any item is read
        self.labels = label_reader(rules)
        self.out.outline = document_outline(doc, rules, self.is_section, self.marks.starts_item,
                                            other_structure=self.has_tree_sheet(doc))
        self._outline = {outline_key(e.text): e for e in self.out.outline.entries}
        # the policies are numbered 1.1 with no level word: their actions may be numbered 1.1.1
        self.decimal_plan = any(s.endswith("|decimal") and v.startswith("policy")
                                for s, v in self.out.outline.styles.items())
        self._outline_by_head: dict[str, list] = {}  # keys by their first characters: wrapped titles
        for k, e in self._outline.items():
            if len(k) >= 6:
                self._outline_by_head.setdefault(k[:6], []).append((k, e))

    # ------------------------------------------------------------------ nodes

    def _clean_title(self, raw: str) -> tuple[str, bool, int | None]:
        """Title without new-marks, notes and cross-references; (title, is_new, same_as_goal)."""
        t = light_form(raw)
        is_new = False
        for mark in self.rules.new_marks:
            if mark in t:
                t = t.replace(mark, " ")
                is_new = True
        t = self.rules.title_note.sub("", t)
        t = LEADERS.sub("", t)  # a 目次 entry: "タイトル……12"
        same = None
        m = self.rules.cross_reference.search(t)
        if m:
            same = to_int(m.group("goal"))
            t = t[: m.start()]
        return clean_text(t), is_new, same

    def find_node(self, level: Level, title: str, threshold: float = 0.85) -> NodeRecord | None:
        best, score = None, threshold
        for n in self.nodes.values():
            if n.level == level and n.title:
                s = similar(n.title, title)
                if s >= score:
                    best, score = n, s
        return best

    def open_goal(self, num: int | None, raw_title: str, prov: Provenance, label: str | None) -> NodeRecord:
        title, is_new, _ = self._clean_title(raw_title)
        if num is None:
            existing = self.find_node(Level.goal, title) if title else None
            num = int(existing.local_code) if existing else max((int(c) for c in self.goals()), default=0) + 1
        code = str(num)
        node = self.nodes.get(code)
        if node is None:
            node = NodeRecord(level=Level.goal, local_code=code, label=label, title=title, raw_title=raw_title,
                              is_new=is_new, unit=self.unit, prov=prov)
            self.nodes[code] = node
            self.out.nodes.append(node)
        elif title and not node.title:
            node.title, node.raw_title = title, raw_title
        self.goal = num
        self.policy = None
        self.focus = None
        self.section = None
        self.list_context = None
        self.embedded = None
        self.pending_title = node if not title else None
        self.just_opened = node
        return node

    def adopt_earlier(self, node: NodeRecord, title: str) -> NodeRecord:
        """A label printed alone opened `node`; its title, now read, is that of a node the document
        stated before (a 目次, a 施策の体系): that node is meant. The empty one is withdrawn."""
        earlier = self.find_node(node.level, title) if title else None
        if earlier is None or earlier is node or node.title or not self.out.nodes or self.out.nodes[-1] is not node:
            return node
        if node.level == Level.policy and earlier.local_code.split(".")[0] != node.local_code.split(".")[0]:
            return node
        self.out.nodes.pop()
        del self.nodes[node.local_code]
        if node.level == Level.policy:
            self.policies_of[int(node.local_code.split(".")[0])].remove(node.local_code)
            self.policy = earlier.local_code if self.policy == node.local_code else self.policy
        elif node.level == Level.goal:
            self.goal = int(earlier.local_code)
        if self.just_opened is node:
            self.just_opened = earlier
        earlier.label = earlier.label or node.label
        return earlier

    def goals(self) -> list[str]:
        return [c for c, n in self.nodes.items() if n.level == Level.goal]

    def open_policy(self, goal: int | None, printed: int | None, raw_title: str, prov: Provenance,
                    label: str | None, open_it: bool = True, exact: bool = False) -> NodeRecord | None:
        goal = goal if goal is not None else self.goal
        if goal is None:
            return None
        title, is_new, _ = self._clean_title(raw_title)
        listed = self.policies_of.setdefault(goal, [])
        node = None
        if title:
            node = self.find_node(Level.policy, title)
            if node is not None and not node.local_code.startswith(f"{goal}."):
                node = None
        if node is None and printed is not None:
            # same printed number under the same goal in this document
            for code in listed:
                if self.nodes[code].label and to_int(re.sub(r"\D", "", light_form(self.nodes[code].label)) or "x") == printed:
                    cand = self.nodes[code]
                    if not title or not cand.title or similar(cand.title, title) >= 0.5 or clipped(cand.title, title):
                        node = cand
                    break
        if node is None and printed is not None and 1 <= printed <= len(listed):
            # no policy carries that printed number: the number is the position under the goal
            cand = self.nodes[listed[printed - 1]]
            if not cand.label and (not title or not cand.title):
                node = cand
        if node is None and exact and printed and f"{goal}.{printed}" in self.nodes:
            cand = self.nodes[f"{goal}.{printed}"]
            if not title or not cand.title or similar(cand.title, title) >= 0.85 or clipped(cand.title, title):
                node = cand
        if node is None:
            n = len(listed) + 1
            while f"{goal}.{n}" in self.nodes:  # a place taken by a policy placed by its number
                n += 1
            code = f"{goal}.{n}"
            if exact and printed and f"{goal}.{printed}" not in self.nodes:
                code = f"{goal}.{printed}"
            node = NodeRecord(level=Level.policy, local_code=code, label=label, title=title, raw_title=raw_title,
                              is_new=is_new, unit=self.unit, prov=prov)
            self.nodes[code] = node
            listed.append(code)
            self.out.nodes.append(node)
        else:
            if completes(node.title, title):
                node.title, node.raw_title = title, raw_title  # (a title clipped at the page edge before)
            node.is_new = node.is_new or is_new
            if label and not node.label:
                node.label = label
        self.goal = goal
        if open_it:
            if node.local_code != self.policy:
                # (the open policy's heading printed again, （続き） on the next page: its open list
                # of actions or roles goes on)
                self.section = None
            self.policy = node.local_code
            self.focus = None
            self.just_opened = node
        self.pending_title = node if not title else None
        return node

    def open_focus(self, printed: int | None, raw_title: str, prov: Provenance, label: str | None,
                   explicit: bool) -> NodeRecord:
        title, is_new, same = self._clean_title(raw_title)
        if self.embedded:
            code = f"{self.embedded}.{printed or self._count(self.embedded) + 1}"
        elif explicit:
            code = f"focus.{printed or self._count('focus') + 1}"
        else:
            code = f"focusg{self.focus_group}.{printed or self._count(f'focusg{self.focus_group}') + 1}"
        node = self.nodes.get(code)
        if node is None:
            node = NodeRecord(level=Level.focus, local_code=code, label=label, title=title, raw_title=raw_title,
                              is_new=is_new, same_as_goal=same, unit=self.unit, prov=prov)
            self.nodes[code] = node
            self.out.nodes.append(node)
        self.focus = code
        self.policy = None
        self.section = None
        self.pending_title = node if not title else None
        self.just_opened = node
        return node

    def _count(self, prefix: str) -> int:
        return sum(1 for c in self.nodes if c.startswith(prefix + "."))

    # ------------------------------------------------------------------ items

    def current_parent(self) -> tuple[str | None, ActionKind | None]:
        """Which node the next list item belongs to, and as what."""
        sec = self.section
        if sec == "ignore" or sec == "roles":
            return None, None
        if self.focus:
            if sec in ("action", "focus_measure", "focus_sub"):
                return self.focus, ActionKind.focus_measure
            if sec == "outcome":
                return self.focus, ActionKind.outcome
            return self.focus, None  # decided per item
        if self.policy:
            if sec == "outcome":
                return self.policy, ActionKind.outcome
            if sec == "focus_measure":
                return self.policy, ActionKind.action
            return self.policy, ActionKind.action
        if self.goal is not None and sec in ("action",):
            return str(self.goal), ActionKind.action
        return None, None

    def without_notes(self, raw: str) -> str:
        """An item's text without the status marks and notes of who is in charge at its start or
        end (【新規】, 【重点】, （担当：福祉課）)."""
        pat = self.rules.item_notes
        return pat.sub("", raw) if pat else raw

    def add_action(self, code: str, kind: ActionKind, raw: str, prov: Provenance, marker: str | None = None) -> None:
        text = clean_text(self.without_notes(raw))
        if not text:
            return
        self.account((marker or "") + raw)
        self.section_items += 1
        self.out.actions.append(ActionRecord(local_code=code, unit=self.unit, kind=kind, text=text,
                                             raw_text=raw, prov=prov))

    def in_marked_list(self) -> bool:
        """The open actor's last item under the open policy was printed with a mark (・, ●)."""
        last = self.out.roles[-1] if self.out.roles else None
        return (last is not None and self.role_actor is not None and last.local_code == self.policy
                and last.actor_label == self.role_actor[1] and last.marker is not None)

    def add_role(self, code: str, actor: Actor, label: str, raw: str, prov: Provenance,
                 marker: str | None = None) -> None:
        body, qualifier = split_qualifier(clean_text(self.without_notes(raw)))
        if not body:
            return
        shared = self.shared_actors(label)
        if shared and qualifier:
            named = self.actor_of(qualifier)
            if named and named[0] in shared:  # a box shared by two actors: （町） says whose item it is
                actor, qualifier = named[0], None
        if _PAST.search(body):
            self.unassigned((marker or "") + raw, "past-tense item in a role column (an achievement, not a commitment)", prov)
            return
        self.account((marker or "") + raw)
        self.out.roles.append(RoleRecord(local_code=code, unit=self.unit, actor=actor, actor_label=label,
                                         qualifier=qualifier, text=body, raw_text=raw, marker=marker, prov=prov))

    def account(self, text: str) -> None:
        """Count text that went into a row or into the tree's structure (headings, labels)."""
        self.out.chars_assigned += len(squash_space(text))

    def unassigned(self, text: str, reason: str, prov: Provenance) -> None:
        if text.strip():
            self.account(text)
            self.out.unassigned.append(Unassigned(text=text.strip(), reason=reason, prov=prov))

    # ------------------------------------------------------------------ patterns

    def match_section(self, text: str) -> tuple[str, str] | None:
        """(kind, rest of the line) when the paragraph is a section marker."""
        t = squash_space(text)
        core = t.strip(_BRACKETS + " 　:：")
        for pat, embedded in self.rules.embedded_patterns:
            if pat.fullmatch(core.strip("【】")):
                return f"embedded:{embedded.code}", ""
        boxed = t.startswith("【")
        for pat, rule in self.rules.section_patterns:
            if len(core) <= 25 and pat.fullmatch(core):  # a marker is a few words, not a sentence
                # A boxed title (【…】) heads a part of its own: it closes an embedded plan.
                if boxed and rule.kind == "focus_list":
                    return "focus_list_top", ""
                return rule.kind, ""
            if rule.rest:
                m = re.match(r"^[" + re.escape(_BRACKETS) + r"]*(" + pat.pattern + r")[" + re.escape(_BRACKETS) + r"]+(?P<rest>.+)$",
                             light_form(text))
                if m:
                    return rule.kind, m.group("rest")
        return None

    def match_heading(self, text: str) -> tuple[str, dict] | None:
        t = _heading_form(light_form(text))
        pats = self.rules.heading_patterns
        contexts = {"any"}
        if self.goal is not None:
            contexts.add("goal")
        if self.list_context:
            contexts.add(self.list_context)
        entry = self.outline_entry(text)
        if entry is not None and (entry.word or entry.style.endswith("|composite")) and not self.list_context:
            # the outline read the level from the document's own words and numbers: it comes first
            return entry.level.value, self.outline_parts(entry, text)
        order = ["goal", "focus", "embedded", "policy"]
        if self.list_context == "policy_list":
            order = ["goal", "policy", "focus", "embedded"]
        if self.list_context in ("focus_list", "embedded"):
            order = ["goal", "embedded", "focus", "policy"]
        for level in order:
            for pat, ctx in pats[level]:
                if ctx not in contexts:
                    continue
                m = pat.match(t)
                if m:
                    return level, {k: v for k, v in m.groupdict().items()}
        # a repeated title right after a label printed alone is that label's title
        if entry is not None and not (entry.label is None and self.pending_title is not None):
            return entry.level.value, self.outline_parts(entry, text)
        for pat, _ in pats["chapter"]:
            m = pat.match(t)
            if m and not self.list_context:
                return "chapter", m.groupdict()
        return None

    def is_section(self, text: str) -> str | None:
        """The kind of section a marker opens (action, roles, policy_list …), or None."""
        if text not in self._section_kinds:  # asked of every line more than once: remembered
            sec = self.match_section(text)
            self._section_kinds[text] = sec[0] if sec is not None else (
                "roles" if self.role_heading(text) is not None else None)
        return self._section_kinds[text]

    # ------------------------------------------------------------------ actors

    def actor_of(self, text: str) -> tuple[Actor, str] | None:
        """(canonical actor, label as printed without white space) of an actor label."""
        label = squash_space(light_form(text)).strip(_LABEL_MARKS)
        actor = self.rules.actor_of(label, self.scheme) if label else None
        if actor is None and label and len(label) <= 24:
            shared = self.shared_actors(label)  # 市・社協: each item's trailing （市） decides
            return (shared[0], label) if shared else None
        return (Actor(actor), label) if actor else None

    def shared_actors(self, label: str) -> list[Actor]:
        """'市民・地域', '町・社協': a box shared by actors; each item's trailing （町） decides."""
        parts = [p for p in re.split(r"[・、/／]|(?<=.)や(?=.)", label) if p]
        found = [self.rules.actor_of(p, self.scheme) for p in parts]
        return [Actor(f) for f in found] if len(parts) > 1 and all(found) else []

    def other_actor(self, text: str, prov: Provenance) -> tuple[Actor, str]:
        """A role label that maps to no canonical actor: kept as `other`, and a warning names it."""
        label = squash_space(light_form(text))
        shared = self.shared_actors(label)
        if shared:
            return shared[0], label
        if label not in self.other_labels:
            self.other_labels.add(label)
            self.out.problems.append(Problem(
                doc_path=self.doc.info.path, stage="segment", severity="warning", page=prov.page,
                message=f"role label {label!r} maps to no actor of rules/actors.yaml: its items are kept as actor "
                        "'other' (add the label to rules/actors.yaml if it names one)"))
        return Actor.other, label

    def label_then_item(self, text: str) -> tuple[str, str] | None:
        """'住民 ・見守ります。' → ('住民', '・見守ります。'): an actor label, white space, then a
        marked item on the same line."""
        m = re.match(r"^\s*(\S{1,12}?)\s+(?=\S)", text)
        if not m or not self.marks.starts_item(text[m.end():]) or self.marks.starts_item(text):
            return None
        return (m.group(1), text[m.end():]) if self.actor_of(m.group(1)) else None

    def actor_prefix(self, raw: str) -> tuple[tuple[Actor, str], str] | None:
        """'市民：関心を持つ' → ((市民, '市民'), '関心を持つ'): an item opened by an actor label and a
        colon. The label is short (an actor's name, not a clause ending in a colon)."""
        m = re.match(r"^\s*[【［\[〔(（]?([^：:】］\]〕)）。、]{1,12}?)[】］\]〕)）]?\s*[：:]\s*(?=\S)", raw)
        if not m:
            return None
        found = self.actor_of(m.group(1))
        return (found, raw[m.end():]) if found else None

    def role_heading(self, text: str) -> tuple[Actor, str] | None:
        """'市民の役割', '地域でできること', '【市が取り組むこと】': a role section of one actor."""
        core = squash_space(light_form(text)).strip(_BRACKETS + " :：")
        # 社協の取組（地域福祉活動計画）: a note in parentheses after the heading says which plan it is
        core = re.sub(r"(?<=.)[(（][^()（）]{1,20}[)）]?$", "", core)  # (its closing bracket was stripped above)
        suffix = next((x for x in self.rules.actors.label_suffixes if core.endswith(x)), None)
        particle = next((x for x in self.rules.actors.heading_particles if core.endswith(x) and len(core) > len(x)), None)
        if len(core) > 24 or (suffix or particle) is None:
            return None
        shared = self.shared_actors(core[: -len(suffix or particle)])
        if shared:
            return shared[0], core
        if suffix is None:  # 【地域で】: the actor before its particle, under the printed label
            found = self.actor_of(core[: -len(particle)])
            return (found[0], core) if found else None
        return self.actor_of(core)

    def is_column_label(self, text: str) -> bool:
        """A column label of a borderless role table: an actor, as a label stands alone."""
        return len(text.strip()) <= 24 and self.actor_of(text) is not None

    def ends_table(self, text: str) -> bool:
        return bool(self.match_section(text) or self.match_heading(text) or self.role_heading(text))

    def has_tree_sheet(self, doc: IngestedDocument) -> bool:
        """A table whose header row names goal or policy columns: the document's tree is in sheets."""
        for page in doc.pages:
            for block in page.blocks:
                if block.table is None:
                    continue
                for cell in block.table.cells:
                    if cell.row == 0:
                        t = squash_space(light_form("".join(ln.text for ln in cell.lines)))
                        if any(pat.fullmatch(t) and role in ("goal", "policy") for pat, role in self.rules.column_patterns):
                            return True
        return False

    def outline_entry(self, text: str) -> OutlineEntry | None:
        """The outline's heading this paragraph opens with (a wrapped title continues it)."""
        key = outline_key(text)
        entry = self._outline.get(key)
        if entry is None and len(key) > 6 and "。" not in key:  # a sentence is not a wrapped title
            for k, e in self._outline_by_head.get(key[:6], ()):
                # (a title followed by ／ and another is a list of titles, as a 体系 page prints them)
                if key.startswith(k) and not key[len(k):].startswith(("／", "/")):
                    return e
        return entry

    def outline_parts(self, entry: OutlineEntry, text: str) -> dict:
        lab = self.labels.read(text)
        if lab is None:  # a repeated title without a label: the node of that title, under its goal
            node = self.find_node(entry.level, clean_text(text))
            goal = node.local_code.split(".")[0] if node is not None and entry.level == Level.policy else None
            return {"num": None, "goal": goal, "title": light_form(text)}
        return {"num": str(entry.num) if entry.num and entry.label else None,
                "goal": str(entry.goal_num) if entry.goal_num else None, "title": lab.title}

    def starts_block(self, text: str) -> bool:
        # an actor label on a line of its own opens that actor's items (bands, role lists)
        if len(text) <= 24 and self.actor_of(text) is not None:
            return True
        return bool(self.match_section(text) or self.role_heading(text) or self.match_heading(text) or self.narration.match(text)
                    or self.is_label(text))

    def stands_alone(self, text: str) -> bool:
        """A paragraph complete as it is: a bare label (基本理念), or a heading's label printed on a
        line of its own (第1節, 施策ア), whose title follows on the next line."""
        if self.is_label(text):
            return True
        entry = self._outline.get(outline_key(text))
        return entry is not None and not entry.title and entry.label is not None

    def is_label(self, text: str) -> bool:
        """A bare label such as 基本理念, which stands on a line of its own."""
        return self.bare_label(text) in self.rules.facts.vision_labels

    def stated_value(self, text: str) -> bool:
        """A value printed beside its label after a space (基本理念　ともに支え合うまち): a phrase of
        at most a line; not a sentence (基本理念 を定めました。), not the rest of one (の実現に向けて),
        not a 目次 entry's leaders, not the next header of a row of labels (基本理念　基本目標)."""
        first = next(iter(text.split()), "")
        return (len(text) <= 60 and "。" not in text and not _SENTENCE.search(text)
                and not _PARTICLE_START.match(text) and not _LEADER_RUN.search(text)
                and first not in self.labels.level_of_word and first not in self.rules.facts.vision_labels)

    def bare_label(self, text: str) -> str:
        """A label's words without its brackets, or without the section number before it when they
        are a vision label (1　基本理念: a numbered section whose value follows on the next line)."""
        bare = squash_space(light_form(text)).strip("()（）【】")
        lab = self.labels.read(text) if bare not in self.rules.facts.vision_labels else None
        titled = squash_space(lab.title).strip("()（）【】") if lab is not None and lab.title else ""
        return titled if titled in self.rules.facts.vision_labels else bare

    # ------------------------------------------------------------------ driver

    def run(self) -> SegmentedDocument:
        from .tables import TableReader

        tables = TableReader(self)
        borderless_tables = BorderlessTables(self.is_column_label, self.ends_table, self.rules.numbering.bullets)
        pending_lines = []

        def flush():
            if pending_lines:
                for para in lines_to_paragraphs(pending_lines, self.marks, self.starts_block, self.stands_alone):
                    self.process(para)
                pending_lines.clear()

        for page in self.doc.pages:
            if page.unreadable:
                self.set_aside(page, "unreadable text (fonts without a Unicode map)")
                continue
            # step 2: blocks. Tables printed without rules, found by their row of column labels.
            page = borderless_tables(page)
            page = label_column_tables(page, self.is_column_label, self.ends_table)
            for block in page.blocks:
                if block.kind == "line":
                    pending_lines.append(block.line)
                else:
                    flush()
                    tables.read(block.table)
            # Lines do not run on across a page break in a way that matters for grouping.
            flush()
        if self.pending_title is not None:
            self.out.problems.append(Problem(doc_path=self.doc.info.path, stage="segment", severity="warning",
                                             message=f"heading {self.pending_title.label!r} has no title",
                                             page=self.pending_title.prov.page))
        tables.settle_ratings()
        attribute_focus_groups(self.out, self.rules)
        misplaced = misplaced_policies(self.out)
        for bare in misplaced:
            self.out.problems.append(Problem(
                doc_path=self.doc.info.path, stage="segment", severity="warning", page=bare.prov.page,
                message=f"policy {bare.title!r} is stated under two goals; kept where its items are "
                        f"(not under goal {bare.local_code.split('.')[0]})"))
        drop_misplaced_policies(self.out, misplaced)
        order_by_printed_numbers(self.out, {e.label: e.num for e in self.out.outline.entries
                                            if e.level == Level.policy and e.num and not e.goal_num})
        return self.out

    def set_aside(self, page, reason: str) -> None:
        prov = Provenance(doc_id=self.doc_id, page=page.number)
        for block in page.blocks:
            lines = [block.line] if block.line else [ln for c in block.table.cells for ln in c.lines]
            for ln in lines:
                self.unassigned(ln.text, reason, prov.model_copy(update={"bbox": ln.bbox}))

    def process(self, para: Para) -> None:
        if self.trace is None:
            return self._process(para)
        before, under = counts(self.out), self.at.describe()
        rule = rule_of(self, para.text)
        self._process(para)
        record(self, para.first.page, para.first.line_no, "paragraph", para.text[:120], rule,
               evidence_of(self, para.text), under, before)

    def _process(self, para: Para) -> None:
        text = para.text
        prov = para.prov(self.doc_id)
        text_to_facts([text], self.rules, self.out.facts)
        lt = light_form(text)

        if self.expect_vision:
            label, self.expect_vision = self.expect_vision, None
            if not (self.match_heading(text) or self.match_section(text) or "。" in text):
                self.add_vision(text, label)
                self.account(text)
                self.loose_prose.clear()
                return
            if self.loose_prose:  # the label came after its value
                self.add_vision("".join(self.loose_prose), label)
                self.loose_prose.clear()
        bare = self.bare_label(text)
        if self.partial_label and any(lab == self.partial_label + bare for lab in self.rules.facts.vision_labels):
            bare = self.partial_label + bare
        self.partial_label = ""
        for label in self.rules.facts.vision_labels:
            if bare == label:
                self.expect_vision = label
                self.account(text)
                return
            if len(bare) < len(label) and label.startswith(bare) and len(bare) >= 2:
                self.partial_label = bare
                self.account(text)
                return
            m = re.match(rf"^[(（【]?{label}[)）】]?(?P<sep>\s*[:：]\s*|\s+)(.+)$", light_form(para.lines[0].text))
            if m and (m.group("sep").strip() or self.stated_value(m.group(2))):
                # 基本理念：value, or 基本理念　value (a space parts label and value: not a sentence)
                self.add_vision(m.group(2), label)
                self.account(para.lines[0].text)
                rest = text[len(para.lines[0].text):].strip()
                if rest:
                    self.process(Para(text=rest, lines=para.lines[1:] or para.lines))
                return

        if para.first.page == 1 and (para.first.line_no or 0) <= COVER_LINES and (slogan := _FRAMED.match(text)) \
                and not _NOT_A_SLOGAN.search(slogan.group(1)):
            self.out.facts.slogans.append(clean_text(slogan.group(1)))  # a cover's ～ slogan ～

        if self.narrated(text, prov):
            return

        actor_head = self.role_heading(text)
        if actor_head is not None:
            self.enter_section("roles")
            self.role_actor = actor_head
            self.account(text)
            return

        sec = self.match_section(text)
        if sec:
            kind, rest = sec
            self.enter_section(kind)
            self.account(text[: len(text) - len(rest)] if rest and text.endswith(rest) else
                         squash_space(text)[: max(0, len(squash_space(text)) - len(squash_space(rest)))])
            if rest:
                self.items(Para(text=rest, lines=para.lines), prov)
            return

        head = self.match_heading(text)
        if head and not (self.pending_title and head[0] == "chapter"):
            if head[0] != "chapter":
                self.account(text)
            self.heading(head[0], head[1], text, prov)
            return

        if self.pending_title is not None and not self.marks.starts_item(text) \
                and not _NOT_A_TITLE.match(squash_space(light_form(text))):
            # (a year or a value of a chart printed between a label and its title is not the title)
            node = self.pending_title
            title, is_new, same = self._clean_title(text)
            node = self.adopt_earlier(node, title)
            node.title, node.raw_title = title, text
            node.is_new = node.is_new or is_new
            node.same_as_goal = node.same_as_goal or same
            self.pending_title = None
            self.account(text)
            return

        # (not in a list of actions, whose left column may name who runs each one)
        labelled = self.label_then_item(text) if self.policy and self.section not in ("action", "focus_measure") else None
        if labelled:
            # 住民　・見守ります。: an actor's label (an icon, a box) printed on the line of its first item
            label, rest = labelled
            self.enter_section("roles")
            self.role_actor = self.actor_of(label)
            self.account(label)
            self.items(Para(text=rest, lines=para.lines, after_break=para.after_break), prov)
            return
        if self.section != "roles" and (self.policy or self.focus) and len(text) <= 24 and self.actor_of(text):
            # an actor's name standing alone (a band, a box heading) under a node opens its items
            self.enter_section("roles")
        if self.section == "roles":
            found = self.actor_of(text)
            if found:  # a role list without a table: the label, then its items
                self.role_actor = found
                self.account(text)
                return
            if self.role_actor and self.policy and _SENTENCE.search(text) and not self.in_marked_list():
                # an item printed without a mark, in a list whose items have none (after a marked
                # list, an unmarked sentence is the text that follows it: a column, a note)
                self.items(para, prov)
                return
        if self.marks.starts_item(text):
            if self.is_text and para.after_break and self.section_items and self.section != "roles":
                # a text rendition ends a list with a blank line
                self.section = None
                if self.list_context == "policy_list":
                    self.list_context = None
            self.items(para, prov)
            return

        node = self.just_opened
        if node is not None and node.description is None and self.is_description(para):
            node.description = clean_text(text)
            self.account(text)
            self.just_opened = None
            return
        if re.fullmatch(r"【[^】]+】", light_form(text)):
            self.loose_prose.clear()  # a boxed title is structure, not a value
        elif "。" not in text and len(text) <= 60:
            self.loose_prose.append(text)
        else:
            self.loose_prose.clear()
        self.unassigned(text, "prose outside any extracted item", prov)

    def add_vision(self, text: str, label: str) -> None:
        """The first vision label of the rules (基本理念) names the vision; the others (将来像,
        スローガン) name it only where a plan has no 基本理念."""
        primary = label == self.rules.facts.vision_labels[0]
        (self.out.facts.visions if primary else self.out.facts.other_visions).append(clean_text(text))

    def is_description(self, para: Para) -> bool:
        """A node's lead paragraph: prose in body type. Not a running title that repeats on many
        pages, not a footnote (※, ＊, small type), not a bracketed title."""
        text = para.text.strip()
        if len(text) <= 15 or squash_space(text) in self.repeated or text.startswith(_NOTE_MARKS):
            return False
        size = para.first.size
        if size and self.body_size and size < self.body_size - 0.9:
            return False
        return "。" in text or bool(_SENTENCE.search(text))

    def enter_section(self, kind: str) -> None:
        self.just_opened = None
        self.role_actor = None
        self.section_items = 0
        self.loose_prose.clear()
        if kind.startswith("embedded:"):
            self.embedded = kind.split(":", 1)[1]
            self.list_context = "embedded"
            self.focus = self.policy = None
            self.section = None
            return
        if kind == "policy_list":
            self.list_context = "policy_list"
            self.policy = None
            self.section = None
            return
        if kind == "focus_list_top":
            self.embedded = None
            kind = "focus_list"
        if kind == "focus_list":
            if self.embedded:
                self.list_context = "embedded"
            else:
                self.focus_group += 1
                self.list_context = "focus_list"
                self.goal = None
            self.policy = self.focus = None
            self.section = None
            return
        if kind == "embedded_items":
            if self.embedded:
                self.list_context = "embedded"
            self.section = None
            return
        if self.list_context == "policy_list":
            self.list_context = None
        self.section = kind

    def heading(self, level: str, parts: dict, text: str, prov: Provenance) -> None:
        self.section_items = 0
        self.role_actor = None
        self.loose_prose.clear()
        num = to_int(parts["num"]) if parts.get("num") else None
        title = parts.get("title") or ""
        printed = LEADERS.sub("", light_form(text))
        label = printed[: max(0, len(printed) - len(LEADERS.sub("", light_form(title))))].strip() or None
        if level == "chapter":
            self.goal = self.policy = self.focus = None
            self.section = self.list_context = self.embedded = None
            self.unassigned(text, "chapter heading", prov)
            return
        if level == "goal":
            self.open_goal(num, title, prov, label)
        elif level == "policy":
            goal = to_int(parts["goal"]) if parts.get("goal") else None
            in_list = self.list_context == "policy_list"
            if goal is not None and str(goal) not in self.nodes:
                self.open_goal(goal, "", prov, None)
                self.pending_title = None
            # a composite number (1-3) names the goal and the policy's place under it: read two
            # columns out of order, 1-3 may come before 1-2 and is still policy 1.3
            self.open_policy(goal, num, title, prov, label, open_it=not in_list, exact=goal is not None)
            if in_list:
                self.section = None
        elif level in ("focus", "embedded"):
            explicit = level == "focus" and self.list_context not in ("focus_list", "embedded")
            self.open_focus(num, title, prov, label, explicit)

    def items(self, para: Para, prov: Provenance) -> None:
        parent, kind = self.current_parent()
        for mark, raw in para_items(para, self.marks):
            sub = _DECIMAL_ITEM.fullmatch(mark or "")
            if sub and not (self.decimal_plan and light_form(sub.group(1)).replace("．", ".") == self.policy):
                # 1.1.1 is an item of policy 1.1 only in a plan numbered decimally; elsewhere a section
                self.unassigned((mark or "") + raw, "a section numbered 1.1.1 outside a decimally numbered plan", prov)
                continue
            # (not in one actor's list: there 地域：… names a topic of that actor's item)
            prefixed = self.actor_prefix(raw) if self.policy and self.section in (None, "roles") \
                and self.role_actor is None else None
            if prefixed:
                # 市民：…, 行政：… (an overview's bullets): the item says whose commitment it is
                (actor, label), body = prefixed
                self.account(raw[: len(raw) - len(body)])
                self.add_role(self.policy, actor, label, body, prov, mark)
                continue
            if self.section == "roles" and self.role_actor and self.policy:
                self.add_role(self.policy, self.role_actor[0], self.role_actor[1], raw, prov, mark)
                continue
            if self.section in ("ignore", "roles"):
                self.unassigned(raw, f"list item in a section not extracted ({self.section})", prov)
                continue
            if self.focus and mark and re.match(r"^[①-⑳]", mark) and len(raw) <= 20 and not raw.endswith("。"):
                # A short numbered line inside a focus item is a sub-heading over its measures.
                self.account(mark + raw)
                self.section = "focus_sub"
                parent, kind = self.current_parent()
                continue
            if self.focus and kind is None:
                if raw.rstrip().endswith(("ます。", "す。")):
                    self.unassigned(raw, "prose under a focus item", prov)
                    continue
                self.add_action(self.focus, ActionKind.focus_measure, raw, prov, mark)
                continue
            if parent is None or kind is None:
                self.unassigned(raw, f"list item outside an extracted section ({self.section or 'none'})", prov)
                continue
            self.add_action(parent, kind, raw, prov, mark)

    # ------------------------------------------------------------------ narration

    def narrated(self, text: str, prov: Provenance) -> bool:
        if self.narrated_list and self.marks.starts_item(text):
            mark, item = self.marks.split_leading(text)
            raw, closed = self.narration.strip_closer(item)
            self.account(item[len(raw):])  # the closing words; the item and its mark count below
            if self.policy:
                self.add_action(self.policy, ActionKind.action, raw, prov, mark)
            else:
                self.unassigned(raw, "narrated item outside a policy", prov)
            if closed:
                self.narrated_list = None
            return True
        if self.narrated_list and self.out.actions and not self.match_heading(text):
            last = self.out.actions[-1]
            # An item wrapped by the export continues on the next line.
            if not self.narration.match(text) and last.local_code == self.policy:
                raw, closed = self.narration.strip_closer(text)
                self.account(text)
                last.raw_text += raw
                last.text = clean_text(last.raw_text)
                if closed:
                    self.narrated_list = None
                return True
        m = self.narration.match(text)
        if not m:
            return False
        sets, parts = m
        # the sentence counts, except an outcome's words, which count as its row
        self.account(text.replace(parts["title"], "", 1) if sets == "outcome" else text)
        if sets == "vision":
            self.out.facts.visions.append(clean_text(parts["title"]))
        elif sets == "goal":
            self.open_goal(parts.get("num"), parts["title"], prov, None)
            self.goal = None
        elif sets == "goal_context":
            self.goal = parts.get("num")
            self.policy = None
        elif sets == "policy":
            goal = parts.get("goal") or self.goal
            node = self.open_policy(goal, parts.get("num"), parts["title"], prov, None)
            if node is not None and parts.get("new"):
                node.is_new = True
        elif sets == "actions":
            self.narrated_list = "action"
        elif sets == "outcome" and self.policy:
            self.add_action(self.policy, ActionKind.outcome, parts["title"], prov)
        return True

    # ------------------------------------------------------------------ finish


def weak_outline(out: SegmentedDocument) -> str | None:
    """Why a document's reading should not be trusted, or None: no structure at all, or most of
    its item-looking lines left unplaced."""
    if not (out.nodes or out.roles or out.actions or out.scores):
        return "no rule recognised this document's layout (no heading, item or score was found)"
    unplaced = sum(1 for u in out.unassigned if u.reason.startswith(_UNPLACED))
    placed = len(out.roles) + len(out.actions)
    if unplaced >= 5 and unplaced > placed:
        return (f"weak outline: {len(out.nodes)} headings found, and {unplaced} item lines could not be placed "
                f"under one (against {placed} placed)")
    return None


def repeated_lines(doc: IngestedDocument) -> tuple[set[str], float | None]:
    """Lines printed on three pages or more (running titles ingest did not set aside), and the
    body's type size."""
    pages_of: dict[str, set[int]] = {}
    sizes: dict[float, int] = {}
    for page in doc.pages:
        for block in page.blocks:
            if block.line is not None:
                pages_of.setdefault(squash_space(block.line.text), set()).add(page.number)
                if block.line.size:
                    sizes[round(block.line.size, 1)] = sizes.get(round(block.line.size, 1), 0) + len(block.line.text)
    body = max(sizes, key=sizes.get) if sizes else None
    return {t for t, pages in pages_of.items() if len(pages) >= 3}, body


def scheme_words(doc: IngestedDocument, rules: Rules) -> frozenset[str]:
    """Which words of the 自助・互助・共助・公助 scheme the document prints as labels (共助's actor
    depends on it)."""
    words = tuple(rules.actors.scheme)
    found = set()
    for page in doc.pages:
        for block in page.blocks:
            lines = [block.line] if block.line else [ln for c in block.table.cells for ln in c.lines] \
                if block.table is not None else []
            for ln in lines:
                t = squash_space(ln.text)
                for w in words:
                    if w in t and len(t) <= 24:
                        found.add(w)
    return frozenset(found)


def segment_document(doc: IngestedDocument, rules: Rules, trace: list | None = None) -> SegmentedDocument:
    seg = Segmenter(doc, rules, trace)
    out = seg.run()
    out.problems = list(doc.problems) + out.problems
    weak = weak_outline(out)
    if weak:
        out.problems.append(Problem(doc_path=doc.info.path, stage="segment", severity="warning",
                                    message=f"{weak}; its text is kept in unassigned. To see why, run: "
                                            f"planextract inspect {doc.info.path} --explain"))
    furniture = [ln.text for p in doc.pages for ln in p.furniture]
    hints = [doc.info.title_hint] if doc.info.title_hint else []
    # Furniture and document properties are read for plan facts only, after the body.
    facts_body = out.facts.model_copy(deep=True)
    text_to_facts(hints + furniture, rules, out.facts)
    if facts_body.titles:
        out.facts.titles = facts_body.titles + [t for t in out.facts.titles if t not in facts_body.titles]
    return out
