"""Theme tags an analyst would accept (issue 14): codebook v3, topics vs approaches, longest match,
population words in lists, senses, ranked tags, and the reliability check on the hand-coded sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from planextract.compare import theme_name, theme_rows
from planextract.compare.reliability import Figures, load_sample, measure
from planextract.compare.themes import tag
from planextract.compare.tokens import tokenize
from planextract.errors import RulesError
from planextract.rules import Rules, find_rules_dir

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "themes"
# the topic vocabulary of codebook v2: names stay comparable across versions
V2_TOPICS = ["見守り・孤立防止", "居場所・交流", "担い手・ボランティア", "福祉教育・理解促進", "相談支援・包括的支援体制",
             "権利擁護・成年後見", "虐待防止", "生活困窮・就労", "災害時支援", "医療・介護連携", "再犯防止",
             "情報提供・ICT", "地域づくり・住民活動", "子ども・子育て", "障がい・バリアフリー", "連携・ネットワーク",
             "社会福祉法人・事業者", "福祉人材・サービスの質", "日常生活の支援・移動"]


def topics(rules, text, actor=None):
    return [t.theme for t in tag(text, tokenize(text), rules, actor) if t.dimension == "topic"]


def codebook_topics(rules, text, actor=None):
    """The codebook's own ranking, without the learned main-topic prior (test_lexical.py tests that)."""
    return [t.theme for t in tag(text, tokenize(text), rules, actor, None) if t.dimension == "topic"]


def approaches(rules, text, actor=None):
    return [t.theme for t in tag(text, tokenize(text), rules, actor) if t.dimension == "approach"]


def test_topic_vocabulary_is_kept_and_every_theme_has_a_scope_note(rules):
    book = rules.themes
    assert book.version >= 3
    names = [t.name for t in book.themes]
    assert all(n in names or any(n in t.aliases for t in book.themes) for n in V2_TOPICS)
    for t in book.themes:
        assert t.scope.includes and t.scope.excludes and t.scope.examples_in, t.name
    assert not {a.name for a in book.approaches} & set(names)


def test_compound_consumes_the_words_inside_it(rules):
    # (v4: 一人暮らし now says 見守り, rightly; the sentence checks the compound alone)
    assert topics(rules, "民生委員・児童委員の活動を支えます。") == ["担い手・ボランティア"]
    assert "子ども・子育て" not in topics(rules, "民生委員・児童委員が一人暮らしの家を訪ねます。")
    assert topics(rules, "日常生活自立支援事業を案内します。") == ["権利擁護・成年後見"]
    assert "医療・介護連携" not in topics(rules, "介護職員の定着を図ります。")
    # national programmes and councils (v8) whose words would otherwise name another topic
    found = codebook_topics(rules, "自立支援協議会の部会で地域課題を協議します。")
    assert "障がい・バリアフリー" in found and "生活困窮・就労" not in found
    found = codebook_topics(rules, "農福連携を進めます。")
    assert found[0] == "障がい・バリアフリー" and "連携・ネットワーク" not in found
    assert set(codebook_topics(rules, "基幹相談支援センターを設置します。")) == {"相談支援・包括的支援体制", "障がい・バリアフリー"}


def test_short_keyword_does_not_fire_inside_a_longer_token(rules):
    assert "医療・介護連携" not in topics(rules, "介護職の定着を図ります。")  # 介護職 is one mode-C token
    assert "相談支援・包括的支援体制" in topics(rules, "相談窓口を置きます。")  # 相談 + 窓口: two words


def test_population_in_a_list_is_not_the_subject(rules):
    assert topics(rules, "高齢者・障がい者・子どもが使える窓口を設けます。") == ["相談支援・包括的支援体制"]
    assert topics(rules, "高齢者や障がいのある人、子育て家庭などを見守ります。") == ["見守り・孤立防止"]
    assert "子ども・子育て" in topics(rules, "子どもの遊び場を増やします。")
    # a list of one theme's words names that theme (医療と介護), fields of several do not
    assert "医療・介護連携" in topics(rules, "医療と介護の関係者が集まります。")
    assert "医療・介護連携" not in topics(rules, "保健・医療・福祉の関係者によるネットワークを築きます。")


