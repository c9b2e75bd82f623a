"""Theme tagging by the codebook in rules/themes.yaml (docs/rules.md, "themes.yaml").

Two dimensions: topics (what an item is about, ranked, at most `max_topics`, the first the main
topic) and approaches (how it is done; never a topic). Matching is longest-first: a compound
consumes the words inside it; a population word makes its theme only when the group is the
subject of the item, not one of a list; a word of two senses gives what its first matching rule
says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..rules import Rules, SenseRule, ThemeRules
from .lexical import LexicalPrior
from .tokens import Token, tokenize

SHORT = 2  # a keyword this short is checked against the mode-C tokens it lies in (inside_ok)
# Ranking (measured on tests/themes/dev.yaml): a context word (事業所, 自治会, 民生委員) says who
# acts or whose place is used, so it weighs less than a keyword of what is done (a group word such
# as 子ども weighs in full: the group an item is about is often its main topic); a side topic is
# kept only with at least SIDE_SHARE of the main topic's evidence. Placing the main topic by
# position (the object before the last を, or the last clause) was measured too and lost: the
# earliest of equally supported topics is the better main topic.
WEAK_WEIGHT = 0.7
SIDE_SHARE = 0.5
# A noun phrase that says where, with whom, to whom or by what means something is done is not
# what the commitment is about: 公民館で / 地域の集まりで (place, occasion), 学校と協力して (partner),
# 民生委員に連絡する (who is told), ICTを活用して / 広報を通じて (instrument), 活動の中で. Its
# terms count ADVERBIAL_WEIGHT each toward a side topic (a side topic needs evidence of its own),
# except for the topics the codebook lists under `topics_as_means` (a medium: SNSで発信する). The
# main topic is still ranked by all evidence: ranking it by the evidence of its own, or preferring
# on a tie the topic of the object before the last を, was measured on the tuning samples and lost.
ADVERBIAL_WEIGHT = 0.4
# An approach word followed by these is a partner or the means of what follows (関係機関と,
# 協力して周知する, 会議で話し合う): no `alone` topic; followed by anything else (連携に努める,
# 連携を図る) it is what is done.
AS_MEANS = re.compile(r"(?:と|して|し、|しつつ|しながら|で|により|による|を通じ|を通して|を活用)")
# The learned main-topic prior (compare/lexical.py) adds PRIOR_WEIGHT x its probability to each
# candidate's share of the strongest evidence; alone (no candidate) it names a topic from PRIOR_ALONE.
# Measured leave-one-sample-out over the tuning samples (`make themes-train` prints it).
PRIOR_WEIGHT = 1.0
# Real plans print many items no term matches (an event's name, 〜の推進): their coders still name a
# topic, and the prior's best guess is right more often than no topic (measured on real items of
# other cities' plans, never trained on: main topic 61% with 0.5, 67% with 0.2 to 0.0; leave one
# sample out 87.4% -> 88.2%). In practice every item takes a guess: the best of 19 topics is rarely
# under 0.1 (of 1,751 sample texts, only an empty one). The guess has no keywords: the theme
# matrices leave it out, item_themes, search and the report's lists mark it.
PRIOR_ALONE = 0.1
# ... and a side topic, beside its own evidence, needs at least this probability of being a topic of
# the item (chosen leave-one-sample-out on nine samples, pooled: 0.05 P 0.874 R 0.885, 0.1 P 0.906
# R 0.866, 0.2 P 0.925 R 0.840; PRIOR_WEIGHT 0.5-2.0 made no difference)
SIDE_PRIOR = 0.1
# the words a noun phrase is made of after its first term (nouns, suffixes, の, lists with や / ・)
PHRASE_POS = ("名詞", "接尾辞")
PHRASE_LINKS = {"の", "や", "・", "及び", "および", "等", "など"}
# X で after these is who acts together (事業所どうしで, 住民同士で), not a place or means
TOGETHER = {"どうし", "同士", "間", "全体", "自身", "みんな", "皆"}
ADVERBIAL = re.compile(
    r"(?:で(?!あ|す|き|しょ)"  # place, occasion or means (not the copula である / です, not できる)
    r"|と(?:の)?(?:連携|協力|協働|共に|ともに|一緒|相談し|調整し|協定|話し合)"  # a partner
    r"|(?:に|へ)(?:連絡|知らせ|伝え|通報|報告)"  # who is told
    r"|を(?:通じ|通して|通し|活用|使っ|使い|用い|生か|活か|利用し)"  # an instrument
    r"|の中で)")


@dataclass
class Entry:
    """What one term of the codebook gives when it is matched."""
    topics: list[str] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)
    group: str | None = None  # population theme ("" for a group word of no theme) when a group word
    senses: list[SenseRule] | None = None


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Tag:
    theme: str
    dimension: str  # "topic" or "approach"
    rank: int  # 1 = main topic (or first approach)
    keywords: tuple[str, ...]
    # a topic's probability of being right, by the prior's calibration (lexical.Calibration); None:
    # approaches, or tagging without a calibrated prior
    confidence: float | None = None


@dataclass
class Codebook:
    """The terms of a ThemeRules, compiled once per rules version."""
    book: ThemeRules
    entries: dict[str, Entry]
    separators: re.Pattern[str]
    list_gap: re.Pattern[str]
    by_first: dict[str, list[str]] = field(default_factory=dict)  # terms by their first character
    context: set[str] = field(default_factory=set)  # terms that name who acts or where (weak evidence)
    means: set[str] = field(default_factory=set)  # terms often only the means of another topic
    # terms by their normalized spelling (sudachi normalized forms of their tokens joined: こども and
    # 子ども → 子供, 障碍 → 障害, つながり → 繋がり, 見守って → 見守る), for matching an item's
    # normalized spelling; keyed by first character like by_first
    by_norm_first: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def terms_in(self, text: str) -> list[str]:
        """The terms that can occur in `text`: those whose first character it holds."""
        return [t for ch in set(text) for t in self.by_first.get(ch, ())]

    def norm_terms_in(self, norm: str) -> list[tuple[str, str]]:
        """(normalized spelling, term) of the terms that can occur in a normalized text."""
        return [nt for ch in set(norm) for nt in self.by_norm_first.get(ch, ())]


_BOOKS: dict[int, Codebook] = {}


def _codebook(book: ThemeRules) -> Codebook:
    if id(book) in _BOOKS and _BOOKS[id(book)].book is book:
        return _BOOKS[id(book)]
    entries: dict[str, Entry] = {}

    def entry(term: str) -> Entry:
        return entries.setdefault(term, Entry())

    for t in book.themes:
        for k in t.keywords:
            entry(k).topics.append(t.name)
        for k in t.population:
            entry(k).group = t.name
        for k in t.context:
            entry(k).topics.append(t.name)
    for g in book.other_groups:
        entry(g).group = entry(g).group or ""
    for a in book.approaches:
        for k in a.keywords:
            entry(k).approaches.append(a.name)
    # compounds and senses say all a term gives: they replace what its keyword lists say
    for c in book.compounds:
        entries[c.term] = Entry(topics=list(c.topics), approaches=list(c.approaches))
    for s in book.senses:
        for w in s.words:
            # a group word of two senses (福祉) still makes a list with the other group words
            entries[w] = Entry(senses=list(s.rules), group=entries[w].group if w in entries else None)
    alt = "|".join(re.escape(x) for x in sorted(book.list_separators + book.list_fillers, key=len, reverse=True))
    cb = Codebook(book, entries, re.compile("|".join(re.escape(x) for x in book.list_separators)),
                  re.compile(f"(?:{alt})+"))
    cb.context = {k for t in book.themes for k in t.context}
    cb.means = set(book.means)
    for term in entries:
        cb.by_first.setdefault(term[:1], []).append(term)
        norm = normalized(tokenize(term))
        if norm and norm != term:
            cb.by_norm_first.setdefault(norm[:1], []).append((norm, term))
    _BOOKS[id(book)] = cb
    return cb


def codebook(rules: Rules) -> Codebook:
    return _codebook(rules.themes)


def token_spans(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Where each token lies in `text` (tokens skip white space only, so they are found in order)."""
    spans, pos = [], 0
    for t in tokens:
        i = text.find(t.surface, pos)
        if i < 0:
            return []
        spans.append((i, i + len(t.surface)))
        pos = i + len(t.surface)
    return spans


