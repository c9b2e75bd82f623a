"""The learned main-topic prior (compare/lexical.py): scored without scikit-learn exactly as
scikit-learn scores it, stored and read back, named by the rules, and used by the ranking."""

from __future__ import annotations

import json
import shutil

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from planextract.compare import themes as th
from planextract.compare.lexical import LexicalPrior, parse_prior, save_prior, train
from planextract.compare.themes import Evidence, ItemEvidence, rank_topics
from planextract.errors import RulesError
from planextract.rules import Rules, find_rules_dir

# fictional items, three themes, some items about two
ITEMS = [
    ("ひとり暮らしの方に声をかけます", ["見守り"]), ("近所の様子に気を配ります", ["見守り"]),
    ("安否を確かめる訪問を続けます", ["見守り"]), ("声かけで孤立を防ぎます", ["見守り", "居場所"]),
    ("サロンを開きます", ["居場所"]), ("集いの場を増やします", ["居場所"]),
    ("お茶会に誘います", ["居場所", "見守り"]), ("誰でも集まれる場をつくります", ["居場所"]),
    ("避難の訓練に参加します", ["災害"]), ("非常食を備えます", ["災害"]),
    ("避難所の運営を学びます", ["災害"]), ("災害に備えて名簿をつくります", ["災害", "見守り"]),
]
TEXTS = [t for t, _ in ITEMS]
# unseen texts, with what scikit-learn's analyzer normalises (case, runs of white space) and nothing
NEW = ["一人で暮らす人の様子を見ます", "非常時の備え", "集まれるサロン", "まったく関係のない文",
       "NPOと ICT\tで  サロン", "ＳＯＳの声かけ", "", "   "]


@pytest.fixture(scope="module")
def exact():
    return train(TEXTS, [c for _, c in ITEMS], 1, ["fixture"], min_df=1, c=5.0, prune=0.0)


def test_probabilities_are_scikit_learns(exact):
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    x = vec.fit_transform(TEXTS)
    main = LogisticRegression(C=5.0, max_iter=5000).fit(x, [c[0] for _, c in ITEMS])
    for text in NEW:
        want = dict(zip(main.classes_, main.predict_proba(vec.transform([text]))[0]))
        got = exact.probabilities(text)[0]
        assert set(got) == set(want)
        assert all(abs(got[t] - want[t]) < 2e-3 for t in want), (text, got, want)
    one = LogisticRegression(C=5.0, max_iter=5000).fit(x, ["見守り" in c for _, c in ITEMS])
    for text in NEW:
        want = one.predict_proba(vec.transform([text]))[0, 1]
        assert abs(exact.probabilities(text)[1]["見守り"] - want) < 2e-3


def test_the_prior_names_the_theme_of_an_unseen_wording(exact):
    p = exact.probabilities("非常時の備えを確かめます")[0]
    assert max(p, key=p.get) == "災害"


def test_a_stored_prior_reads_back_the_same(exact, tmp_path):
    path = tmp_path / "prior.json"
    save_prior(exact, path)
    back = parse_prior(path.read_bytes())
    assert back == exact
    text = NEW[0]
    assert back.probabilities(text) == exact.probabilities(text)
    # one line per theme's weights: a retrained prior diffs theme by theme
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith('  "見守り": {') for line in lines) == 2


def test_pruning_keeps_only_the_larger_weights():
    pruned = train(TEXTS, [c for _, c in ITEMS], 1, ["fixture"], min_df=1, c=5.0, prune=0.3)
    weights = [w for ws in (pruned.weights, pruned.topic_weights) for t in ws.values() for w in t.values()]
    assert weights and min(abs(w) for w in weights) >= 0.3
    assert len(pruned.idf) == len({g for t in TEXTS for n in (1, 2, 3) for g in (t[i:i + n] for i in range(len(t) - n + 1))})


def test_a_weight_of_an_unknown_ngram_is_refused(exact):
    data = exact.model_dump()
    data["weights"]["見守り"]["存在しない"] = 1.0
    with pytest.raises(ValueError, match="no idf"):
        LexicalPrior.model_validate(data)


def _rules_with(tmp_path, prior_text: str | None, name: str = "themes.lexical.json"):
    d = tmp_path / "rules"
    shutil.copytree(find_rules_dir(), d)
    (d / "themes.lexical.json").unlink(missing_ok=True)
    if prior_text is not None:
        (d / name).write_text(prior_text, encoding="utf-8")
    return d


def test_rules_name_a_missing_prior(tmp_path):
    d = _rules_with(tmp_path, None)
    with pytest.raises(RulesError, match="lexical_prior 'themes.lexical.json' is not a file"):
        Rules(d)
    assert Rules(d, with_prior=False).themes_prior is None  # training a new one needs none


def _shipped() -> dict:
    return json.loads((find_rules_dir() / "themes.lexical.json").read_text(encoding="utf-8"))


def test_rules_refuse_a_prior_of_other_themes(tmp_path, exact, rules):
    d = _rules_with(tmp_path, None)
    other = exact.model_copy(update={"codebook_version": rules.themes.version})
    save_prior(other, d / "themes.lexical.json")  # short codes, not the codebook's theme names
    with pytest.raises(RulesError, match="themes not in themes.yaml.*make themes-train"):
        Rules(d)


