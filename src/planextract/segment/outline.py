"""segment, step 1: the outline. Which lines of a document are headings, and at which level, found
from the document's own evidence before any item is read.

- Numbering: a line that opens with a number in some style (（1）, ①, Ⅱ, ア, 1-2, 【3】, 柱２, 第一)
  and a short title that is not a sentence. The order in which the styles first appear tells how
  they nest (the style met inside another one is the level below it).
- Consistency: a style's numbers run 1, 2, 3 under their parent (or run on across parents); a
  number out of step is not taken as a heading.
- Vocabulary names levels: a level word printed before the number (基本目標, 柱, 施策の方向) says
  which level a style is; a style without a word gets its level from how it nests (the style
  inside the goal style is the policy level; a composite 1-2 is a policy of goal 1).
- Repetition: a line that repeats the title of a heading found elsewhere in the document (the
  施策の体系 printed before the chapter, a 目次, a 体系図 grid) is that heading, whatever label it
  carries, or none.
- Typography (bold, larger, boxed) is recorded as evidence beside each entry.

Only what the outline finds is decided here; the attribution step (the Segmenter) opens the nodes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..models import IngestedDocument, Level, Line, Outline, OutlineEntry
from ..normalise import clean_text, light_form, squash_space, to_int
from ..rules import Rules

_LEAD_MARKS = "■□◆◇●○◎▼▽★☆▶▷►◉・"
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_LATIN_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}

# Number styles: (kind, pattern with a group `n`, separator required after it when no word precedes)
_STYLES: list[tuple[str, str, bool]] = [
    # parts of the book: 第1章, 第二節 (a 節 may be the goal level of a plan's chapter)
    ("part", r"第\s*(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(?P<part>[章節部編])", False),
    # 1-2, 1－(2), 2の3, 基本目標1-施策2 (the policy's own word between the two numbers), and the
    # decimal 方針1.2 (no space around its point: "1. 2" is a number and a title starting with 2;
    # a decimal with no level word before it, 1.1, is the style "decimal": see _lists_held)
    ("composite", r"(?P<g>[0-9]{1,2})(?:\s*[-‐－―ー−の]\s*(?:[一-龥ぁ-んァ-ヶ]{1,6}?\s*)?|(?P<dec>[.．])(?=[0-9]{1,2}(?![0-9]|[.．][0-9])))[(（]?(?P<n>[0-9]{1,2})[)）]?", False),
    ("paren", r"[(（](?P<n>[0-9]{1,2})[)）]", False),
    ("paren_kana", r"[(（](?P<n>[" + _KATAKANA + _IROHA + r"])[)）]", False),
    ("paren_kanji", r"[(（](?P<n>[一二三四五六七八九十]{1,3})[)）]", False),
    ("bracket", r"[【［\[〔〈<＜](?P<n>[0-9]{1,2})[】］\]〕〉>＞]", False),
    ("circled", r"(?P<n>[①-⑳])", False),
    ("roman", r"(?P<n>[Ⅰ-Ⅻ])", False),
    ("latin_roman", r"(?P<n>VIII|VII|VI|IV|IX|III|II|I|V|X)(?![A-Za-z])", True),
    ("kanji", r"第?(?P<n>[一二三四五六七八九十]{1,3})", True),
    ("katakana", r"(?P<n>[" + _KATAKANA + _IROHA + r"])", True),
    ("arabic", r"第?(?P<n>[0-9]{1,2})(?![0-9])", True),
]
_SEP = r"(?P<sep>[\s:：.．、)）]*)"
_SENTENCE_END = re.compile(r"(?:。|ます|ました|です|でした|ましょう|します|ません)[。)）]*$")
MAX_TITLE = 60
_ITEM_LISTS = {"action", "roles", "focus_measure"}  # sections whose own numbering is not a heading level
# a 目次 entry's leader dots and page number, on light_form text (widths already folded)
LEADERS = re.compile(r"\s*[.．…・‥･]{3,}\s*[0-9]*\s*$")


@dataclass
class Label:
    """The number a line opens with, and what follows it."""

    word: str
    kind: str
    num: int | None
    goal_num: int | None
    label: str  # as printed (light form)
    title: str  # the rest of the line (light form)
    token: str = ""  # the number as printed (ア, イ, 3)

    @property
    def style(self) -> str:
        return f"{self.word}|{self.kind}"


def _number(kind: str, token: str) -> int | None:
    if kind in ("katakana", "paren_kana"):
        # ア イ ウ …, or イ ロ ハ … (iroha); which one is settled per document (_iroha_styles)
        if token in _KATAKANA:
            return _KATAKANA.index(token) + 1
        return _IROHA.index(token) + 1 if token in _IROHA else None
    if kind == "latin_roman":
        return _LATIN_ROMAN.get(token)
    return to_int(token)


class LabelReader:
    """Reads the leading label of a line: 基本目標１, 柱Ⅱ, 施策の方向（1）, （1）, ①, ア, 1-2, 第一."""

    def __init__(self, rules: Rules):
        words = sorted({w for ws in rules.headings.level_words.values() for w in ws}, key=len, reverse=True)
        self.level_of_word = {w: lv for lv, ws in rules.headings.level_words.items() for w in ws}
        known = "|".join(re.escape(w) for w in words) or "(?!)"
        # a level word the rules do not know: a short kanji / katakana word right before a number
        word = rf"(?P<word>{known}|(?!第)[一-龥々ァ-ヶー]{{1,5}}?)?"
        known_word = rf"(?P<word>{known})?"
        # each style twice: with any short word before the number, then with known words only
        # (エ オンライン…: the free word took エ and the number オ; the second reading is エ)
        self.patterns = [(kind, re.compile(rf"^{w}\s*(?:{pat}){_SEP}(?P<title>.*)$"), need_sep)
                         for kind, pat, need_sep in _STYLES for w in (word, known_word)]
        self.stops = tuple(rules.headings.not_heading_after_number)
        self.known_words = set(words)
        self.not_level = set(rules.headings.not_level_words)
        # 1 施策の方向　title: the number printed before a known level word (a number in a drawn
        # circle or tab, the level word and title beside it) reads as 施策の方向1 title
        self.number_first = re.compile(rf"^([0-9０-９]{{1,2}})\s+({known})[\s:：]+(?=[^\s0-9０-９])")
        self._memo: dict[str, Label | None] = {}

    def read(self, text: str) -> Label | None:
        """The label a line opens with (a copy: the outline settles kana numbers on it). Remembered
        per text: the outline and the attribution step ask for the same lines."""
        if text in self._memo:
            lab = self._memo[text]
        else:
            if len(self._memo) > 100_000:
                self._memo.clear()
            lab = self._memo[text] = self._read(text)
        return dataclasses.replace(lab) if lab is not None else None

    def _read(self, text: str) -> Label | None:
        t = light_form(text).lstrip(_LEAD_MARKS + " ")
        # 【基本目標１】… and ［柱2］…: a named label in brackets reads as the label itself
        t = re.sub(r"^[【［\[〔]\s*([^】］\]〕0-9]{1,12}\s*[^】］\]〕]{1,6}?)\s*[】］\]〕]\s*", r"\1 ", t)
        if not t:
            return None
        t = self.number_first.sub(r"\2\1 ", t, count=1)
        for kind, pat, need_sep in self.patterns:
            m = pat.match(t)
            if not m:
                continue
            word = m.group("word") or ""
            if word in self.not_level:
                return None  # 図表1, 問3, 資料2: a caption or a question, not a heading
            if kind == "part":
                word = word + "第" + m.group("part")  # 第N章 and 第N節 are two styles
            title = LEADERS.sub("", m.group("title")).strip()
            sep = m.group("sep")
            bare = kind in ("arabic", "kanji", "composite", "roman", "latin_roman")
            if (bare and not sep and title.startswith(self.stops)) or (not sep and title[:1].isdigit()):
                continue  # 第3章, 3年度, 2つの…: a part of the book or a quantity
            if sep in (".", "．") and title[:1].isdigit():
                continue  # 1.1, 1.1.1: a decimal number, not 1 and a title starting with 1
            if re.match(r"[-‐－―−]\s*[0-9０-９]", title):
                continue  # 1-1-1, 施策1-1-1: a third level (an action's number), not 1-1 titled -1
            if word and word not in self.known_words and kind != "part" and not (sep or not title):
                continue  # an unknown word glued to its title is a word of the sentence (第N節 ends itself)
            # 第一 / 第2 alone on its line (its title on the next): the line's end separates it
            dai_alone = not title and t.startswith("第") and kind in ("kanji", "arabic")
            if need_sep and not word and not sep and not dai_alone:
                continue
            if kind in ("kanji", "katakana") and not word and not sep.strip(" ") and not dai_alone:
                # ア or 一 right before a word is part of the word unless a mark separates them
                if not re.match(r"[\s　.．、:：]", sep or ""):
                    continue
            if kind == "composite" and m.group("dec") and not word:
                # 1.1 with no level word: a section of the book (1.1 計画策定の背景) or a policy of a
                # plan numbered decimally throughout; the outline tells them apart (_lists_held)
                kind = "decimal"
            num = _number(kind, m.group("n"))
            if num is None:
                continue
            goal = to_int(m.group("g")) if kind in ("composite", "decimal") else None
            label = t[: len(t) - len(m.group("title"))].rstrip(" :：、.．") if m.group("title") else t
            return Label(word=word, kind=kind, num=num, goal_num=goal, label=label.strip(), title=title,
                         token=m.group("n"))
        return None


def is_heading_text(title: str) -> bool:
    """A heading's title is short and is not a sentence."""
    return len(title) <= MAX_TITLE and not _SENTENCE_END.search(title) and "。" not in title \
        and not _RANGE_REST.match(title)


