"""A main-topic prior learned from the hand-coded samples (tests/themes, `make themes-train`).

The codebook (themes.py) finds an item's candidate topics and weighs their evidence. On wording it
was never tuned on it errs in two ways above all: candidates of like evidence in the wrong order,
and side topics it has a keyword for that the item is not about. The prior holds two kinds of
logistic regression over the character 1- to 3-grams of an item's text, trained on the
hand-coded samples: a multinomial model of the main topic, which orders the candidates (and
names a topic where no term matched), and a yes / no model per theme, which a side topic must
pass. Character n-grams rather than words: they need no segmentation of words never seen
(食料品店, 見守り隊) and meet a term's other spellings half-way.

Scoring needs no scikit-learn: the vocabulary, idf and weights are stored as JSON (a file of the
rules directory, named by themes.yaml `lexical_prior`) and the tf-idf and softmax of scikit-learn's
TfidfVectorizer(analyzer="char", sublinear_tf=True) and LogisticRegression are computed here;
tests/unit/test_lexical.py checks that both give the same probabilities. Training (`train`) uses
scikit-learn, a dependency already."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

_SPACES = re.compile(r"\s\s+")
# Weights smaller than this are left out of the stored prior (they are most of them: thousands of
# n-grams x 19 themes x 2 models); measured leave-one-sample-out on nine samples, the main topics
# found with 0.2 and with 0.02 differed by 2 items of 888.
PRUNE = 0.2
MAX_NGRAM = 5  # longer n-grams cost more than they tell (and a hostile file could ask for any)
MAX_NGRAMS = 200_000  # a sample of thousands of items has some tens of thousands
MAX_BYTES = 20_000_000
MIN_POSITIVES = 3  # a theme coded on fewer items gets no yes / no model (its side topics are kept)


# What a topic tag's confidence is computed from (themes.tag_features): its probabilities by both
# models, whether it is the main topic, its share of the strongest evidence, whether a term of what is
# done (not only a context, group or means word) matched it, and whether the prior alone named it.
CONFIDENCE_FEATURES = ("topic_p", "main_p", "main", "evidence", "keyword", "prior_alone")


# a coefficient beyond this would make every confidence 0 or 1 (the features lie in 0-1; fitted
# ones are a few units): a file holding one is not a calibration
MAX_COEFFICIENT = 100.0
Coefficient = Annotated[float, Field(ge=-MAX_COEFFICIENT, le=MAX_COEFFICIENT)]


class Calibration(BaseModel):
    """A logistic model of whether a topic tag is right, from CONFIDENCE_FEATURES: fitted on the
    tags of each training sample tagged with a prior trained on the other samples (tags of items
    the prior had not seen, as a user's are). On unseen items its high values are near the share
    of tags right, and values under 0.8 overstate it (docs/rules.md): read it as a ranking."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    features: list[str]
    coefficients: list[Coefficient]
    intercept: Coefficient
    fitted_on: int = Field(ge=1)  # tags

    @model_validator(mode="after")
    def _known(self):
        if list(self.features) != list(CONFIDENCE_FEATURES) or len(self.coefficients) != len(self.features):
            raise ValueError(f"a calibration is over {', '.join(CONFIDENCE_FEATURES)}, one coefficient each")
        return self

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(c * values[f] for f, c in zip(self.features, self.coefficients))
        return 1.0 / (1.0 + math.exp(-z))


def fit_calibration(rows: list[dict[str, float]], right: list[bool]) -> Calibration:
    """The calibration of tags described by `rows` (CONFIDENCE_FEATURES) and whether each was right."""
    from sklearn.linear_model import LogisticRegression

    if len(set(right)) < 2:
        raise ValueError("a calibration needs tags both right and wrong")
    x = [[r[f] for f in CONFIDENCE_FEATURES] for r in rows]
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(x, right)
    return Calibration(features=list(CONFIDENCE_FEATURES), coefficients=[round(float(c), 4) for c in clf.coef_[0]],
                       intercept=round(float(clf.intercept_[0]), 4), fitted_on=len(rows))


class LexicalPrior(BaseModel):
    """A trained prior: per character n-gram its idf, and weights of two models over the same
    n-grams: which theme is the main topic (one multinomial model), and whether a theme is a topic
    of the item at all (one yes / no model per theme, for side topics)."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN would rank silently

    codebook_version: int  # the themes.yaml version it was trained for: a stale prior is refused
    ngram_max: int = Field(ge=1, le=MAX_NGRAM)
    trained_on: list[str]  # sample files; the others are held out for measurement
    intercepts: dict[str, float]  # theme → intercept: the themes the prior knows
    idf: dict[str, float]
    weights: dict[str, dict[str, float]]  # theme → n-gram → weight (weights below PRUNE left out)
    topic_intercepts: dict[str, float] = {}  # theme → intercept of its yes / no model
    topic_weights: dict[str, dict[str, float]] = {}
    calibration: Calibration | None = None  # the confidence of topic tags (none: tags have no confidence)

    @model_validator(mode="after")
    def _shapes(self):
        if len(self.intercepts) < 2:
            raise ValueError("a prior needs at least two themes")
        if set(self.weights) - set(self.intercepts) or set(self.topic_weights) - set(self.topic_intercepts):
            raise ValueError("weights of a theme with no intercept")
        if len(self.idf) > MAX_NGRAMS:
            raise ValueError(f"more than {MAX_NGRAMS:,} n-grams")
        if any(v <= 0 for v in self.idf.values()):
            raise ValueError("an idf that is not positive")
        if any(not 1 <= len(g) <= self.ngram_max for g in self.idf):
            raise ValueError(f"an n-gram longer than ngram_max ({self.ngram_max}) or empty")
        grams = {g for ws in (self.weights, self.topic_weights) for w in ws.values() for g in w}
        if grams - set(self.idf):
            raise ValueError(f"weights of n-grams with no idf: {sorted(grams - set(self.idf))[:3]}")
        return self

    @property
    def themes(self) -> list[str]:
        return list(self.intercepts)

    def grams(self, text: str) -> Counter[str]:
        """The character n-grams of a text, counted (as TfidfVectorizer's char analyzer: lower
        case, runs of white space made one space)."""
        t = _SPACES.sub(" ", text.lower())
        return Counter(t[i:i + n] for n in range(1, self.ngram_max + 1) for i in range(len(t) - n + 1))

    @cached_property
    def _arrays(self):
        """Row of each n-gram, its idf, and both models' weights side by side as one (n-grams x
        themes) array: an item is scored by one product over its ~150 n-grams' rows, not a Python
        loop over thousands of weights."""
        import numpy as np

        row = {g: i for i, g in enumerate(self.idf)}
        themes, topic_themes = list(self.intercepts), list(self.topic_intercepts)
        m = np.zeros((len(row), len(themes) + len(topic_themes)))
        for offset, names, weights in ((0, themes, self.weights), (len(themes), topic_themes, self.topic_weights)):
            for j, t in enumerate(names, offset):
                w = weights.get(t, {})
                m[[row[g] for g in w], j] = list(w.values())
        intercepts = np.array([self.intercepts[t] for t in themes] + [self.topic_intercepts[t] for t in topic_themes])
        return row, np.array(list(self.idf.values())), themes, topic_themes, intercepts, m

    def probabilities(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """Theme → probability that it is the item's main topic (softmax over the themes), and
        theme → probability that it is a topic of the item at all (each theme's yes / no model;
        a theme with none is absent)."""
        import numpy as np

        row, idf, themes, topic_themes, intercepts, m = self._arrays
        known = [(row[g], c) for g, c in self.grams(text).items() if g in row]
        z = intercepts
        if known:
            rows = np.array([r for r, _ in known])
            values = (1.0 + np.log(np.array([c for _, c in known], dtype=float))) * idf[rows]
            z = intercepts + (values / np.sqrt(values @ values)) @ m[rows]
        main, topic = z[:len(themes)], z[len(themes):]
        e = np.exp(main - main.max())
        return (dict(zip(themes, (e / e.sum()).tolist())),
                dict(zip(topic_themes, (1.0 / (1.0 + np.exp(-topic))).tolist())))


def parse_prior(data: bytes) -> LexicalPrior:
    """A prior from the bytes of its file (pydantic's JSON validation: faster than json.loads)."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES:,} bytes")
    return LexicalPrior.model_validate_json(data)


def train(texts: list[str], topics: list[list[str]], codebook_version: int, trained_on: list[str],
          ngram_max: int = 3, min_df: int = 2, c: float = 10.0, prune: float = PRUNE) -> LexicalPrior:
    """Fit the prior on items and their hand-coded topics, main topic first (deterministic: lbfgs,
    no sampling). Every item needs a topic."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, ngram_max), sublinear_tf=True, min_df=min_df)
    x = vec.fit_transform(texts)
    if len({t[0] for t in topics}) < 3:  # two classes: scikit-learn keeps one row of weights, not two
        raise ValueError("the prior needs at least three themes among the main topics")
    clf = LogisticRegression(C=c, max_iter=5000).fit(x, [t[0] for t in topics])
    themes = [str(t) for t in clf.classes_]
    coef = clf.coef_
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    weights = {t: {g: round(float(w), 3) for g, w in zip(vocab, coef[j]) if abs(w) >= prune}
               for j, t in enumerate(themes)}
    # every n-gram's idf, pruned or not: each counts in the length an item's vector is divided by
    idf = {g: round(float(vec.idf_[i]), 4) for i, g in enumerate(vocab)}
    topic_intercepts, topic_weights = {}, {}
    for t in sorted({t for ts in topics for t in ts}):  # a theme coded only as a side topic too
        y = [t in ts for ts in topics]
        if MIN_POSITIVES <= sum(y) < len(y):
            one = LogisticRegression(C=c, max_iter=5000).fit(x, y)
            topic_intercepts[t] = round(float(one.intercept_[0]), 4)
            topic_weights[t] = {g: round(float(w), 3) for g, w in zip(vocab, one.coef_[0]) if abs(w) >= prune}
    return LexicalPrior(codebook_version=codebook_version, ngram_max=ngram_max, trained_on=trained_on,
                        intercepts={t: round(float(b), 4) for t, b in zip(themes, clf.intercept_)},
                        idf=idf, weights=weights, topic_intercepts=topic_intercepts, topic_weights=topic_weights)


def save_prior(prior: LexicalPrior, path: Path) -> None:
    """Write a prior, one line per field and per theme's weights (n-grams sorted: a retrained prior
    diffs by theme), through a temporary file, so a run never reads half a prior."""
    def line(v) -> str:
        return json.dumps(v, ensure_ascii=False, sort_keys=True)

    def block(name: str, weights: dict[str, dict[str, float]]) -> str:
        rows = [f"  {line(t)}: {line(w)}" for t, w in sorted(weights.items())]
        return f" {line(name)}: {{\n" + ",\n".join(rows) + "\n }"

    head = [f" {line(k)}: {line(v)}" for k, v in prior.model_dump(exclude={"weights", "topic_weights"}).items()]
    parts = head + [block("weights", prior.weights), block("topic_weights", prior.topic_weights)]
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    os.replace(tmp, path)
