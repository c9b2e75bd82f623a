"""Comparing cities (issue "Compare cities"): tokens, themes, search, alignment, the HTML report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pymupdf
import pytest
from typer.testing import CliRunner

import planextract
from planextract import pipeline
from planextract.cli import app
from planextract.compare import matrix, search, similar, untagged_share
from planextract.compare.tokens import MAX_BYTES, chunks, tokenize
from planextract.normalise import clean_text

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    pipeline.run(ROOT / "corpus", out)
    res = runner.invoke(app, ["align", "--out", str(out)])  # as `make run` does
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def con(out):
    c = planextract.connect(out)
    yield c
    c.close()


def test_forms_and_widths_do_not_split_a_word():
    def lemma(s):
        return [t.normalized_form for t in tokenize(clean_text(s)) if t.content][0]
    assert lemma("見守り") == lemma("見守る") == lemma("みまもり")
    assert lemma("ＩＣＴ") == lemma("ICT") == "ICT"


def test_long_text_is_tokenized_in_pieces_under_the_byte_limit():
    text = "地域で支え合う活動に参加します。" * 4000  # ~190 KB of UTF-8
    pieces = chunks(text)
    assert len(pieces) > 1 and all(len(p.encode("utf-8")) <= MAX_BYTES for p in pieces)
    assert "".join(pieces) == text
    assert len(tokenize(text)) > 4000


def test_council_commits_only_where_its_plans_give_it_roles(con):
    _, _, counts = matrix(con, "actor")
    assert counts[("aizuwakamatsu-2", "社協")] > 0 and counts[("ichinoseki-2", "社協")] > 0
    # 厚木 and 相模原 print no role tables: no number at all, not a 0 that reads "commits to nothing"
    assert counts[("atsugi-6", "社協")] is None and counts[("sagamihara-5", "社協")] is None


def test_guardianship_theme_in_all_four_plans(con):
    _, _, counts = matrix(con, "theme")
    plans = ["aizuwakamatsu-2", "atsugi-6", "ichinoseki-2", "sagamihara-5"]
    assert all(counts[(p, "権利擁護・成年後見")] > 0 for p in plans)


def test_every_role_and_action_is_tagged_or_counted_untagged(con):
    shares = untagged_share(con)
    assert set(shares) == {"aizuwakamatsu-2", "atsugi-6", "ichinoseki-2", "sagamihara-5"}
    assert all(0 <= s < 0.5 for s in shares.values()), shares
    n_items = con.execute("SELECT count(*) FROM v_items WHERE kind <> 'node'").fetchone()[0]
    n_tagged = con.execute("SELECT count(DISTINCT ref) FROM item_themes").fetchone()[0]
    assert 0.7 * n_items < n_tagged <= n_items
    # an item whose only topic is the prior's guess (no term matched) counts as untagged
    guessed = con.execute("""SELECT ref FROM item_themes WHERE dimension = 'topic' GROUP BY ref
                             HAVING max(coalesce(keywords, '')) = ''""").fetchall()
    assert guessed
    items = con.execute("""SELECT plan_id, ref FROM v_items
                           WHERE kind IN ('role', 'action', 'outcome', 'focus_measure')""").fetchall()
    read = {r for (r,) in con.execute("SELECT DISTINCT ref FROM item_themes WHERE dimension = 'topic' AND keywords <> ''").fetchall()}
    for plan in shares:
        mine = [r for p, r in items if p == plan]
        assert shares[plan] == round(sum(r not in read for r in mine) / len(mine), 3)


def test_item_themes_are_ranked_topics_and_approaches(con):
    rows = con.execute("SELECT ref, dimension, rank FROM item_themes").fetchall()
    assert {d for _, d, _ in rows} == {"topic", "approach"}
    topics: dict[str, list[int]] = {}
    for ref, d, rank in rows:
        if d == "topic":
            topics.setdefault(ref, []).append(rank)
    assert all(sorted(r) == list(range(1, len(r) + 1)) and len(r) <= 3 for r in topics.values())
    assert sum(len(r) for r in topics.values()) / len(topics) <= 1.8
    # approaches are not topics: not in the plan × theme matrix
    approaches = {t for (t,) in con.execute("SELECT theme FROM themes WHERE dimension = 'approach'").fetchall()}
    assert "連携" in approaches
    assert not approaches & {t for (t,) in con.execute("SELECT DISTINCT theme FROM v_theme_matrix").fetchall()}


def test_search_by_theme_main_topic_first(con):
    hits = search(con, None, theme="見守り・孤立防止")
    assert hits and [h["theme_rank"] for h in hits] == sorted(h["theme_rank"] for h in hits)
    main = search(con, None, theme="見守り・孤立防止", main_only=True)
    assert main and {h["theme_rank"] for h in main} == {1} and len(main) <= len(hits)
    both = search(con, "見守る", theme="見守り・孤立防止")
    assert both and all("見守" in h["text"] or "みまもり" in h["text"] for h in both)
    with pytest.raises(ValueError, match="unknown theme"):
        search(con, None, theme="ない名前")


def test_search_by_theme_says_which_keywords_matched_or_that_it_is_a_guess(con):
    # the theme with most of the prior's guesses (real plans hold items no term of the codebook matches)
    theme, plan = con.execute("""SELECT theme, min(plan_id) FROM item_themes WHERE dimension = 'topic'
                                 AND coalesce(keywords, '') = '' GROUP BY theme ORDER BY count(*) DESC, theme
                                 LIMIT 1""").fetchone()
    stored = sorted((p, t, k or "") for p, t, k in con.execute(
        "SELECT i.plan_id, i.text, t.keywords FROM item_themes t JOIN v_items i USING (ref) WHERE t.theme = ?",
        [theme]).fetchall())
    hits = search(con, None, theme=theme)
    assert sorted((h["plan_id"], h["text"], h["keywords"]) for h in hits) == stored
    assert any(k == "" for _, _, k in stored) and any(k for _, _, k in stored)
    read = search(con, None, theme=theme, guesses=False)
    assert sorted((h["plan_id"], h["text"], h["keywords"]) for h in read) == [x for x in stored if x[2]]
    # the matrices count what a term reads, not the guesses
    n = con.execute("SELECT n FROM v_theme_matrix WHERE plan_id = ? AND theme = ?", [plan, theme]).fetchone()[0]
    tagged = con.execute("""SELECT count(DISTINCT ref), count(DISTINCT CASE WHEN coalesce(keywords, '') = ''
                            THEN ref END) FROM item_themes WHERE plan_id = ? AND theme = ?""", [plan, theme]).fetchone()
    assert tagged[1] > 0 and n == tagged[0] - tagged[1]


def test_topic_tags_have_a_confidence_to_filter_by(con):
    rows = con.execute("SELECT dimension, confidence FROM item_themes").fetchall()
    assert all(c is not None and 0.0 <= c <= 1.0 for d, c in rows if d == "topic")
    assert all(c is None for d, c in rows if d == "approach")
    hits = search(con, None, theme="見守り・孤立防止")
    sure = search(con, None, theme="見守り・孤立防止", min_confidence=0.8)
    assert 0 < len(sure) < len(hits) and all(h["confidence"] >= 0.8 for h in sure)
    assert {h["text"] for h in sure} <= {h["text"] for h in hits}
    main = search(con, None, theme="見守り・孤立防止", main_only=True, min_confidence=0.8)
    assert main and all(h["theme_rank"] == 1 and h["confidence"] >= 0.8 for h in main)
    for kwargs, message in (({"theme": "連携", "min_confidence": 0.5}, "only topics have a confidence"),
                            ({"theme": None, "min_confidence": 0.5}, "needs a --theme"),
                            ({"theme": "見守り・孤立防止", "min_confidence": 1.5}, "a number from 0 to 1")):
        with pytest.raises(ValueError, match=message):
            search(con, "見守る" if kwargs["theme"] is None else None, **kwargs)


def test_search_by_lemma_across_cities(con):
    hits = search(con, "見守る")
    texts = [(h["plan_id"], h["text"]) for h in hits]
    assert ("atsugi-6", "見守り活動の充実") in texts
    assert all(h["document"] and h["page"] for h in hits)
    council = search(con, "見守る", actor="社協")
    assert council and {h["actor"] for h in council} == {"社協"}


def test_policy_alignment(con):
    rows = similar(con, "ichinoseki-2", "3.2")
    top = [r for r in rows if r["other_plan_id"] == "atsugi-6" and r["rank"] == 1]
    assert top and top[0]["other_policy_code"] == "2.2"
    per_plan = con.execute("SELECT plan_id, policy_code, other_plan_id, max(rank) FROM policy_alignment "
                           "GROUP BY ALL").fetchall()
    assert {r[3] for r in per_plan} == {3}


def test_similar_without_align_computes_the_one_policy(tmp_path, con):
    pipeline.run(ROOT / "corpus", tmp_path / "out")  # no `align`
    fresh = planextract.connect(tmp_path / "out")
    assert fresh.execute("SELECT count(*) FROM policy_alignment").fetchone() == (0,)
    assert similar(fresh, "ichinoseki-2", "3.2") == similar(con, "ichinoseki-2", "3.2")


def test_cli_compare_search_similar(out):
    res = runner.invoke(app, ["compare", "--by", "actor", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["atsugi-6"]["社協"] is None and data["aizuwakamatsu-2"]["社協"] > 0
    res = runner.invoke(app, ["compare", "--by", "theme", "--format", "csv", "--plans", "atsugi-6", "--out", str(out)])
    assert res.exit_code == 0 and res.output.splitlines()[1].startswith("atsugi-6,")
    res = runner.invoke(app, ["search", "見守る", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0 and any(h["text"] == "見守り活動の充実" for h in json.loads(res.output))
    res = runner.invoke(app, ["search", "--theme", "権利擁護・成年後見", "--main", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0 and {h["theme_rank"] for h in json.loads(res.output)} == {1}
    res = runner.invoke(app, ["search", "--theme", "見守り・孤立防止", "--min-confidence", "0.8", "--format", "json",
                              "--out", str(out)])
    assert res.exit_code == 0 and all(h["confidence"] >= 0.8 for h in json.loads(res.output))
    res = runner.invoke(app, ["search", "--theme", "見守り・孤立防止", "--plans", "atsugi", "--actor", "市民", "--main",
                              "--min-confidence", "0.5", "--out", str(out)])  # atsugi-6 has no role table
    assert res.exit_code == 0 and ("no item holds '見守り・孤立防止' for 市民 as its main topic at confidence ≥ 0.5"
                                   in " ".join(res.output.split()))
    res = runner.invoke(app, ["search", "--theme", "連携", "--min-confidence", "0.8", "--out", str(out)])
    assert res.exit_code == 2 and "only topics" in res.output
    res = runner.invoke(app, ["search", "--theme", "ない名前", "--out", str(out)])
    assert res.exit_code == 2 and "unknown theme" in res.output
    assert runner.invoke(app, ["search", "--out", str(out)]).exit_code == 2
    res = runner.invoke(app, ["similar", "ichinoseki-2", "3.2", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0 and json.loads(res.output)
    assert runner.invoke(app, ["similar", "ichinoseki-2", "9.9", "--out", str(out)]).exit_code == 2  # a user error


def test_search_command_labels_the_priors_guesses_and_can_leave_them_out(out):
    db = planextract.connect(out)
    theme, n = db.execute("""SELECT theme, count(*) FROM item_themes WHERE coalesce(keywords, '') = ''
                             AND dimension = 'topic' GROUP BY theme ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
    db.close()
    res = runner.invoke(app, ["search", "--theme", theme, "--out", str(out)])
    assert res.exit_code == 0 and res.output.count("prior's guess") == n
    res = runner.invoke(app, ["search", "--theme", theme, "--no-guesses", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0 and all(h["keywords"] for h in json.loads(res.output))


def test_report_lists_each_themes_items_with_their_confidence(out, tmp_path):
    res = runner.invoke(app, ["report", "--out", str(out), "--dest", str(tmp_path / "report")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    section = re.search(r"<summary>見守り・孤立防止 .*?</details>", text, re.S).group(0)
    assert "<th>rank</th><th>confidence</th><th>keywords</th>" in section
    cells = re.findall(r"<tr><td>(\d)</td><td>([01]\.\d{1,3})</td>", section)
    assert cells and all(0.0 <= float(c) <= 1.0 for _, c in cells)
    sure = re.search(r"<summary>見守り・孤立防止 \(\d+ main topic, (\d+) in all, (\d+) of confidence ≥ 0.8\)", section)
    assert sure and int(sure.group(2)) == sum(float(c) >= 0.8 for _, c in cells) < int(sure.group(1))
    # a topic no term matched says it is the prior's guess, as often as item_themes holds one
    db = planextract.connect(out)
    guesses = db.execute("SELECT count(*) FROM item_themes WHERE dimension = 'topic' AND coalesce(keywords, '') = ''").fetchone()[0]
    db.close()
    assert guesses and text.count("<td>(no term: the prior&#x27;s guess)</td>") == guesses


def test_run_with_rules_of_no_prior_tags_without_confidence(tmp_path):
    """`run --rules`: a copy of the rules without the learned prior ranks by the codebook alone; its
    tags have no confidence, and a search asking for one says so."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    themes = rules / "themes.yaml"
    themes.write_text("\n".join(line for line in themes.read_text(encoding="utf-8").splitlines()
                                if not line.startswith("lexical_prior:")) + "\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus" / "aizuwakamatsu", corpus / "aizuwakamatsu")
    res = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o"), "--rules", str(rules),
                              "--jobs", "1"])
    assert res.exit_code == 0, res.output
    db = planextract.connect(tmp_path / "o")
    assert db.execute("SELECT count(*), count(confidence) FROM item_themes WHERE dimension = 'topic'").fetchone()[1] == 0
    assert db.execute("SELECT count(*) FROM item_themes WHERE dimension = 'topic'").fetchone()[0] > 0
    db.close()
    res = runner.invoke(app, ["search", "--theme", "見守り・孤立防止", "--min-confidence", "0.5", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "have no confidence" in res.output


def test_report_of_an_output_from_before_confidences(out, tmp_path):
    """An output written before tags had a confidence (no column) still gets its report."""
    old = tmp_path / "old"
    shutil.copytree(out, old)
    db = duckdb.connect(str(old / "planextract.duckdb"))
    db.execute("ALTER TABLE item_themes DROP COLUMN confidence")
    db.close()
    res = runner.invoke(app, ["report", "--out", str(old), "--dest", str(tmp_path / "report")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<summary>見守り・孤立防止 \(\d+ main topic, \d+ in all\)</summary>", text)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium is installed by .ci/run")
def test_report_in_headless_chromium(out, tmp_path):
    browser = _chromium()
    assert browser, "Chromium is missing (.ci/run installs Debian's chromium)"
    res = runner.invoke(app, ["report", "--out", str(out), "--dest", str(tmp_path / "report")])
    assert res.exit_code == 0, res.output
    page = tmp_path / "report" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" in text and "cdn.jsdelivr.net/npm/vega" not in text  # no network needed
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000", "--window-size=1400,1800"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    plans_table = re.search(r'<table class="plans">(.*?)</table>', dom, re.S).group(1)
    assert len(re.findall(r"<tr>", plans_table)) == 1 + 4  # header + one row per plan
    assert re.search(r"<(canvas|svg)", dom), "the charts did not render"
    shot = tmp_path / "screenshot.png"
    subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    pix = pymupdf.Pixmap(str(shot))
    samples = pix.samples
    n = pix.n
    # the heatmaps' blue cells: pixels clearly bluer than they are red
    blue = sum(1 for i in range(0, len(samples), n * 7) if samples[i + 2] > samples[i] + 60)
    assert blue > 300, f"no heatmap in the screenshot ({blue} blue samples): {shot}"