# 目標１～目標３, 1～3: the rest of a range of labels (a 目次 line, a chapter's span), not a title
_RANGE_REST = re.compile(r"^[～〜~\-－―]\s*[^\s]{0,6}?[0-9０-９①-⑳Ⅰ-Ⅻ]+\s*$")


@dataclass
class _Cand:
    line: Line
    text: str
    label: Label | None
    section: bool = False  # a section marker (主な取組, それぞれの役割): closes the styles under it
    kind: str | None = None  # the section's kind (action, roles, …)
    evidence: list[str] = field(default_factory=list)


def document_lines(doc: IngestedDocument, with_tables: bool = False,
                   reader: "LabelReader | None" = None) -> Iterator[tuple]:
    """Every line in reading order, with the text a reader sees as one unit: table cells joined
    (a wrapped title is one), but a cell line that opens with a numbered heading starts a unit of
    its own when `reader` is given (a 体系 box holding (イ)… and (ロ)…: two policies, not one).
    `with_tables`: a third value says whether the line is a table cell."""
    for page in doc.pages:
        if page.unreadable:
            continue
        for block in page.blocks:
            if block.line is not None:
                yield (block.line, block.line.text, False) if with_tables else (block.line, block.line.text)
            elif block.table is not None:
                for cell in sorted(block.table.cells, key=lambda c: (c.row, c.col)):
                    for unit in _cell_units(cell.lines, reader):
                        text = "".join(ln.text.strip() for ln in unit)
                        yield (unit[0], text, True) if with_tables else (unit[0], text)


