"""Issue 11 point 4: parallel items of one list are all kept; only a commitment restated in another
document (or another sheet) is merged, and the row records what it absorbed."""

from planextract.merge import merge_plan
from planextract.models import (
    Actor, ActionKind, ActionRecord, DocumentInfo, Level, NodeRecord, PlanMeta, Provenance, RoleRecord,
    SegmentedDocument,
)

META = PlanMeta(slug="testcity", city="テスト市", city_code="072028")
NODES = [(Level.goal, "1", "つながりづくり", None), (Level.policy, "1.1", "見守り体制の充実", "(1)")]
# parallel items: each pair is ≥ 0.8 similar, yet they are different commitments
PARALLEL = ["高齢者の見守り活動の実施", "障がい者の見守り活動の実施", "子どもの見守り活動の実施"]


def doc(doc_id, kind, page, roles=(), actions=(), unit=0):
    info = DocumentInfo(doc_id=doc_id, plan_slug="testcity", path=f"testcity/{doc_id}.pdf", sha256=doc_id * 4,
                        format="pdf", kind=kind, n_pages=3)
    prov = Provenance(doc_id=doc_id, page=page)
    return SegmentedDocument(
        info=info,
        nodes=[NodeRecord(level=lv, local_code=c, title=t, label=lab, prov=prov) for lv, c, t, lab in NODES],
        roles=[RoleRecord(local_code="1.1", unit=unit, actor=Actor.community, actor_label="地域", text=t, raw_text=t,
                          marker="・", prov=prov) for t in roles],
        actions=[ActionRecord(local_code="1.1", unit=unit, kind=ActionKind.action, text=t, raw_text=t, prov=prov)
                 for t in actions])


def test_parallel_actions_of_one_list_are_all_kept():
    plan = merge_plan(META, [doc("a", "plan", 4, actions=PARALLEL)])
    assert [(a.seq, a.text, a.merged_from) for a in plan.actions] == [
        (1, PARALLEL[0], None), (2, PARALLEL[1], None), (3, PARALLEL[2], None)]


def test_parallel_roles_of_one_list_are_all_kept_in_every_source():
    # the second document restates the list: each item is merged with its own restatement, none is lost
    plan = merge_plan(META, [doc("a", "plan", 4, roles=PARALLEL), doc("b", "overview", 2, roles=PARALLEL + [
        "認知症の人の見守り活動の実施"])])
    assert [(r.seq, r.text) for r in plan.roles] == [
        (1, PARALLEL[0]), (2, PARALLEL[1]), (3, PARALLEL[2]), (4, "認知症の人の見守り活動の実施")]
    assert [r.merged_from for r in plan.roles] == ["b:2", "b:2", "b:2", None]


def test_restatement_in_another_document_is_merged_and_recorded():
    body = doc("a", "plan", 4, actions=["高齢者の見守り活動を実施します。"])
    sheet = doc("b", "overview", 2, actions=["高齢者の見守り活動の実施", "障がい者の見守り活動の実施"])
    plan = merge_plan(META, [body, sheet])
    assert [(a.text, a.doc_id, a.page, a.merged_from) for a in plan.actions] == [
        ("高齢者の見守り活動を実施します。", "a", 4, "b:2"),
        ("障がい者の見守り活動の実施", "b", 2, None)]


def test_many_parallel_items_are_not_collapsed():
    items = [f"第{i}地区の見守り活動の実施" for i in range(1, 201)]
    plan = merge_plan(META, [doc("a", "plan", 1, actions=items, roles=items)])
    assert len(plan.actions) == 200 and len(plan.roles) == 200
