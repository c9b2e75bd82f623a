"""merge on segmented documents built in the test."""

from planextract.merge import merge_plan
from planextract.models import (
    Actor, ActionKind, ActionRecord, DocumentInfo, Level, NodeRecord, PlanFacts, PlanMeta, Provenance, RoleRecord,
    SegmentedDocument,
)

META = PlanMeta(slug="testcity", city="テスト市", city_code="072028")


def doc(doc_id, kind, nodes, roles=(), actions=(), facts=None):
    info = DocumentInfo(doc_id=doc_id, plan_slug="testcity", path=f"testcity/{doc_id}", sha256=doc_id * 4,
                        format="pdf", kind=kind, n_pages=1)
    prov = Provenance(doc_id=doc_id, page=1)
    return SegmentedDocument(
        info=info,
        nodes=[NodeRecord(level=lv, local_code=c, title=t, label=lab, prov=prov) for lv, c, t, lab in nodes],
        roles=[RoleRecord(local_code=c, unit=u, actor=a, actor_label=a.value, text=t, raw_text=t, marker=m, prov=prov)
               for c, u, a, t, m in roles],
        actions=[ActionRecord(local_code=c, kind=k, text=t, raw_text=t, prov=prov) for c, k, t in actions],
        facts=facts or PlanFacts())


def test_overview_renumbering_is_matched_by_title():
    sheet = doc("a", "evaluation", [
        (Level.goal, "3", "充実した仕組みづくり", "3"),
        (Level.policy, "3.1", "相談体制の充実", None),
        (Level.policy, "3.2", "権利擁護の充実", "(2)"),
        (Level.policy, "3.3", "各分野の連携推進", "(3)"),
    ])
    overview = doc("b", "overview", [
        (Level.goal, "3", "充実した仕組みづくり", "基本目標3"),
        (Level.policy, "3.1", "各分野の連携推進", "(1)"),  # the overview lists it first
    ], actions=[("3.1", ActionKind.action, "ネットワークを構築します。")])
    plan = merge_plan(META, [overview, sheet])
    assert [(n.code, n.title) for n in plan.nodes] == [
        ("3", "充実した仕組みづくり"), ("3.1", "相談体制の充実"), ("3.2", "権利擁護の充実"), ("3.3", "各分野の連携推進")]
    assert [(a.parent_code, a.text) for a in plan.actions] == [("3.3", "ネットワークを構築します。")]
    assert plan.plan.prefecture == "福島県"