def test_approach_words_never_make_a_topic(rules):
    text = "関係機関と連携して、一人暮らしの人を見守ります。"
    assert topics(rules, text) == ["見守り・孤立防止"]
    assert "連携" in approaches(rules, text)
    assert codebook_topics(rules, "関係機関と協力して周知します。") == []
    assert set(approaches(rules, "関係機関と協力して周知します。")) == {"連携", "情報提供"}


def test_senses_of_two_sense_words(rules):
    assert topics(rules, "福祉団体どうしの交流を進めます。") == ["連携・ネットワーク"]
    assert topics(rules, "若い人とお年寄りの交流を楽しみます。") == ["居場所・交流"]
    assert topics(rules, "地域福祉の担い手を養成します。") == ["担い手・ボランティア"]
    assert "担い手・ボランティア" not in topics(rules, "支え手として近所を手伝います。", "市民")
    assert "相談支援・包括的支援体制" not in topics(rules, "支援機関どうしで情報共有を進めます。")
    assert "連携" in approaches(rules, "支援機関どうしで情報共有を進めます。")
    assert topics(rules, "病気を早期発見します。") == ["医療・介護連携"]
    assert "早期発見" in approaches(rules, "病気を早期発見します。")
    assert topics(rules, "配達業者と協定を結び、見守ります。") == ["見守り・孤立防止"]


def test_misses_of_codebook_v2_are_found(rules):
    assert "子ども・子育て" in topics(rules, "こどもの遊び場を増やします。")
    assert "子ども・子育て" in topics(rules, "療育の場を増やします。")
    assert "居場所・交流" in topics(rules, "集会室を住民に貸し出します。")
    assert "居場所・交流" in topics(rules, "ホールを休日に開放します。")
    assert "連携" in approaches(rules, "定期的に連絡会を開きます。")


def test_terms_meet_in_the_normalized_spelling(rules):
    # v4: kana / kanji variants and inflections meet through sudachi's normalized forms joined,
    # not only through a word list (ひとりぐらし, 繋がり are in no list)
    assert topics(rules, "ひとりぐらしの方を訪ねます。") == ["見守り・孤立防止"]
    assert topics(rules, "繋がりを大切にします。") == ["地域づくり・住民活動"]


def test_one_stretch_of_text_is_one_piece_of_evidence(rules):
    # 子ども matches as 子ども, こども and 子供: still one piece of evidence against 家計 and 就労
    assert codebook_topics(rules, "子どもの家庭の家計と就労を支えます。")[0] == "生活困窮・就労"


def test_context_words_weigh_less_than_what_is_done(rules):
    # who acts or whose place is used (福祉施設, 民生委員, 病院) stays a side topic; the main topic
    # is what is done, though the context word comes first
    assert topics(rules, "福祉施設のホールを休日に住民へ開放します。") == ["居場所・交流", "社会福祉法人・事業者"]
    assert topics(rules, "民生委員が地域のサロンを手伝います。")[0] == "居場所・交流"
    assert topics(rules, "病院までの送迎を住民が手伝います。")[0] == "日常生活の支援・移動"


def test_senses_of_codebook_v4(rules):
    # an organisation addressed (企業に働きかける) is a partner, not the topic
    text = "地元の企業に働きかけ、障がいのある人の働く場を広げます。"
    assert "社会福祉法人・事業者" not in topics(rules, text) and "連携" in approaches(rules, text)
    assert topics(rules, "企業が社会貢献として寄付を行います。")[0] == "社会福祉法人・事業者"
    # welfare as a subject to learn about
    assert topics(rules, "地域の福祉を知ってもらう講座を開きます。") == ["福祉教育・理解促進"]
    # a meeting set up as the commitment is coordination; a meeting used to do something, a means
    assert topics(rules, "担当課の会議を定期的に開きます。") == ["連携・ネットワーク"]
    assert codebook_topics(rules, "会議で支援策を話し合います。") == []
    # reporting to a desk is a means, not counselling
    assert topics(rules, "近所で怒鳴り声が続くときは、相談窓口に伝えます。") == ["虐待防止"]
    # 福祉 keeps its role of a group word in a list
    assert "医療・介護連携" not in topics(rules, "保健・医療・福祉の関係者によるネットワークを築きます。")


