"""report: one self-contained HTML file (no network needed to view it): heatmaps of the
plan × actor and plan × theme matrices (Altair / Vega-Lite, inlined), per-theme lists of items by
city and actor with their source, and the policy alignment table."""

from __future__ import annotations

import html
from pathlib import Path

from .compare import ACTORS, alignment_rows, matrix, untagged_share


def _heatmap(con, by: str, title: str):
    import altair as alt

    rows, cols, counts = matrix(con, by)
    values = [{"plan": r, by: c, "n": counts.get((r, c), 0)} for r in rows for c in cols]
    base = alt.Chart(alt.Data(values=values), title=title).encode(
        x=alt.X(f"{by}:N", sort=cols, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=220)),
        y=alt.Y("plan:N", sort=rows, title=None))
    cells = base.mark_rect().encode(color=alt.Color("n:Q", scale=alt.Scale(scheme="blues"), title="items"))
    labels = base.mark_text(fontSize=11).encode(text="n:Q")
    return (cells + labels).properties(width=max(260, 46 * len(cols)), height=34 * len(rows))


def _table(headers: list[str], rows: list[list], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r) + "</tr>"
                   for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def write_report(out: Path | str = "out", dest: Path | str | None = None) -> Path:
    import altair as alt

    from . import connect

    out = Path(out)
    dest = Path(dest) if dest else out / "report"
    dest.mkdir(parents=True, exist_ok=True)
    con = connect(out)
    try:
        plans = con.execute("SELECT plan_id, city, title, edition, period_start_fy, period_end_fy, vision "
                            "FROM plans ORDER BY plan_id").fetchall()
        charts = alt.vconcat(_heatmap(con, "actor", "Commitments by actor (それぞれの役割)"),
                             _heatmap(con, "theme", "Roles and actions by theme")).resolve_scale(color="independent")
        chart_html = charts.to_html(inline=True, fullhtml=False, output_div="charts")
        untagged = untagged_share(con)
        summary = _table(["plan", "city", "title", "edition", "period", "vision", "untagged share"],
                         [[p[0], p[1], p[2], p[3], f"{p[4] or ''}–{p[5] or ''}", p[6], untagged.get(p[0])]
                          for p in plans], "plans")
        sections = []
        for (theme,) in con.execute("SELECT theme FROM themes WHERE dimension = 'topic'").fetchall():
            # items whose main topic the theme is come first (rank 1), then those it is a second topic of
            items = con.execute("""
                SELECT t.rank, i.plan_id, coalesce(i.actor, i.kind), i.code, i.text, d.path, i.page
                FROM item_themes t JOIN v_items i USING (ref) LEFT JOIN documents d USING (doc_id)
                WHERE t.theme = ? AND t.dimension = 'topic'
                ORDER BY t.rank, i.plan_id, i.actor NULLS LAST, i.code, i.ref""", [theme]).fetchall()
            if not items:
                continue
            n_main = sum(1 for r in items if r[0] == 1)
            sections.append(f"<details><summary>{html.escape(theme)} ({n_main} main topic, {len(items)} in all)"
                            "</summary>"
                            + _table(["rank", "plan", "actor / kind", "code", "text", "document", "page"],
                                     [list(r) for r in items], "items") + "</details>")
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
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
table {{ border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }}
th {{ background: #f0f4f8; }}
details {{ margin: 6px 0; }} summary {{ cursor: pointer; font-weight: bold; }}
</style></head><body>
<h1>planextract: community welfare plans compared</h1>
<h2>Plans</h2>
{summary}
<h2>Matrices</h2>
{chart_html}
<h2>Items by theme</h2>
<p>Roles and actions tagged with each topic of the codebook (rules/themes.yaml), by city and actor,
with the document and page they come from: first the items whose main topic it is (rank 1), then
those it is a second or third topic of.</p>
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
