"""report: one self-contained HTML file (no network needed to view it): heatmaps of the
plan × actor and plan × theme matrices (Altair / Vega-Lite, inlined), per-theme lists of items by
city and actor with their source, and the policy alignment table.

Above NATIONAL_ABOVE plans a row per plan makes the heatmaps unreadable and the item lists too
large to open: the report is then the national view, prefecture by prefecture, with a drill-down
to each plan's figures (a few MB at 1,741 plans)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .compare import ACTORS, GUESS_LABEL, alignment_rows, has_confidence, matrix, plans_without_roles, untagged_share
from .prefectures import PREFECTURES

NO_ROLES = "no role table"
NATIONAL_ABOVE = 40  # more plans than this: the national view
SURE = 0.8  # tags of at least this confidence: how often they were right is measured in docs/rules.md
NATIONAL_PAIRS = 200  # the national view lists this many most similar policy pairs

STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }
th { background: #f0f4f8; }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: bold; }
tr.found { background: #fff3b0; }
"""


def _esc(value) -> str:
    """Every value of the data put into the page goes through here (text and attributes)."""
    return html.escape("" if value is None else str(value))


def _heatmap(con, by: str, title: str):
    """A heatmap with horizontal labels of a readable size. Themes (long names, many of them) go
    down the side and plans across; actors (five short words) across and plans down the side.
    A plan with no role content shows "no role table" instead of a row of zeros."""
    import altair as alt

    rows, cols, counts = matrix(con, by)
    no_roles = set(plans_without_roles(con)) if by == "actor" else set()
    values = [{"plan": r + (f" ({NO_ROLES})" if r in no_roles else ""), by: c, "n": counts.get((r, c)),
               "label": "–" if counts.get((r, c)) is None else str(counts.get((r, c)))}
              for r in rows for c in cols]
    plan_sort = [r + (f" ({NO_ROLES})" if r in no_roles else "") for r in rows]
    axis = alt.Axis(labelAngle=0, labelFontSize=13, labelLimit=320)
    if by == "theme":
        x = alt.X("plan:N", sort=plan_sort, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=13, orient="top"))
        y = alt.Y(f"{by}:N", sort=cols, title=None, axis=axis)
        width, height = 120 * len(rows), 26 * len(cols)
    else:
        x = alt.X(f"{by}:N", sort=cols, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=13, orient="top"))
        y = alt.Y("plan:N", sort=plan_sort, title=None, axis=axis)
        width, height = max(260, 64 * len(cols)), 34 * len(rows)
    base = alt.Chart(alt.Data(values=values), title=title).encode(x=x, y=y)
    cells = base.mark_rect().encode(color=alt.Color("n:Q", scale=alt.Scale(scheme="blues"), title="items"))
    top = max((v["n"] for v in values if v["n"] is not None), default=0)
    labels = base.mark_text(fontSize=12).encode(  # white on the darkest cells, black elsewhere
        text="label:N", color=alt.condition(alt.datum.n > top * 0.6, alt.value("white"), alt.value("black")))
    return (cells + labels).properties(width=width, height=height)


# What JSON may hold that would end a <script> element or start markup inside it: written as
# escapes, which JSON reads back as the same characters (U+2028/2029 end a line in older JS).
_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_safe_json(text: str) -> str:
    """JSON text made safe to place inside <script>…</script>: no `</script>`, `<!--` or `]]>`
    can appear in it, whatever the strings hold."""
    return text.translate(_SCRIPT_UNSAFE)


class ScriptSafeJSONEncoder(json.JSONEncoder):
    """json.dumps(…, cls=ScriptSafeJSONEncoder): the chart spec Altair writes into the page."""

    def encode(self, o) -> str:
        return script_safe_json(super().encode(o))


def _charts_html(charts) -> str:
    """The charts as a <div> and a <script> holding their spec and data (Vega inlined): the one
    place the data enter a script, for both views."""
    return charts.to_html(inline=True, fullhtml=False, output_div="charts",
                          json_kwds={"cls": ScriptSafeJSONEncoder})