def test_adverbial_phrases_and_means_make_no_side_topic(rules):
    # codebook v5: a term in a phrase of where, with whom, to whom or by what means (公民館で,
    # 民生委員に連絡する) is no side topic of its own; the main topic is still what is done
    assert topics(rules, "郵便受けに手紙があふれている家があれば、民生委員に連絡します。") == ["見守り・孤立防止"]
    assert topics(rules, "公民館で、認知症について学ぶ講座を開きます。") == ["医療・介護連携"]
    # a means term (the community's events as the setting) is no side topic either
    assert topics(rules, "障がいのある人が地域の行事に参加しやすいよう配慮します。") == ["障がい・バリアフリー"]
    # the same words as the object of what is done stay the topic
    assert topics(rules, "子どもの居場所を公民館に設けます。") == ["子ども・子育て", "居場所・交流"]
    assert topics(rules, "地域の行事を住民が企画します。") == ["地域づくり・住民活動"]
    # a medium stays its topic as the means (topics_as_means); people acting together are no means
    assert topics(rules, "SNSを活用して、見守り活動の様子を発信します。") == ["見守り・孤立防止", "情報提供・ICT"]
    assert "地域づくり・住民活動" in topics(rules, "住民同士で、災害時の避難について話し合います。")


def test_consultation_yields_the_main_topic_to_what_it_is_about(rules):
    # yields_main: consultation as the means of another topic leaves it the main topic
    assert topics(rules, "子育ての悩みの相談に保健師が応じます。")[0] == "子ども・子育て"
    assert "相談支援・包括的支援体制" in topics(rules, "子育ての悩みの相談に保健師が応じます。")
    # consultation about nothing else stays the main topic
    assert topics(rules, "暮らしの困りごとを丸ごと受け止める相談窓口を設けます。") == ["相談支援・包括的支援体制"]


def test_group_word_read_in_another_sense_is_not_its_group(rules):
    # pupils learning about welfare are learners: 福祉教育, not also 子ども・子育て
    text = "中学生が福祉施設で介護の体験をする授業を設けます。"
    assert topics(rules, text)[0] == "福祉教育・理解促進" and "子ども・子育て" not in topics(rules, text)
    # a pupil named as who a place is for stays a group word (the codebook's reading: the learned
    # prior may rank the place first or drop the group as a side topic)
    assert codebook_topics(rules, "中学生の居場所をつくります。")[0] == "子ども・子育て"


def test_child_development_is_about_children_first(rules):
    # 発達 (a child's development) is developmental support of both scope notes; children lead
    assert topics(rules, "発達に遅れのある乳幼児への療育を行います。") == ["子ども・子育て", "障がい・バリアフリー"]


def test_adverbial_phrase_reading(rules):
    from planextract.compare.themes import Match, adverbial, token_spans

    def is_adverbial(text, term):
        tokens = tokenize(text)
        i = text.index(term)
        return adverbial(Match(i, i + len(term), term), text, tokens, token_spans(text, tokens))

    assert is_adverbial("公民館で体操教室を開きます。", "公民館")
    assert is_adverbial("地域の集まりで防災を学びます。", "地域")  # the whole noun phrase before で
    assert is_adverbial("学校や保育所と連携して家庭を支えます。", "学校")
    assert is_adverbial("近くの自治会長に伝えます。", "自治会")
    assert is_adverbial("ICTを活用して安否を確かめます。", "ICT")
    assert not is_adverbial("公民館を住民に開放します。", "公民館")
    assert not is_adverbial("事業所どうしで研修を行います。", "事業所")
    assert not is_adverbial("地域で暮らす人である。", "人")
    assert not is_adverbial("生活福祉資金の貸付けと相談支援を行います。", "貸付け")


def test_resident_action_without_a_keyword(rules):
    text = "地域のために、自分にできることを続けます。"
    assert topics(rules, text, "市民") == ["地域づくり・住民活動"]
    assert codebook_topics(rules, text, "行政") == []


def test_tags_are_ranked_and_at_most_three_topics(rules):
    text = "子ども食堂で、ひとり親家庭の子どもに食料を届け、学習支援と相談を行い、災害への備えも伝えます。"
    tags = [t for t in tag(text, tokenize(text), rules) if t.dimension == "topic"]
    assert 1 < len(tags) <= rules.themes.max_topics
    assert [t.rank for t in tags] == list(range(1, len(tags) + 1))
    assert tags[0].theme == "子ども・子育て"  # the most evidence


