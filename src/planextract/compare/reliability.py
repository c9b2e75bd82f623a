"""Reliability of the theme tags against a hand-coded sample (`make themes-check`).

A sample file (tests/themes/*.yaml) holds fictional items coded by meaning: `topics` (the first the
main topic) and `approach`, in short codes mapped to theme names under `codes`. This module tags
each item with the codebook and prints precision / recall per theme, micro P / R / F1, topics per
item and main-topic accuracy."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import PlanextractError
from ..rules import Rules, load_rules
from .themes import tag
from .tokens import tokenize


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


def load_sample(path: Path) -> list[SampleItem]:
    """The items of a sample file, their short codes read from codes.yaml beside it."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = yaml.safe_load((path.parent / "codes.yaml").read_text(encoding="utf-8"))["codes"]["topics"]
    items = []
    for i, raw in enumerate(data["items"], 1):
        try:
            items.append(SampleItem(raw["text"], raw.get("actor"), [topics[c] for c in raw["topics"]],
                                    list(raw.get("approach") or [])))
        except KeyError as e:
            raise ValueError(f"{path}: item {i}: unknown code or key {e}") from e
    return items


def measure(items: list[SampleItem], rules: Rules) -> Figures:
    f = Figures()
    for it in items:
        tags = tag(it.text, tokenize(it.text), rules, it.actor)
        auto = [t.theme for t in tags if t.dimension == "topic"]
        auto_a = {t.theme for t in tags if t.dimension == "approach"}
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
    if verbose:
        lines += ["disagreements:"] + f.errors
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    paths = [Path(a) for a in args if a != "-v"] or sorted(Path("tests/themes").glob("[dh]*.yaml"))
    try:
        rules = load_rules()
        samples = [(p, load_sample(p)) for p in paths]
    except (PlanextractError, OSError, ValueError, yaml.YAMLError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    themes = [t.name for t in rules.themes.themes]
    print(f"codebook version {rules.themes.version}")
    for p, items in samples:
        print(report(p.name, measure(items, rules), themes, verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
