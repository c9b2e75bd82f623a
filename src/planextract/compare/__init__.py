"""compare: tokens, themes and policy alignment over the merged plans; the queries of
`planextract compare`, `search` and `similar`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..models import AlignmentRow, PlanResult, ThemeRow
from ..normalise import clean_text
from ..rules import Rules
from ..store import READ_BY_A_TERM
from .align import MAX_OTHER_PLANS, STOP, tfidf, top_matches
from .themes import tag
from .tokens import tokenize

ACTORS = ("市民", "地域", "専門職", "社協", "行政")
# shown (report, search's table) for a topic no keyword matched: the learned prior's guess
GUESS_LABEL = "(no term: the prior's guess)"


def text_rows(plan: PlanResult) -> list[tuple[str, str, str]]:
    """(ref, text, kind) of every text row of a plan: node titles and descriptions, roles, actions."""
    rows = []
    for n in plan.nodes:
        rows.append((n.ref, n.title + ("。" + n.description if n.description else ""), "node"))
    rows += [(r.ref, r.text, "role") for r in plan.roles]
    rows += [(a.ref, a.text, "action") for a in plan.actions]
    return rows


def theme_rows(rules: Rules) -> list[ThemeRow]:
    """The codebook's topics, then its approaches."""
    book = rules.themes
    return ([ThemeRow(theme=t.name, keywords=",".join(t.keywords + t.population), themes_version=book.version,
                      dimension="topic", aliases=",".join(t.aliases)) for t in book.themes]
            + [ThemeRow(theme=a.name, keywords=",".join(a.keywords), themes_version=book.version,
                        dimension="approach") for a in book.approaches])


def analyse_plan(plan: PlanResult, rules: Rules, tokens_out, themes_out) -> None:
    """Tokens of every text row and the themes of roles and actions, as CSV rows to the writers.

    Work per plan, so a run grows linearly with its plans. Policy alignment compares every plan
    with every other one: it is its own step (`align`)."""
    pid = plan.plan.plan_id
    actors = {r.ref: r.actor for r in plan.roles}  # whose role it is decides a resident action
    for ref, text, kind in text_rows(plan):
        tokens = tokenize(text)
        tokens_out.writerows((pid, ref, i, t.surface, t.normalized_form, t.dictionary_form, t.pos)
                             for i, t in enumerate(tokens))
        if kind != "node":
            themes_out.writerows((pid, ref, t.theme, ",".join(t.keywords), rules.themes.version, t.dimension, t.rank,
                                  "" if t.confidence is None else t.confidence)
                                 for t in tag(text, tokens, rules, actors.get(ref)))


def policy_lemmas(con, batch: int = 2000) -> Iterator[tuple[tuple[str, str], list[str]]]:
    """Content-word lemmas of each policy (title, description, roles and actions), from `tokens`,
    in (plan, code) order. One list per policy, fetched in batches: at national size the tokens
    of all policies do not fit in memory as Python rows."""
    cur = con.execute("""
        SELECT i.plan_id, i.code, list(t.normalized_form ORDER BY i.ref, t.position)
        FROM tokens t JOIN v_items i USING (ref)
        JOIN nodes n ON n.plan_id = i.plan_id AND n.code = i.code AND n.level = 'policy'
        WHERE t.pos IN ('名詞', '動詞', '形容詞', '形状詞')
        GROUP BY i.plan_id, i.code ORDER BY i.plan_id, i.code""")
    while rows := cur.fetchmany(batch):
        for plan_id, code, lemmas in rows:
            kept = [w for w in lemmas if w not in STOP and not w.isdigit()]
            if kept:
                yield (plan_id, code), kept


def alignment_rows(con, plan_id: str | None = None, code: str | None = None,
                   max_other_plans: int | None = MAX_OTHER_PLANS,
                   progress: Callable[[int, int], None] | None = None) -> Iterator[AlignmentRow]:
    """Policy alignment over the stored tokens, row by row (a national run has millions); for one
    policy only when `plan_id` and `code` are given. The tokens are read now (`con` may be closed
    before the rows are); `progress(done, total)` is called after each block of policies."""
    vectors = tfidf(policy_lemmas(con))
    only = (plan_id, code) if plan_id and code else None
    total = 1 if only else len(vectors.keys)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    def rows() -> Iterator[AlignmentRow]:
        for p, c, op, oc, rank, score in top_matches(vectors, max_other_plans=max_other_plans, only=only,
                                                     progress=step if progress else None):
            yield AlignmentRow(plan_id=p, policy_code=c, other_plan_id=op, other_policy_code=oc, rank=rank,
                               score=score)

    return rows()


