import csv
import json

import duckdb

from planextract.models import NodeRow, PlanResult, PlanRow, RoleRow, RunResult
from planextract.score import overall, score
from planextract.store import store


def _result():
    plan = PlanRow(plan_id="t-1", city="テスト市", city_code="072028", prefecture="福島県", title=None, edition=1,
                   period_start_fy=None, period_end_fy=None, vision="支え合うまち")
    nodes = [NodeRow(plan_id="t-1", level="goal", code="1", label="1", title="人づくり", parent_code=None,
                     description=None, is_new=False, doc_id="d", page=1),
             NodeRow(plan_id="t-1", level="policy", code="1.1", label="(1)", title="福祉教育の推進", parent_code="1",
                     description=None, is_new=True, doc_id="d", page=2)]
    roles = [RoleRow(plan_id="t-1", policy_code="1.1", actor="市民", actor_label="市民", qualifier=None, seq=1,
                     text="学習機会の充実に努める。", doc_id="d", page=2)]
    return RunResult(plans=[PlanResult(plan=plan, documents=[], nodes=nodes, roles=roles, actions=[], scores=[],
                                       ratings=[], unassigned=[], furniture=[], problems=[])])


def test_store_writes_csv_and_duckdb_with_the_same_rows(tmp_path):
    store(_result(), tmp_path / "out")
    with (tmp_path / "out/csv/nodes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["code"] for r in rows] == ["1", "1.1"]
    assert rows[0]["parent_code"] == "" and rows[1]["is_new"] == "true"
    con = duckdb.connect(str(tmp_path / "out/planextract.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM nodes").fetchone() == (2,)
    assert con.execute("SELECT policies, roles FROM v_plan_summary").fetchone() == (1, 1)


def test_store_replaces_the_previous_output(tmp_path):
    store(_result(), tmp_path / "out")
    (tmp_path / "out/csv/stale.csv").write_text("x")
    store(_result(), tmp_path / "out")
    assert not (tmp_path / "out/csv/stale.csv").exists()


def test_score_counts_as_the_workplace_scorer(tmp_path):
    store(_result(), tmp_path / "out")
    gold = {"plan": {"plan_id": "t-1", "city": "テスト市", "prefecture": "福島県", "edition": 1,
                     "period_start_fy": None, "period_end_fy": None, "vision": "支え合う まち"},
            "nodes": [{"level": "goal", "code": "1", "title": "人づくり"},
                      {"level": "policy", "code": "1.1", "title": "福祉教育の推進"},
                      {"level": "policy", "code": "1.2", "title": "意識の向上"}],
            "roles": [{"policy": "1.1", "actor": "市民", "text": "▶学習機会の充実に努める"}],
            "actions": [], "scores": []}
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold/t-1.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    lines = {x.table: (x.gold, x.pred, x.tp) for x in score(tmp_path / "out/csv", tmp_path / "gold")}
    assert lines == {"nodes": (3, 2, 2), "roles": (1, 1, 1), "plan": (6, 6, 6)}
    p, r, f = overall(score(tmp_path / "out/csv", tmp_path / "gold"))
    assert round(p, 3) == 1.0 and round(r, 3) == 0.9


def test_score_command_prints_the_table_and_overall_line(tmp_path):
    from typer.testing import CliRunner

    from planextract.cli import app

    store(_result(), tmp_path / "out")
    gold = {"plan": {"plan_id": "t-1", "city": "テスト市", "prefecture": "福島県", "edition": 1,
                     "period_start_fy": None, "period_end_fy": None, "vision": "支え合うまち"},
            "nodes": [{"level": "goal", "code": "1", "title": "人づくり"}], "roles": [], "actions": [], "scores": []}
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold/t-1.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(app, ["score", str(tmp_path / "out/csv"), str(tmp_path / "gold")])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == "overall P 0.875 R 1.000 F1 0.933"  # tp 7 of 7 gold, 8 predicted


def test_a_large_table_loads_within_the_small_working_set(tmp_path):
    """A national run (1,741 plans) failed at the very end: DuckDB sized its CSV buffer by the
    2 GB line limit given for one long line, and a large tokens file then did not fit the load's
    memory limit. The limit now fits the file's longest line."""
    import csv

    import duckdb

    from planextract import store

    path = tmp_path / "tokens.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(list(store.TABLES["tokens"].model_fields))
        for i in range(1_500_000):
            w.writerow(["x-1", f"role:x-1:1.{i % 50}:市民:{i}", i % 40, "見守り", "見守る", "見守る", "名詞-普通名詞-一般"])
    assert path.stat().st_size > 128 * 2**20  # larger than the working set of the load
    con = duckdb.connect(config=dict(store.LOAD_CONFIG))
    cols = ", ".join(f"{c} VARCHAR" for c in store.TABLES["tokens"].model_fields)
    con.execute(f"CREATE TABLE tokens ({cols})")
    store.load_csv(con, "tokens", path)
    assert con.execute("SELECT count(*) FROM tokens").fetchone() == (1_500_000,)
    assert store.longest_line(path) < 200