def _table(headers: list[str], rows: list[list], cls: str = "", row_ids: list[str] | None = None) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    ids = [f' id="{_esc(i)}"' for i in row_ids] if row_ids else [""] * len(rows)
    body = "".join(f"<tr{i}>" + "".join(f"<td>{_esc(v)}</td>" for v in r) + "</tr>" for i, r in zip(ids, rows))
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def write_report(out: Path | str = "out", dest: Path | str | None = None,
                 national_above: int = NATIONAL_ABOVE) -> Path:
    """OUT/report/index.html; the national view when the run has more than `national_above` plans."""
    import altair as alt

    from . import connect

    out = Path(out)
    dest = Path(dest) if dest else out / "report"
    dest.mkdir(parents=True, exist_ok=True)
    con = connect(out)
    if con.execute("SELECT count(*) FROM plans").fetchone()[0] > national_above:
        try:
            page = national_page(con)
        finally:
            con.close()
        path = dest / "index.html"
        path.write_text(page, encoding="utf-8")
        return path
    try:
        plans = con.execute("SELECT plan_id, city, title, edition, period_start_fy, period_end_fy, vision "
                            "FROM plans ORDER BY plan_id").fetchall()
        charts = alt.vconcat(_heatmap(con, "actor", "Commitments by actor (それぞれの役割)"),
                             _heatmap(con, "theme", "Roles and actions by theme")).resolve_scale(color="independent")
        chart_html = _charts_html(charts)
        untagged = untagged_share(con)
        roles = dict(con.execute("SELECT plan_id, count(*) FROM roles GROUP BY 1").fetchall())
        summary = _table(["plan", "city", "title", "edition", "period", "vision", "roles", "untagged share"],
                         [[p[0], p[1], p[2], p[3], f"{p[4] or ''}–{p[5] or ''}", p[6], roles.get(p[0], NO_ROLES),
                           untagged.get(p[0])] for p in plans], "plans")
        sections = []
        confident = has_confidence(con)  # not an output of before tags had one, nor tagged without the prior
        for (theme,) in con.execute("SELECT theme FROM themes WHERE dimension = 'topic'").fetchall():
            # items whose main topic the theme is come first (rank 1), then those it is a second topic of
            items = con.execute(f"""
                SELECT t.rank, {"t.confidence" if confident else "NULL"}, t.keywords, i.plan_id, coalesce(i.actor, i.kind), i.code, i.text, d.path, i.page
                FROM item_themes t JOIN v_items i USING (ref) LEFT JOIN documents d USING (doc_id)
                WHERE t.theme = ? AND t.dimension = 'topic'
                ORDER BY t.rank, i.plan_id, i.actor NULLS LAST, i.code, i.ref""", [theme]).fetchall()
            if not items:
                continue
            n_main = sum(1 for r in items if r[0] == 1)
            n_sure = sum(1 for r in items if r[1] is not None and r[1] >= SURE)
            sections.append(f"<details><summary>{html.escape(theme)} ({n_main} main topic, {len(items)} in all"
                            + (f", {n_sure} of confidence ≥ {SURE}" if confident else "") + ")"
                            "</summary>"
                            + _table(["rank", "confidence", "keywords", "plan", "actor / kind", "code", "text", "document", "page"],
                                     [[r[0], "" if r[1] is None else f"{r[1]:.3f}", r[2] or GUESS_LABEL] + list(r[3:])
                                      for r in items],
                                     "items") + "</details>")
        titles = dict(((p, c), t) for p, c, t in con.execute("SELECT plan_id, code, title FROM nodes").fetchall())
        stored = con.execute("SELECT plan_id, policy_code, other_plan_id, other_policy_code, score "
                             "FROM policy_alignment WHERE rank = 1").fetchall()
        if not stored:  # `planextract align` has not been run: compute it for the report
            stored = [(a.plan_id, a.policy_code, a.other_plan_id, a.other_policy_code, a.score)
                      for a in alignment_rows(con) if a.rank == 1]
        alignment = [(p, c, titles.get((p, c)), op, oc, titles.get((op, oc)), s)
                     for p, c, op, oc, s in sorted(stored)]
    finally:
        con.close()
    page = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>planextract report</title>
