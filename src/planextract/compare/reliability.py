"""Reliability of the theme tags against a hand-coded sample (`make themes-check`).

A sample file (tests/themes/*.yaml) holds fictional items coded by meaning: `topics` (the first the
main topic) and `approach`, in short codes mapped to theme names under `codes`. This module tags
each item with the codebook and prints precision / recall per theme, micro P / R / F1, topics per
item, main-topic accuracy, and how often topic tags are right by band of confidence (also pooled
over the samples the prior was never trained on)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

import yaml

from ..errors import PlanextractError
from ..rules import Rules, load_rules
from .lexical import Calibration, LexicalPrior, fit_calibration, save_prior, train
from .themes import rank_item, tag, tag_features
from .tokens import tokenize


SECOND_CODER = "coder2"  # folder beside the samples holding second codings of some of them


@dataclass
class SampleItem:
    text: str
    actor: str | None
    topics: list[str]  # theme names, main topic first
    approaches: list[str]


@dataclass
class Figures:
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    auto_topics: int = 0
    hand_topics: int = 0
    main_right: int = 0
    main_n: int = 0
    approach_tp: int = 0
    approach_fp: int = 0
    approach_fn: int = 0
    per_theme: dict[str, list[int]] = field(default_factory=dict)  # theme → [tp, fp, fn]
    errors: list[str] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)  # each topic tag's confidence, right?

    def __add__(self, other: Figures) -> Figures:
        """Pooled figures of two samples (the counts summed)."""
        counts = [f.name for f in fields(Figures) if f.type in ("int", int)]
        return Figures(**{k: getattr(self, k) + getattr(other, k) for k in counts},
                       confidences=self.confidences + other.confidences)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def topics_per_item(self) -> float:
        return self._ratio(self.auto_topics, self.n)

    @property
    def main_accuracy(self) -> float:
        return self._ratio(self.main_right, self.main_n)


def codes_file(path: Path) -> Path:
    """codes.yaml beside a sample, or one folder up (a second coder's files: tests/themes/coder2/)."""
    beside = path.parent / "codes.yaml"
    return beside if beside.exists() else path.parent.parent / "codes.yaml"


def load_sample(path: Path) -> list[SampleItem]:
    """The items of a sample file, their short codes read from its codes.yaml."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = yaml.safe_load(codes_file(path).read_text(encoding="utf-8"))["codes"]["topics"]
    items = []
    for i, raw in enumerate(data["items"], 1):
        try:
            items.append(SampleItem(raw["text"], raw.get("actor"), [topics[c] for c in raw["topics"]],
                                    list(raw.get("approach") or [])))
        except KeyError as e:
            raise ValueError(f"{path}: item {i}: unknown code or key {e}") from e
    return items


def score_codes(items: list[SampleItem], topics: list[list[str]], approaches: list[set[str]]) -> Figures:
    """Figures of other codes of the same items (the tagger's, or a second coder's: `topics` main
    first) against the hand codes of `items`."""
    f = Figures()
    for it, auto, auto_a in zip(items, topics, approaches, strict=True):
        hand, got = set(it.topics), set(auto)
        f.n += 1
        f.auto_topics += len(auto)
        f.hand_topics += len(it.topics)
        f.tp += len(hand & got)
        f.fp += len(got - hand)
        f.fn += len(hand - got)
        for th in hand | got:
            row = f.per_theme.setdefault(th, [0, 0, 0])
            row[0 if th in hand and th in got else 1 if th in got else 2] += 1
        if it.topics:
            f.main_n += 1
            f.main_right += bool(auto) and auto[0] == it.topics[0]
        f.approach_tp += len(auto_a & set(it.approaches))
        f.approach_fp += len(auto_a - set(it.approaches))
        f.approach_fn += len(set(it.approaches) - auto_a)
        if got != hand or (it.topics and (not auto or auto[0] != it.topics[0])):
            f.errors.append(f"  {it.text}\n    hand {it.topics}  auto {auto}")
    return f


def measure(items: list[SampleItem], rules: Rules, prior_model: LexicalPrior | None | Literal["rules"] = "rules") -> Figures:
    """The tagger's figures on a hand-coded sample."""
    tags = [tag(it.text, tokenize(it.text), rules, it.actor, prior_model) for it in items]
    f = score_codes(items, [[t.theme for t in ts if t.dimension == "topic"] for ts in tags],
                    [{t.theme for t in ts if t.dimension == "approach"} for ts in tags])
    f.confidences = [(t.confidence, t.theme in it.topics) for it, ts in zip(items, tags) for t in ts
                     if t.dimension == "topic" and t.confidence is not None]
    return f


def ranked_items(items: list[SampleItem], tokens: list[list], rules: Rules, prior: LexicalPrior | None) -> list[tuple]:
    """rank_item of each item (its evidence, topics ranked, the prior's probabilities)."""
    return [rank_item(it.text, toks, rules, it.actor, prior) for it, toks in zip(items, tokens)]


def figures_of_ranked(items: list[SampleItem], ranked: list[tuple]) -> Figures:
    """The figures of the ranked topics and the approaches found (as tag gives them)."""
    return score_codes(items, [[ev.theme for ev in r[1]] for r in ranked],
                       [{ev.theme for ev in r[0].approaches.values()} for r in ranked])


def calibration_rows(items: list[SampleItem], ranked: list[tuple]) -> tuple[list[dict[str, float]], list[bool]]:
    """The confidence features of every topic tag of the items (ranked with a prior), and whether
    the hand codes hold it."""
    rows, right = [], []
    for it, (_, topics, main_p, topic_p) in zip(items, ranked):
        rows += tag_features(topics, main_p, topic_p)
        right += [ev.theme in it.topics for ev in topics]
    return rows, right


CONFIDENCE_BANDS = (0.0, 0.5, 0.8, 1.0)


def confidence_table(f: Figures) -> list[str]:
    """How many topic tags fall in each band of confidence, and the share of them that is right."""
    lines = []
    for lo, hi in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:]):
        band = [ok for c, ok in f.confidences if lo <= c < hi or (hi == CONFIDENCE_BANDS[-1] and c == hi)]
        if band:
            lines.append(f"  confidence {lo:.1f}-{hi:.1f}: {len(band):3d} tags, {sum(band) / len(band):6.1%} right")
    return lines