def test_unknown_theme_in_a_codebook_names_file_and_key(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(find_rules_dir(), d)
    p = d / "themes.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("topics: [権利擁護・成年後見]}", "topics: [権利のこと]}", 1),
                 encoding="utf-8")
    with pytest.raises(RulesError, match="themes.yaml.*unknown topic '権利のこと'"):
        Rules(d)


def test_search_theme_accepts_a_former_name(rules):
    con = duckdb.connect()
    con.execute("CREATE TABLE themes (theme VARCHAR, keywords VARCHAR, themes_version INT, dimension VARCHAR, "
                "aliases VARCHAR)")
    rows = [r.model_dump() for r in theme_rows(rules)]
    rows[0]["aliases"] = "旧い名前"
    con.executemany("INSERT INTO themes VALUES (?, ?, ?, ?, ?)", [list(r.values()) for r in rows])
    assert theme_name(con, "旧い名前") == rows[0]["theme"]
    assert theme_name(con, "連携") == "連携"
    with pytest.raises(ValueError, match="unknown theme"):
        theme_name(con, "ない名前")


@pytest.mark.parametrize("column", ["", ", confidence DOUBLE"])
def test_tags_without_a_confidence_say_to_run_again(rules, column):
    """An output written before tags had a confidence (no column), or tagged without the prior
    (the column all empty): a minimum confidence is refused in words, not answered with nothing."""
    from planextract.compare import check_min_confidence, has_confidence

    con = duckdb.connect()
    con.execute("CREATE TABLE themes (theme VARCHAR, keywords VARCHAR, themes_version INT, dimension VARCHAR, "
                "aliases VARCHAR)")
    con.executemany("INSERT INTO themes VALUES (?, ?, ?, ?, ?)", [list(r.model_dump().values()) for r in theme_rows(rules)])
    con.execute("CREATE TABLE item_themes (plan_id VARCHAR, ref VARCHAR, theme VARCHAR, keywords VARCHAR, "
                f"themes_version INT, dimension VARCHAR, rank INT{column})")
    con.execute("INSERT INTO item_themes (plan_id, ref, theme, keywords, themes_version, dimension, rank) "
                "VALUES ('p-1', 'role:p-1:1.1:市民:1', '見守り・孤立防止', '見守り', 7, 'topic', 1)")
    assert not has_confidence(con)
    with pytest.raises(ValueError, match="have no confidence.*run `planextract run` again"):
        check_min_confidence(0.5, "見守り・孤立防止", True, has_confidence(con))
    for bad in ("0.8", float("nan"), -0.1, True):
        with pytest.raises(ValueError, match="a number from 0 to 1"):
            check_min_confidence(bad, "見守り・孤立防止", True, has_confidence(con))


# -- the reliability check on the hand-coded sample (make themes-check) ---------------------------

def test_sample_is_large_fictional_and_coded_with_known_themes(rules):
    dev = load_sample(SAMPLE / "dev.yaml")
    held = [it for name in HELD_OUT_FLOORS for it in load_sample(SAMPLE / name)]
    others = [it for p in sorted(SAMPLE.glob("*.yaml")) if p.name not in HELD_OUT_FLOORS and p.name
              not in ("dev.yaml", "codes.yaml") for it in load_sample(p)]  # samples only trained on
    assert len(dev) >= 120 and len(held) >= 120
    names = {t.name for t in rules.themes.themes}
    approach_names = {a.name for a in rules.themes.approaches}
    assert len(others) >= 250
    for it in dev + held + others:
        assert set(it.topics) <= names and set(it.approaches) <= approach_names, it.text
    # written for the sample, never copied from a plan: no item is a text of the sample corpus
    plan_texts = set()
    for gp in (ROOT / "tests" / "gold").glob("*.json"):
        g = json.loads(gp.read_text(encoding="utf-8"))
        plan_texts |= {r["text"] for r in g["roles"] + g["actions"]} | {n["title"] for n in g["nodes"]}
    corpus = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in (ROOT / "corpus").rglob("*.txt"))
    copied = [it.text for it in dev + held + others if it.text in plan_texts or (len(it.text) >= 12 and it.text in corpus)]
    assert copied == []


def test_tags_reach_the_targets_on_the_tuning_half(rules):
    # the codebook's own ranking: the prior is trained on dev.yaml (measured without it below)
    f = measure(load_sample(SAMPLE / "dev.yaml"), rules, None)
    assert f.precision >= 0.85 and f.recall >= 0.85, (f.precision, f.recall)
    assert f.topics_per_item <= 1.8
    assert f.main_accuracy >= 0.90