def query_keys(word: str) -> list[set[str]]:
    """For each content word of a query, the forms a token may match it by."""
    tokens = [t for t in tokenize(clean_text(word)) if t.content] or tokenize(clean_text(word))
    return [t.keys() for t in tokens]


def theme_name(con, name: str) -> str:
    """The codebook's name of a theme given by its name or a former name (alias); ValueError if none."""
    for theme, aliases in con.execute("SELECT theme, aliases FROM themes").fetchall():
        if name == theme or name in (aliases or "").split(","):
            return theme
    known = [t for (t,) in con.execute("SELECT theme FROM themes WHERE dimension = 'topic'").fetchall()]
    raise ValueError(f"unknown theme {name!r}; themes: {', '.join(known)}")


def has_confidence(con) -> bool:
    """Whether a run's topic tags have a confidence: not an output written before tags had one, nor
    a run tagged without a calibrated prior (rules/themes.yaml without `lexical_prior`)."""
    column = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'item_themes' "
                         "AND column_name = 'confidence'").fetchone()[0] > 0
    return column and con.execute("SELECT count(confidence) > 0 FROM item_themes").fetchone()[0]


def check_min_confidence(min_confidence, theme: str, is_topic: bool, stored: bool) -> None:
    """ValueError unless `min_confidence` is a number from 0 to 1 and `theme` a topic (`is_topic`)
    of an output whose tags have a confidence (`stored`: has_confidence)."""
    if isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float)) \
            or not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"a minimum confidence is a number from 0 to 1 (got {min_confidence!r})")
    if not is_topic:
        raise ValueError(f"{theme!r} is an approach: only topics have a confidence")
    if not stored:
        raise ValueError("the tags of this output have no confidence (written before tags had one, or tagged "
                         "without the learned prior of rules/themes.yaml `lexical_prior`); run `planextract run` again")


def search(con, word: str | None, actor: str | None = None, plans: list[str] | None = None,
           theme: str | None = None, main_only: bool = False, min_confidence: float | None = None,
           guesses: bool = True) -> list[dict]:
    """Roles, actions and nodes whose tokens hold every content word of `word` (in any form).

    With `theme` (a topic or approach, or a former name of one): only items tagged with it, those
    whose main topic it is first, each with its `theme_rank`, the `keywords` of the codebook that
    matched (empty: the learned prior's guess for an item no term matched) and a topic's `confidence`;
    `main_only`: only those; `min_confidence`: only items whose tag of the topic is at least this
    confident (docs/rules.md says how precise tags are above and below a confidence); `guesses=False`:
    not the prior's guesses."""
    if min_confidence is not None and not theme:
        raise ValueError("a minimum confidence needs a --theme (a topic)")
    refs: set[str] | None = None
    if word and word.strip():
        keys = query_keys(word)
        if not keys:
            return []
        sql = ["SELECT ref FROM tokens WHERE"]
        clauses, params = [], []
        for group in keys:
            ph = ",".join("?" for _ in group)
            clauses.append(f"ref IN (SELECT ref FROM tokens WHERE normalized_form IN ({ph}) "
                           f"OR dictionary_form IN ({ph}) OR surface IN ({ph}))")
            params += list(group) * 3
        sql.append(" AND ".join(clauses))
        refs = {r[0] for r in con.execute(" ".join(sql), params).fetchall()}
        # compounds the tokenizer keeps whole (成年後見制度) are found by their text as well
        refs |= {r[0] for r in con.execute("SELECT ref FROM v_items WHERE contains(text, ?)", [clean_text(word)]).fetchall()}
    elif not theme:
        return []
    ranks: dict[str, int] = {}
    keywords: dict[str, str] = {}
    confidence: dict[str, float | None] = {}
    if theme:
        name = theme_name(con, theme)
        is_topic = con.execute("SELECT dimension FROM themes WHERE theme = ?", [name]).fetchone()[0] == "topic"
        stored = is_topic and has_confidence(con)
        if min_confidence is not None:
            check_min_confidence(min_confidence, name, is_topic, stored)
        having, params = [], [name]
        if main_only:
            having.append("min(rank) = 1")
        if min_confidence is not None:
            having.append("max(confidence) >= ?")
            params.append(min_confidence)
        if not guesses:
            having.append(f"bool_or({READ_BY_A_TERM})")
        rows = con.execute(f"SELECT ref, min(rank), {'max(confidence)' if stored else 'NULL'}, max(keywords) "
                           "FROM item_themes WHERE theme = ? GROUP BY ref"
                           + (" HAVING " + " AND ".join(having) if having else ""), params).fetchall()
        ranks = {ref: rank for ref, rank, _, _ in rows}
        keywords = {ref: k or "" for ref, _, _, k in rows}
        confidence = {ref: c for ref, _, c, _ in rows} if stored else {}
        refs = set(ranks) if refs is None else refs & set(ranks)
    if not refs:
        return []
    ph = ",".join("?" for _ in refs)
    where = [f"i.ref IN ({ph})"]
    params = list(refs)
    if actor:
        where.append("i.actor = ?")
        params.append(actor)
    if plans:
        where.append(f"i.plan_id IN ({','.join('?' for _ in plans)})")
        params += plans
    rows = con.execute(f"""
        SELECT i.plan_id, i.code, i.kind, i.actor, i.text, d.path, i.page, i.ref
        FROM v_items i LEFT JOIN documents d USING (doc_id)
        WHERE {' AND '.join(where)} ORDER BY i.plan_id, i.code, i.kind, i.actor, i.ref""", params).fetchall()
    cols = ("plan_id", "code", "kind", "actor", "text", "document", "page")
    hits = [dict(zip(cols, r[:7])) | ({"theme_rank": ranks[r[7]], "keywords": keywords[r[7]]} if theme else {})
            | ({"confidence": confidence[r[7]]} if confidence else {}) for r in rows]
    if theme:  # main topic first, then second, third (a stable sort keeps the plan order within a rank)
        hits.sort(key=lambda h: h["theme_rank"])
    return hits