def normalized(tokens: list[Token]) -> str:
    """A text spelled by the normalized forms of its tokens (one spelling for kana / kanji variants
    and inflections)."""
    return "".join(t.normalized_form for t in tokens)


def normalized_matches(tokens: list[Token], spans: list[tuple[int, int]], cb: Codebook) -> list[Match]:
    """Terms found in the normalized spelling of the item, as spans of the item's own text. A match
    starts at a token; it may end inside a token only when it is longer than a short keyword."""
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t.normalized_form)
    norm = normalized(tokens)
    first_of = {p: i for i, p in enumerate(starts)}
    out = []
    for nterm, term in cb.norm_terms_in(norm):
        i = norm.find(nterm)
        while i >= 0:
            end = i + len(nterm)
            if i in first_of:
                a = first_of[i]
                b = max(k for k, p in enumerate(starts) if p < end)
                whole = end == starts[b] + len(tokens[b].normalized_form)
                if whole or len(nterm) > SHORT:
                    out.append(Match(spans[a][0], spans[b][1], term))
            i = norm.find(nterm, i + 1)
    return out


def inside_ok(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """A short keyword fires inside a longer mode-C token only as one word of a compound
    (相談 in 相談窓口), not with a one-character affix (介護 in 介護職, 児童 in 児童館)."""
    for s, e in spans:
        if s < end and start < e:  # the tokens the keyword overlaps
            if start < s or end > e:
                return (start in {x for x, _ in spans}) and (end in {y for _, y in spans})
            rest = [n for n in (start - s, e - end) if n]
            return all(n >= 2 for n in rest)
    return True


def candidates(text: str, tokens: list[Token], cb: Codebook) -> list[Match]:
    """Every occurrence of every term: as text, or as a form of a token (見守る in みまもり)."""
    spans = token_spans(text, tokens)
    out = []
    for term in cb.terms_in(text):  # not every term of the codebook: only those that can occur
        i = text.find(term)
        while i >= 0:
            end = i + len(term)
            if len(term) > SHORT or not spans or inside_ok(i, end, spans):
                out.append(Match(i, end, term))
            i = text.find(term, i + 1)
    for t, (s, e) in zip(tokens, spans):
        for k in t.keys():
            if k != t.surface and k in cb.entries:
                out.append(Match(s, e, k))
    if spans:
        found = {}
        for m in out:
            found.setdefault(m.term, []).append(m)
        for m in normalized_matches(tokens, spans, cb):  # only where the spelling itself missed it
            if not any(o.start < m.end and m.start < o.end for o in found.get(m.term, ())):
                out.append(m)
    return out


def longest_first(matches: list[Match]) -> list[Match]:
    """Longest match wins: a match inside a longer one is dropped (児童 and 児童委員 inside
    民生委員・児童委員; 介護 inside 介護人材 even where 人材の確保 overlaps it)."""
    spans = {(m.start, m.end) for m in matches}
    kept = [m for m in set(matches)
            if not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in spans)]
    return sorted(kept, key=lambda m: (m.start, m.end, m.term))