def _cell_units(lines: list[Line], reader: "LabelReader | None") -> list[list[Line]]:
    units: list[list[Line]] = []
    for ln in lines:
        if units and reader is not None:
            lab = reader.read(ln.text)
            if lab is not None and lab.title and is_heading_text(lab.title) and (lab.word or lab.kind != "arabic"):
                units.append([ln])
                continue
        if units:
            units[-1].append(ln)
        else:
            units.append([ln])
    return units


def typography(line: Line, body_size: float | None) -> list[str]:
    marks = []
    if line.bold:
        marks.append("bold")
    if line.boxed:
        marks.append("boxed")
    if line.color is not None:
        marks.append("coloured")
    if body_size and line.size and line.size >= body_size + 1.0:
        marks.append(f"larger ({line.size:g} pt; body {body_size:g})")
    return marks


def _body_size(lines: list[Line]) -> float | None:
    sizes: dict[float, int] = {}
    for ln in lines:
        if ln.size:
            sizes[round(ln.size, 1)] = sizes.get(round(ln.size, 1), 0) + len(ln.text)
    return max(sizes, key=sizes.get) if sizes else None


def _iroha_styles(cands: list[_Cand]) -> None:
    """A kana style whose first number is イ counts イ ロ ハ (iroha), not ア イ ウ."""
    first: dict[str, str] = {}
    for c in cands:
        if c.label and c.label.kind in ("katakana", "paren_kana"):
            first.setdefault(c.label.style, c.label.token)
    for c in cands:
        if c.label and first.get(c.label.style) == "イ" and c.label.token in _IROHA:
            c.label.num = _IROHA.index(c.label.token) + 1