def matrix(con, by: str, plans: list[str] | None = None) -> tuple[list[str], list[str], dict]:
    """(row labels, column labels, counts) of plan × actor or plan × theme."""
    view = {"actor": "v_actor_matrix", "theme": "v_theme_matrix"}[by]
    rows = con.execute(f"SELECT plan_id, {by}, n FROM {view} ORDER BY ALL").fetchall()
    if plans:
        rows = [r for r in rows if r[0] in plans]
    row_labels = sorted({r[0] for r in rows})
    if by == "actor":
        cols = [a for a in ACTORS if any(r[1] == a for r in rows)]
    else:
        order = [t[0] for t in con.execute("SELECT theme FROM themes WHERE dimension = 'topic'").fetchall()]
        cols = [t for t in order if any(r[1] == t for r in rows)]
    return row_labels, cols, {(r[0], r[1]): r[2] for r in rows}


def plans_without_roles(con) -> list[str]:
    """Plans with no role content at all (no role table, no role list): their actor counts are NULL."""
    return [r[0] for r in con.execute("SELECT plan_id FROM plans WHERE plan_id NOT IN "
                                      "(SELECT plan_id FROM roles) ORDER BY 1").fetchall()]


def similar(con, plan_id: str, code: str) -> list[dict]:
    """The most similar policies of each other plan: from `policy_alignment` when `align` has
    built it, else computed now for this one policy."""
    rows = con.execute("""
        SELECT a.other_plan_id, a.rank, a.other_policy_code, n.title, a.score
        FROM policy_alignment a
        LEFT JOIN nodes n ON n.plan_id = a.other_plan_id AND n.code = a.other_policy_code
        WHERE a.plan_id = ? AND a.policy_code = ? ORDER BY a.other_plan_id, a.rank""", [plan_id, code]).fetchall()
    if not rows:
        titles = dict(((p, c), t) for p, c, t in con.execute("SELECT plan_id, code, title FROM nodes").fetchall())
        rows = [(a.other_plan_id, a.rank, a.other_policy_code, titles.get((a.other_plan_id, a.other_policy_code)),
                 a.score) for a in alignment_rows(con, plan_id, code)]
    cols = ("other_plan_id", "rank", "other_policy_code", "title", "score")
    return [dict(zip(cols, r)) for r in rows]


def untagged_share(con) -> dict[str, float]:
    """Per plan, the share of roles and actions no term of the codebook reads: no topic, or only the
    learned prior's guess (a main topic with no keyword matched)."""
    rows = con.execute(f"""
        SELECT i.plan_id, avg(CASE WHEN t.ref IS NULL THEN 1.0 ELSE 0.0 END)
        FROM v_items i LEFT JOIN (SELECT DISTINCT ref FROM item_themes
                                  WHERE dimension = 'topic' AND {READ_BY_A_TERM}) t USING (ref)
        WHERE i.kind IN ('role', 'action', 'outcome', 'focus_measure') GROUP BY i.plan_id ORDER BY 1""").fetchall()
    return {p: round(s, 3) for p, s in rows}