def agreement(first: list[SampleItem], second: list[SampleItem], rules: Rules,
              ours: Figures | None = None) -> list[str]:
    """How far two coders of the same items agree, and the tagger with each: the ceiling the
    tagger's figures are read against. `ours`: the tagger against the first coding, when already
    measured."""
    if [it.text for it in first] != [it.text for it in second]:
        raise ValueError("the two codings are not of the same items in the same order")
    coders = score_codes(first, [it.topics for it in second], [set(it.approaches) for it in second])

    def line(what: str, f: Figures) -> str:
        return f"{what:<30} P {f.precision:.3f} R {f.recall:.3f} F1 {f.f1:.3f} main topic {f.main_accuracy:6.1%}"

    return [line("second coder against first", coders), line("tagger against first coder", ours or measure(first, rules)),
            line("tagger against second coder", measure(second, rules))]


def report(name: str, f: Figures, themes: list[str], verbose: bool = False) -> str:
    lines = [f"== {name}: {f.n} items",
             f"{'theme':<22} {'P':>5} {'R':>5}  tp fp fn"]
    for th in themes:
        tp, fp, fn = f.per_theme.get(th, [0, 0, 0])
        if tp + fp + fn:
            p = f"{tp / (tp + fp):.2f}" if tp + fp else "  -"
            r = f"{tp / (tp + fn):.2f}" if tp + fn else "  -"
            lines.append(f"{th:<22} {p:>5} {r:>5}  {tp:2d} {fp:2d} {fn:2d}")
    ap = Figures._ratio(f.approach_tp, f.approach_tp + f.approach_fp)
    ar = Figures._ratio(f.approach_tp, f.approach_tp + f.approach_fn)
    lines += [f"micro P {f.precision:.3f} R {f.recall:.3f} F1 {f.f1:.3f}",
              f"topics per item {f.topics_per_item:.2f} (by hand {f.hand_topics / max(f.n, 1):.2f})",
              f"main topic right {f.main_accuracy:.1%} ({f.main_right}/{f.main_n})",
              f"approaches micro P {ap:.3f} R {ar:.3f}"]
    if f.confidences:
        lines += ["topic tags by confidence:"] + confidence_table(f)
    if verbose:
        lines += ["disagreements:"] + f.errors
    return "\n".join(lines)


def train_prior(samples: list[tuple[Path, list[SampleItem]]], rules: Rules) -> LexicalPrior:
    """The main-topic prior fitted on every item of these samples that has a main topic."""
    items = [it for _, its in samples for it in its if it.topics]
    return train([it.text for it in items], [it.topics for it in items], rules.themes.version,
                 [p.name for p, _ in samples])