# Held-out halves, never tuned on sentence by sentence: floors a little under the figures of
# codebook v3 (docs/rules.md), so a codebook change that loses ground fails. heldout.yaml was coded
# with dev.yaml; heldout2 and heldout3 were each measured once, then their misses informed a
# vocabulary pass; heldout4.yaml was coded after the last pass: the clean figure on unseen wording.
# Codebook v4 (docs/rules.md): heldout5.yaml was coded blind before v4 was begun and never tuned on;
# heldout6.yaml was coded blind after v4's vocabulary passes, measured once (P 0.692 R 0.811), then
# its misses informed v4's sense rules; heldout7.yaml was coded blind after the last v4 change.
# Codebook v5: heldout8.yaml was coded blind after v4 was merged, committed before it was first
# measured and never tuned on (v4: P 0.742 R 0.950 main 86.6%).
# Codebook v6 adds the learned main-topic prior (compare/lexical.py), trained on dev.yaml and
# heldout.yaml to heldout10.yaml: their floors below no longer say much (see the leave-one-out test).
# heldout9.yaml and heldout10.yaml were coded blind before the prior was built and measured once
# with codebook v5 alone (P 0.781 R 0.903 main 81.6%; P 0.694 R 0.857 main 73.3%), then with the
# prior trained on dev..heldout8 (P 0.906 R 0.866 main 88.6%; P 0.816 R 0.821 main 79.3%), then
# added to its training. heldout11.yaml and heldout12.yaml were coded blind while the prior was
# built, from the scope notes only, and are never trained on; 13 items that nearly repeated a
# training item were removed after their first measurement: the figures for unseen wording (v6:
# P 0.898 R 0.934 main 89.8%; P 0.837 R 0.881 main 85.2%; codebook alone P 0.852 R 0.943 main
# 88.0%; P 0.745 R 0.896 main 86.1%). heldout13.yaml was written and coded blind in the style of
# real plan text and committed before it was first measured (v6: P 0.910 R 0.931 main 91.7%).
# v7 retrains the prior with plan_style1-2 (training only) and adds tag confidence: heldout11 P 0.898
# R 0.943 main 89.8%, heldout12 P 0.842 R 0.873 main 85.2%, heldout13 P 0.917 R 0.938 main 92.5%.
HELD_OUT_FLOORS = {"heldout.yaml": (0.82, 0.88, 0.80), "heldout2.yaml": (0.80, 0.84, 0.76),
                   "heldout3.yaml": (0.82, 0.87, 0.76), "heldout4.yaml": (0.64, 0.49, 0.41),
                   "heldout5.yaml": (0.76, 0.88, 0.82), "heldout6.yaml": (0.75, 0.90, 0.83),
                   "heldout7.yaml": (0.70, 0.85, 0.81), "heldout8.yaml": (0.74, 0.92, 0.84),
                   "heldout9.yaml": (0.86, 0.82, 0.84), "heldout10.yaml": (0.79, 0.78, 0.76),
                   "heldout11.yaml": (0.86, 0.88, 0.86), "heldout12.yaml": (0.79, 0.84, 0.80),
                   "heldout13.yaml": (0.87, 0.89, 0.88)}
NEVER_TRAINED = {"heldout11.yaml", "heldout12.yaml", "heldout13.yaml"}


@pytest.mark.parametrize("name", sorted(HELD_OUT_FLOORS))
def test_tags_do_not_regress_on_the_held_out_halves(rules, name):
    precision, recall, main = HELD_OUT_FLOORS[name]
    f = measure(load_sample(SAMPLE / name), rules)
    assert f.precision >= precision and f.recall >= recall, (f.precision, f.recall)
    assert f.topics_per_item <= 1.8
    assert f.main_accuracy >= main


def test_confident_tags_are_right_on_samples_never_trained_on(rules):
    """The confidence of a topic tag (lexical.Calibration) sorts tags by how often they are right,
    on items neither the prior nor its calibration saw."""
    f = sum((measure(load_sample(SAMPLE / name), rules) for name in sorted(NEVER_TRAINED)), Figures())
    confident = [ok for c, ok in f.confidences if c >= 0.8]
    rest = [ok for c, ok in f.confidences if c < 0.8]
    assert len(f.confidences) == f.auto_topics  # every topic tag has one
    assert len(confident) >= 0.7 * len(f.confidences)
    assert sum(confident) / len(confident) >= 0.93
    assert sum(rest) / len(rest) <= sum(confident) / len(confident) - 0.2