<style>{STYLE}</style></head><body>
<h1>planextract: community welfare plans compared</h1>
<h2>Plans</h2>
{summary}
<h2>Matrices</h2>
{chart_html}
<h2>Items by theme</h2>
<p>Roles and actions tagged with each topic of the codebook (rules/themes.yaml), by city and actor,
with the document and page they come from: first the items whose main topic it is (rank 1), then
those it is a second or third topic of. The confidence of a tag ranks how likely a reader would
give the item that topic; how often the tags at {SURE} or more, and those below it, were right is
measured in docs/rules.md (Reliability). The keywords are the terms of the codebook that matched; an
item none matched carries the learned prior's guess, right less often whatever its confidence, and
left out of the matrices above.</p>
{''.join(sections)}
<h2>Policy alignment</h2>
<p>For each policy, the most similar policy of each other plan (TF-IDF over lemmas of its title,
description, roles and actions).</p>
{_table(["plan", "policy", "title", "other plan", "other policy", "other title", "score"],
        [list(r) for r in alignment], "alignment")}
<p>Actors: {", ".join(ACTORS)}.</p>
</body></html>
"""
    path = dest / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _prefecture_key(name: str | None) -> tuple[int, str]:
    """Prefectures in JIS order (北海道 … 沖縄県); a plan of no known prefecture last."""
    return (PREFECTURES.index(name) if name in PREFECTURES else len(PREFECTURES), name or "")


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _percent(share: float | None) -> str | None:
    return None if share is None else f"{100 * share:.0f}%"


def national_figures(con) -> tuple[list[dict], list[str]]:
    """One dict per plan (in prefecture, then plan order): its row, its counts, its items per
    actor and per theme, its untagged share and the plan closest to it; and the themes in order."""
    cols = ("plan_id", "city", "prefecture", "title", "edition", "period_start_fy", "period_end_fy",
            "policies", "roles", "actions")
    plans = [dict(zip(cols, r)) for r in con.execute("""
        SELECT p.plan_id, p.city, p.prefecture, p.title, p.edition, p.period_start_fy, p.period_end_fy,
               s.policies, s.roles, s.actions
        FROM plans p JOIN v_plan_summary s USING (plan_id) ORDER BY p.plan_id""").fetchall()]
    themes = [t for (t,) in con.execute("SELECT theme FROM themes").fetchall()]
    actors: dict[str, dict] = {}
    for plan_id, actor, n in con.execute("SELECT plan_id, actor, n FROM v_actor_matrix").fetchall():
        actors.setdefault(plan_id, {})[actor] = n
    by_theme: dict[str, dict] = {}
    for plan_id, theme, n in con.execute("SELECT plan_id, theme, n FROM v_theme_matrix WHERE n > 0").fetchall():
        by_theme.setdefault(plan_id, {})[theme] = n
    # the plan whose policies match this plan's best, summed over its policies (from `align`)
    closest = dict(con.execute("""
        SELECT plan_id, other_plan_id FROM (
            SELECT plan_id, other_plan_id, row_number() OVER (PARTITION BY plan_id
                   ORDER BY sum(score) DESC, other_plan_id) AS k
            FROM policy_alignment WHERE rank = 1 GROUP BY plan_id, other_plan_id)
        WHERE k = 1""").fetchall())
    untagged = untagged_share(con)
    for p in plans:
        p["actors"] = actors.get(p["plan_id"], {})
        p["themes"] = by_theme.get(p["plan_id"], {})
        p["untagged"] = untagged.get(p["plan_id"])
        p["closest"] = closest.get(p["plan_id"])
    plans.sort(key=lambda p: (_prefecture_key(p["prefecture"]), p["plan_id"]))
    return plans, themes


def prefecture_figures(plans: list[dict], themes: list[str]) -> list[dict]:
    """Per prefecture: plans, the share of plans with role tables, the share of plans giving each
    actor a role and covering each theme, mean roles and actions, mean untagged share."""
    out = []
    groups: dict[str | None, list[dict]] = {}
    for p in plans:
        groups.setdefault(p["prefecture"], []).append(p)
    for prefecture, group in groups.items():  # plans are in prefecture order already
        n = len(group)
        untagged = [p["untagged"] for p in group if p["untagged"] is not None]
        out.append({
            "prefecture": prefecture or "(unknown)",
            "plans": n,
            "with_roles": _share(sum(1 for p in group if p["roles"]), n),
            "actors": {a: _share(sum(1 for p in group if p["actors"].get(a)), n) for a in ACTORS},
            "themes": {t: _share(sum(1 for p in group if p["themes"].get(t)), n) for t in themes},
            "roles": round(sum(p["roles"] or 0 for p in group) / n, 1),  # roles: NULL for a plan without any
            "actions": round(sum(p["actions"] for p in group) / n, 1),
            "untagged": round(sum(untagged) / len(untagged), 3) if untagged else None,
        })
    return out


def _share_heatmap(prefectures: list[dict], field: str, columns: list[str], title: str):
    """Prefecture × actor or theme: the share of the prefecture's plans, a cell each."""
    import altair as alt

    names = [f["prefecture"] for f in prefectures]
    values = [{"prefecture": f["prefecture"], "column": c, "share": f[field][c], "plans": f["plans"]}
              for f in prefectures for c in columns]
    base = alt.Chart(alt.Data(values=values), title=title).encode(
        x=alt.X("column:N", sort=columns, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=220)),
        y=alt.Y("prefecture:N", sort=names, title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="share of plans"),
        tooltip=["prefecture:N", "column:N", alt.Tooltip("share:Q", format=".0%"), "plans:Q"])
    labels = base.mark_text(fontSize=9).encode(text=alt.Text("share:Q", format=".0%"))
    return (cells + labels).properties(width=max(260, 40 * len(columns)), height=16 * len(names))