def leave_one_out(samples: list[tuple[Path, list[SampleItem]]], rules: Rules) -> tuple[list[str], Calibration]:
    """Each sample measured with the codebook alone and with a prior trained on the other samples:
    what the prior does on items it has not seen; the last line pools every sample's items. And
    the calibration of tag confidence fitted on those tags (of items their prior had not seen)."""
    def cells(f: Figures) -> str:
        return f"P {f.precision:.3f} R {f.recall:.3f} main {f.main_accuracy:6.1%}"

    lines = [f"{'left out':<16} {'codebook alone':>28}   {'with the prior':>28}"]
    pooled = Figures(), Figures()
    rows, right = [], []
    for i, (path, items) in enumerate(samples):
        prior = train_prior(samples[:i] + samples[i + 1:], rules)
        tokens = [tokenize(it.text) for it in items]  # (once: both measures and the calibration use them)
        with_prior = ranked_items(items, tokens, rules, prior)
        a, b = figures_of_ranked(items, ranked_items(items, tokens, rules, None)), figures_of_ranked(items, with_prior)
        pooled = pooled[0] + a, pooled[1] + b
        lines.append(f"{path.name:<16} {cells(a)}   {cells(b)}")
        r, ok = calibration_rows(items, with_prior)
        rows, right = rows + r, right + ok
    lines.append(f"{'all, pooled':<16} {cells(pooled[0])}   {cells(pooled[1])}")
    return lines, fit_calibration(rows, right)


def train_main(paths: list[Path], rules: Rules) -> int:
    """`make themes-train`: print the leave-one-sample-out figures, then write the prior trained on
    all the samples named to the file themes.yaml names."""
    if not rules.themes.lexical_prior:
        print("error: themes.yaml names no lexical_prior file to write", file=sys.stderr)
        return 2
    if not paths:  # never a default: a sample trained on is no longer a held-out figure
        print("error: name the samples to train on (make themes-train names THEME_TRAIN)", file=sys.stderr)
        return 2
    samples = [(p, load_sample(p)) for p in paths]
    lines, calibration = leave_one_out(samples, rules)
    print("\n".join(lines))
    out = rules.directory / rules.themes.lexical_prior
    prior = train_prior(samples, rules).model_copy(update={"calibration": calibration})
    save_prior(prior, out)
    print(f"wrote {out}: {sum(map(len, prior.weights.values()))} weights of {len(prior.idf)} n-grams, {len(prior.themes)} themes, "
          f"trained on {sum(1 for _, its in samples for it in its if it.topics)} items of {len(samples)} samples; "
          f"tag confidence fitted on {calibration.fitted_on} tags of items left out")
    return 0


USAGE = """usage: python -m planextract.compare.reliability [-v] [SAMPLE.yaml ...]
       python -m planextract.compare.reliability train SAMPLE.yaml ...
Measures the theme tags against hand-coded samples (all of tests/themes/ when none is named; -v
lists the disagreements), with a second coder's codes from coder2/ beside a sample when there are
any. `train` prints leave-one-sample-out figures, then retrains the prior on the samples named.
(make themes-check / make themes-train name the samples.)"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(args):
        print(USAGE)
        return 0
    training = bool(args) and args[0] == "train"
    args = args[1:] if training else args
    verbose = "-v" in args
    paths = [Path(a) for a in args if a != "-v"]
    if not paths and not training:
        paths = sorted(Path("tests/themes").glob("[dh]*.yaml"))
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"error: {missing[0]}: no such sample file", file=sys.stderr)
        return 2
    try:
        rules = load_rules(with_prior=not training)
        if training:
            return train_main(paths, rules)
        samples = [(p, load_sample(p)) for p in paths]
    except (PlanextractError, OSError, ValueError, yaml.YAMLError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    themes = [t.name for t in rules.themes.themes]
    prior = rules.themes_prior
    print(f"codebook version {rules.themes.version}"
          + (f", main-topic prior {rules.themes.lexical_prior}" if prior else ", no main-topic prior"))
    unseen = Figures()  # the samples the prior was never trained on, pooled
    for p, items in samples:
        seen = " (the prior was trained on it)" if prior and p.name in prior.trained_on else ""
        figures = measure(items, rules)
        unseen = unseen if seen else unseen + figures
        print(report(p.name + seen, figures, themes, verbose))
        second = p.parent / SECOND_CODER / p.name  # the same items coded by a second coder
        if second.exists():
            try:
                print("\n".join(agreement(items, load_sample(second), rules, figures)))
                if seen:  # the first coder's codes were the prior's training labels
                    print("  (the prior was trained on the first coding: the tagger's lines favour it)")
            except (OSError, ValueError, yaml.YAMLError) as e:
                print(f"error: {second}: {e}", file=sys.stderr)
                return 2
    if unseen.confidences:
        print("== samples never trained on, pooled: topic tags by confidence\n" + "\n".join(confidence_table(unseen)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
