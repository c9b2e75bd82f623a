"""The report's national view (issue "Every plan in Japan on one machine"): prefecture aggregates
and a drill-down to each plan, in a file that stays small at 1,741 plans."""

from __future__ import annotations

import re

import pytest

from planextract.models import ActionRow, AlignmentRow, ItemThemeRow, NodeRow, PlanRow, RoleRow, ThemeRow
from planextract.prefectures import PREFECTURES
from planextract.report import write_report
from planextract.store import DB_NAME, TABLES, write_csv, write_duckdb

ACTORS = ("市民", "地域", "専門職", "社協", "行政")
THEMES = [f"テーマ{k:02d}" for k in range(19)]


def fictional_run(out, plans: int, policies: int = 12) -> None:
    """An output folder as `run` + `align` leave it, of fictional plans spread over the 47
    prefectures: every third plan without role tables, themes and matches drawn by index."""
    tables: dict[str, list] = {name: [] for name in TABLES}
    tables["themes"] = [ThemeRow(theme=t, keywords=t, themes_version=1) for t in THEMES]
    for i in range(plans):
        pid = f"city{i:04d}-1"
        tables["plans"].append(PlanRow(plan_id=pid, city=f"架空市{i:04d}", city_code=f"{i % 47 + 1:02d}0000",
                                       prefecture=PREFECTURES[i % 47], title=f"第1期架空市{i:04d}地域福祉計画",
                                       edition=1, period_start_fy=2024, period_end_fy=2028, vision=None))
        for k in range(1, policies + 1):
            code = f"{(k - 1) // 4 + 1}.{(k - 1) % 4 + 1}"
            tables["nodes"].append(NodeRow(plan_id=pid, level="policy", code=code, label=None,
                                           title=f"架空の施策{i}-{k}を進めます", parent_code=None, description=None,
                                           is_new=False, doc_id="d", page=1, ref=f"node:{pid}:{code}"))
            if i % 3:
                for a, actor in enumerate(ACTORS[: 1 + (i + k) % 5]):
                    ref = f"role:{pid}:{code}:{actor}:1"
                    tables["roles"].append(RoleRow(plan_id=pid, policy_code=code, actor=actor, actor_label=actor,
                                                   qualifier=None, seq=1, text=f"役割の文{i}-{k}-{a}", doc_id="d",
                                                   page=1, ref=ref))
                    tables["item_themes"].append(ItemThemeRow(plan_id=pid, ref=ref, theme=THEMES[(i + k + a) % 19],
                                                              keywords="x", themes_version=1))
            ref = f"action:{pid}:{code}:action:1"
            tables["actions"].append(ActionRow(plan_id=pid, parent_code=code, kind="action", seq=1,
                                               text=f"取組の文{i}-{k}", doc_id="d", page=1, ref=ref))
            for j in (1, 2, 3):
                other = f"city{(i + j * 7) % plans:04d}-1"
                tables["policy_alignment"].append(AlignmentRow(plan_id=pid, policy_code=code, other_plan_id=other,
                                                               other_policy_code=code, rank=1,
                                                               score=round(((i * 31 + k * 7 + j) % 97) / 100, 4)))
    write_csv(out / "csv", tables)
    write_duckdb(out / DB_NAME, tables, out / "csv")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    out = tmp_path_factory.mktemp("national") / "out"
    fictional_run(out, 1741)
    return write_report(out).read_text(encoding="utf-8")


def test_national_view_at_1741_plans_stays_under_5_mb(national):
    assert len(national.encode("utf-8")) < 5_000_000
    assert "national view" in national


def test_national_view_aggregates_by_prefecture_in_jis_order(national):
    table = re.search(r'<table class="prefectures">(.*?)</table>', national, re.S).group(1)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)%</td>", table)
    assert [r[0] for r in rows] == PREFECTURES
    assert sum(int(r[1]) for r in rows) == 1741
    # plans i % 3 == 0 have no role tables: 北海道 holds i = 0, 47, 94, …
    hokkaido = [i for i in range(1741) if i % 47 == 0]
    assert int(rows[0][2]) == round(100 * sum(1 for i in hokkaido if i % 3) / len(hokkaido))


def test_every_plan_has_a_row_and_an_entry_in_the_select(national):
    options = re.findall(r'<option value="(plan-\d+)">架空市(\d{4}) \(city(\d{4})-1\)</option>', national)
    assert len(options) == 1741 and len({o[0] for o in options}) == 1741
    ids = set(re.findall(r'<tr id="(plan-\d+)"><td>city\d{4}-1</td>', national))
    assert ids == {o[0] for o in options}
    # drill-down: the plan's row holds its per-actor counts and its closest plan
    row = re.search(r'<tr id="plan-\d+"><td>city0001-1</td>(.*?)</tr>', national).group(1)
    assert "架空市0001" in row and re.search(r"<td>city\d{4}-1</td>$", row)


def test_small_runs_keep_a_row_per_plan(tmp_path):
    out = tmp_path / "out"
    fictional_run(out, 5, policies=3)
    page = write_report(out).read_text(encoding="utf-8")
    assert '<table class="plans">' in page and "national view" not in page
    assert "national view" in write_report(out, tmp_path / "n", national_above=4).read_text(encoding="utf-8")