def _nesting(cands: list[_Cand]) -> dict[str, str | None]:
    """The parent style of each style: the one open when it first appeared."""
    parent: dict[str, str | None] = {}
    stack: list[str] = []
    for c in cands:
        if c.section:
            continue
        s = c.label.style
        if s in stack:
            del stack[stack.index(s) + 1:]
        else:
            parent.setdefault(s, stack[-1] if stack else None)
            stack.append(s)
    return parent


def _levels(cands: list[_Cand], parent: dict[str, str | None], words: dict[str, str],
            other_structure: bool, held: dict[str, set[int]]) -> dict[str, tuple[str, str]]:
    """Level of each numbering style, and why: vocabulary first, nesting for unnamed styles.
    `other_structure`: the document names its levels elsewhere (a level word, a sheet's goal
    column); then an unnamed top-level numbering (an agenda, a chapter list) is not taken as goals.
    `held`: the entries of each bare decimal style (1.1) that hold an item list."""
    count: dict[str, int] = {}
    order: list[str] = []
    for c in cands:
        if c.section:
            continue
        s = c.label.style
        if s not in count:
            order.append(s)
        count[s] = count.get(s, 0) + 1
    out: dict[str, tuple[str, str]] = {}
    for s in order:
        word = s.split("|", 1)[0]
        if s.endswith("|composite"):  # whatever word precedes it: the goal's number, then the policy's
            out[s] = ("policy", "composite number N-M: policy M of goal N")
        elif word in words and words[word] in ("goal", "policy"):
            out[s] = (words[word], f"level word {word}")
    if not out and not other_structure:
        # a plan numbered decimally throughout, whose levels nothing else names (a word, a (1)
        # level): its 1.1 entries holding item lists are the policies
        for s in order:
            if len(held.get(s, ())) >= 2:
                out[s] = ("policy", "decimal N.M, its entries holding item lists: policy M of goal N")
                break
    goals = [s for s in order if out.get(s, ("",))[0] == "goal"]
    policies = [s for s in order if out.get(s, ("",))[0] == "policy"]
    book = {s for s in order if s.split("|", 1)[0] in ("第章", "第部", "第編")}  # parts of the book
    if not goals:
        # the style that holds the policies names the goal level, even where other words name levels
        holders = [parent.get(p) for p in policies if parent.get(p) and parent.get(p) not in out
                   and parent.get(p) not in book]
        if holders:
            out[holders[0]] = ("goal", f"holds the policy style {policies[0]}")
        elif policies:
            # first appearances can mislead (a 体系 page whose goal boxes did not read as labels):
            # the style printed just before the policies most often, and less often than they are
            held = _usual_holder(cands, policies[0], count, exclude={*out, *book})
            if held:
                out[held] = ("goal", f"printed before the policy style {policies[0]}")
        goals = [s for s in order if out.get(s, ("",))[0] == "goal"]
    if not goals and not other_structure:
        # the first top-level style with numbered headings under it
        for s in order:
            kids = [k for k in order if parent.get(k) == s and count[k] >= 2]
            if parent.get(s) in (None, *book) and s not in book and count[s] >= 2 and kids and s not in out:
                out[s] = ("goal", f"first top-level numbering ({count[s]} headings) with numbered headings under it")
                break
        goals = [s for s in order if out.get(s, ("",))[0] == "goal"]
    if not goals and not policies and not other_structure:
        # numbered headings each followed by an item list (事業, 主な取組) and no level between:
        # a plan whose goals hold their actions directly
        for s in order:
            if s not in book and s not in out and count[s] >= 2 and parent.get(s) in (None, *book) \
                    and _each_opens_a_list(cands, s):
                out[s] = ("goal", f"numbered headings ({count[s]}), each followed by an item list")
                break
        goals = [s for s in order if out.get(s, ("",))[0] == "goal"]
    if goals and not policies:
        for s in order:
            if parent.get(s) in goals and s not in out and s not in book and count[s] >= 2:
                out[s] = ("policy", f"numbering nested in the goal style {parent[s]}")
                break
    return out