def test_the_prior_was_never_trained_on_the_held_out_samples(rules):
    """The prior is trained on THEME_TRAIN of the Makefile, and on nothing held out."""
    import re

    make = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    train = re.search(r"^THEME_TRAIN = (.*)$", make, re.M).group(1).split()
    assert rules.themes_prior.trained_on == [Path(p).name for p in train]
    assert NEVER_TRAINED.isdisjoint(rules.themes_prior.trained_on)
    held = re.search(r"^THEME_HELD_OUT = (.*)$", make, re.M).group(1).split()
    assert {Path(p).name for p in held} == NEVER_TRAINED


# Leave-one-sample-out: a prior trained on the other training samples, measured on one it has not
# seen (`make themes-train` prints these for every sample; a cross-validation figure: the prior's
# settings were chosen on it). Floors under the figures of v6: heldout4 P 0.848 R 0.736 main 74.3%
# (codebook alone 0.700 / 0.769 / 65.7%); heldout8 P 0.863 R 0.934 main 93.8% (alone 0.767 /
# 0.950 / 86.6%); dev P 0.946 R 0.880 main 91.4% (alone 0.908 / 0.937 / 93.8%: the prior costs the
# main topic here, as on heldout, heldout2 and heldout7).
LEAVE_ONE_OUT_FLOORS = {"heldout4.yaml": (0.82, 0.70, 0.70), "heldout8.yaml": (0.82, 0.88, 0.90),
                        "dev.yaml": (0.90, 0.85, 0.88)}


@pytest.mark.parametrize("name", sorted(LEAVE_ONE_OUT_FLOORS))
def test_a_prior_helps_on_a_sample_it_was_not_trained_on(rules, name):
    from planextract.compare.reliability import train_prior

    others = [SAMPLE / n for n in rules.themes_prior.trained_on if n != name]
    prior = train_prior([(p, load_sample(p)) for p in others], rules)
    items = load_sample(SAMPLE / name)
    alone, helped = measure(items, rules, None), measure(items, rules, prior)
    precision, recall, main = LEAVE_ONE_OUT_FLOORS[name]
    assert helped.precision >= precision and helped.recall >= recall, (helped.precision, helped.recall)
    assert helped.main_accuracy >= main
    assert helped.precision > alone.precision
    if name != "dev.yaml":
        assert helped.main_accuracy > alone.main_accuracy


def test_a_second_coder_is_compared_item_by_item(tmp_path, rules):
    from planextract.compare.reliability import agreement, main as check

    shutil.copy(SAMPLE / "codes.yaml", tmp_path / "codes.yaml")
    (tmp_path / "coder2").mkdir()
    first = ("items:\n- {actor: 市民, text: 近所のひとり暮らしの方に声をかけます。, topics: [見守り], approach: []}\n"
             "- {actor: 行政, text: 避難所の運営訓練を行います。, topics: [災害], approach: []}\n")
    (tmp_path / "s.yaml").write_text(first, encoding="utf-8")
    # the second coder adds a side topic to the first item and reads the second one otherwise
    second = first.replace("topics: [見守り]", "topics: [見守り, 地域づくり]").replace("topics: [災害]", "topics: [担い手]")
    (tmp_path / "coder2" / "s.yaml").write_text(second, encoding="utf-8")
    lines = agreement(load_sample(tmp_path / "s.yaml"), load_sample(tmp_path / "coder2" / "s.yaml"), rules)
    assert lines[0].startswith("second coder against first") and "P 0.333 R 0.500" in lines[0]
    assert "main topic  50.0%" in lines[0]
    # items out of step are refused, and the check names the file instead of a traceback
    (tmp_path / "coder2" / "s.yaml").write_text("items:\n" + second.splitlines()[2] + "\n" + second.splitlines()[1] + "\n",
                                                encoding="utf-8")
    assert check([str(tmp_path / "s.yaml")]) == 2


