"""Command line: one command per public function; parse, call, print a summary."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table as RichTable

import json

from . import pipeline
from .errors import InputError, PlanextractError
from .inspection import inspect_document
from .newcity import init_city
from .store import EXPORT_FORMATS, export as export_tables
from .score import report as score_report, score as score_fn

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Japanese municipal welfare plans (地域福祉計画) → DuckDB + tidy CSV.")
console = Console(stderr=True, soft_wrap=True)  # one message, one line


def _progress_bar() -> Progress:
    """A bar with elapsed time and ETA, drawn only when stdout is a terminal (a log or a pipe gets
    the summary lines alone)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[done]}"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True,
                    disable=not sys.stdout.isatty())


def _fail(e: Exception, code: int = 1):
    console.print(f"[red]error:[/red] {e}")
    raise typer.Exit(code)


def _call(fn, *args):
    """Call the API; a PlanextractError becomes a one-line message and exit status 2."""
    try:
        return fn(*args)
    except PlanextractError as e:
        _fail(e, 2)


@app.command()
def run(corpus: Path = typer.Option(Path("corpus"), help="folder with one sub-folder per city"),
        out: Path = typer.Option(Path("out"), help="where planextract.duckdb and csv/ are written"),
        formats: str = typer.Option("pdf,text", help="which documents to read: pdf, text or both"),
        password: str = typer.Option(None, help="password of encrypted PDFs"),
        strict: bool = typer.Option(False, help="treat warnings as failures (exit 1)"),
        jobs: int = typer.Option(0, help="documents read in parallel (processes); 0 = one per core"),
        cache: bool = typer.Option(True, help="reuse results of unchanged documents (out/.cache)"),
        timeout: float = typer.Option(pipeline.DEFAULT_TIMEOUT, help="seconds one document may take; "
                                      "a document over it is stopped and reported (0 = no limit)")):
    """Extract every plan under CORPUS into OUT/planextract.duckdb and OUT/csv/*.csv.

    Exit status: 0 when every document was read, 1 when some failed (the summary says which),
    2 on bad arguments (among them an OUT that is not empty and not a planextract output, or a
    CORPUS with no plan folder). A run writes only OUT/planextract.duckdb, OUT/csv/, OUT/.cache/
    and its marker and lock files; other files in OUT are left as they are.
    """
    fmts = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in fmts if f not in pipeline.FORMATS]
    if bad or not fmts:
        console.print(f"[red]error:[/red] --formats takes pdf, text or pdf,text (got {formats!r})")
        raise typer.Exit(2)
    if not corpus.is_dir():
        console.print(f"[red]error:[/red] {corpus}: corpus folder not found")
        raise typer.Exit(2)
    if timeout < 0:
        console.print(f"[red]error:[/red] --timeout takes seconds, 0 for no limit (got {timeout:g})")
        raise typer.Exit(2)
    documents = [d for f in pipeline.plan_folders(corpus) for d in pipeline.plan_documents(f, fmts)]
    n_docs = len(documents)
    # the bar advances by bytes read, so that its ETA does not jump at each large document
    sizes = {str(d.relative_to(corpus)): d.stat().st_size for d in documents}
    try:
        with _progress_bar() as bar:
            task = bar.add_task("reading", total=sum(sizes.values()) or 1, done=f"0/{n_docs}")
            read = 0

            def step(name: str):
                nonlocal read
                read += 1
                bar.update(task, description=f"reading {name}", advance=sizes.get(name, 0), done=f"{read}/{n_docs}")

            result = pipeline.run(corpus, out, fmts, progress=step, password=password,
                                  jobs=jobs or pipeline.default_jobs(), cache=cache, timeout=timeout or None,
                                  waiting=lambda m: console.print(f"[yellow]{m}[/yellow]"))
    except InputError as e:  # arguments: --out, --corpus
        _fail(e, 2)
    except PlanextractError as e:
        _fail(e, 1)
    table = RichTable(title=f"planextract run → {out}")
    for col in ("plan", "documents", "nodes", "roles", "actions", "scores", "unassigned", "coverage", "warnings"):
        table.add_column(col, justify="left" if col == "plan" else "right")
    for p in result.plans:
        cov = min((d.coverage for d in p.documents), default=0.0)
        n = p.counts
        table.add_row(p.plan.plan_id, str(len(p.documents)), str(n.get("nodes", 0)), str(n.get("roles", 0)),
                      str(n.get("actions", 0)), str(n.get("scores", 0)), str(n.get("unassigned", 0)), f"{cov:.3f}",
                      str(sum(1 for x in p.problems if x.severity == "warning")))
    Console().print(table)
    rows = list(result.problems) + [x for p in result.plans for x in p.problems]
    for pr in rows:
        colour = "red" if pr.severity == "error" else "yellow"
        where = f" (page {pr.page})" if pr.page else ""
        console.print(f"[{colour}]{pr.severity}[/{colour}] {pr.doc_path}{where}: {pr.message}")
    for note in result.notes:
        console.print(note)
    failures = pipeline.failed(result, strict)
    console.print(f"{len(result.plans)} plans, {n_docs} documents in {result.seconds:.1f} s"
                  + (f"; {len(failures)} failed" if failures else ""))
    if failures:
        raise typer.Exit(1)