def _lists_held(cands: list[_Cand], style: str, parent: dict[str, str | None]) -> set[int]:
    """Indexes of the entries of `style` followed, before the next entry of its own style or of
    one not nested in it, by an item list's marker (それぞれの役割, 主な取組)."""

    def nested(s: str | None) -> bool:
        seen = set()
        while s is not None and s not in seen:
            if s == style:
                return True
            seen.add(s)
            s = parent.get(s)
        return False

    held: set[int] = set()
    open_at: int | None = None
    for i, c in enumerate(cands):
        if c.section:
            if open_at is not None and c.kind in _ITEM_LISTS:
                held.add(open_at)
        elif c.label.style == style:
            open_at = i
        elif not nested(parent.get(c.label.style)):
            open_at = None
    return held


def _decimal_entries_not_held(cands: list[_Cand], levels: dict[str, tuple[str, str]],
                              parent: dict[str, str | None], held_by_style: dict[str, set[int]]) -> set[int]:
    """In a plan numbered decimally throughout (1 / 1.1 for the book's chapters and sections as
    for the plan's goals and policies), the entries that are the book's: a 1.1 that holds no
    item list, and a 1 with no such 1.1 under it (a chapter, a 目次 line)."""
    out: set[int] = set()
    for style, (level, _) in levels.items():
        if level != "policy" or not style.endswith("|decimal"):
            continue
        held = held_by_style.get(style, set())
        holder = parent.get(style)
        holder = holder if holder is not None and levels.get(holder, ("",))[0] == "goal" else None
        # a 1.1 is the plan's only under the 1 it names; that 1 is a goal only with such a 1.1
        goal: int | None = None
        goal_held: set[int] = set()
        for i, c in enumerate(cands):
            if c.section:
                continue
            if c.label.style == holder:
                goal = i
            elif c.label.style == style:
                if i in held and goal is not None and cands[goal].label.num == c.label.goal_num:
                    goal_held.add(goal)
                else:
                    out.add(i)
        out |= {i for i, c in enumerate(cands) if not c.section and c.label.style == holder and i not in goal_held}
    return out


def _each_opens_a_list(cands: list[_Cand], style: str) -> bool:
    """Every entry of `style` is followed, before the next one, by an item list's marker."""
    opened: list[bool] = []
    for c in cands:
        if c.label is not None and c.label.style == style:
            opened.append(False)
        elif opened and c.section and c.kind in _ITEM_LISTS:
            opened[-1] = True
    return len(opened) >= 2 and all(opened)


def _usual_holder(cands: list[_Cand], style: str, count: dict[str, int], exclude: set[str]) -> str | None:
    """The style whose entry most often comes right before a run of `style`'s entries (the level
    above it), when it is printed fewer times than `style` and at least twice."""
    before: dict[str, int] = {}
    prev: str | None = None
    for c in cands:
        if c.section:
            continue
        s = c.label.style
        if s == style and prev and prev != style:
            before[prev] = before.get(prev, 0) + 1
        prev = s
    ranked = sorted(((n, s) for s, n in before.items()
                     if s not in exclude and 2 <= count[s] <= count[style] and n >= 2), reverse=True)
    return ranked[0][1] if ranked else None


def label_reader(rules: Rules) -> LabelReader:
    """One LabelReader per rules version: its patterns are compiled once, not per document."""
    if rules.version not in _READERS:
        _READERS[rules.version] = LabelReader(rules)
    return _READERS[rules.version]