def _plan_row(p: dict, themes: list[str]) -> list:
    top = sorted(p["themes"].items(), key=lambda kv: (-kv[1], themes.index(kv[0]) if kv[0] in themes else 0))[:3]
    return [p["plan_id"], p["city"], p["title"], p["edition"],
            f"{p['period_start_fy'] or ''}–{p['period_end_fy'] or ''}", p["policies"],
            NO_ROLES if p["roles"] is None else p["roles"], p["actions"],
            *("–" if p["actors"].get(a) is None else p["actors"][a] for a in ACTORS), f"{len(p['themes'])}/{len(themes)}",
            "、".join(f"{t} ({n})" for t, n in top), p["untagged"], p["closest"]]


def national_page(con) -> str:
    """The national view: aggregates by prefecture (table and heatmaps), each prefecture's plans
    (a select jumps to a plan's row), and the most similar policies across plans."""
    import altair as alt

    plans, themes = national_figures(con)
    prefectures = prefecture_figures(plans, themes)
    charts = alt.vconcat(
        _share_heatmap(prefectures, "actors", list(ACTORS), "Share of plans giving each actor a role, by prefecture"),
        _share_heatmap(prefectures, "themes", themes, "Share of plans covering each theme, by prefecture"),
    ).resolve_scale(color="shared")
    chart_html = _charts_html(charts)
    summary = _table(["prefecture", "plans", "with role tables", *(f"giving {a} roles" for a in ACTORS),
                      "themes covered (mean)", "roles per plan", "actions per plan", "untagged share"],
                     [[f["prefecture"], f["plans"], _percent(f["with_roles"]), *(_percent(f["actors"][a]) for a in ACTORS),
                       _percent(_share(sum(f["themes"].values()), len(themes))), f["roles"], f["actions"],
                       _percent(f["untagged"])] for f in prefectures], "prefectures")
    row_id = {p["plan_id"]: f"plan-{i}" for i, p in enumerate(plans)}
    headers = ["plan", "city", "title", "edition", "period", "policies", "roles", "actions", *ACTORS,
               "themes", "main themes", "untagged share", "closest plan"]
    options, sections = [], []
    for f in prefectures:
        group = [p for p in plans if (p["prefecture"] or "(unknown)") == f["prefecture"]]
        options.append(f'<optgroup label="{_esc(f["prefecture"])}">' + "".join(
            f'<option value="{_esc(row_id[p["plan_id"]])}">{_esc(p["city"])} ({_esc(p["plan_id"])})</option>'
            for p in group) + "</optgroup>")
        sections.append(f"<details><summary>{_esc(f['prefecture'])}: {_esc(f['plans'])} plans, "
                        f"{_esc(_percent(f['with_roles']))} with role tables</summary>"
                        + _table(headers, [_plan_row(p, themes) for p in group], "national-plans",
                                 [row_id[p["plan_id"]] for p in group]) + "</details>")
    pairs = con.execute("""
        SELECT a.plan_id, a.policy_code, n.title, a.other_plan_id, a.other_policy_code, o.title, a.score
        FROM policy_alignment a
        LEFT JOIN nodes n ON n.plan_id = a.plan_id AND n.code = a.policy_code
        LEFT JOIN nodes o ON o.plan_id = a.other_plan_id AND o.code = a.other_policy_code
        WHERE a.rank = 1 AND a.plan_id < a.other_plan_id
        ORDER BY a.score DESC, a.plan_id, a.policy_code, a.other_plan_id LIMIT ?""", [NATIONAL_PAIRS]).fetchall()
    alignment = (_table(["plan", "policy", "title", "other plan", "other policy", "other title", "score"],
                        [list(r) for r in pairs], "alignment") if pairs else
                 "<p>No policy alignment stored: run <code>planextract align</code> first.</p>")
    with_roles = _share(sum(1 for p in plans if p["roles"]), len(plans))
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>planextract report: national view</title>
<style>{STYLE}</style></head><body>
<h1>planextract: community welfare plans compared, nationally</h1>
<p>{_esc(len(plans))} plans in {_esc(len(prefectures))} prefectures; {_esc(_percent(with_roles))} of them
have role tables (それぞれの役割). Shares are of the plans of each prefecture.</p>
<h2>By prefecture</h2>
{summary}
<h2>Matrices</h2>
{chart_html}
<h2>Plans</h2>
<p><label>Go to a plan: <select id="plan-select"><option value="">(choose a plan)</option>{''.join(options)}</select></label>
Each prefecture below lists its plans: items per actor, themes covered, the share of roles and
actions no theme tags, and the plan whose policies match its own best.</p>
{''.join(sections)}
<h2>Policy alignment</h2>
<p>The {_esc(NATIONAL_PAIRS)} most similar pairs of policies of two plans (TF-IDF over lemmas of the title,
description, roles and actions); <code>planextract similar PLAN CODE</code> gives any policy's matches.</p>
{alignment}
<p>Actors: {_esc(", ".join(ACTORS))}.</p>
<script>
function showPlan(id) {{
  var row = document.getElementById(id);
  if (!row || !row.closest("details")) return;
  document.querySelectorAll("tr.found").forEach(function (r) {{ r.classList.remove("found"); }});
  row.closest("details").open = true;
  row.classList.add("found");
  row.scrollIntoView({{block: "center"}});
}}
document.getElementById("plan-select").addEventListener("change", function () {{
  if (this.value) {{ history.replaceState(null, "", "#" + this.value); showPlan(this.value); }}
}});
if (location.hash) showPlan(location.hash.slice(1));
</script>
</body></html>
"""