def in_lists(text: str, groups: list[Match], cb: Codebook) -> set[Match]:
    """Group words that stand in a list with another group word (高齢者・障がい者・子ども)."""
    theme = {(m.start, m.end): cb.entries[m.term].group for m in groups}  # one word may match twice (子ども, 子供)
    spans = sorted(theme)
    lists: list[list[tuple[int, int]]] = []
    for a, b in zip(spans, spans[1:]):
        gap = text[a[1]:b[0]]
        if gap and cb.list_gap.fullmatch(gap) and cb.separators.search(gap):
            if lists and lists[-1][-1] == a:
                lists[-1].append(b)
            else:
                lists.append([a, b])
    # a list of one theme's words only (医療と介護) is that theme's subject
    listed = {s for members in lists if len({theme[s] for s in members}) > 1 for s in members}
    return {m for m in groups if (m.start, m.end) in listed}


def adverbial(m: Match, text: str, tokens: list[Token], spans: list[tuple[int, int]]) -> bool:
    """Whether the noun phrase a match lies in says where, with whom or by what means (公民館で,
    学校と協力して, 民生委員に知らせる, ICTを活用して) rather than what is done."""
    j = next((k for k, (s, _) in enumerate(spans) if s >= m.end), len(tokens))
    while j < len(tokens) and (tokens[j].pos in PHRASE_POS or tokens[j].surface in PHRASE_LINKS):
        j += 1
    if j >= len(tokens) or not ADVERBIAL.match(text, spans[j][0]):
        return False
    return not (text.startswith("で", spans[j][0]) and j > 0 and tokens[j - 1].surface in TOGETHER)