@app.command()
def score(out_csv: Path = typer.Argument(..., help="folder with plans.csv, nodes.csv, …"),
          gold_dir: Path = typer.Argument(..., help="folder with one <plan_id>.json per plan"),
          plans: str = typer.Option("", help="only these plan ids, comma-separated")):
    """Precision / recall / F1 of extracted CSV against gold annotations."""
    lines = _call(score_fn, out_csv, gold_dir, set(p for p in plans.split(",") if p) or None)
    print(score_report(lines))


@app.command()
def init(folder: Path = typer.Argument(..., help="corpus/<romaji slug> of the new city"),
         city: str = typer.Option(..., help="the municipality's name, e.g. 会津若松市"),
         code: str = typer.Option(..., help="6-digit local government code, e.g. 072028"),
         force: bool = typer.Option(False, help="overwrite an existing plan.yaml")):
    """Create FOLDER/plan.yaml for a new city (every key documented in comments)."""
    path = _call(init_city, folder, city, code, force)
    console.print(f"wrote {path}; put the city's PDFs or text renditions beside it, then `planextract run`")


@app.command()
def validate(corpus: Path = typer.Option(Path("corpus"), help="folder with one sub-folder per city"),
             rules: Path = typer.Option(None, help="rules folder (default: the project's rules/)")):
    """Check rules/ and every plan.yaml against their schemas; messages give file, line and key."""
    messages = _call(pipeline.validate, corpus, rules)
    for m in messages:
        console.print(f"[red]invalid:[/red] {m}")
    if messages:
        raise typer.Exit(1)
    console.print("rules and plan.yaml files are valid")


@app.command()
def export(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           format: str = typer.Option("csv", help=f"one of {', '.join(EXPORT_FORMATS)}"),
           dest: Path = typer.Option(None, help="where to write (default OUT/export/FORMAT)"),
           partition: str = typer.Option(None, help="parquet only: prefecture (one folder per table, "
                                                    "one sub-folder per prefecture)")):
    """Export every table: csv, parquet (via DuckDB) or xlsx-csv (UTF-8 with BOM, CRLF; for Excel)."""
    paths = _call(export_tables, out, format, dest, partition)
    what = f"{len(paths)} tables partitioned by {partition}" if partition else f"{len(paths)} files"
    console.print(f"wrote {what} to {paths[0].parent if paths else dest}")


@app.command()
def inspect(file: Path = typer.Argument(..., help="one document (PDF or text rendition) in corpus/<city>/"),
            page: int = typer.Option(None, help="only this page"),
            explain: bool = typer.Option(False, help="show the rule that fired (or did not) for each paragraph and table"),
            format: str = typer.Option("table", help="table (terminal) or json")):
    """Show what the pipeline sees in one document: furniture, headings, roles, items, unplaced text."""
    report = _call(inspect_document, file, page, explain)
    if format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    out = Console()
    d = report["document"]
    out.print(f"[bold]{d['path']}[/bold]  {d['format']}, {d['kind']}, {d['pages']} pages, "
              f"{d['assigned']}/{d['chars']} characters placed")
    sections = [("headings", ("level", "code", "label", "title", "page")),
                ("roles", ("code", "actor", "label", "text", "page")),
                ("items", ("code", "kind", "text", "page")),
                ("scores", ("code", "kind", "score", "page")),
                ("furniture", ("page", "text")),
                ("unassigned", ("page", "reason", "text"))]
    if explain:
        for style, level in report["outline_styles"].items():
            out.print(f"outline: numbering style {style or '(none)'} is {level}")
        sections.insert(0, ("outline", ("page", "level", "label", "title", "evidence")))
        sections.append(("explain", ("page", "line", "what", "rule", "evidence", "result", "text")))
    for name, cols in sections:
        rows = report[name]
        if not rows:
            continue
        t = RichTable(title=f"{name} ({len(rows)})", show_lines=False)
        for c in cols:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*[("" if r.get(c) is None else str(r.get(c)))[:80] for c in cols])
        out.print(t)
    for p in report["problems"]:
        console.print(f"[yellow]{p['severity']}[/yellow] {p['message']}")


def _plans(plans: str) -> list[str] | None:
    return [p for p in plans.split(",") if p] or None


def _connect(out: Path):
    from . import connect

    try:
        return connect(out)
    except PlanextractError as e:
        _fail(e, 2)


