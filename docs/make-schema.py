"""Regenerate docs/schema.md from the row models (src/planextract/models.py) and store.TABLES."""

from pathlib import Path

from planextract.store import TABLES, VIEWS

DESC = {
    "plans": "one row per plan", "documents": "one row per document read",
    "nodes": "the plan's hierarchy: goals, policies, focus items", "roles": "commitments by actor (それぞれの役割)",
    "actions": "items under a node that belong to no single actor", "scores": "numbers that evaluate a node",
    "ratings": "ratings attributed to a department (課) inside a node's row (達成度 by department); not node scores",
    "unassigned": "text read but placed in no row, with the reason",
    "furniture": "page furniture set aside (running heads, page numbers, index tabs)",
    "problems": "errors and warnings of the run, per document",
    "tokens": "every text row (node titles and descriptions, roles, actions) as sudachipy tokens (mode C)",
    "themes": "the theme codebook (rules/themes.yaml) the run used",
    "item_themes": "the themes of each role and action, with the keywords that matched",
    "policy_alignment": "for each policy, its 3 most similar policies in each other plan (TF-IDF over lemmas); "
                        "beyond 40 other plans (`align --other-plans`), in the 40 plans that match it best",
}
COLS = {
    "plan_id": "`<city romaji>-<edition>`, e.g. `aizuwakamatsu-2`", "city": "as in plan.yaml",
    "city_code": "6-digit local government code", "prefecture": "from the code's first two digits",
    "title": "as printed, e.g. 第2期一関市地域福祉計画", "edition": "2 for 第2期",
    "period_start_fy": "fiscal year (令和3年度 = 2021); NULL when no document states it", "period_end_fy": "fiscal year",
    "vision": "基本理念", "doc_id": "first 12 hex of the file's sha256", "path": "relative to the corpus root",
    "sha256": "of the file's bytes",
    "kind": "documents: plan, overview, diagram, evaluation, minutes, other; actions: action, outcome, "
            "focus_measure; scores: midterm_evaluation, self_rating",
    "format": "pdf or text", "n_pages": "pages (1 for a text rendition)",
    "chars_total": "characters read (white space not counted)",
    "chars_assigned": "characters that went into a row, the tree's structure, unassigned or furniture",
    "coverage": "chars_assigned / chars_total: the share of the text accounted for anywhere (rows, headings, "
                "`unassigned`, `furniture`); not how much was extracted (see `extracted`)",
    "chars_unassigned": "of chars_assigned, the characters set aside in `unassigned`",
    "chars_furniture": "of chars_assigned, the characters of page furniture (running heads, page numbers)",
    "extracted": "share of the text (furniture not counted) that is in rows, headings and labels: "
                 "(chars_assigned − chars_unassigned − chars_furniture) / (chars_total − chars_furniture)",
    "kept": "share of the text (furniture not counted) in rows or set aside in `unassigned`: "
            "(chars_assigned − chars_furniture) / (chars_total − chars_furniture)",
    "level": "goal, policy or focus",
    "code": "canonical position: goal `1`, policy `1.2`, focus `focus.N`, embedded plans `guardianship.N`, "
            "`reoffending.N`",
    "label": "the number as printed: 基本施策1-2, (2), ５", "parent_code": "goal code of a policy; NULL otherwise",
    "description": "lead paragraph under the heading", "is_new": "marked 新規 / 新たな施策",
    "page": "1-based page where it was found", "policy_code": "the policy node",
    "actor": "市民, 地域, 専門職, 社協 or 行政", "actor_label": "as printed, white space removed",
    "qualifier": "sub-actor in trailing parentheses: …努めます。(企業・学校) → 企業・学校",
    "seq": "order within (node, actor) or (node, kind)", "text": "normalised text (SCHEMA.md rules)",
    "fiscal_year": "NULL when not stated", "score": "the number (alignment: cosine similarity)", "scale": "`1-5`",
    "department": "the department (課) a rating is attributed to", "raw_text": "the rating as printed",
    "bbox": "x0,y0,x1,y1 in PDF points, origin top-left", "reason": "why the text is in no row",
    "doc_path": "the document (or plan folder) the problem is about",
    "stage": "plan.yaml, ingest, segment, worker (its process died), timeout, cache or internal",
    "severity": "error (the document was not read) or warning", "message": "what is wrong, in one line",
    "ref": "the row a token or theme belongs to: `node:<plan>:<code>`, `role:<plan>:<policy>:<actor>:<seq>`, "
           "`action:<plan>:<parent>:<kind>:<seq>`",
    "merged_from": "restatements merged into this row (another document or sheet), as `doc_id:page;…`; "
                   "NULL when none",
    "position": "token's place in its row", "surface": "as written", "normalized_form": "sudachipy normalized form",
    "dictionary_form": "sudachipy dictionary form", "pos": "part of speech (first level)",
    "theme": "theme name (rules/themes.yaml)", "keywords": "comma-separated", "themes_version": "codebook version",
    "other_plan_id": "the other plan", "other_policy_code": "its policy", "rank": "1–3 within (policy, other plan)",
}


