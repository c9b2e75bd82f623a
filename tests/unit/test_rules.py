import shutil
from pathlib import Path

import pytest

from planextract.errors import RulesError
from planextract.rules import Rules, find_rules_dir

RULE_FILES = sorted(p.name for p in find_rules_dir().glob("*.yaml"))


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rules_file_loads_with_a_version(rules, name):
    data = getattr(rules, name.removesuffix(".yaml"))
    assert data.version >= 1


def test_actor_aliases_map_to_five_actors(rules):
    assert rules.actor_of("社会福祉協議会") == "社協"
    assert rules.actor_of("医療・福祉の専門職") == "専門職"
    assert rules.actor_of("福祉事業者") == "専門職"
    assert rules.actor_of("住民") == "市民"
    # the vocabulary of CONVENTIONS.md (issue 9): companies are service providers
    assert rules.actor_of("企業") == "専門職"
    assert rules.actor_of("市民の役割") == "市民" and rules.actor_of("市が取り組むこと") == "行政"
    assert rules.actor_of("共助") == "地域" and rules.actor_of("共助", frozenset({"互助"})) == "専門職"
    assert rules.actor_of("計画の役割") is None and rules.actor_of("協力店") is None
    # an actor and its particle is a role heading only (segment), never a table cell's actor
    assert rules.actor_of("市では") is None and rules.actor_of("県が") is None
    assert {a for _, a in rules.actor_aliases} == {"市民", "地域", "専門職", "社協", "行政"}


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(find_rules_dir(), target)
    return target


def test_malformed_yaml_names_file_and_line(tmp_path):
    d = _copy_rules(tmp_path)
    (d / "actors.yaml").write_text("version: 1\nactors:\n  市民: [市民\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"actors.yaml: line \d+"):
        Rules(d)


def test_missing_key_names_it(tmp_path):
    d = _copy_rules(tmp_path)
    (d / "tables.yaml").write_text("version: 1\ncolumns: {}\ndepartment: 'x'\n", encoding="utf-8")
    with pytest.raises(RulesError, match="tables.yaml: key 'min_header_matches'"):
        Rules(d)


def test_bad_pattern_names_file(tmp_path):
    d = _copy_rules(tmp_path)
    text = (d / "sections.yaml").read_text(encoding="utf-8")
    (d / "sections.yaml").write_text(text.replace("取組の目標", "取組の(目標"), encoding="utf-8")
    with pytest.raises(RulesError, match="sections.yaml: bad pattern"):
        Rules(d)


def test_rules_hold_no_plan_content(rules):
    """Rules describe how plans are written; no title or item of a sample plan may appear."""
    import json

    gold_dir = Path(__file__).resolve().parents[1] / "gold"
    texts = set()
    for gp in gold_dir.glob("*.json"):
        g = json.loads(gp.read_text(encoding="utf-8"))
        texts |= {n["title"] for n in g["nodes"] if len(n["title"]) >= 6}
        texts |= {r["text"] for r in g["roles"] + g["actions"] if len(r["text"]) >= 10}
        if g["plan"].get("vision"):
            texts.add(g["plan"]["vision"])
    rules_text = "".join(p.read_text(encoding="utf-8") for p in find_rules_dir().glob("*.yaml"))
    src = Path(__file__).resolve().parents[2] / "src" / "planextract"
    code_text = "".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py"))
    leaked = [t for t in texts if t in rules_text or t in code_text]
    assert leaked == []