_READERS: dict[str, LabelReader] = {}


def document_outline(doc: IngestedDocument, rules: Rules, is_section: Callable[[str], str | None],
                     is_item: Callable[[str], bool] | None = None, other_structure: bool = False) -> Outline:
    reader = label_reader(rules)
    # the PDF's bookmarks are the tree the file carries: read first, like a 目次, so that their
    # numbering nests and their titles are repeated by the body's headings
    marks = [(Line(text=b.title, page=b.page or 1, line_no=None), b.title) for b in doc.bookmarks if b.title.strip()]
    all_lines: list[tuple[Line, str]] = marks + list(document_lines(doc, reader=reader))
    body = _body_size([ln for ln, _ in all_lines])
    cands: list[_Cand] = []
    styles_seen: set[str] = set()
    list_from: set[str] | None = None  # after a section marker: the styles seen before it
    list_count: tuple[str, int] | None = None  # the list's own numbering (1．2．3．) and its last number
    marked_items = 0  # items with a mark (・) since the section marker
    for ln, text in all_lines:
        kind = is_section(text)
        if kind:
            cands.append(_Cand(ln, text, None, section=True, kind=kind))
            # a list of items follows (主な取組, それぞれの役割), not headings (施策の方向) or
            # text set aside (成果指標)
            list_from = set(styles_seen) if kind in _ITEM_LISTS else None
            list_count = None
            marked_items = 0
            continue
        lab = reader.read(text)
        if lab is None and is_item is not None and is_item(text):
            marked_items += 1
        if lab is not None and list_from is not None and lab.num is not None:
            # a list that counts 1, 2, 3 in a style the headings also use: its items run on from
            # its own 1 (sentences or not), a heading's number does not; a list already marked
            # (・…) does not start counting
            if list_count is None and lab.num == 1 and not marked_items:
                list_count = (lab.style, 1)
                continue
            if list_count and lab.style == list_count[0] and lab.num == list_count[1] + 1:
                list_count = (lab.style, lab.num)
                continue
        if lab is None or (lab.title and not is_heading_text(lab.title)):
            continue
        if not lab.title and not lab.word and not lab.label.startswith("第"):
            continue  # a bare number alone on a line is not a heading; 第一 is
        if list_from is not None:
            # under 主な取組 / 具体的取組み, a numbering not met before is the list's own (1．2．3．),
            # unless a level word names it (施策1 after the roles of a goal)
            if lab.style not in list_from and lab.word not in reader.level_of_word:
                continue
            list_from = None
        styles_seen.add(lab.style)
        cands.append(_Cand(ln, text, lab))
    _iroha_styles(cands)
    parent = _nesting(cands)
    named = any(c.label and c.label.word in reader.level_of_word for c in cands)
    other_structure = named or other_structure  # a level word here, or a sheet naming goal columns
    # the entries of each bare decimal style (1.1) that hold an item list: whose the style is
    held = {s: _lists_held(cands, s, parent) for s in {c.label.style for c in cands
                                                       if not c.section and c.label.kind == "decimal"}}
    levels = _levels(cands, parent, reader.level_of_word, other_structure, held)
    outline = Outline(styles={s: f"{lv} ({why})" for s, (lv, why) in levels.items()})
    goal_styles = {s for s, (lv, _) in levels.items() if lv == "goal"}
    unheld = _decimal_entries_not_held(cands, levels, parent, held)
    # walk again: an entry takes its style's level only where it stands as that level would
    # (a policy inside a goal, numbers in step)
    stack: list[str] = []
    last_num: dict[str, int] = {}
    for i, c in enumerate(cands):
        if c.section:
            # items under a section marker (主な取組 ①…) are not headings of the style they share
            stack = [s for s in stack if s in levels]
            continue
        lab = c.label
        s = lab.style
        if s in stack:
            del stack[stack.index(s) + 1:]
        else:
            if levels.get(s, (None,))[0] == "goal":
                # a goal closes the policies left open above it (a 体系 page read before)
                stack = [x for x in stack if levels.get(x, (None,))[0] != "policy"]
            stack.append(s)
            last_num.pop(s, None)
        for deeper in [k for k in last_num if k not in stack]:
            last_num.pop(deeper, None)
        level = levels.get(s, (None,))[0]
        prev = last_num.get(s)
        last_num[s] = lab.num or 0
        if level is None or i in unheld:
            continue
        if level == "policy" and not (lab.goal_num or any(x in goal_styles for x in stack)):
            continue
        in_step = prev is None or lab.num in (1, prev + 1) or lab.num == prev
        if not in_step and not lab.word:
            continue
        evidence = [f"numbering {s or '?'} → {levels[s][0]} ({levels[s][1]})"]
        evidence += typography(c.line, body)
        outline.entries.append(OutlineEntry(
            level=Level(level), text=c.text, label=lab.label, word=lab.word or None, style=s, num=lab.num,
            goal_num=lab.goal_num, title=clean_text(lab.title), page=c.line.page, line_no=c.line.line_no,
            evidence=evidence))
    if not outline.entries:
        _add_bookmark_levels(outline, doc)
    free_lines = [(ln, text) for ln, text, in_table in document_lines(doc, with_tables=True) if not in_table]
    document_name = re.compile(rules.headings.document_name) if rules.headings.document_name else None
    _add_typographic_headings(outline, free_lines, body, is_section, is_item, lambda t: reader.read(t) is not None,
                              other_structure, document_name)
    _add_repeated_titles(outline, all_lines, reader, is_section, is_item)
    return outline