def test_rules_refuse_a_stale_prior(tmp_path):
    data = _shipped()
    data["codebook_version"] -= 1  # trained for an earlier codebook: its themes may have moved
    d = _rules_with(tmp_path, json.dumps(data, ensure_ascii=False))
    with pytest.raises(RulesError, match="trained for themes.yaml version .*make themes-train"):
        Rules(d)


def test_rules_refuse_a_prior_that_knows_no_weight_of_a_theme(tmp_path):
    data = _shipped()
    gone = sorted(data["intercepts"])[0]
    del data["intercepts"][gone]
    data["weights"].pop(gone, None)
    d = _rules_with(tmp_path, json.dumps(data, ensure_ascii=False))
    with pytest.raises(RulesError, match=f"knows nothing of {gone}"):
        Rules(d)


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(intercepts={}), "at least two themes"),
    (lambda d: d.update(ngram_max=50), "less than or equal to 5"),
    (lambda d: d.update(ngram_max=2), "longer than ngram_max"),
    (lambda d: d["idf"].update({"見": 0.0}), "idf that is not positive"),
])
def test_a_malformed_prior_is_refused_by_name(tmp_path, change, message):
    data = _shipped()
    change(data)
    d = _rules_with(tmp_path, json.dumps(data, ensure_ascii=False))
    with pytest.raises(RulesError, match=f"themes.lexical.json: not a lexical prior: .*{message}"):
        Rules(d)


def test_a_prior_with_nan_is_refused(tmp_path):
    text = (find_rules_dir() / "themes.lexical.json").read_text(encoding="utf-8")
    first = next(iter(_shipped()["intercepts"]))
    text = text.replace(f'"{first}": ', f'"{first}": NaN, "x{first}": ', 1)  # NaN would rank silently
    d = _rules_with(tmp_path, text)
    with pytest.raises(RulesError, match="not a lexical prior"):
        Rules(d)


def test_a_prior_linked_from_outside_the_rules_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_text((find_rules_dir() / "themes.lexical.json").read_text(encoding="utf-8"), encoding="utf-8")
    d = _rules_with(tmp_path, None)
    (d / "themes.lexical.json").symlink_to(outside)
    with pytest.raises(RulesError, match="is not a file of"):
        Rules(d)


def test_rules_refuse_a_file_that_is_no_prior(tmp_path):
    d = _rules_with(tmp_path, json.dumps({"weights": 1}))
    with pytest.raises(RulesError, match="not a lexical prior"):
        Rules(d)


