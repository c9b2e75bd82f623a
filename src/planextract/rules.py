"""Load rules/*.yaml once into typed models with compiled patterns.

Rules describe how plans are written (numbering, headings, section names, table headers, actor
labels). Every loader names the file and the key when something is wrong.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import RulesError

if TYPE_CHECKING:
    from .compare.lexical import LexicalPrior

DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "rules_data"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HeadingPattern(_Strict):
    pattern: str
    context: str = "any"


class HeadingRules(_Strict):
    version: int
    goal: list[HeadingPattern]
    policy: list[HeadingPattern]
    focus: list[HeadingPattern]
    embedded: list[HeadingPattern]
    chapter: list[HeadingPattern]
    new_marks: list[str]
    item_status: str = ""
    item_charge: str = ""
    cross_reference: str
    title_note: str
    document_name: str = ""
    level_words: dict[str, list[str]] = {}
    not_heading_after_number: list[str] = []
    not_level_words: list[str] = []


class SectionRule(_Strict):
    pattern: str
    kind: str
    rest: bool = False


class EmbeddedPlan(_Strict):
    name: str
    code: str
    keywords: list[str]


class SectionRules(_Strict):
    version: int
    sections: list[SectionRule]
    embedded_plans: list[EmbeddedPlan]


class NumberingRules(_Strict):
    version: int
    num: str
    bullets: str
    inline_bullets: str
    item_number: str


class SchemeWord(_Strict):
    default: str
    when_also: str
    then: str


class ActorRules(_Strict):
    version: int
    actors: dict[str, list[str]]
    scheme_words: dict[str, SchemeWord] = {}
    scheme: list[str] = []  # the words of the self-help scheme (自助・互助・共助・公助)
    label_suffixes: list[str] = []
    heading_particles: list[str] = []


class TableRules(_Strict):
    version: int
    columns: dict[str, list[str]]
    item_name_columns: list[str] = []
    max_header_chars: int = 10
    min_header_matches: int
    department: str


class NarrationSentence(_Strict):
    pattern: str
    sets: str


class NarrationRules(_Strict):
    version: int
    sentences: list[NarrationSentence]
    item_closers: list[str]


class FactRules(_Strict):
    version: int
    title: list[str]
    edition: str
    period: list[str]
    period_context: str
    vision_labels: list[str]
    eras: dict[str, int]


class TextRules(_Strict):
    version: int
    artifacts: list[str]


class DocumentKind(_Strict):
    kind: str
    words: list[str]


class DocumentRules(_Strict):
    version: int
    kinds: list[DocumentKind]


class ScopeNote(_Strict):
    """What a theme or approach covers, with examples written for the codebook (never plan text)."""
    includes: str
    excludes: str
    examples_in: list[str] = []
    examples_out: list[str] = []


class Theme(_Strict):
    """A topic: what a commitment is about."""
    name: str
    aliases: list[str] = []  # former names, kept so figures stay comparable across versions
    scope: ScopeNote
    keywords: list[str]
    population: list[str] = []  # group words: a topic only when the group is the subject, not one of a list
    context: list[str] = []  # words naming who acts or whose place is used: weaker evidence than keywords


class Approach(_Strict):
    """How a commitment is carried out (with whom, by what means): a topic only as `alone`."""
    name: str
    scope: ScopeNote
    keywords: list[str]
    # the topic of an item that names this approach and nothing it is the means of: 「地元の諸団体との
    # 連携に努めます」 is about coordination itself
    alone: str | None = None


class Compound(_Strict):
    """A term that consumes the words inside it (longest match), with what it gives."""
    term: str
    topics: list[str] = []
    approaches: list[str] = []


class SenseRule(_Strict):
    near: list[str] = []  # one of these within `window` characters
    after: str = ""  # a regular expression the text right after the word matches
    actors: list[str] = []  # the item's actor is one of these
    topics: list[str] = []
    approaches: list[str] = []


class Sense(_Strict):
    """A word of two senses: the first rule whose conditions hold says what it gives."""
    words: list[str]
    rules: list[SenseRule]


class ResidentAction(_Strict):
    """A role of these actors that names no topic but one of `words` is community action."""
    actors: list[str]
    words: list[str]
    topic: str


class ThemeRules(_Strict):
    version: int
    max_topics: int = 3
    window: int = 12
    list_separators: list[str]
    list_fillers: list[str] = []
    other_groups: list[str] = []
    resident_action: ResidentAction
    themes: list[Theme]
    approaches: list[Approach] = []
    compounds: list[Compound] = []
    senses: list[Sense] = []
    # terms that often name only the means or the setting of another topic (相談, 悩みを聞く,
    # 地域の活動, 集まり): full evidence for a main topic, weak evidence for a side topic
    means: list[str] = []
    # topics whose terms stay full evidence in an adverbial phrase (SNSで発信する: the medium is
    # 情報提供・ICT; 連絡会で共有する: the meeting is 連携・ネットワーク)
    topics_as_means: list[str] = []
    # topics that are often the means of another (consultation): the main topic only when no other
    # topic has half their evidence
    yields_main: list[str] = []
    # a file of this directory holding the main-topic prior learned from the hand-coded samples
    # (compare/lexical.py, `make themes-train`); none: the codebook's evidence alone ranks topics
    lexical_prior: str | None = None

    @model_validator(mode="after")
    def _known_names(self):
        topics = {t.name for t in self.themes}
        approaches = {a.name for a in self.approaches}
        named = [(n, topics, "topic") for c in self.compounds for n in c.topics]
        named += [(n, approaches, "approach") for c in self.compounds for n in c.approaches]
        for s in self.senses:
            named += [(n, topics, "topic") for r in s.rules for n in r.topics]
            named += [(n, approaches, "approach") for r in s.rules for n in r.approaches]
        named.append((self.resident_action.topic, topics, "topic"))
        named += [(n, topics, "topic") for n in self.topics_as_means + self.yields_main]
        named += [(a.alone, topics, "topic") for a in self.approaches if a.alone]
        terms = {k for t in self.themes for k in t.keywords + t.population + t.context}
        terms |= {c.term for c in self.compounds} | {w for s in self.senses for w in s.words}
        named += [(w, terms, "means term (not a keyword, compound or sense word)") for w in self.means]
        for name, known, kind in named:
            if name not in known:
                raise ValueError(f"unknown {kind} {name!r}")
        return self


_FILES: dict[str, type[BaseModel]] = {
    "actors": ActorRules,
    "numbering": NumberingRules,
    "headings": HeadingRules,
    "sections": SectionRules,
    "tables": TableRules,
    "narration": NarrationRules,
    "facts": FactRules,
    "text": TextRules,
    "themes": ThemeRules,
    "documents": DocumentRules,
}
# rules files (besides the theme prior) that reading a document does not use: its cache outlives them
_NOT_READING = {"themes"}


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise RulesError(f"{path}: rules file is missing") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{path}:{where} is not valid YAML: {getattr(e, 'problem', e)}") from e


def key_line(path: Path, loc: tuple) -> int | None:
    """1-based line of the key at `loc` in a YAML file (the deepest one that exists)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def schema_error(path: Path, e: ValidationError) -> RulesError:
    first = e.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    line = key_line(path, first["loc"])
    where = f" line {line}," if line else ""
    return RulesError(f"{path}:{where} key '{key}': {first['msg']}")