def sense_of(rules: list[SenseRule], text: str, m: Match, actor: str | None, window: int) -> SenseRule | None:
    near = text[max(0, m.start - window):m.start] + " " + text[m.end:m.end + window]
    for r in rules:
        if r.near and not any(w in near for w in r.near):
            continue
        if r.after and not re.match(r.after, text[m.end:]):
            continue
        if r.actors and actor not in r.actors:
            continue
        return r
    return None


@dataclass
class Evidence:
    """What an item says for one theme: weighted matches, where they lie, the keywords matched."""
    theme: str
    weight: float = 0.0  # all evidence (one per stretch of text matched)
    own: float = 0.0  # the same outside adverbial phrases and `means` terms
    start: int = 0  # first match
    end: int = 0  # end of the last match
    keywords: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, float]] = field(default_factory=list)  # start, end, weight counted
    own_spans: list[tuple[int, int, float]] = field(default_factory=list)  # start, end, own weight counted
    kinds: set[str] = field(default_factory=set)  # keyword / context / group / sense / means / adverbial


@dataclass
class ItemEvidence:
    """The topic and approach evidence of one role or action."""
    topics: dict[str, Evidence]
    approaches: dict[str, Evidence]


def _count(spans: list[tuple[int, int, float]], m: Match, weight: float) -> float:
    """What a match adds to a total: one stretch of text is one piece of evidence however many
    forms of a term it matches (子ども as 子ども, こども and 子供; 見守る as 見守り and みまもり), the
    strongest counting. Records the match in `spans` when it adds anything."""
    same = [c[2] for c in spans if c[0] < m.end and m.start < c[1]]
    added = weight - max(same) if same else weight
    if added > 0 or not same:
        spans.append((m.start, m.end, weight))
    return max(added, 0.0)


def _add(where: dict[str, Evidence], theme: str, m: Match, weight: float, own: float, kind: str) -> None:
    """Count one match for a theme, its weight and its own weight each by its own stretches."""
    ev = where.setdefault(theme, Evidence(theme, start=m.start, end=m.end))
    ev.weight += _count(ev.spans, m, weight)
    ev.own += _count(ev.own_spans, m, own)
    ev.end = m.end
    ev.kinds.add(kind)
    if m.term not in ev.keywords:
        ev.keywords.append(m.term)