def test_the_prior_file_changes_the_rules_version(tmp_path):
    d = _rules_with(tmp_path, (find_rules_dir() / "themes.lexical.json").read_text(encoding="utf-8"))
    before = Rules(d).version
    data = json.loads((d / "themes.lexical.json").read_text(encoding="utf-8"))
    data["intercepts"] = {t: b + 1.0 for t, b in data["intercepts"].items()}
    (d / "themes.lexical.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert Rules(d).version != before  # cached results keyed by the version go stale


def _found(*evidence: Evidence) -> ItemEvidence:
    return ItemEvidence({e.theme: e for e in evidence}, {})


def test_the_prior_breaks_a_tie_of_evidence(rules):
    first, later = Evidence("居場所・交流", 1.0, 1.0, 0, 2), Evidence("見守り・孤立防止", 1.0, 1.0, 5, 8)
    assert [e.theme for e in rank_topics(_found(first, later), rules.themes)][0] == "居場所・交流"
    prior = {"居場所・交流": 0.1, "見守り・孤立防止": 0.8}
    ranked = rank_topics(_found(first, later), rules.themes, prior)
    assert [e.theme for e in ranked] == ["見守り・孤立防止", "居場所・交流"]
    # twice the evidence holds against a prior only a little less sure of it (1 + 0.3 > 0.5 + 0.5)
    strong = Evidence("居場所・交流", 2.0, 2.0, 0, 2)
    leaning = {"居場所・交流": 0.3, "見守り・孤立防止": 0.5}
    assert rank_topics(_found(strong, later), rules.themes, leaning)[0].theme == "居場所・交流"


def test_a_side_topic_needs_the_yes_no_model(rules):
    main, side = Evidence("見守り・孤立防止", 1.0, 1.0, 0, 2), Evidence("居場所・交流", 1.0, 1.0, 5, 8)
    prior = {"見守り・孤立防止": 0.9, "居場所・交流": 0.05}
    kept = rank_topics(_found(main, side), rules.themes, prior, {"居場所・交流": th.SIDE_PRIOR + 0.01})
    assert [e.theme for e in kept] == ["見守り・孤立防止", "居場所・交流"]
    dropped = rank_topics(_found(main, side), rules.themes, prior, {"居場所・交流": th.SIDE_PRIOR - 0.01})
    assert [e.theme for e in dropped] == ["見守り・孤立防止"]
    # a theme the yes / no models do not know keeps the codebook's decision
    assert len(rank_topics(_found(main, side), rules.themes, prior, {})) == 2


def test_an_item_with_no_term_takes_the_priors_topic_unless_it_is_a_blind_guess(rules):
    # real plans' vague items often match no term: the prior's best topic, even an unsure one (its
    # confidence says so), is right more often than no topic at all
    unsure = {"災害時支援": 0.25, "見守り・孤立防止": 0.2}
    assert [e.theme for e in rank_topics(_found(), rules.themes, unsure)] == ["災害時支援"]
    blind = {"災害時支援": th.PRIOR_ALONE - 0.01, "見守り・孤立防止": th.PRIOR_ALONE - 0.02}
    assert rank_topics(_found(), rules.themes, blind) == []
    assert rank_topics(_found(), rules.themes) == []


def test_a_process_that_skips_the_prior_has_the_same_rules_version():
    # worker processes read documents without the prior; their cache keys must still match the
    # main process's, and change with the prior file
    assert Rules(None, with_prior=False).version == Rules(None).version
    assert Rules(None, with_prior=False).themes_prior is None


def test_a_new_prior_or_codebook_keeps_documents_read(tmp_path):
    # a retrained prior or an edited codebook changes what plans are tagged with, not how documents
    # are read: the version of the rules changes, the reading version (the document cache's key) not
    d = _rules_with(tmp_path, (find_rules_dir() / "themes.lexical.json").read_text(encoding="utf-8"))
    before = Rules(d)
    data = json.loads((d / "themes.lexical.json").read_text(encoding="utf-8"))
    data["intercepts"] = {t: b + 0.5 for t, b in data["intercepts"].items()}
    (d / "themes.lexical.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    after = Rules(d)
    assert after.version != before.version and after.reading_version == before.reading_version
    (d / "actors.yaml").write_text((d / "actors.yaml").read_text(encoding="utf-8") + "\n# x\n", encoding="utf-8")
    assert Rules(d).reading_version != before.reading_version  # reading rules still count


# -- the confidence of a topic tag (lexical.Calibration) ---------------------------------------------

def _features(**v):
    base = {"topic_p": 0.5, "main_p": 0.3, "main": 1.0, "evidence": 1.0, "keyword": 1.0, "prior_alone": 0.0}
    return base | v


def test_a_calibration_is_fitted_and_read_back(exact, tmp_path):
    from planextract.compare.lexical import fit_calibration

    # tags right when both models are sure, wrong when neither is
    rows = [_features(topic_p=p, main_p=p) for p in (0.9, 0.8, 0.85, 0.95, 0.1, 0.2, 0.15, 0.05, 0.6, 0.3)]
    right = [True, True, True, True, False, False, False, False, True, False]
    cal = fit_calibration(rows, right)
    assert cal.fitted_on == 10
    sure, unsure = cal.probability(_features(topic_p=0.9, main_p=0.9)), cal.probability(_features(topic_p=0.1, main_p=0.1))
    assert 0.0 <= unsure < 0.5 < sure <= 1.0
    prior = exact.model_copy(update={"calibration": cal})
    save_prior(prior, tmp_path / "prior.json")
    assert parse_prior((tmp_path / "prior.json").read_bytes()).calibration == cal
    with pytest.raises(ValueError, match="right and wrong"):
        fit_calibration(rows[:3], right[:3])


def test_a_calibration_of_other_features_is_refused(exact):
    from planextract.compare.lexical import Calibration

    with pytest.raises(ValueError, match="a calibration is over"):
        Calibration(features=["topic_p"], coefficients=[1.0], intercept=0.0, fitted_on=1)
    data = exact.model_dump() | {"calibration": {"features": ["topic_p", "main_p", "main", "evidence", "keyword",
                                                              "prior_alone"], "coefficients": [1, 1, 1, 1, 1],
                                                 "intercept": 0.0, "fitted_on": 3}}
    with pytest.raises(ValueError, match="one coefficient each"):
        LexicalPrior.model_validate(data)
    data["calibration"]["coefficients"] = [1, 1, 1e300, 1, 1, 1]  # every confidence 0 or 1: not a calibration
    with pytest.raises(ValueError, match="less than or equal to 100"):
        LexicalPrior.model_validate(data)


def test_topic_tags_carry_a_confidence_and_approaches_none(rules):
    tags = th.tag("関係機関と連携して、ひとり暮らしの高齢者の見守り活動を進めます。",
                  th.tokenize("関係機関と連携して、ひとり暮らしの高齢者の見守り活動を進めます。"), rules, "地域")
    topics = [t for t in tags if t.dimension == "topic"]
    assert topics[0].theme == "見守り・孤立防止" and topics[0].confidence >= 0.8
    assert all(0.0 <= t.confidence <= 1.0 for t in topics)
    assert all(t.confidence is None for t in tags if t.dimension == "approach")
    # without a prior there is nothing to be confident by
    assert all(t.confidence is None for t in th.tag("見守り活動を進めます。", th.tokenize("見守り活動を進めます。"),
                                                    rules, None, prior_model=None))