def _validate(model: type[BaseModel], data: Any, path: Path) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise schema_error(path, e) from e


class Rules:
    """All rules, loaded once; patterns compiled on first use."""

    def __init__(self, directory: Path | None = None, with_prior: bool = True):
        self.directory = Path(directory) if directory else find_rules_dir()
        raw: dict[str, BaseModel] = {}
        digest, reading = hashlib.sha256(), hashlib.sha256()
        for name, model in _FILES.items():
            path = self.directory / f"{name}.yaml"
            data = _load_yaml(path)
            raw[name] = _validate(model, data, path)
            content = path.read_bytes()
            digest.update(content)
            if name not in _NOT_READING:
                reading.update(content)
        self.actors: ActorRules = raw["actors"]  # type: ignore[assignment]
        self.numbering: NumberingRules = raw["numbering"]  # type: ignore[assignment]
        self.headings: HeadingRules = raw["headings"]  # type: ignore[assignment]
        self.sections: SectionRules = raw["sections"]  # type: ignore[assignment]
        self.tables: TableRules = raw["tables"]  # type: ignore[assignment]
        self.narration: NarrationRules = raw["narration"]  # type: ignore[assignment]
        self.facts: FactRules = raw["facts"]  # type: ignore[assignment]
        self.text: TextRules = raw["text"]  # type: ignore[assignment]
        self.themes: ThemeRules = raw["themes"]  # type: ignore[assignment]
        self.documents: DocumentRules = raw["documents"]  # type: ignore[assignment]
        # without it (training a new prior; a worker process that only reads documents): the
        # codebook alone
        prior = self._prior_bytes(digest, required=with_prior)
        self.themes_prior = self._load_prior(prior) if with_prior else None
        # Any change to any rules file changes this: cached results keyed by it go stale.
        self.version = digest.hexdigest()[:12]
        # Only the files that reading a document uses: a new codebook or a retrained theme prior
        # keeps every document read from the cache (the themes of each plan are tagged again).
        self.reading_version = reading.hexdigest()[:12]
        self._check_patterns()

    def _prior_bytes(self, digest, required: bool) -> tuple[Path, bytes] | None:
        """The file themes.yaml names as its lexical prior, read once: its bytes count in the rules'
        version whether or not they are parsed (a worker process that tags nothing skips that)."""
        name = self.themes.lexical_prior
        if not name:
            return None
        path = self.directory / name
        # a plain file of the rules directory: no other folder, no link out of it
        inside = Path(name).name == name and path.is_file() and path.resolve().parent == self.directory.resolve()
        if not inside:
            if not required:
                return None
            raise RulesError(f"{self.directory / 'themes.yaml'}: lexical_prior {name!r} is not a file of "
                             f"{self.directory} (make themes-train writes it; or delete the line to rank by "
                             "the codebook alone)")
        data = path.read_bytes()
        digest.update(data)
        return path, data

    def _load_prior(self, found: tuple[Path, bytes] | None) -> LexicalPrior | None:
        from .compare.lexical import parse_prior  # compare imports this module: import when needed

        if found is None:
            return None
        path, data = found
        try:
            prior = parse_prior(data)
        except ValidationError as e:
            first = e.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise RulesError(f"{path}: not a lexical prior: {key + ': ' if key else ''}{first['msg']}") from e
        except ValueError as e:
            raise RulesError(f"{path}: not a lexical prior: {e}") from e
        retrain = "retrain it: make themes-train"
        if prior.codebook_version != self.themes.version:
            raise RulesError(f"{path}: trained for themes.yaml version {prior.codebook_version}, "
                             f"not {self.themes.version}: {retrain}")
        names = {t.name for t in self.themes.themes}
        unknown = (set(prior.intercepts) | set(prior.topic_intercepts)) - names
        if unknown:
            raise RulesError(f"{path}: themes not in themes.yaml: {', '.join(sorted(unknown))} ({retrain})")
        missing = names - set(prior.intercepts)
        if missing:
            raise RulesError(f"{path}: knows nothing of {', '.join(sorted(missing))} ({retrain} on samples coding them)")
        return prior

    # -- pattern helpers -----------------------------------------------------------------

    def expand(self, pattern: str) -> str:
        return pattern.replace("{num}", f"(?:{self.numbering.num})")

    def compile(self, pattern: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(self.expand(pattern))
        except re.error as e:
            raise RulesError(f"{self.directory / where}: bad pattern {pattern!r}: {e}") from e

    def _check_patterns(self) -> None:
        # Compile everything once so a bad pattern fails at load time, naming its file.
        _ = (self.heading_patterns, self.section_patterns, self.column_patterns,
             self.narration_patterns, self.fact_patterns, self.artifact_patterns, self.item_name_patterns,
             self.item_notes)

    @cached_property
    def heading_patterns(self) -> dict[str, list[tuple[re.Pattern[str], str]]]:
        h = self.headings
        out = {}
        for level in ("goal", "policy", "focus", "embedded", "chapter"):
            out[level] = [(self.compile(p.pattern, "headings.yaml"), p.context) for p in getattr(h, level)]
        return out

    @cached_property
    def cross_reference(self) -> re.Pattern[str]:
        return self.compile(self.headings.cross_reference, "headings.yaml")

    @cached_property
    def new_marks(self) -> list[str]:
        """headings.yaml `new_marks`, the longest first (【新規】 is removed before 新規)."""
        return sorted(self.headings.new_marks, key=len, reverse=True)

    @cached_property
    def item_notes(self) -> re.Pattern[str] | None:
        """A status mark or a note of who is in charge at the start or end of an item (headings.yaml
        `item_status`, `item_charge`)."""
        p = "|".join(x for x in (self.headings.item_status, self.headings.item_charge) if x)
        p = f"(?:{p})" if p else p
        return self.compile(rf"^\s*(?:{p}\s*)+|(?:\s*{p})+\s*$", "headings.yaml") if p else None

    @cached_property
    def title_note(self) -> re.Pattern[str]:
        return self.compile(self.headings.title_note, "headings.yaml")

    @cached_property
    def section_patterns(self) -> list[tuple[re.Pattern[str], SectionRule]]:
        return [(self.compile(s.pattern, "sections.yaml"), s) for s in self.sections.sections]

    @cached_property
    def embedded_patterns(self) -> list[tuple[re.Pattern[str], EmbeddedPlan]]:
        return [(self.compile(p.name, "sections.yaml"), p) for p in self.sections.embedded_plans]

    @cached_property
    def column_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        out = []
        for role, pats in self.tables.columns.items():
            for p in pats:
                out.append((self.compile(p, "tables.yaml"), role))
        return out

    @cached_property
    def item_name_patterns(self) -> list[re.Pattern[str]]:
        return [self.compile(p, "tables.yaml") for p in self.tables.item_name_columns]

    @cached_property
    def department_pattern(self) -> re.Pattern[str]:
        return self.compile(self.tables.department, "tables.yaml")

    @cached_property
    def narration_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        return [(self.compile(s.pattern, "narration.yaml"), s.sets) for s in self.narration.sentences]

    @cached_property
    def fact_patterns(self) -> dict[str, Any]:
        f = self.facts
        return {
            "title": [self.compile(p, "facts.yaml") for p in f.title],
            "edition": self.compile(f.edition, "facts.yaml"),
            "period": [self.compile(p, "facts.yaml") for p in f.period],
            "period_context": self.compile(f.period_context, "facts.yaml"),
        }

    @cached_property
    def artifact_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.M) for p in self.text.artifacts]

    @cached_property
    def actor_aliases(self) -> list[tuple[str, str]]:
        """(alias, actor) pairs, longest alias first."""
        pairs = [(alias, actor) for actor, aliases in self.actors.actors.items() for alias in aliases]
        return sorted(pairs, key=lambda p: -len(p[0]))

    @cached_property
    def actor_by_alias(self) -> dict[str, str]:
        """alias → actor, for exact lookups (the first of the longest-first pairs wins)."""
        out: dict[str, str] = {}
        for alias, actor in self.actor_aliases:
            out.setdefault(alias, actor)
        return out

    @cached_property
    def _scheme_set(self) -> frozenset[str]:
        return frozenset(set(self.actors.scheme_words) | {w.when_also for w in self.actors.scheme_words.values()}
                         | {a for a in self.actors.scheme if a})

    @cached_property
    def _actor_memo(self) -> dict[tuple[str, frozenset[str]], str | None]:
        return {}

    def actor_of(self, label: str, scheme: frozenset[str] = frozenset()) -> str | None:
        """The canonical actor of a printed label (see _actor_of); remembered per label, as the
        same labels are asked again for every line and cell of a document."""
        key = (label, scheme)
        memo = self._actor_memo
        if key not in memo:
            if len(memo) > 50_000:
                memo.clear()
            memo[key] = self._actor_of(label, scheme)
        return memo[key]

    def _actor_of(self, label: str, scheme: frozenset[str] = frozenset()) -> str | None:
        """The canonical actor of a printed label (white space already removed), or None.
        A parenthetical after the label names who is meant ('地域（自治会・民生委員等）'); a suffix
        makes it a role heading ('市民の役割', '市が取り組むこと'). `scheme`: the other actor words the
        document uses, for words whose actor depends on them (共助)."""
        bare = re.sub(r"[(（][^()（）]*[)）]$", "", label)
        candidates = [label, bare]
        for suffix in self.actors.label_suffixes:
            for c in (label, bare):
                if c.endswith(suffix) and len(c) > len(suffix):
                    candidates.append(re.sub(r"[(（][^()（）]*[)）]$", "", c[: -len(suffix)]))
        # 共助（社協）: a word of the 自助・互助・共助・公助 scheme, with who is meant in brackets
        inner = re.search(r"[(（]([^()（）]+)[)）]$", label)
        if inner and bare in self._scheme_set:
            named = self.actor_of(inner.group(1), scheme)
            if named:
                return named
        for candidate in candidates:
            word = self.actors.scheme_words.get(candidate)
            if word is not None:
                return word.then if word.when_also in scheme else word.default
            actor = self.actor_by_alias.get(candidate)
            if actor is not None:
                return actor
        return None


def find_rules_dir() -> Path:
    """rules/ of a source checkout, else the copy shipped inside the package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "rules"
        if (candidate / "headings.yaml").exists():
            return candidate
    if (DEFAULT_RULES_DIR / "headings.yaml").exists():
        return DEFAULT_RULES_DIR
    raise RulesError("no rules directory found (expected rules/ beside src/)")


_CACHE: dict[str, Rules] = {}


def load_rules(directory: Path | str | None = None, with_prior: bool = True) -> Rules:
    key = (str(Path(directory).resolve()) if directory else "<default>") + ("" if with_prior else ":no prior")
    if key not in _CACHE:
        _CACHE[key] = Rules(Path(directory) if directory else None, with_prior)
    return _CACHE[key]