def evidence(text: str, tokens: list[Token], rules: Rules, actor: str | None = None) -> ItemEvidence:
    """What the codebook finds in one role or action, theme by theme."""
    cb = codebook(rules)
    book = cb.book
    matches = longest_first(candidates(text, tokens, cb))
    listed = in_lists(text, [m for m in matches if cb.entries[m.term].group is not None], cb)
    topics: dict[str, Evidence] = {}
    approaches: dict[str, Evidence] = {}
    spans = token_spans(text, tokens)
    for m in matches:
        e = cb.entries[m.term]
        gives_topics, gives_approaches = e.topics, e.approaches
        if e.senses is not None:
            r = sense_of(e.senses, text, m, actor, book.window)
            gives_topics, gives_approaches = (r.topics, r.approaches) if r else ([], [])
        in_phrase = bool(spans) and adverbial(m, text, tokens, spans)
        aside = ADVERBIAL_WEIGHT if m.term in cb.means or in_phrase else 1.0
        weak = WEAK_WEIGHT if m.term in cb.context else 1.0  # who acts, or whose place, is not what is done
        kind = ("sense" if e.senses is not None else "context" if m.term in cb.context
                else "means" if m.term in cb.means else "adverbial" if in_phrase else "keyword")
        for t in dict.fromkeys(gives_topics):
            _add(topics, t, m, weak, weak * (aside if t not in book.topics_as_means else 1.0), kind)
        # a group word read in another sense (中学生 learning about welfare) is not also its group
        read_as_other = e.senses is not None and bool(gives_topics or gives_approaches)
        if e.group and m not in listed and e.group not in gives_topics and not read_as_other:
            _add(topics, e.group, m, 1.0, aside, "group")
        for a in dict.fromkeys(gives_approaches):
            _add(approaches, a, m, 1.0, 1.0, kind)
    alone = [(ev, a.alone) for a in book.approaches if a.alone and (ev := approaches.get(a.name))
             and any(not AS_MEANS.match(text, end) for _, end, _ in ev.spans)]
    if not topics and alone:
        # an approach and nothing it is the means of (「諸団体との連携に努めます」): it is the topic.
        # (Also when every topic found is only a partner, place or means of it: measured, lost
        # on the samples, main topic 87.0% -> 86.6% leaving one sample out.)
        ev, topic = min(alone, key=lambda x: x[0].start)
        topics[topic] = Evidence(topic, 1.0, 1.0, ev.start, ev.end, list(ev.keywords), kinds={"approach"})
        return ItemEvidence(topics, approaches)
    ra = book.resident_action
    if not topics and actor in ra.actors:
        word = next((w for w in ra.words if w in text), None)
        if word:
            topics[ra.topic] = Evidence(ra.topic, 1.0, 1.0, 0, 0, [word], kinds={"resident"})
            return ItemEvidence(topics, approaches)
    return ItemEvidence(topics, approaches)


