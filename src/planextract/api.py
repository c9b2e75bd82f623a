"""The Python twin of every command: same name, same options, data instead of printed tables.

The command line (cli.py) parses, calls these and prints; every decision is made here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import compare as _compare
from . import inspection as _inspection
from . import newcity as _newcity
from . import pipeline as _pipeline
from . import report as _report
from . import score as _score
from . import store as _store
from .errors import InputError
from .models import RunResult
from .names import resolve_actor, resolve_plan_id, resolve_plan_ids
from .rules import Rules, load_rules


def check_timeout(timeout: float | None) -> None:
    if timeout is not None and timeout < 0:
        raise InputError(f"--timeout takes seconds, 0 for no limit (got {timeout:g})")


def run(corpus: Path | str = "corpus", out: Path | str = "out", formats: str | tuple[str, ...] = "pdf,text",
        password: str | None = None, jobs: int = 1, cache: bool = True, timeout: float | None = None,
        rules=None, progress: Callable[[str], None] | None = None,
        waiting: Callable[[str], None] | None = None) -> RunResult:
    """`planextract run`: every plan under `corpus` → DuckDB + CSV under `out`. `timeout`: seconds
    one document may take (None or 0: no limit); `waiting` hears why the run waits (another run's lock)."""
    fmts = _pipeline.parse_formats(formats)
    check_timeout(timeout)
    return _pipeline.run(corpus, out, fmts, rules=rules, progress=progress, password=password,
                         jobs=jobs, cache=cache, timeout=timeout or None, waiting=waiting)


def connect(out: Path | str = "out"):
    """The DuckDB database a run wrote, opened read-only."""
    import duckdb

    db = Path(out) / _store.DB_NAME
    if not db.exists():
        raise InputError(f"{db}: not found; run `planextract run` first")
    return duckdb.connect(str(db), read_only=True)


def align(out: Path | str = "out", other_plans: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> Path:
    """`planextract align`: `policy_alignment` for a run's plans (every plan against every other
    one): each policy's 3 most similar policies in each other plan; beyond `other_plans` other
    plans (default 40; 0: no limit) in the plans that match it best. `progress(done, total)` as
    policies are done."""
    if other_plans is not None and other_plans < 0:
        raise InputError(f"--other-plans takes 0 or more (got {other_plans})")
    con = connect(out)
    try:
        limit = _compare.MAX_OTHER_PLANS if other_plans is None else other_plans
        rows = _compare.alignment_rows(con, max_other_plans=limit, progress=progress)
    finally:
        con.close()
    return _store.write_alignment(out, rows)


@dataclass
class Score:
    """`planextract score`: the lines of the metric, and what it could not compare."""

    lines: list[_score.Line]
    unmatched: list[str] = field(default_factory=list)  # gold without a plan, plans without gold

    @property
    def overall(self) -> tuple[float, float, float]:
        return _score.overall(self.lines)

    def rows(self) -> list[dict]:
        return _score.rows(self.lines)

    def text(self) -> str:
        return _score.report(self.lines)


def score(out_csv: Path | str, gold_dir: Path | str, plans: str | list[str] | None = None) -> Score:
    """`planextract score`: precision / recall / F1 of a run's CSV against gold annotations.
    `plans` may give a city (`atsugi`) for its one plan; an unknown id is an error listing the known ones."""
    _score.check_output(Path(out_csv))
    ids = _score.resolve_plans(out_csv, gold_dir, plans)
    return Score(_score.score(out_csv, gold_dir, ids), _score.unmatched(out_csv, gold_dir, ids))


def init(folder: Path | str, city: str, code: str, force: bool = False) -> Path:
    """`planextract init`: FOLDER/plan.yaml for a new city."""
    if Path(folder).exists() and not Path(folder).is_dir():
        raise InputError(f"{folder}: is a file; give the city's folder, e.g. corpus/<romaji slug>")
    return _newcity.init_city(folder, city, code, force)


def inspect(file: Path | str, page: int | None = None, explain: bool = False) -> dict:
    """`planextract inspect`: what the pipeline sees in one document (plain data, JSON-ready)."""
    return _inspection.inspect_document(file, page, explain)


def check_rules_folder(rules: Path | str | None) -> None:
    """A --rules given must be a folder (its files are checked when the rules are read)."""
    if rules is not None and not Path(rules).is_dir():
        raise InputError(f"--rules {rules}: rules folder not found (it holds actors.yaml, headings.yaml, …)")


def load_rules_folder(rules: Path | str) -> Rules:
    """`run --rules`: the rules of a folder (a copy of rules/ with one's own codebook or prior)."""
    check_rules_folder(rules)
    return load_rules(rules)


def validate(corpus: Path | str = "corpus", rules: Path | str | None = None) -> list[str]:
    """`planextract validate`: rules/ and every plan.yaml; messages name file, line and key."""
    check_rules_folder(rules)
    return _pipeline.validate(corpus, rules)


def check_dest_folder(dest: Path | str | None, option: str = "--dest") -> None:
    """A destination given as a folder must not be a file (the command writes files into it)."""
    if dest is not None and Path(dest).exists() and not Path(dest).is_dir():
        raise InputError(f"{option} {dest}: is a file; give a folder to write into")


def export(out: Path | str = "out", format: str = "csv", dest: Path | str | None = None,
           partition: str | None = None) -> list[Path]:
    """`planextract export`: every table as csv, parquet, xlsx (one workbook) or xlsx-csv; parquet
    with `partition="prefecture"`: one folder per table, one sub-folder per prefecture."""
    check_dest_folder(dest)
    return _store.export(out, format, dest, partition)


def _plan_ids(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT plan_id FROM plans ORDER BY 1").fetchall()]


@dataclass
class Matrix:
    """`planextract compare`: plan × actor or plan × theme. A cell is None where the plan has no
    role content at all (no role table): not 0, which would read as "commits to nothing"."""

    by: str
    plans: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int | None]
    no_roles: list[str] = field(default_factory=list)  # plans without any role content

    def rows(self) -> list[dict]:
        return [{"plan_id": p, **{c: self.counts.get((p, c)) for c in self.columns}} for p in self.plans]


def compare(by: str = "actor", plans: str | list[str] | None = None, out: Path | str = "out") -> Matrix:
    """`planextract compare`: the plan × actor (`by="actor"`) or plan × theme matrix (number of items)."""
    if by not in ("actor", "theme"):
        raise InputError(f"--by takes actor or theme (got {by!r})")
    con = connect(out)
    try:
        ids = resolve_plan_ids(plans, _plan_ids(con))
        rows, cols, counts = _compare.matrix(con, by, ids)
        no_roles = _compare.plans_without_roles(con)
    finally:
        con.close()
    return Matrix(by, rows, cols, counts, [p for p in no_roles if p in rows])


def search(word: str = "", actor: str | None = None, plans: str | list[str] | None = None,
           theme: str | None = None, main: bool = False, out: Path | str = "out", *,
           min_confidence: float | None = None, guesses: bool = True) -> list[dict]:
    """`planextract search`: items whose words hold every content word of `word`, in any form,
    and/or tagged with `theme` (its main topic first; `main`: only those; `min_confidence`: only
    tags of the topic at least this confident; `guesses=False`: not the learned prior's guesses for
    items no term of the codebook matched).
    `actor` may be a label of rules/actors.yaml (社会福祉協議会 → 社協)."""
    if not (word or "").strip() and not theme:
        raise InputError("give a WORD, a --theme, or both, e.g. `planextract search 見守る`")
    actor = resolve_actor(actor)
    con = connect(out)
    try:
        ids = resolve_plan_ids(plans, _plan_ids(con))
        try:
            return _compare.search(con, word, actor, ids, theme=theme, main_only=main,
                                   min_confidence=min_confidence, guesses=guesses)
        except ValueError as e:  # an unknown theme (the message lists the known ones), a bad confidence
            raise InputError(str(e)) from None
    finally:
        con.close()


def similar(plan_id: str, code: str, out: Path | str = "out") -> list[dict]:
    """`planextract similar`: the 3 most similar policies of each other plan to PLAN_ID's policy CODE."""
    con = connect(out)
    try:
        pid = resolve_plan_id(plan_id, _plan_ids(con))
        codes = [r[0] for r in con.execute("SELECT code FROM nodes WHERE plan_id = ? AND level = 'policy' "
                                           "ORDER BY code", [pid]).fetchall()]
        if code not in codes:
            raise InputError(f"no policy {code!r} in plan {pid}; its policies: {', '.join(codes) or 'none'}")
        return _compare.similar(con, pid, code)
    finally:
        con.close()


def report(out: Path | str = "out", dest: Path | str | None = None) -> Path:
    """`planextract report`: one self-contained HTML file; returns its path."""
    check_dest_folder(dest)
    return _report.write_report(out, dest)


def plan_figures(documents) -> dict[str, float]:
    """extracted and kept of a plan: over all its documents, weighted by their characters."""
    content = sum(max(0, d.chars_total - d.chars_furniture) for d in documents)
    in_rows = sum(max(0, d.chars_assigned - d.chars_furniture - d.chars_unassigned) for d in documents)
    kept = in_rows + sum(d.chars_unassigned for d in documents)
    return {"extracted": round(min(in_rows, content) / content, 3) if content else 0.0,
            "kept": round(min(kept, content) / content, 3) if content else 0.0}


def run_summary(result: RunResult) -> list[dict]:
    """One row per plan of a run: documents, rows per table, extracted / kept, warnings."""
    out = []
    for p in result.plans:
        n = p.counts
        out.append({"plan": p.plan.plan_id, "docs": len(p.documents), "nodes": n.get("nodes", 0),
                    "roles": n.get("roles", 0), "actions": n.get("actions", 0), "scores": n.get("scores", 0),
                    "unassigned": n.get("unassigned", 0), **plan_figures(p.documents),
                    "warnings": sum(1 for x in p.problems if x.severity == "warning")})
    return out


def problems_of(result: RunResult) -> list:
    """Every problem of a run: those of no plan (a folder, a document that failed) first."""
    return list(result.problems) + [x for p in result.plans for x in p.problems]


def empty_folders(result: RunResult) -> list[str]:
    """Plan folders with a plan.yaml and no document to read (each also a warning in problems)."""
    return sorted({pr.doc_path for pr in result.problems if pr.message.startswith(_pipeline.NO_DOCUMENTS)})
