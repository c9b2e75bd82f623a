"""The layout zoo: fictional municipal welfare plans composed from the conventions of
../shared/CONVENTIONS.md, rendered to PDF, with their gold in the format of ../shared/gold/.

    python -m tests.zoo.generate --seeds 0-199 --dest /tmp/zoo/corpus --gold /tmp/zoo/gold

API (kept stable: the national benchmark imports it):
    generate_plan(seed, dest, *, prefecture=None, pages=None) -> gold dict
    write_corpus(seeds, dest, gold_dir) -> list of gold dicts
    zoo_code(prefecture, n) -> a valid 6-digit local government code

Every choice is drawn from random.Random(seed): the same seed gives the same plan, PDF and gold.
The gold lists the conventions the plan used under "conventions" (the scorer ignores the key).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import zoo_pools  # noqa: E402
from zoo_pools import NAME_FIRST, NAME_SECOND, Phrases  # noqa: E402
import pymupdf  # noqa: E402
from zoo_render import A3_LANDSCAPE, A4, RADICALS, Canvas, Damage, text_width, wrap  # noqa: E402

from planextract.prefectures import PREFECTURES, check_digit  # noqa: E402

# --- the conventions (CONVENTIONS.md) ----------------------------------------------------------
GOAL_NAMES = ["基本目標", "目標", "基本方針", "基本方向", "基本的な方向", "柱", "視点", "重点目標", "分野"]
POLICY_NAMES = ["施策", "基本施策", "施策の方向", "施策の方向性", "施策目標", "推進施策", "主要施策", "取組の方向",
                "取組方針", "展開方向", "具体的な施策"]
ACTION_NAMES = ["主な取組", "具体的な取組", "具体的取組み", "主な事業", "主要事業", "取組内容", "事業", "今後の取組"]
VISION_LABELS = ["基本理念", "将来像", "めざす姿", "目指すまちの姿", "スローガン", "キャッチフレーズ"]
ITEM_MARKS = ["○", "・", "●", "◆", "□", "numbered"]

FW = str.maketrans("0123456789", "０１２３４５６７８９")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
KATAKANA = "アイウエオカキクケコサシスセソタチツテト"
IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネ"
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"


def roman_latin(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _nth(chars: str, n: int) -> str:
    """The n-th of a closed series (①…⑳, ア…), or the plain number past its end."""
    return chars[n - 1] if n <= len(chars) else str(n)
KANJI = "一二三四五六七八九十"


def kanji_number(n: int) -> str:
    if n <= 10:
        return KANJI[n - 1]
    return "十" + KANJI[n - 11] if n < 20 else str(n)


def fw(n: int) -> str:
    return str(n).translate(FW)


# simple styles: number n → the printed number (without the level's name)
SIMPLE = {
    "arabic": lambda n: str(n),
    "arabic_fullwidth": fw,
    "arabic_dot": lambda n: fw(n) + "．",
    "arabic_halfparen": lambda n: f"{n})",
    "paren": lambda n: f"（{n}）",
    "paren_fullwidth": lambda n: f"({fw(n)})",
    "circled": lambda n: _nth(CIRCLED, n),
    "katakana": lambda n: _nth(KATAKANA, n),
    "iroha": lambda n: f"({_nth(IROHA, n)})",
    "roman": lambda n: ROMAN[n - 1] if n <= len(ROMAN) else roman_latin(n),
    "roman_latin": roman_latin,
    "kanji": kanji_number,
    "kanji_dai": lambda n: "第" + kanji_number(n),
    "bracket_sumi": lambda n: f"【{n}】",
    "bracket_kaku": lambda n: f"［{fw(n)}］",
    "bracket_kikko": lambda n: f"〔{n}〕",
    "dai_setsu": lambda n: f"第{n}節",
}
BRACKETS = {"bracket_sumi": "【】", "bracket_kaku": "［］", "bracket_kikko": "〔〕"}
NAMELESS = {"kanji_dai", "dai_setsu"}  # printed without the level's name before them
# policies may also be numbered by composite codes (goal, policy)
COMPOSITE = {
    "composite_hyphen": lambda g, p: f"{g}-{p}",
    "composite_fullwidth": lambda g, p: f"{fw(g)}－{fw(p)}",
    "composite_paren": lambda g, p: f"{g}－({p})",
    "composite_goal_policy": None,  # 基本目標1-施策2: built from both names
}
GOAL_STYLES = [s for s in SIMPLE]
POLICY_STYLES = [s for s in SIMPLE if s not in ("dai_setsu", "kanji_dai")] + list(COMPOSITE)

# actors: canonical → printed labels (CONVENTIONS.md "Who does what")
ACTOR_LABELS = {
    "市民": ["市民", "住民", "区民", "市民一人ひとり", "一人ひとり", "自分", "個人", "家庭", "家族"],
    "地域": ["地域", "地域住民", "地域の団体", "自治会", "町内会", "自治振興会", "地区", "近所", "民生委員・児童委員",
           "ボランティア"],
    "専門職": ["専門職", "事業者", "事業所", "福祉事業者", "関係機関", "社会福祉法人", "NPO", "企業", "医療機関"],
    "社協": ["社会福祉協議会", "社協", "市社協", "地区社協"],
    "行政": ["行政", "市", "市役所", "県"],
}
SAMPLE_ACTORS = {"市民": "市民", "地域": "地域", "専門職": "福祉事業者", "社協": "社会福祉協議会", "行政": "行政"}
ACTOR_ORDER = ["市民", "地域", "専門職", "社協", "行政"]
# 自助・互助・共助・公助: with 互助 beside it, 共助 means services (専門職); in 自助・共助・公助 it
# means neighbours (地域). CONVENTIONS.md gives both readings; this is the one kept.
JIJO4 = [("自助", "市民"), ("互助", "地域"), ("共助", "専門職"), ("公助", "行政")]
JIJO3 = [("自助", "市民"), ("共助", "地域"), ("公助", "行政")]
ROLE_LAYOUTS = ["actor_rows", "actor_columns", "actor_headings", "bands", "sections", "jijo4", "jijo3",
                "shared_box", "actor_pages", "none"]
DASH_LAYOUTS = ("actor_rows", "actor_columns")  # where an actor's cell may hold － (no role)
TREES = ["grid", "toc", "boxes", "none"]


def zoo_code(prefecture: int, n: int) -> str:
    """A valid local government code for (prefecture 1..47, n 1..999): distinct for distinct pairs."""
    if not 1 <= prefecture <= 47 or not 1 <= n <= 999:
        raise ValueError(f"zoo_code: prefecture {prefecture} (1..47), n {n} (1..999)")
    first5 = f"{prefecture:02d}{n:03d}"
    return first5 + str(check_digit(first5))


# --- the plan ------------------------------------------------------------------------------------
@dataclass
class Role:
    actor: str          # canonical
    label: str          # as printed
    text: str
    qualifier: str | None = None
    marker: str | None = None   # trailing （町） that names the actor inside a shared box


@dataclass
class Policy:
    code: str
    label: str
    title: str
    description: str = ""
    actions: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    score: float | None = None    # 中間評価 評価点 (mean on a 1-5 scale) on the evaluation sheet


@dataclass
class Goal:
    code: str
    label: str
    title: str
    policies: list[Policy] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)   # goal → action when policies are skipped
    description: str = ""


@dataclass
class Plan:
    seed: int
    slug: str
    city: str
    city_code: str
    prefecture: str
    kind: str            # 市 / 町 / 村
    edition: int
    start_fy: int
    end_fy: int
    vision: str
    goals: list[Goal]
    conv: dict
    conventions: list[str]
    actors: dict        # canonical → printed label

    @property
    def title(self) -> str:
        ed = fw(self.edition) if self.conv["fullwidth_edition"] else str(self.edition)
        return f"第{ed}期{self.city}地域福祉計画"


def _pick(rng: random.Random, options: list, weights: list | None = None):
    return rng.choices(options, weights=weights)[0] if weights else rng.choice(options)


def draw_conventions(rng: random.Random, profile: str | None) -> dict:
    """Which conventions this seed uses. profile "sample": the sample corpus's own conventions
    (基本目標N / 基本施策N-N, actors down the first column, ruled tables, no damage)."""
    c = {
        "goal_name": rng.choice(GOAL_NAMES),
        "goal_numbering": rng.choice(GOAL_STYLES),
        "policy_name": rng.choice(POLICY_NAMES + ["none"]),
        "policy_numbering": rng.choice(POLICY_STYLES),
        "runs_on": rng.random() < 0.25,
        "levels": "goal_action" if rng.random() < 0.08 else "goal_policy",
        "label_style": rng.choices(["inline", "own_line", "box"], weights=[6, 2, 2])[0],
        "separator": rng.choice(["　", "　", " ", "  "]),
        "action_name": rng.choice(ACTION_NAMES),
        "action_heading": rng.choice(["plain", "sumi", "angle", "square"]),
        "action_marks": rng.choice(ITEM_MARKS),
        "role_marks": rng.choice(["・", "○", "●", "◆", "□"]),
        "roles": rng.choice(ROLE_LAYOUTS),
        "role_tables": rng.choice(["lines", "lines", "fill", "none"]),
        "qualifier": rng.random() < 0.25,
        "vision_label": rng.choice(VISION_LABELS),
        "tree": rng.choice(TREES),
        "bookmarks": rng.random() < 0.3,
        "overview": rng.random() < 0.3,
        "description": rng.random() < 0.6,
        "indicators": rng.random() < 0.3,
        "fullwidth_edition": rng.random() < 0.5,
        "vision_cover": rng.random() < 0.3,
        "encrypted": rng.random() < 0.08,
        "dash_no_role": rng.random() < 0.3,
        "evaluation": rng.random() < 0.2,
        "chart": rng.random() < 0.2,
        "column_box": rng.random() < 0.2,
        "new_mark": rng.random() < 0.15,
        "heading_style": rng.choice(["plain", "plain", "box", "band"]),
        "columns": 2 if rng.random() < 0.15 else 1,
        "overprint": rng.random() < 0.3,
        "radicals": rng.random() < 0.25,
        "furigana": rng.random() < 0.15,
        "page_numbers": rng.choice(["dash", "plain", ""]),
        "running_header": rng.random() < 0.4,
        "side_tab": rng.random() < 0.25,
        "row_split": rng.random() < 0.3,
        "repeat_header": rng.random() < 0.5,
        "kind": rng.choices(["市", "町", "村"], weights=[7, 2, 1])[0],
    }
    if c["roles"] in ("jijo4", "jijo3") and c["role_tables"] == "none":
        c["role_tables"] = "lines"
    if c["roles"] in ("actor_headings", "bands", "sections", "shared_box") or \
            (c["roles"] == "actor_pages" and c["role_tables"] == "none"):
        c["role_tables"] = "n/a"
    if c["levels"] == "goal_action":
        c["roles"] = "none"
        c["evaluation"] = False
        c["policy_numbering"] = c["policy_name"] = "n/a"
    if c["policy_numbering"] == "composite_goal_policy" and c["policy_name"] == "none":
        c["policy_name"] = "施策"
    if c["tree"] == "toc" and not c["page_numbers"]:
        c["page_numbers"] = "dash"
    c["profile"] = profile
    if profile == "sample":
        c.update(description=False, goal_name="基本目標", goal_numbering="arabic_fullwidth", policy_name="基本施策",
                 policy_numbering="composite_hyphen", runs_on=False, levels="goal_policy", label_style="inline",
                 separator="　", action_name="主な取組", action_heading="plain", action_marks="○",
                 roles="actor_rows", role_tables="lines", qualifier=False, vision_label="基本理念",
                 tree="none", bookmarks=False, overview=False, heading_style="plain", columns=1,
                 overprint=False, radicals=False, furigana=False, page_numbers="", running_header=False,
                 side_tab=False, row_split=False, kind="市", indicators=False, vision_cover=False,
                 encrypted=False, dash_no_role=False, evaluation=False, chart=False, column_box=False,
                 new_mark=False)
    return c


def convention_names(c: dict, plan_actors: dict) -> list[str]:
    names = [f"goal_name:{c['goal_name']}", f"numbering:goal:{c['goal_numbering']}",
             f"action_name:{c['action_name']}", f"vision:{c['vision_label']}", f"tree:{c['tree']}",
             f"items:{c['action_marks']}"]
    if c["levels"] == "goal_action":
        names.append("levels:goal_action")
    else:
        names += [f"policy_name:{c['policy_name']}", f"numbering:policy:{c['policy_numbering']}",
                  f"roles:{c['roles']}"]
        if c["runs_on"] and c["policy_numbering"] not in COMPOSITE:
            names.append("numbering:runs_on")
        if c["roles"] != "none":
            names += [f"actor:{label}" for label in plan_actors.values()]
            if c["role_tables"] != "n/a":
                names.append(f"tables:{c['role_tables']}")
            if c["qualifier"]:
                names.append("roles:qualifier")
    if c["label_style"] != "inline":
        names.append(f"heading:label_{c['label_style']}")
    if c["bookmarks"]:
        names.append("tree:bookmarks")
    if c["vision_cover"]:
        names.append("vision:cover")
    if c["evaluation"]:
        names.append("evaluation:score_sheet")
    for k in ("chart", "column_box"):
        if c[k] and c["levels"] == "goal_policy":
            names.append(f"noise:{k}")
    if c["new_mark"] and c["levels"] == "goal_policy":
        names.append("title:new_mark")
    if c["encrypted"]:
        names.append("damage:encrypted_owner_password")
    if c["dash_no_role"] and c["roles"] in DASH_LAYOUTS:
        names.append("roles:dash_no_role")
    if c["overview"]:
        names.append("overview:renumbered")
    if c["heading_style"] != "plain":
        names.append(f"damage:heading_{c['heading_style']}")
    if c["columns"] == 2:
        names.append("damage:two_columns")
    for k in ("overprint", "radicals", "furigana", "running_header", "side_tab", "row_split"):
        if c[k]:
            names.append(f"damage:{k}")
    if c["page_numbers"]:
        names.append(f"damage:page_numbers_{c['page_numbers']}")
    if c["indicators"]:
        names.append("noise:indicators")
    if c["description"]:
        names.append("noise:description")
    return sorted(set(names))


def _actor_labels(rng: random.Random, kind: str) -> dict:
    """One printed label per canonical actor, fitting the municipality (町民 and 町社協 in a 町)."""
    labels = {}
    for actor, options in ACTOR_LABELS.items():
        opts = list(options)
        if kind != "市":
            opts = [o for o in opts if o not in ("市民", "区民", "市民一人ひとり", "市", "市役所", "市社協")]
            opts += {"市民": [f"{kind}民"], "社協": [f"{kind}社協"], "行政": [kind, f"{kind}役場"]}.get(actor, [])
        labels[actor] = rng.choice(opts)
    return labels


def goal_label(c: dict, n: int) -> str:
    style, name = c["goal_numbering"], c["goal_name"]
    if style in BRACKETS:
        a, b = BRACKETS[style]
        return f"{a}{name}{n}{b}"
    if style in NAMELESS:
        return SIMPLE[style](n)
    return name + SIMPLE[style](n)


def policy_label(c: dict, g: int, p: int, running: int) -> str:
    style, name = c["policy_numbering"], c["policy_name"]
    name = "" if name == "none" else name
    if style == "composite_goal_policy":
        return f"{c['goal_name']}{g}-{name}{p}"
    if style in COMPOSITE:
        return name + COMPOSITE[style](g, p)
    n = running if c["runs_on"] else p
    if style in BRACKETS:
        a, b = BRACKETS[style]
        return f"{a}{name}{n}{b}"
    return name + SIMPLE[style](n)


def compose(seed: int, prefecture: int | None = None, pages: int | None = None,
            profile: str | None = None) -> Plan:
    rng = random.Random(seed)
    c = draw_conventions(rng, profile)
    words = Phrases(rng)
    first, second = rng.choice(NAME_FIRST), rng.choice(NAME_SECOND)
    kind = c["kind"]
    city = first[0] + second[0] + kind
    slug = f"{first[1]}{second[1]}{seed}"
    pref = prefecture or rng.randint(1, 47)
    code = zoo_code(pref, seed % 999 + 1)
    edition = rng.randint(1, 5)
    start = rng.randint(2020, 2028)
    end = start + rng.choice([4, 5])
    actors = _actor_labels(rng, kind)
    if profile == "sample":
        actors = dict(SAMPLE_ACTORS)
    # size: a few goals of a few policies; `pages` scales the number of goals
    # `pages` asks for roughly that many body pages: about two per goal
    n_goals = rng.randint(2, 4) if pages is None else min(10, max(1, pages // 2))
    more_policies = 0 if pages is None else max(0, pages - 20) // 5  # past ten goals: longer goals
    goals: list[Goal] = []
    running = 0
    layout = c["roles"]
    for gi in range(1, n_goals + 1):
        goal = Goal(code=str(gi), label=goal_label(c, gi), title=words.goal_title())
        if c["description"] and rng.random() < 0.5:
            goal.description = words.description(goal.title)
        if c["levels"] == "goal_action":
            goal.actions = [words.action() for _ in range(rng.randint(2, 5 + 3 * more_policies))]
            goals.append(goal)
            continue
        for pi in range(1, rng.randint(1, 4 + more_policies) + 1):
            running += 1
            pol = Policy(code=f"{gi}.{pi}", label=policy_label(c, gi, pi, running), title=words.policy_title())
            if c["description"]:
                pol.description = words.description(pol.title)
            pol.actions = [words.action() for _ in range(rng.randint(0 if layout != "none" else 1, 4))]
            pol.roles = _roles(rng, words, c, actors, kind)
            if c["evaluation"]:
                pol.score = rng.randint(18, 48) / 10
            if c["indicators"] and rng.random() < 0.6:
                pol.indicators = [words.indicator() for _ in range(rng.randint(1, 2))]
            goal.policies.append(pol)
        goals.append(goal)
    vision = words.vision()
    return Plan(seed=seed, slug=slug, city=city, city_code=code, prefecture=PREFECTURES[pref - 1], kind=kind,
                edition=edition, start_fy=start, end_fy=end, vision=vision, goals=goals, conv=c,
                conventions=convention_names(c, actors if layout not in ("jijo4", "jijo3") else
                                             {a: j for j, a in (JIJO4 if layout == "jijo4" else JIJO3)}),
                actors=actors)


def _roles(rng, words: Phrases, c: dict, actors: dict, kind: str) -> list[Role]:
    layout = c["roles"]
    if layout == "none":
        return []
    if layout in ("jijo4", "jijo3"):
        cols = JIJO4 if layout == "jijo4" else JIJO3
        chosen = [(label, actor) for label, actor in cols]
    else:
        present = [a for a in ACTOR_ORDER if rng.random() < 0.8] or ["市民", "行政"]
        chosen = [(actors[a], a) for a in present]
    roles = []
    for label, actor in chosen:
        for _ in range(rng.randint(1, 3)):
            q = None
            if c["qualifier"] and actor in ("地域", "専門職") and rng.random() < 0.3:
                q = words.carrier()
            roles.append(Role(actor=actor, label=label, text=words.commitment(), qualifier=q))
    if layout == "shared_box":
        # the last box is shared by 社協 and 行政; a trailing （町） / （社協） names the actor
        gov, soc = actors["行政"], actors["社協"]
        roles = [r for r in roles if r.actor not in ("社協", "行政")]
        for _ in range(rng.randint(2, 4)):
            actor = rng.choice(["社協", "行政"])
            marker = "社協" if actor == "社協" else kind
            roles.append(Role(actor=actor, label=f"{gov}・{soc}", text=words.commitment(), marker=marker))
    return roles


# --- gold ----------------------------------------------------------------------------------------
def gold_of(plan: Plan) -> dict:
    nodes, roles, actions = [], [], []
    for g in plan.goals:
        nodes.append({"level": "goal", "code": g.code, "label": g.label, "title": g.title})
        for p in g.policies:
            nodes.append({"level": "policy", "code": p.code, "label": p.label, "title": p.title,
                          "parent": g.code})
        actions += [{"parent": g.code, "kind": "action", "text": t} for t in g.actions]
    for g in plan.goals:
        for p in g.policies:
            actions += [{"parent": p.code, "kind": "action", "text": t} for t in p.actions]
            seq: dict[str, int] = {}
            for r in p.roles:
                seq[r.actor] = seq.get(r.actor, 0) + 1
                roles.append({"policy": p.code, "actor": r.actor, "actor_label": r.label, "text": r.text,
                              "qualifier": r.qualifier, "seq": seq[r.actor]})
    return {
        "plan": {"plan_id": f"{plan.slug}-{plan.edition}", "city": plan.city, "city_code": plan.city_code,
                 "prefecture": plan.prefecture, "title": plan.title, "edition": plan.edition,
                 "period_start_fy": plan.start_fy, "period_end_fy": plan.end_fy, "vision": plan.vision},
        "nodes": nodes, "roles": roles, "actions": actions,
        "scores": [{"policy": p.code, "score": p.score, "scale": "1-5", "kind": "midterm_evaluation"}
                   for g in plan.goals for p in g.policies if p.score is not None],
        "conventions": plan.conventions, "seed": plan.seed,
    }


# --- rendering -----------------------------------------------------------------------------------
def era(fy: int) -> str:
    return f"令和{fy - 2018}年度"


def _damage(c: dict, rng: random.Random, chapter: str) -> Damage:
    radicals = {}
    if c["radicals"]:
        keys = sorted(RADICALS)
        chosen = set(rng.sample(keys, min(len(keys), rng.randint(3, 8)))) | {rng.choice("民目行")}
        radicals = {k: RADICALS[k] for k in chosen}
    return Damage(overprint=c["overprint"], radicals=radicals, furigana=c["furigana"],
                  page_numbers=c["page_numbers"], running_header=chapter if c["running_header"] else "",
                  side_tab=(chapter.split("　")[0] if c["side_tab"] else ""), row_split=c["row_split"],
                  repeat_header=c["repeat_header"])


def _mark(c: dict, i: int) -> str:
    m = c["action_marks"]
    return f"{i}．" if m == "numbered" else m


def _action_heading(c: dict) -> str:
    name = c["action_name"]
    return {"plain": name, "sumi": f"【{name}】", "angle": f"＜{name}＞", "square": f"■{name}"}[c["action_heading"]]


def _role_text(r: Role) -> str:
    """A commitment as printed: its carrier or its actor in trailing parentheses."""
    s = r.text
    if r.qualifier:
        s += f"（{r.qualifier}）"
    if r.marker:
        s += f"（{r.marker}）"
    return s


def render_roles(cv: Canvas, plan: Plan, pol: Policy, rng: random.Random):
    c = plan.conv
    layout = c["roles"]
    if layout in ("none", "actor_pages") or not pol.roles:
        return
    by_label: dict[str, list[Role]] = {}
    if c["dash_no_role"] and layout in DASH_LAYOUTS:
        # every actor of the plan gets its row / column; one without a role for this policy: －
        present = {r.actor for r in pol.roles}
        for a in ACTOR_ORDER:
            if a in present:
                by_label[plan.actors[a]] = [r for r in pol.roles if r.actor == a]
            else:
                by_label[plan.actors[a]] = [Role(actor=a, label=plan.actors[a], text="－")]
    else:
        for r in pol.roles:
            by_label.setdefault(r.label, []).append(r)
    mark = c["role_marks"]
    heading = rng.choice(["それぞれの役割", "各主体の役割", "役割分担", "みんなでできること"])
    sample = c.get("profile") == "sample"
    if sample:
        heading = "それぞれの役割"
    if layout == "jijo4" or layout == "jijo3":
        cols = JIJO4 if layout == "jijo4" else JIJO3
        cv.line(heading, 11, bold=True, gap=6)
        header = [[label] for label, _ in cols]
        body = [[_role_text(r) for r in by_label.get(label, [])] or ["－"] for label, _ in cols]
        cv.table([1] * len(cols), [header, body], ruled=c["role_tables"], marks=mark)
        return
    if layout == "actor_rows":
        cv.line(heading, 11, bold=True, gap=6)
        rows = [[[label], [_role_text(r) for r in rs]] for label, rs in by_label.items()]
        with_header = not sample and rng.random() < 0.5
        if with_header:
            rows.insert(0, [["主体"], [rng.choice(["役割", "取組", "できること"])]])
        cv.table([1, 3.2], rows, ruled=c["role_tables"], marks=mark, header_rows=int(with_header),
                 plain_cols=(0,))
        return
    if layout == "actor_columns":
        cv.line(heading, 11, bold=True, gap=6)
        labels = list(by_label)
        cv.table([1] * len(labels), [[[label] for label in labels],
                                    [[_role_text(r) for r in by_label[label]] for label in labels]],
                 ruled=c["role_tables"], marks=mark)
        return
    if layout == "sections":
        for label, rs in by_label.items():
            actor = rs[0].actor
            name = {"市民": f"{label}の役割", "地域": f"{label}でできること", "行政": f"{label}が取り組むこと",
                    "社協": f"{label}の取組"}.get(actor, f"{label}の役割")
            cv.line(name, 11, bold=True, gap=5)
            for r in rs:
                cv.item(mark, _role_text(r), indent=12)
        return
    # actor_headings / bands / shared_box: borderless, an actor heading and its items
    cv.line(heading, 11, bold=True, gap=6)
    fmt = rng.choice(["【{}】", "■{}", "＜{}＞", "{}"])
    for label, rs in by_label.items():
        if any(r.marker for r in rs):  # the box two actors share: （町） / （社協） decides
            cv.boxed_items(fmt.format(label), [_role_text(r) for r in rs], mark)
            continue
        if layout == "bands":
            cv.heading(label, 10.5, style="band", bold=True, gap=4, fill=(0.95, 0.88, 0.8))
        else:
            cv.line(fmt.format(label), 10.5, bold=True, gap=4)
        for r in rs:
            cv.item(mark, _role_text(r), indent=12)


def node_heading(cv: Canvas, c: dict, label: str, title: str, level: str) -> None:
    """A goal or policy heading: label and title on one line, on two lines, or the label in a
    filled box with the title beside it (two text runs)."""
    size = 14 if level == "goal" else 12
    style = c["label_style"]
    if style == "box":
        cv.label_box(label, title, size, fill=(0.2, 0.4, 0.65) if level == "goal" else (0.45, 0.6, 0.3))
        return
    lines = [label, title] if style == "own_line" else [label + c["separator"] + title]
    for ln in lines:
        if level == "goal":
            cv.heading(ln, size, style=c["heading_style"], gap=6)
        else:
            cv.line(ln, size, bold=True, gap=6, ruby=True)


def render_body(plan: Plan, path: Path, rng: random.Random) -> None:
    c = plan.conv
    chapter = rng.choice(["第３章　施策の展開", "第４章　施策の展開", "第5章　計画の内容", "第３章　取組の推進"])
    cv = Canvas(A4, columns=c["columns"], damage=_damage(c, rng, chapter))
    # cover (no furniture)
    cv.new_page(furniture=False)
    cv.y = 250
    cv.line(plan.title, 20, bold=True, gap=20)
    cv.line(f"計画期間：{era(plan.start_fy)}～{era(plan.end_fy)}", 12, gap=30)
    if c["vision_cover"]:  # the slogan alone on the cover, without its label
        cv.line(plan.vision, 15, gap=30)
    cv.line(f"{era(plan.start_fy - 1).replace('年度', '年')}3月　{plan.city}", 12)
    # table of contents: reserved now, filled once the pages of the headings are known
    toc_pages = []
    entries = []
    if c["tree"] == "toc":
        n_entries = 4 + sum(1 + len(g.policies) for g in plan.goals)
        for _ in range((n_entries + 31) // 32):
            toc_pages.append(cv.new_page(furniture=False).number)
    # front chapters
    cv.new_page()
    cv.heading("第１章　計画の策定にあたって", 15, style=c["heading_style"])
    cv.para(f"この計画は、{plan.city}の地域福祉を進めるための基本的な考え方と取組をまとめたものです。"
            "社会福祉法に基づく市町村地域福祉計画として策定します。", first_indent=10)
    cv.line("計画の期間", 12, bold=True)
    cv.para(f"計画期間は{era(plan.start_fy)}から{era(plan.end_fy)}までの"
            f"{plan.end_fy - plan.start_fy + 1}年間とします。", first_indent=10)
    cv.space(10)
    ch2_page = cv.page_no()
    cv.heading("第２章　計画の基本的な考え方", 15, style=c["heading_style"])
    cv.line(c["vision_label"], 12, bold=True, gap=6)
    cv.heading(plan.vision, 14, style="box", bold=True, gap=12)
    if c["tree"] == "grid":
        render_tree_grid(cv, plan)
    if c["tree"] == "boxes":
        render_tree_boxes(cv, plan, rng)
    # the body chapter
    cv.new_page()
    ch3_page = cv.page_no()
    cv.heading(chapter, 15, style=c["heading_style"])
    entries += [(1, "第１章　計画の策定にあたって", cv.flow_pages[0]), (1, "第２章　計画の基本的な考え方", ch2_page),
                (1, chapter, ch3_page)]
    for g in plan.goals:
        if g is not plan.goals[0] and rng.random() < 0.6:
            cv.new_page()
        cv.need(80)
        entries.append((2, g.label + "　" + g.title, cv.page_no()))
        node_heading(cv, c, g.label, g.title, "goal")
        cv.space(4)
        if g.description:
            cv.para(g.description, first_indent=10)
        if g.actions:
            cv.line(_action_heading(c), 11, bold=True, gap=5)
            for i, a in enumerate(g.actions, 1):
                cv.item(_mark(c, i), a)
        for p in g.policies:
            cv.need(60)
            entries.append((3, p.label + "　" + p.title, cv.page_no()))
            title = p.title
            if c["new_mark"] and rng.random() < 0.4:  # 新規 marks a new policy; not part of the title
                title = rng.choice(["【新規】{}", "{}　【新規】", "{}＜新規＞"]).format(title)
            node_heading(cv, c, p.label, title, "policy")
            if p.description:
                cv.line(rng.choice(["現状と課題", "取組の考え方"]), 10.5, bold=True, gap=4)
                cv.para(p.description, first_indent=10)
                if c["chart"] and rng.random() < 0.6:
                    render_chart(cv, rng)
            if p.actions:
                cv.line(_action_heading(c), 11, bold=True, gap=5)
                for i, a in enumerate(p.actions, 1):
                    cv.item(_mark(c, i), a)
            render_roles(cv, plan, p, rng)
            if c["column_box"] and rng.random() < 0.4:
                topic = next((t for t in zoo_pools.TOPICS if t in p.title), "地域福祉")
                cv.boxed_items(rng.choice(["コラム", "トピックス", "用語解説"]),
                               [f"{topic}とは、" + rng.choice(zoo_pools.COLUMN_TEXT)],
                               mark="", size=9)
            if p.indicators:
                cv.line(rng.choice(["成果指標", "評価指標", "数値目標"]), 10.5, bold=True, gap=4)
                rows = [[["指標"], [f"現状値（{era(plan.start_fy - 2)}）"], [f"目標値（{era(plan.end_fy)}）"]]]
                for ind in p.indicators:
                    now = rng.randint(10, 400)
                    rows.append([[ind], [f"{now}"], [f"{now + rng.randint(5, 100)}"]])
                cv.table([2.2, 1.4, 1.4], rows, ruled="lines", marks="", size=8.5)
            cv.space(8)
        if c["roles"] == "actor_pages":
            render_actor_pages(cv, plan, g, rng)
    numbers = cv.furniture()
    if toc_pages:
        _fill_toc(cv, toc_pages, entries, numbers, rng)
    toc = None
    if c["bookmarks"]:
        toc = [[lvl, title, pno + 1] for lvl, title, pno in entries]
    cv.save(path, toc=toc, owner_password="zoo-owner" if c["encrypted"] else None)


def render_chart(cv: Canvas, rng: random.Random) -> None:
    """A bar chart whose labels are text (years, values, a caption): page content, not items."""
    years = [f"令和{y}年度" for y in range(rng.randint(1, 3), 7)][:4]
    values = [rng.randint(20, 200) for _ in years]
    h = 90.0
    cv.need(h + 30)
    x0, y0 = cv.x0 + 30, cv.y + 10
    top = max(values)
    shape = cv.page.new_shape()
    for k, v in enumerate(values):
        bh = v / top * (h - 20)
        shape.draw_rect(pymupdf.Rect(x0 + k * 60, y0 + h - bh, x0 + k * 60 + 30, y0 + h))
    shape.finish(color=None, fill=(0.5, 0.65, 0.85))
    shape.draw_line((x0 - 5, y0 + h), (x0 + len(values) * 60, y0 + h))
    shape.finish(color=(0, 0, 0), width=0.6)
    shape.commit()
    for k, (yr, v) in enumerate(zip(years, values)):
        bh = v / top * (h - 20)
        cv.draw(x0 + k * 60 + 4, y0 + h - bh - 3, str(v), 7)
        cv.draw(x0 + k * 60 - 8, y0 + h + 10, yr, 6.5)
    cv.draw(x0 + len(values) * 60 + 10, y0 + 20, "（人）", 7)
    cv.y = y0 + h + 16
    cv.line(rng.choice(["図　参加者数の推移", "図表　相談件数の推移", "資料：市民アンケート"]), 8, gap=8)


def render_tree_grid(cv: Canvas, plan: Plan) -> None:
    """施策の体系 as a ruled grid: vision | goal | policy, the goal cell merged down over its
    policies and the vision cell over all rows of the page; the header again on a new page."""
    c = plan.conv
    size, lh = 8.5, 12.0
    cv.line("施策の体系", 12, bold=True, gap=6)
    ws = [cv.col_w * f for f in (0.2, 0.35, 0.45)]
    xs = [cv.x0, cv.x0 + ws[0], cv.x0 + ws[0] + ws[1], cv.x0 + cv.col_w]
    head = [c["vision_label"], c["goal_name"], c["policy_name"] if c["policy_name"] not in ("none", "n/a") else "施策"]

    def cell(x0, x1, y0, y1, text, fill=None):
        shape = cv.page.new_shape()
        shape.draw_rect(pymupdf.Rect(x0, y0, x1, y1))
        shape.finish(color=(0, 0, 0), width=0.7, fill=fill)
        shape.commit()
        for i, ln in enumerate(wrap(text, x1 - x0 - 8, size)):
            if y0 + 4 + (i + 1) * lh > y1 + 2:
                break
            cv.draw(x0 + 4, y0 + 3 + size + i * lh, ln, size)

    def header():
        for k, h in enumerate(head):
            cell(xs[k], xs[k + 1], cv.y, cv.y + lh + 6, h, fill=(0.88, 0.9, 0.95))
        cv.y += lh + 6

    header()
    page_top = cv.y
    for g in plan.goals:
        texts = [p.label + "　" + p.title for p in g.policies] or ["－"]
        heights = [len(wrap(t, ws[2] - 8, size)) * lh + 6 for t in texts]
        g_text = g.label + "　" + g.title
        block = max(sum(heights), len(wrap(g_text, ws[1] - 8, size)) * lh + 6)
        if cv.y + block > cv.bottom:
            cell(xs[0], xs[1], page_top, cv.y, plan.vision)
            cv.new_page()
            header()
            page_top = cv.y
        y = cv.y
        for t, h in zip(texts, heights):
            cell(xs[2], xs[3], y, y + h * block / sum(heights), t)
            y += h * block / sum(heights)
        cell(xs[1], xs[2], cv.y, cv.y + block, g_text)
        cv.y += block
    cell(xs[0], xs[1], page_top, cv.y, plan.vision)
    cv.y += 10


def render_tree_boxes(cv: Canvas, plan: Plan, rng: random.Random) -> None:
    """施策の体系 as a diagram: a box per goal and per policy joined by lines, on a page of its own;
    the boxes are drawn in shuffled order (text blocks in any order, as in exported diagrams)."""
    c = plan.conv
    cv.new_page()
    cv.line("施策の体系", 13, bold=True, gap=10)
    rows = sum(max(1, len(g.policies)) for g in plan.goals)
    row_h = min(40.0, (cv.bottom - cv.y - 10) / max(rows, 1))
    size = min(9.0, row_h / 2.6)
    gx, gw = cv.margin, 170
    px, pw = cv.margin + 200, cv.width - 2 * cv.margin - 200
    boxes, links = [], []
    y = cv.y
    for g in plan.goals:
        n = max(1, len(g.policies))
        boxes.append((gx, y, gw, n * row_h - 6, [g.label, g.title]))
        for k, p in enumerate(g.policies):
            py = y + k * row_h
            boxes.append((px, py, pw, row_h - 6, [p.label + "　" + p.title]))
            links.append(((gx + gw, y + (n * row_h - 6) / 2), (px, py + (row_h - 6) / 2)))
        y += n * row_h
    rng.shuffle(boxes)
    page = cv.page
    shape = page.new_shape()
    for a, b in links:
        shape.draw_line(a, b)
    shape.finish(color=(0.4, 0.4, 0.4), width=0.6)
    for x, y0, w, h, _ in boxes:
        shape.draw_rect(pymupdf.Rect(x, y0, x + w, y0 + h))
    shape.finish(color=(0.2, 0.4, 0.65), width=0.8, fill=(0.93, 0.96, 1.0))
    shape.commit()
    for x, y0, w, h, texts in boxes:
        yy = y0 + 3
        for t in texts:
            for ln in wrap(t, w - 8, size):
                if yy + size > y0 + h + 2:
                    break
                cv.draw(x + 4, yy + size, ln, size)
                yy += size + 2
    cv.y = y + 10
    cv.column_break() if cv.columns > 1 else None


def render_actor_pages(cv: Canvas, plan: Plan, goal: Goal, rng: random.Random) -> None:
    """One page per actor after a goal's policies: the actor's items for each policy at once,
    a policy column inside (label and title)."""
    c = plan.conv
    by_actor: dict[str, list] = {}
    for p in goal.policies:
        for r in p.roles:
            by_actor.setdefault(r.label, []).append((p, r))
    for label, pairs in by_actor.items():
        cv.new_page()
        cv.heading(rng.choice(["{}の取組", "{}の役割", "{}ができること"]).format(label), 13, style="band")
        rows = [[["施策"], ["取組"]]]
        for p in goal.policies:
            items = [_role_text(r) for q, r in pairs if q is p]
            if items:
                rows.append([[p.label + "　" + p.title], items])
        cv.table([1.3, 3], rows, ruled=c["role_tables"] if c["role_tables"] != "n/a" else "lines",
                 marks=c["role_marks"], plain_cols=(0,))


def _fill_toc(cv: Canvas, pages, entries, numbers, rng):
    leader = rng.choice(["・", "…", "．", "."])
    per_page = 32
    for k, pno_ in enumerate(pages):
        page = cv.doc[pno_]
        y = cv.top
        cv.draw(cv.margin, y + 16, "目　次", 16, bold=True, page=page)
        y += 40
        for lvl, title, pno in entries[k * per_page:(k + 1) * per_page]:
            size = 11 if lvl == 1 else 10
            x = cv.margin + (lvl - 1) * 14
            num = str(numbers.get(pno, pno + 1))
            right = cv.width - cv.margin
            tw = text_width(title, size)
            cv.draw(x, y + size, title, size, page=page)
            lw = text_width(leader, size)
            start = x + tw + 6
            end = right - text_width(num, size) - 6
            if end > start:
                cv.draw(start, y + size, leader * int((end - start) / lw), size, page=page)
            cv.draw(right - text_width(num, size), y + size, num, size, page=page)
            y += size + 9


def render_overview(plan: Plan, path: Path, rng: random.Random) -> None:
    """An A3 overview sheet: the vision and the tree, renumbered (policies run on across goals
    when the body restarts them, and the reverse; goals in another style)."""
    c = plan.conv
    cv = Canvas(A3_LANDSCAPE, columns=rng.choice([2, 3]), damage=Damage(overprint=c["overprint"]), margin=40)
    cv.new_page(furniture=False)
    cv.line(plan.title + "【概要版】", 18, bold=True, gap=8)
    cv.line(f"計画期間：{era(plan.start_fy)}～{era(plan.end_fy)}", 11, gap=6)
    cv.line(c["vision_label"] + "　" + plan.vision, 13, bold=True, gap=12)
    goal_style = rng.choice(["roman", "circled", "arabic_dot", "bracket_sumi"])
    restart = c["runs_on"] or c["policy_numbering"] in COMPOSITE
    running = 0
    for gi, g in enumerate(plan.goals, 1):
        label = SIMPLE[goal_style](gi)
        cv.heading(f"{label}　{g.title}", 13, style="band", gap=6)
        for pi, p in enumerate(g.policies, 1):
            running += 1
            n = pi if restart else running
            cv.item("", f"({n})　{p.title}", size=10.5, indent=8)
        cv.space(8)
    cv.save(path)


EVAL_COMMENTS = ["{t}の取組は概ね順調に進んでいます。", "{t}の周知が十分でなく、参加者が伸び悩みました。",
                 "{t}について関係機関との連携が進みました。", "{t}は地区による差が残っており、引き続き支援が必要です。",
                 "{t}の担い手の確保が課題です。"]


def render_evaluation(plan: Plan, path: Path, rng: random.Random) -> None:
    """A mid-term evaluation sheet (A4 landscape): one row per policy with its 評価点, the mean of
    the committee's 1-5 ratings; the header row repeated after a page break, rows may split."""
    c = plan.conv
    cv = Canvas((842.0, 595.0), damage=Damage(overprint=c["overprint"], row_split=True, repeat_header=True,
                                             page_numbers="dash"), margin=40)
    cv.new_page()
    cv.line(f"{plan.title}　中間評価シート（{era(plan.start_fy + 2)}）", 14, bold=True, gap=6)
    cv.line("評価点：推進委員による5段階評価（5：十分に進んでいる～1：進んでいない）の平均", 9, gap=8)
    rows = [[[c["goal_name"]], ["施策"], ["評価点"], ["評価の理由・今後の方向"]]]
    for g in plan.goals:
        for k, p in enumerate(g.policies):
            topic = next((t for t in zoo_pools.TOPICS if t in p.title), "取組")
            comments = [t.format(t=topic) for t in rng.sample(EVAL_COMMENTS, rng.randint(1, 3))]
            rows.append([[g.label + "　" + g.title] if k == 0 else [""], [p.label + "　" + p.title],
                         [f"{p.score:.1f}"], comments])
    cv.table([1.6, 2, 0.6, 3], rows, ruled="lines", marks="", size=9)
    cv.furniture()
    cv.save(path)