@app.command()
def compare(by: str = typer.Option("actor", help="actor or theme"),
            plans: str = typer.Option("", help="only these plan ids, comma-separated"),
            format: str = typer.Option("table", help="table, csv or json"),
            out: Path = typer.Option(Path("out"), help="the folder a run wrote")):
    """Print the plan × actor or plan × theme matrix (number of items)."""
    from .compare import matrix

    if by not in ("actor", "theme") or format not in ("table", "csv", "json"):
        console.print("[red]error:[/red] --by takes actor or theme; --format table, csv or json")
        raise typer.Exit(2)
    con = _connect(out)
    rows, cols, counts = matrix(con, by, _plans(plans))
    if format == "json":
        print(json.dumps({r: {c: counts.get((r, c), 0) for c in cols} for r in rows}, ensure_ascii=False, indent=1))
    elif format == "csv":
        print(",".join(["plan_id", *cols]))
        for r in rows:
            print(",".join([r, *(str(counts.get((r, c), 0)) for c in cols)]))
    else:
        t = RichTable(title=f"plan × {by}")
        t.add_column("plan")
        for c in cols:
            t.add_column(c, justify="right")
        for r in rows:
            t.add_row(r, *(str(counts.get((r, c), 0)) for c in cols))
        Console().print(t)


@app.command()
def search(word: str = typer.Argument("", help="a word in any form: 見守る finds 見守り and みまもり"),
           actor: str = typer.Option(None, help="only this actor: 市民, 地域, 専門職, 社協, 行政"),
           plans: str = typer.Option("", help="only these plan ids, comma-separated"),
           theme: str = typer.Option(None, help="only items tagged with this theme (main topic first)"),
           main: bool = typer.Option(False, "--main", help="with --theme: only items whose main topic it is"),
           out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           format: str = typer.Option("table", help="table or json")):
    """Find items across cities by the normalized form of WORD, or by --theme."""
    from .compare import search as search_items

    if not word.strip() and not theme:
        console.print("[red]error:[/red] give a WORD, a --theme, or both")
        raise typer.Exit(2)
    con = _connect(out)
    try:
        hits = search_items(con, word, actor, _plans(plans), theme=theme, main_only=main)
    except ValueError as e:
        _fail(e, 2)
    if format == "json":
        print(json.dumps(hits, ensure_ascii=False, indent=1))
        return
    cols = ("plan_id", "code", "kind", "actor", "text", "document", "page") + (("theme_rank",) if theme else ())
    t = RichTable(title=f"{' '.join(x for x in (word, theme) if x)}: {len(hits)} items")
    for c in cols:
        t.add_column(c, overflow="fold")
    for h in hits:
        t.add_row(*("" if h[c] is None else str(h[c]) for c in cols))
    Console().print(t)


@app.command()
def similar(plan_id: str = typer.Argument(...), code: str = typer.Argument(..., help="policy code, e.g. 3.2"),
            out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
            format: str = typer.Option("table", help="table or json")):
    """The 3 most similar policies of each other plan to PLAN_ID's policy CODE."""
    from .compare import similar as similar_policies

    con = _connect(out)
    rows = similar_policies(con, plan_id, code)
    if not rows:
        console.print(f"[red]error:[/red] no policy {code} in plan {plan_id}")
        raise typer.Exit(1)
    if format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    t = RichTable(title=f"policies like {plan_id} {code}")
    for c in ("other_plan_id", "rank", "other_policy_code", "title", "score"):
        t.add_column(c)
    for r in rows:
        t.add_row(*(str(r[c]) for c in ("other_plan_id", "rank", "other_policy_code", "title", "score")))
    Console().print(t)


@app.command()
def align(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
          other_plans: int = typer.Option(40, help="beyond this many other plans, keep each policy's matches in "
                                                   "the plans that match it best (0: every plan)")):
    """Compute policy_alignment: each policy's 3 most similar policies in each other plan."""
    from . import align as align_plans

    if other_plans < 0:
        console.print(f"[red]error:[/red] --other-plans takes 0 or more (got {other_plans})")
        raise typer.Exit(2)
    with _progress_bar() as bar:
        task = bar.add_task("aligning policies", total=None, done="")

        def step(done: int, total: int):
            bar.update(task, completed=done, total=total, done=f"{done}/{total} policies")

        path = _call(align_plans, out, other_plans, step)
    console.print(f"wrote {path} and the policy_alignment table")


@app.command()
def report(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           dest: Path = typer.Option(None, help="where to write index.html (default OUT/report)")):
    """Write one self-contained HTML report: heatmaps, items by theme, policy alignment; above 40 plans
    the national view (aggregates by prefecture, a drill-down to each plan)."""
    from .report import write_report

    path = _call(write_report, out, dest)
    console.print(f"wrote {path}")


if __name__ == "__main__":
    app()