def _add_bookmark_levels(outline: Outline, doc: IngestedDocument) -> None:
    """No numbered outline, but bookmarks nested two deep or more: the deepest bookmark level
    that recurs is the policy level, the one above it the goal level (chapters above that)."""
    counts: dict[int, int] = {}
    for b in doc.bookmarks:
        counts[b.level] = counts.get(b.level, 0) + 1
    deep = [lv for lv in sorted(counts, reverse=True) if counts[lv] >= 2]
    if not deep or deep[0] - 1 not in counts:
        return
    levels = {deep[0]: Level.policy, deep[0] - 1: Level.goal}
    for b in doc.bookmarks:
        lv = levels.get(b.level)
        if lv is not None and b.title.strip():
            outline.entries.append(OutlineEntry(
                level=lv, text=b.title, title=clean_text(LEADERS.sub("", light_form(b.title))), page=b.page,
                evidence=[f"bookmark at depth {b.level}: the deepest recurring depth is the policy level"]))


def _look(line: Line) -> tuple | None:
    """A line's typography, as headings of one level share it: size, weight, box, colour."""
    if line.bbox is None or not line.size:
        return None
    return (round(line.size * 2) / 2, line.bold, line.boxed, line.color)


def _prominent(look: tuple, body_look: tuple) -> bool:
    """Printed to stand out from the body: larger, or as large and bold or boxed."""
    return look[0] >= body_look[0] + 1 or (look[0] >= body_look[0] and (look[1] or look[2]))


def _stands_as_heading(text: str, is_section, is_item) -> bool:
    t = clean_text(text)
    return 2 <= len(t) <= 40 and is_heading_text(t) and not is_section(text) and not (is_item and is_item(text))