def write_plan_yaml(plan: Plan, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(
        "# What no document of this plan states. Everything else is extracted from the documents.\n"
        f"city: {plan.city}\n"
        f'city_code: "{plan.city_code}"   # 全国地方公共団体コード (6 digits, last one a check digit); '
        "gives the prefecture\n", encoding="utf-8")


def generate_plan(seed: int, dest: Path, *, prefecture: int | None = None, pages: int | None = None,
                  profile: str | None = None) -> dict:
    """Write dest/<slug>/plan.yaml and the plan's PDF(s); return its gold (plan_id <slug>-<edition>).
    profile="sample" draws the sample corpus's own conventions (a baseline the pipeline reads)."""
    plan = compose(seed, prefecture=prefecture, pages=pages, profile=profile)
    folder = Path(dest) / plan.slug
    write_plan_yaml(plan, folder)
    rng = random.Random(seed * 7919 + 1)
    body = rng.choice(["plan.pdf", "keikaku.pdf", "honpen_plan.pdf"])
    render_body(plan, folder / body, rng)
    if plan.conv["overview"]:
        render_overview(plan, folder / "overview.pdf", rng)
    if plan.conv["evaluation"]:
        render_evaluation(plan, folder / f"evaluation_{plan.start_fy + 2}.pdf", rng)
    return gold_of(plan)


def write_corpus(seeds, dest: Path, gold_dir: Path, profile: str | None = None) -> list[dict]:
    golds = []
    gold_dir = Path(gold_dir)
    gold_dir.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        g = generate_plan(seed, Path(dest), profile=profile)
        (gold_dir / f"{g['plan']['plan_id']}.json").write_text(
            json.dumps(g, ensure_ascii=False, indent=1), encoding="utf-8")
        golds.append(g)
    return golds


def parse_seeds(spec: str) -> list[int]:
    """'0-199' or '1,5,9' or '3'."""
    seeds: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            seeds += range(int(a), int(b) + 1)
        elif part:
            seeds.append(int(part))
    return seeds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="0-9", help="e.g. 0-199 or 1,5,9")
    ap.add_argument("--dest", required=True, type=Path, help="corpus folder to write (one folder per plan)")
    ap.add_argument("--gold", required=True, type=Path, help="folder for the gold <plan_id>.json")
    ap.add_argument("--profile", choices=["sample"], default=None)
    args = ap.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError:
        print(f"--seeds {args.seeds!r}: expected e.g. 0-199 or 1,5,9", file=sys.stderr)
        return 2
    golds = write_corpus(seeds, args.dest, args.gold, profile=args.profile)
    print(f"{len(golds)} plans → {args.dest}, gold → {args.gold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