def rank_topics(found: ItemEvidence, book: ThemeRules, prior: dict[str, float] | None = None,
                topic_prior: dict[str, float] | None = None) -> list[Evidence]:
    """The topics kept, main topic first: more evidence first, on a tie the theme named first; a
    side topic needs evidence of its own (SIDE_SHARE of the main topic's).

    With a learned prior (theme → probability of being the main topic, compare/lexical.py) the main
    topic is the candidate of most evidence share plus PRIOR_WEIGHT times its probability, and an item
    with no candidate takes the prior's topic when it is at least PRIOR_ALONE likely; a side topic
    also needs `topic_prior` (the probability that the theme is a topic of the item at all) of at
    least SIDE_PRIOR."""
    by_evidence = sorted(found.topics.values(), key=lambda ev: (-ev.weight, ev.start))
    if not by_evidence:
        if prior:
            theme, p = max(prior.items(), key=lambda kv: kv[1])
            if p >= PRIOR_ALONE:
                return [Evidence(theme, kinds={"prior"})]
        return []
    top = by_evidence[0].weight
    if prior:
        main = max(by_evidence, key=lambda ev: ev.weight / top + PRIOR_WEIGHT * prior.get(ev.theme, 0.0))
    else:
        main = by_evidence[0]
    if main.theme in book.yields_main:
        # consultation as the means of another topic (子育ての相談に応じる): the other topic leads
        # (with the prior too: leave-one-sample-out on nine samples, main topic 87.5% without this,
        # 88.4% with it)
        main = next((ev for ev in by_evidence if ev is not main and ev.weight >= SIDE_SHARE * main.weight), main)
    # a side topic needs evidence of its own near the main topic's
    # (among the max_topics of most evidence: a weaker one is not promoted when these fail)
    strongest = by_evidence[:book.max_topics]
    if not any(ev is main for ev in strongest):  # the prior chose a weaker candidate
        strongest = [main] + strongest[:-1]
    sides = [ev for ev in strongest if ev is not main and ev.own >= SIDE_SHARE * main.weight
             and (topic_prior is None or topic_prior.get(ev.theme, 1.0) >= SIDE_PRIOR)]
    return [main] + sides


def rank_item(text: str, tokens: list[Token], rules: Rules, actor: str | None, model: LexicalPrior | None
              ) -> tuple[ItemEvidence, list[Evidence], dict[str, float] | None, dict[str, float] | None]:
    """An item's evidence, its topics ranked, and the prior's two sets of probabilities (None
    without a prior)."""
    found = evidence(text, tokens, rules, actor)
    prior, topic_prior = model.probabilities(text) if model else (None, None)
    return found, rank_topics(found, rules.themes, prior, topic_prior), prior, topic_prior


def tag_features(ranked: list[Evidence], prior: dict[str, float], topic_prior: dict[str, float]) -> list[dict[str, float]]:
    """What the confidence of each ranked topic is computed from (lexical.CONFIDENCE_FEATURES);
    `evidence` is its share of the strongest evidence among the topics kept (as the calibration was
    fitted)."""
    top = max((ev.weight for ev in ranked), default=0.0) or 1.0
    return [{"topic_p": topic_prior.get(ev.theme, 0.5), "main_p": prior.get(ev.theme, 0.0), "main": float(i == 0),
             "evidence": ev.weight / top, "keyword": float(bool(ev.kinds & {"keyword", "sense"})),
             "prior_alone": float(ev.kinds == {"prior"})} for i, ev in enumerate(ranked)]


def tag(text: str, tokens: list[Token], rules: Rules, actor: str | None = None,
        prior_model: LexicalPrior | None | Literal["rules"] = "rules") -> list[Tag]:
    """The ranked topics, then the approaches, of one role or action. `prior_model`: the rules' own
    learned prior, another one (measuring a retrained prior), or None (the codebook alone)."""
    model = rules.themes_prior if isinstance(prior_model, str) else prior_model  # "rules"
    found, ranked, prior, topic_prior = rank_item(text, tokens, rules, actor, model)
    confidence = ([round(model.calibration.probability(f), 3) for f in tag_features(ranked, prior, topic_prior)]
                  if model and model.calibration else [None] * len(ranked))
    out = [Tag(ev.theme, "topic", i, tuple(ev.keywords), c)
           for i, (ev, c) in enumerate(zip(ranked, confidence), 1)]
    ranked_a = sorted(found.approaches.values(), key=lambda ev: (-ev.weight, ev.start))
    out += [Tag(ev.theme, "approach", i, tuple(ev.keywords)) for i, ev in enumerate(ranked_a, 1)]
    return out


def themes_of(text: str, tokens: list[Token], rules: Rules, actor: str | None = None) -> list[tuple[str, list[str]]]:
    """(theme, matched keywords) of the topics of an item, main topic first."""
    return [(t.theme, list(t.keywords)) for t in tag(text, tokens, rules, actor) if t.dimension == "topic"]