def main() -> None:
    out = ["# Output schema", "",
           "A run writes `out/planextract.duckdb` and `out/csv/<table>.csv` (UTF-8, header row, empty field for",
           "NULL). The tables `plans`, `documents`, `nodes`, `roles`, `actions`, `scores` follow the output",
           "contract ([contract.md](contract.md)), with more columns (`ref`; the character figures of",
           "`documents`); the others are this project's. `planextract export` writes them as CSV, Parquet, one",
           "Excel workbook (`--format xlsx`: a sheet per table, codes as text) or Excel-ready CSV (UTF-8 with",
           "BOM, CRLF; a text cell that would start a formula, with `=`, `+`, `-`, `@`, tab or CR, gets a",
           "leading `'`). This page is generated by `docs/make-schema.py`.", "",
           "Views: " + ", ".join(f"`{v}`" for v in VIEWS) + ". In `v_actor_matrix` (and `roles` of",
           "`v_plan_summary`) a plan with no role content at all (no role table) has NULL, not 0: it does not",
           "say what its actors do, which is not the same as committing them to nothing.", ""]
    for name, model in TABLES.items():
        out += [f"## {name}", "", DESC[name] + ".", "", "| column | type | meaning |", "|---|---|---|"]
        for col, field in model.model_fields.items():
            args = getattr(field.annotation, "__args__", None)
            base = next((a for a in args if a is not type(None)), str) if args else field.annotation
            kind = getattr(base, "__name__", str(base)) + (" or NULL" if args else "")
            out.append(f"| {col} | {kind} | {COLS.get(col, '')} |")
        out.append("")
    out += ["## Codes", "",
            "- Goals: `1`, `2`, … by the number printed (基本目標1, 基本目標Ⅱ).",
            "- Policies: `g.n` = the n-th policy under goal g, whatever the document prints (一関's overview",
            "  numbers its policies differently from its evaluation sheets; 相模原 numbers them 1–10 across goals).",
            "- Focus items: `focus.N` (重点的な取組 N, or the N-th item of a 重点取組項目 list).",
            "- Items of plans embedded in the plan: `guardianship.N` (成年後見制度利用促進基本計画),",
            "  `reoffending.N` (再犯防止推進計画).", "",
            "Nodes of the documents of one plan are matched by title, not by printed number; a commitment restated",
            "in a second document (or a second sheet of the same document) is one row.", ""]
    out += ["## Text normalisation", "",
            "Every text column follows the rules of the output contract ([contract.md](contract.md): white",
            "space inside Japanese text removed, full-width Latin letters and digits folded to half-width, bullet",
            "marks and item numbers removed from the start of an item), and:", "",
            "- format characters (Unicode category Cf: U+202E right-to-left override and the other bidirectional",
            "  controls U+202A–202E and U+2066–2069, U+200B zero width space, U+200C/200D joiners, U+00AD soft",
            "  hyphen, U+FEFF byte order mark, U+2060 word joiner …) are removed from every line as it is read,",
            "  and from `city` and `prefecture` of plan.yaml: they are invisible and can only hide or reorder",
            "  what a reader sees.", ""]
    Path(__file__).with_name("schema.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
