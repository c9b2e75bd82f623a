"""A fifth city in minutes (issue "A new city in minutes"): a fictional plan laid out unlike the
samples, `init` for its plan.yaml, a run, and the tools around it (inspect, validate, export, API)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import planextract
from planextract.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _fictional():
    spec = importlib.util.spec_from_file_location("fictional_plan", ROOT / "docs/examples/fictional_plan.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newcity")
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus" / "atsugi", corpus / "atsugi")
    _fictional().build(corpus / "sakurano" / "plan.pdf")
    res = runner.invoke(app, ["init", str(corpus / "sakurano"), "--city", "さくら野市", "--code", "139998"])
    assert res.exit_code == 0, res.output
    out = tmp / "out"
    res = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return corpus, out


def _rows(out: Path, sql: str):
    con = duckdb.connect(str(out / "planextract.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_fictional_city_goals_policies_roles(city_run):
    _, out = city_run
    mod = _fictional()
    plan = _rows(out, "SELECT plan_id, city, prefecture, edition, period_start_fy, period_end_fy, vision "
                      "FROM plans WHERE city = 'さくら野市'")
    assert plan == [("sakurano-3", "さくら野市", "東京都", 3, 2025, 2029, "ひとりひとりが主役のまち")]
    nodes = _rows(out, "SELECT level, code, title FROM nodes WHERE plan_id = 'sakurano-3' ORDER BY level, code")
    expected = []
    for gi, (_, g_title, policies) in enumerate(mod.GOALS, 1):
        expected.append(("goal", str(gi), g_title))
        expected += [("policy", f"{gi}.{pi}", p[1]) for pi, p in enumerate(policies, 1)]
    assert sorted(nodes) == sorted(expected)
    roles = _rows(out, "SELECT policy_code, actor_label, text FROM roles WHERE plan_id = 'sakurano-3' "
                       "ORDER BY policy_code, actor, seq")
    expected_roles = []
    for gi, (_, _, policies) in enumerate(mod.GOALS, 1):
        for pi, (_, _, _, by_actor) in enumerate(policies, 1):
            expected_roles += [(f"{gi}.{pi}", a, t) for a, items in by_actor.items() for t in items]
    assert sorted(roles) == sorted(expected_roles)
    actors = dict(_rows(out, "SELECT actor_label, actor FROM roles WHERE plan_id = 'sakurano-3' GROUP BY ALL"))
    assert actors == {"市民": "市民", "地域": "地域", "事業者": "専門職", "社会福祉協議会": "社協", "市": "行政"}
    actions = _rows(out, "SELECT parent_code, kind, text FROM actions WHERE plan_id = 'sakurano-3'")
    assert ("2.1", "action", "出張相談の実施") in actions and len(actions) == 5


def test_init_refuses_a_bad_code_and_an_existing_file(city_run, tmp_path):
    corpus, _ = city_run
    res = runner.invoke(app, ["init", str(tmp_path / "x"), "--city", "x市", "--code", "139997"])
    assert res.exit_code == 2 and "check digit" in res.output
    res = runner.invoke(app, ["init", str(corpus / "sakurano"), "--city", "さくら野市", "--code", "139998"])
    assert res.exit_code == 2 and "exists already" in res.output
    text = (corpus / "sakurano" / "plan.yaml").read_text(encoding="utf-8")
    assert "city_code" in text and "# city:" in text  # every key documented in comments


def test_validate_names_file_line_and_key(city_run, tmp_path):
    corpus, _ = city_run
    assert runner.invoke(app, ["validate", "--corpus", str(corpus)]).exit_code == 0
    bad = tmp_path / "corpus"
    shutil.copytree(corpus, bad)
    (bad / "sakurano" / "plan.yaml").write_text("city: さくら野市\ncity_code: 12\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", "--corpus", str(bad)])
    assert res.exit_code == 1
    assert "plan.yaml: line 2, key 'city_code'" in res.output.replace("\n", "")


def test_exports_open(city_run, tmp_path):
    _, out = city_run
    res = runner.invoke(app, ["export", "--out", str(out), "--format", "xlsx-csv", "--dest", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
    data = (tmp_path / "x" / "roles.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    res = runner.invoke(app, ["export", "--out", str(out), "--format", "parquet", "--dest", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    con = duckdb.connect()
    for table in ("plans", "nodes", "roles", "actions", "scores", "documents"):
        n_parquet = con.execute(f"SELECT count(*) FROM '{(tmp_path / 'p' / f'{table}.parquet').as_posix()}'").fetchone()
        assert n_parquet == _rows(out, f"SELECT count(*) FROM {table}")[0]


def test_inspect_explains_each_decision(city_run):
    corpus, _ = city_run
    res = runner.invoke(app, ["inspect", str(corpus / "sakurano" / "plan.pdf"), "--explain", "--format", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    rules = {e["rule"] for e in report["explain"]}
    assert {"heading:goal", "heading:policy", "section:roles", "role table (actors head the columns)"} <= rules
    assert [h["code"] for h in report["headings"]] == ["1", "1.1", "1.2", "2", "2.1"]


def test_python_api_mirrors_the_cli(city_run):
    corpus, out = city_run
    doc = planextract.extract(corpus / "sakurano" / "plan.pdf")
    assert isinstance(doc, planextract.Document)
    assert [n.title for n in doc.nodes][:2] == ["ともに学び合うまち", "福祉を学ぶ機会づくり"]
    con = planextract.connect(out)
    assert con.execute("SELECT count(*) FROM plans").fetchone() == (2,)
    with pytest.raises(planextract.InputError):
        planextract.connect(out / "nowhere")