def test_restated_commitments_are_one_row_and_the_first_source_is_kept_whole():
    nodes = [(Level.goal, "1", "人づくり", None), (Level.policy, "1.1", "福祉教育の推進", "(1)")]
    first = doc("a", "evaluation", nodes, roles=[
        ("1.1", 1, Actor.government, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を呼びかける。", "①"),
        ("1.1", 1, Actor.government, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を促す。", "②"),
    ])
    # the same document's progress sheet restates them in other words, and once under the wrong actor
    again = doc("a", "evaluation", [], roles=[
        ("1.1", 2, Actor.government, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を呼びかけます。", "①"),
        ("1.1", 2, Actor.citizen, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を促します。", "③"),
        ("1.1", 2, Actor.citizen, "家庭において、福祉について話し合う機会をもちます。", "①"),
    ])
    first.roles += again.roles
    plan = merge_plan(META, [first])
    assert [(r.actor, r.seq, r.text) for r in plan.roles] == [
        ("行政", 1, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を呼びかける。"),
        ("行政", 2, "地域づくり、生涯学習等の各分野と連携し、講座等への参加を促す。"),
        ("市民", 1, "家庭において、福祉について話し合う機会をもちます。")]


def test_plan_facts_title_edition_period_vision():
    facts = PlanFacts(titles=["第2期テスト市地域福祉計画"], editions=[2, 1], periods=[(2021, 2025)],
                      visions=["誰もが支え合うまちづくり"])
    plan = merge_plan(META, [doc("a", "overview", [(Level.goal, "1", "人づくり", None)], facts=facts)]).plan
    assert (plan.plan_id, plan.edition, plan.period_start_fy, plan.period_end_fy) == ("testcity-2", 2, 2021, 2025)
    assert plan.vision == "誰もが支え合うまちづくり" and plan.title == "第2期テスト市地域福祉計画"


def test_a_title_cut_short_at_the_page_edge_is_the_same_policy():
    """The plan body's heading ran off the page (地区ごとの生活困窮者); the evaluation sheet prints
    the whole title. Before, merge added the policy twice (1.3 and 1.5)."""
    sheet = doc("a", "evaluation", [
        (Level.goal, "1", "ひとりにしない地域", None),
        (Level.policy, "1.1", "相談体制の充実", None),
        (Level.policy, "1.2", "地区ごとの生活困窮者支援活動の構築", None),
    ])
    body = doc("b", "plan", [
        (Level.goal, "1", "ひとりにしない地域", "基本目標1"),
        (Level.policy, "1.1", "相談体制の充実", "1-1"),
        (Level.policy, "1.2", "地区ごとの生活困窮者", "1-2"),
    ], actions=[("1.2", ActionKind.action, "就労の相談会を開きます。")])
    plan = merge_plan(META, [body, sheet])
    assert [(n.code, n.title) for n in plan.nodes] == [
        ("1", "ひとりにしない地域"), ("1.1", "相談体制の充実"), ("1.2", "地区ごとの生活困窮者支援活動の構築")]
    assert [(a.parent_code, a.text) for a in plan.actions] == [("1.2", "就労の相談会を開きます。")]


def test_clipped_needs_a_real_prefix():
    from planextract.normalise import clipped

    assert clipped("地区ごとの生活困窮者", "地区ごとの生活困窮者支援活動の構築")
    assert not clipped("見守り活動", "見守り活動の充実")  # too short to be sure
    assert not clipped("相談体制の充実", "相談体制の充実")  # the same, not cut
    assert not clipped("地区ごとの生活困窮者支援", "地域ごとの生活困窮者支援活動")


def test_an_edition_printed_as_dai_n_ji_on_its_own_cover_line_is_the_plans(rules):
    """第2次 on a line of its own above the title (a cover), and 第N次 as well as 第N期; an edition
    of another plan named after it (第9期介護保険事業計画) is not this plan's, 第1期計画 is."""
    from planextract.segment.facts import best_edition, text_to_facts

    facts = PlanFacts()
    text_to_facts(["第2次", "テスト市地域福祉計画", "第9期介護保険事業計画と調和を図ります。",
                   "第6次テスト市総合計画", "第1期計画の振り返り", "団塊ジュニア（第3次ベビーブーム）世代",
                   "第4次産業の就業者"], rules, facts)
    assert best_edition(facts) == 2
    body = PlanFacts()  # an earlier edition named in the body does not take the title's place
    text_to_facts(["第3期テスト市地域福祉計画", "第2期地域福祉計画の取組を評価しました。", "第3期となる本計画は"],
                  rules, body)
    assert best_edition(body) == 3
    titled = PlanFacts()
    text_to_facts(["テスト市", "第3次地域福祉計画"], rules, titled)
    assert best_edition(titled) == 3 and titled.titles == ["第3次地域福祉計画"]


def test_a_period_printed_alone_on_a_line_is_the_plans_period(rules):
    """A cover prints the period under the title with no 計画期間 before it, sometimes with the
    western years; a range inside a sentence of prose is not the plan's period."""
    from planextract.segment.facts import text_to_facts

    facts = PlanFacts()
    text_to_facts(["令和3年度から令和5年度までの実績をまとめました。", "令和8年度（2026年度）～令和12年度（2030年度）"],
                  rules, facts)
    assert facts.periods == [(2026, 2030)]


def test_a_period_in_western_years_only_is_the_plans_period(rules):
    """2024年度～2029年度 on a cover (no era year): the fiscal years as printed; in a sentence of
    prose, a range of western years is not the plan's period."""
    from planextract.segment.facts import text_to_facts

    facts = PlanFacts()
    text_to_facts(["2019年度から2022年度までの実績をまとめました。", "2024年度～2029年度"], rules, facts)
    assert facts.periods == [(2024, 2029)]


def test_a_cover_slogan_is_the_vision_only_when_no_label_names_one():
    slogan = PlanFacts(slogans=["海と風のまち"])
    plan = merge_plan(META, [doc("a", "overview", [(Level.goal, "1", "人づくり", None)], facts=slogan)]).plan
    assert plan.vision == "海と風のまち"
    named = PlanFacts(slogans=["海と風のまち"], other_visions=["将来像のまち"])
    plan = merge_plan(META, [doc("a", "overview", [(Level.goal, "1", "人づくり", None)], facts=named)]).plan
    assert plan.vision == "将来像のまち"