def test_second_codings_are_of_the_same_items_and_agree(rules):
    """Two coders, blind to each other and to the tagger, agree on what items are about: the
    tagger's figures are read against this ceiling."""
    from planextract.compare.reliability import score_codes

    pairs = sorted((SAMPLE / "coder2").glob("*.yaml"))
    assert len(pairs) >= 3
    for second in pairs:
        a, b = load_sample(SAMPLE / second.name), load_sample(second)
        assert [it.text for it in a] == [it.text for it in b], second.name
        f = score_codes(a, [it.topics for it in b], [set(it.approaches) for it in b])
        assert f.precision >= 0.9 and f.recall >= 0.85 and f.main_accuracy >= 0.9, (second.name, f.precision, f.recall)


def test_coordination_and_nothing_it_serves_is_the_topic(rules):
    # 連携 is an approach; an item of coordination alone is about coordination (its `alone` topic),
    # before a resident's role falls back to community action
    assert codebook_topics(rules, "地元の諸団体との連携に努めます。", "地域") == ["連携・ネットワーク"]
    assert topics(rules, "地元の諸団体との連携に努めます。", "地域") == ["連携・ネットワーク"]
    # coordination as the means of something else stays an approach
    tags = tag("関係機関と連携して見守ります。", tokenize("関係機関と連携して見守ります。"), rules)
    assert [t.theme for t in tags if t.dimension == "topic"] == ["見守り・孤立防止"]
    assert "連携" in [t.theme for t in tags if t.dimension == "approach"]


def test_an_alone_topic_must_be_a_theme(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(find_rules_dir(), d)
    p = d / "themes.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("alone: 連携・ネットワーク", "alone: つながりのこと"), encoding="utf-8")
    with pytest.raises(RulesError, match="themes.yaml.*unknown topic 'つながりのこと'"):
        Rules(d)


def test_weight_and_own_weight_count_their_stretches_apart():
    # a match that adds only own weight must not widen the stretch the weight is counted over:
    # (0,5) weight 1 / own 0.4, (3,8) 0.7 / 0.7, (7,10) 1 / 1 -> weight 2.0 (the third stretch is
    # new for the weight), own 1.0 (0.4, raised to 0.7, then to 1.0 over overlapping stretches)
    from planextract.compare.themes import Match, _add

    found = {}
    for start, end, weight, own in [(0, 5, 1.0, 0.4), (3, 8, 0.7, 0.7), (7, 10, 1.0, 1.0)]:
        _add(found, "t", Match(start, end, "x"), weight, own, "keyword")
    assert (found["t"].weight, found["t"].own) == (2.0, 1.0)


def test_no_held_out_item_repeats_a_training_item(rules):
    """A held-out figure means nothing if the prior was trained on the same sentence: no item of a
    never-trained sample shares most of its character 3-grams with an item trained on."""
    import re
    import unicodedata

    def grams(text: str) -> set[str]:
        t = re.sub(r"[\s。、，,．.・「」()（）]", "", unicodedata.normalize("NFKC", text))
        return {t[i:i + 3] for i in range(len(t) - 2)} or {t}

    trained = [grams(it.text) for n in rules.themes_prior.trained_on for it in load_sample(SAMPLE / n)]
    for name in NEVER_TRAINED:
        for it in load_sample(SAMPLE / name):
            g = grams(it.text)
            assert all(len(g & t) < 0.6 * len(g | t) for t in trained), (name, it.text)


def test_training_names_its_samples():
    from planextract.compare.reliability import main as check

    assert check(["train"]) == 2  # no default: it would train on the held-out samples


def test_the_check_explains_itself_and_names_a_missing_sample(capsys):
    from planextract.compare.reliability import main as check

    assert check(["--help"]) == 0 and "usage:" in capsys.readouterr().out
    assert check(["tests/themes/no-such-sample.yaml"]) == 2
    assert "no-such-sample.yaml: no such sample file" in capsys.readouterr().err


def test_the_readme_example_of_one_texts_tags_holds(rules):
    """README, Comparing cities: the tags of one text from Python, as printed there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "# [('連携・ネットワーク', 'topic', 1), ('連携', 'approach', 1)]" in readme
    s = "地元の諸団体との連携に努めます。"
    assert [(t.theme, t.dimension, t.rank) for t in tag(s, tokenize(s), rules, actor="地域")] == [
        ("連携・ネットワーク", "topic", 1), ("連携", "approach", 1)]