def _add_typographic_headings(outline: Outline, lines: list[tuple[Line, str]], body: float | None,
                              is_section, is_item, has_label, other_structure: bool,
                              document_name: re.Pattern | None = None) -> None:
    """Unnumbered headings, by how they are printed (size, weight, box, colour) against the body.
    Goals numbered and policies not: the most prominent look that recurs under the goals is the
    policy level. No numbered outline at all: the two most prominent recurring looks are the goal
    and policy levels. Only free-standing lines (not table cells), without a number of their own,
    and not repeated on many pages (a running title is not a heading)."""
    if body is None:
        return
    body_look = (round(body * 2) / 2, False, False, None)
    seen: dict[str, int] = {}
    for _, text in lines:
        seen[squash_space(text)] = seen.get(squash_space(text), 0) + 1

    def candidate(ln: Line, text: str) -> tuple | None:
        look = _look(ln)
        if look is None or look == body_look or not _prominent(look, body_look) or ln.toc_page is not None:
            return None
        if seen[squash_space(text)] > 2 or has_label(text) or not _stands_as_heading(text, is_section, is_item):
            return None
        if document_name is not None and document_name.search(clean_text(text)):
            return None  # the book's own title (a cover's 〇〇市地域福祉計画) heads no level
        return look

    levels = {e.level for e in outline.entries}
    goal_lines = [i for i, (ln, text) in enumerate(lines) if any(
        e.level == Level.goal and e.page == ln.page and e.text == text for e in outline.entries)]
    chosen: dict[tuple, Level] = {}
    why = ""
    goal_lines = [i for i in goal_lines if lines[i][0].toc_page is None]  # a 目次 entry heads nothing
    if levels == {Level.goal} and goal_lines:
        goal_looks = {_look(lines[i][0]) for i in goal_lines}
        under: dict[tuple, set[int]] = {}  # look → the goals under which it is printed
        counts: dict[tuple, int] = {}
        goal_no = 0
        for i, (ln, text) in enumerate(lines[goal_lines[0]:], start=goal_lines[0]):
            if i in goal_lines:
                goal_no += 1
            look = candidate(ln, text)
            if look is not None and look not in goal_looks:
                counts[look] = counts.get(look, 0) + 1
                under.setdefault(look, set()).add(goal_no)
        # printed under two goals at least, unless the plan has only one
        need = min(2, len(goal_lines))
        ranked = sorted((lk for lk, n in counts.items() if n >= 2 and len(under[lk]) >= need),
                        key=lambda lk: (-lk[0], not lk[2], not lk[1]))
        if ranked:
            chosen = {ranked[0]: Level.policy}
            why = "goals are numbered, policies are not: the most prominent look that recurs under the goals"
    elif not levels and not other_structure:
        counts = {}
        for ln, text in lines:
            look = candidate(ln, text)
            if look is not None:
                counts[look] = counts.get(look, 0) + 1
        ranked = sorted((lk for lk, n in counts.items() if n >= 2), key=lambda lk: (-lk[0], not lk[2], not lk[1]))[:2]
        if len(ranked) == 2:
            chosen = {ranked[0]: Level.goal, ranked[1]: Level.policy}
            why = "no numbered outline: the two most prominent recurring looks are the goal and policy levels"
    for ln, text in lines:
        lv = chosen.get(candidate(ln, text)) if chosen else None
        if lv is not None:
            outline.entries.append(OutlineEntry(level=lv, text=text, title=clean_text(text), page=ln.page,
                                                line_no=ln.line_no, evidence=[why] + typography(ln, body)))


def _add_repeated_titles(outline: Outline, lines: list[tuple[Line, str]], reader: LabelReader,
                         is_section: Callable[[str], bool], is_item: Callable[[str], bool] | None) -> None:
    """A line that repeats a heading's title is that heading, whatever label it carries (or none)."""
    known: dict[str, OutlineEntry] = {}
    for e in outline.entries:
        if e.title and len(e.title) >= 4:
            known.setdefault(squash_space(e.title), e)
    if not known:
        return
    taken = {(e.page, e.line_no, squash_space(light_form(e.text))) for e in outline.entries}
    for ln, text in lines:
        key = (ln.page, ln.line_no, squash_space(light_form(text)))
        if key in taken or is_section(text):
            continue
        lab = reader.read(text)
        title = clean_text(lab.title if lab and lab.title else text)
        core = squash_space(title)
        e = known.get(core)
        if e is None or not is_heading_text(title):
            continue
        if is_item and is_item(text) and not lab:
            continue
        outline.entries.append(OutlineEntry(
            level=e.level, text=text, label=lab.label if lab else None, word=lab.word or None if lab else None,
            style=lab.style if lab else "", num=e.num, goal_num=e.goal_num, title=title, page=ln.page,
            line_no=ln.line_no, evidence=[f"repeats the title of {e.level.value} {e.label or ''} (page {e.page})"]))


def outline_key(text: str) -> str:
    return squash_space(light_form(text))
