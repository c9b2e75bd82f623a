"""Command line: one command per function of the API (planextract/api.py); parse, call, print.

Every user error is one line on stderr and exit status 2; listings print as a table that fits the
terminal (80 columns when it is not a terminal), or as csv or json with --format."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table as RichTable
from rich.text import Text

from . import api, pipeline
from .compare import GUESS_LABEL
from .errors import InputError, PlanextractError
from .store import EXPORT_FORMATS

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Japanese municipal welfare plans (地域福祉計画) → DuckDB + tidy CSV.")
console = Console(stderr=True, soft_wrap=True)  # one message, one line

LISTING_FORMATS = ("table", "csv", "json")
FORMAT_HELP = "table (fits the terminal), csv or json"
MIN_FOLD = 16  # narrowest a column of text is folded to before a listing switches to one record per row


def _progress_bar() -> Progress:
    """A bar with elapsed time and ETA, drawn only when stdout is a terminal (a log or a pipe gets
    the summary lines alone)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[done]}"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True,
                    disable=not sys.stdout.isatty())


def _fail(e: Exception | str, code: int = 1):
    console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
    raise typer.Exit(code)


def _call(fn, *args, **kwargs):
    """Call the API. A PlanextractError (bad input) becomes a one-line message and exit status 2;
    an error of the file system (permissions, a full disk) one line and exit status 1."""
    try:
        return fn(*args, **kwargs)
    except PlanextractError as e:
        _fail(e, 2)
    except OSError as e:
        where = f" {e.filename}" if e.filename else ""
        _fail(f"{e.strerror or e}:{where}", 1)


def _check_format(format: str, allowed=LISTING_FORMATS) -> None:
    if format not in allowed:
        _fail(f"--format takes {', '.join(allowed)} (got {format!r})", 2)


def _cell(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _widths(columns: list[str], cells: dict[str, list[str]], fold: set[str], width: int) -> dict | None:
    """Column widths that fit `width`: other columns keep their full width, the text columns in
    `fold` share what is left. None when the text would be narrower than MIN_FOLD."""
    natural = {c: max([cell_len(c)] + [cell_len(v) for v in cells[c]]) for c in columns}
    room = width - len(columns) - sum(w for c, w in natural.items() if c not in fold)
    need = sum(natural[c] for c in fold)
    if need <= room:
        return natural
    if not fold or room < MIN_FOLD * len(fold):
        return None
    out = dict(natural)
    share = room // len(fold)
    short = {c for c in fold if natural[c] <= share}  # short text columns keep their width
    rest = room - sum(natural[c] for c in short)
    for c in fold - short:
        out[c] = max(MIN_FOLD, rest // len(fold - short))
    return out


def _fits(rows: list[dict], columns: list[str]) -> bool:
    """Whether a table fits the terminal with every cell at full width."""
    cells = {c: [_cell(r.get(c)) for r in rows] for c in columns}
    return _widths(columns, cells, set(), Console().width) is not None


def _print_table(title: str, rows: list[dict], columns: list[str], fold: tuple[str, ...] = ()) -> None:
    """A table that fits the terminal; when its text would be too narrow, one record per row
    (the short fields on one line, each text field wrapped below it)."""
    out = Console()
    cells = {c: [_cell(r.get(c)) for r in rows] for c in columns}
    widths = _widths(columns, cells, set(fold), out.width)
    if widths is None:
        out.print(Text(title, style="bold"))
        for r in rows:
            out.print(Text("  ".join(f"{c} {_cell(r.get(c))}" for c in columns
                                     if c not in fold and r.get(c) is not None), style="bold"))
            for c in fold:
                if r.get(c) not in (None, ""):
                    out.print(Padding(Text(f"{c}: {_cell(r.get(c))}"), (0, 0, 0, 2), expand=False))
        return
    t = RichTable(title=title, box=box.SIMPLE_HEAD, show_edge=False, padding=0)  # one space between columns
    for c in columns:
        numeric = rows and all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
        if c in fold:
            t.add_column(c, width=widths[c], overflow="fold")
        else:
            t.add_column(c, width=widths[c], no_wrap=True, justify="right" if numeric else "left")
    for i in range(len(rows)):
        t.add_row(*(cells[c][i] for c in columns))
    out.print(t)


def _emit(rows: list[dict], columns: list[str], format: str, title: str, fold: tuple[str, ...] = ()) -> None:
    if format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    elif format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    else:
        _print_table(title, rows, columns, fold)


@app.command()
def run(corpus: Path = typer.Option(Path("corpus"), help="folder with one sub-folder per city"),
        out: Path = typer.Option(Path("out"), help="where planextract.duckdb and csv/ are written"),
        formats: str = typer.Option("pdf,text", help="which documents to read: pdf, text, or pdf,text (both)"),
        password: str = typer.Option(None, help="password of encrypted PDFs"),
        strict: bool = typer.Option(False, help="treat warnings as failures (exit 1)"),
        jobs: int = typer.Option(0, min=0, help="documents read in parallel (processes); 0 = one per core"),
        cache: bool = typer.Option(True, help="reuse results of unchanged documents (out/.cache)"),
        timeout: float = typer.Option(pipeline.DEFAULT_TIMEOUT, help="seconds one document may take; "
                                      "a document over it is stopped and reported (0 = no limit)"),
        rules: Path = typer.Option(None, help="rules folder (default: the project's rules/); e.g. a copy "
                                              "with your own codebook or retrained prior")):
    """Extract every plan under CORPUS into OUT/planextract.duckdb and OUT/csv/*.csv.

    Exit status: 0 when every document was read, 1 when some failed (the summary says which),
    2 on bad arguments (among them an OUT that is not empty and not a planextract output, or a
    CORPUS with no plan folder). A run writes only OUT/planextract.duckdb, OUT/csv/, OUT/.cache/
    and its marker and lock files; other files in OUT are left as they are.
    """
    fmts = _call(pipeline.parse_formats, formats)
    _call(pipeline.check_out, out, corpus)  # before reading anything
    _call(api.check_timeout, timeout)
    chosen_rules = _call(api.load_rules_folder, rules) if rules else None  # a broken rules folder: before reading
    documents = [d for f in _call(pipeline.plan_folders, corpus) for d in pipeline.plan_documents(f, fmts)]
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

            result = api.run(corpus, out, fmts, progress=step, password=password,
                             jobs=jobs or pipeline.default_jobs(), cache=cache, timeout=timeout, rules=chosen_rules,
                             waiting=lambda m: console.print(f"[yellow]{escape(m)}[/yellow]"))
    except InputError as e:  # arguments: --out, --corpus
        _fail(e, 2)
    except PlanextractError as e:
        _fail(e, 1)
    except OSError as e:
        _fail(f"cannot write the output beside {out}: {e.strerror or e}", 1)
    columns = ["plan", "nodes", "roles", "actions", "scores", "unassigned", "extracted", "kept", "warnings"]
    _print_table(f"planextract run → {out}", api.run_summary(result), columns, fold=("plan",))
    for pr in api.problems_of(result):
        colour = "red" if pr.severity == "error" else "yellow"
        where = f" (page {pr.page})" if pr.page else ""
        console.print(f"[{colour}]{pr.severity}[/{colour}] {escape(f'{pr.doc_path}{where}: {pr.message}')}")
    for note in result.notes:
        console.print(note, highlight=False)
    failures = pipeline.failed(result, strict)
    empty = api.empty_folders(result)
    console.print(f"{len(result.plans)} plans, {n_docs} documents in {result.seconds:.1f} s"
                  + (f"; {len(empty)} folder(s) without documents: {', '.join(empty)}" if empty else "")
                  + (f"; {len(failures)} failed" if failures else ""))
    if failures:
        raise typer.Exit(1)


@app.command()
def score(out_csv: Path = typer.Argument(..., help="folder with plans.csv, nodes.csv, …"),
          gold_dir: Path = typer.Argument(..., help="folder with one <plan_id>.json per plan"),
          plans: str = typer.Option("", help="only these plan ids (or cities, e.g. atsugi), comma-separated"),
          format: str = typer.Option("table", help=FORMAT_HELP)):
    """Precision / recall / F1 of extracted CSV against gold annotations.

    Exit status 1 when a gold file has no plan in the output or a plan no gold file (each is named).
    """
    _check_format(format)
    result = _call(api.score, out_csv, gold_dir, plans or None)
    if format == "table":
        print(result.text())
    else:
        _emit(result.rows(), ["plan", "table", "gold", "pred", "tp", "P", "R", "F1"], format, "score")
    for message in result.unmatched:
        console.print(f"[red]unmatched:[/red] {escape(message)}", highlight=False)
    if result.unmatched:
        raise typer.Exit(1)


@app.command()
def init(folder: Path = typer.Argument(..., help="corpus/<romaji slug> of the new city"),
         city: str = typer.Option(..., help="the municipality's name, e.g. 会津若松市"),
         code: str = typer.Option(..., help="6-digit local government code, e.g. 072028"),
         force: bool = typer.Option(False, help="overwrite an existing plan.yaml")):
    """Create FOLDER/plan.yaml for a new city (every key documented in comments)."""
    path = _call(api.init, folder, city, code, force)
    console.print(f"wrote {path}; put the city's PDFs or text renditions beside it, then `planextract run`")


@app.command()
def validate(corpus: Path = typer.Option(Path("corpus"), help="folder with one sub-folder per city"),
             rules: Path = typer.Option(None, help="rules folder (default: the project's rules/)")):
    """Check rules/ and every plan.yaml against their schemas; messages give file, line and key."""
    messages = _call(api.validate, corpus, rules)
    for m in messages:
        console.print(f"[red]invalid:[/red] {escape(m)}")
    if messages:
        raise typer.Exit(1)
    console.print("rules and plan.yaml files are valid")


@app.command()
def export(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           format: str = typer.Option("csv", help=f"one of {', '.join(EXPORT_FORMATS)}"),
           dest: Path = typer.Option(None, help="where to write (default OUT/export/FORMAT)"),
           partition: str = typer.Option(None, help="parquet only: prefecture (one folder per table, "
                                                    "one sub-folder per prefecture)")):
    """Export every table: csv, parquet (via DuckDB), xlsx (one Excel workbook, a sheet per table)
    or xlsx-csv (UTF-8 with BOM, CRLF; for Excel)."""
    paths = _call(api.export, out, format, dest, partition)
    what = f"{len(paths)} tables partitioned by {partition}" if partition else \
        f"{len(paths)} file{'s' if len(paths) != 1 else ''}"
    console.print(f"wrote {what} to {paths[0].parent if paths else dest}")


INSPECT_SECTIONS = [("headings", ("level", "code", "label", "title", "page"), ("title",)),
                    ("roles", ("code", "actor", "label", "text", "page"), ("text",)),
                    ("items", ("code", "kind", "text", "page"), ("text",)),
                    ("scores", ("code", "kind", "score", "page"), ()),
                    ("furniture", ("page", "text"), ("text",)),
                    ("unassigned", ("page", "reason", "text"), ("reason", "text"))]
OUTLINE_SECTION = ("outline", ("page", "level", "label", "title", "evidence"), ("title", "evidence"))
# per paragraph / table: step 1 outline (evidence), step 2 blocks (rule), step 3 attribution (under,
# result), and the step that lost its text, if any
EXPLAIN_SECTION = ("explain", ("page", "line", "what", "evidence", "rule", "under", "result", "lost_at", "text"),
                   ("evidence", "rule", "under", "result", "lost_at", "text"))


@app.command()
def inspect(file: Path = typer.Argument(..., help="one document (.pdf, .txt or .md) in corpus/<city>/"),
            page: int = typer.Option(None, help="only this page"),
            explain: bool = typer.Option(False, help="show the rule that fired (or did not) for each paragraph and table"),
            format: str = typer.Option("table", help=f"{FORMAT_HELP} (csv: one row per item, its section first)")):
    """Show what the pipeline sees in one document: furniture, headings, roles, items, unplaced text."""
    _check_format(format)
    report = _call(api.inspect, file, page, explain)
    sections = [OUTLINE_SECTION, *INSPECT_SECTIONS, EXPLAIN_SECTION] if explain else INSPECT_SECTIONS
    if format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    if format == "csv":
        columns = ["section", "page", "code", "level", "kind", "actor", "label", "title", "text", "score", "reason",
                   "evidence"]
        _emit([{"section": name, **r} for name, _, _ in sections for r in report[name]], columns, "csv", "")
        return
    d = report["document"]
    Console().print(f"[bold]{d['path']}[/bold]  {d['format']}, {d['kind']}, {d['pages']} pages, "
                    f"{d['assigned']}/{d['chars']} characters placed", highlight=False)
    if explain:
        for style, level in report["outline_styles"].items():
            Console().print(f"outline: numbering style {style or '(none)'} is {level}", highlight=False)
    for name, cols, fold in sections:
        rows = [{c: (str(r.get(c))[:200] if isinstance(r.get(c), str) else r.get(c)) for c in cols}
                for r in report[name]]
        if rows:
            _print_table(f"{name} ({len(rows)})", rows, list(cols), fold)
    if not any(report[name] for name, _, _ in sections):
        console.print("nothing found" + (f" on page {page}" if page else ""))
    for p in report["problems"]:
        console.print(f"[yellow]{p['severity']}[/yellow] {escape(p['message'])}")


@app.command()
def compare(by: str = typer.Option("actor", help="actor or theme"),
            plans: str = typer.Option("", help="only these plan ids (or cities, e.g. atsugi), comma-separated"),
            format: str = typer.Option("table", help=FORMAT_HELP),
            out: Path = typer.Option(Path("out"), help="the folder a run wrote")):
    """Print the plan × actor or plan × theme matrix (number of items; – where a plan has no role table)."""
    _check_format(format)
    m = _call(api.compare, by, plans or None, out)
    if format == "json":  # {plan: {column: n}}
        print(json.dumps({r["plan_id"]: {c: r[c] for c in m.columns} for r in m.rows()}, ensure_ascii=False, indent=1))
    elif format == "csv":
        _emit(m.rows(), ["plan_id", *m.columns], "csv", "")
    elif not _fits(m.rows(), ["plan_id", *m.columns]) and len(m.columns) > len(m.plans):
        # too wide with a column per theme: the longer side goes down the page
        rows = [{by: c, **{p: m.counts.get((p, c)) for p in m.plans}} for c in m.columns]
        _print_table(f"{by} × plan", rows, [by, *m.plans], fold=(by,))
    else:
        _print_table(f"plan × {by}", m.rows(), ["plan_id", *m.columns], fold=("plan_id",))
    if format == "table" and m.no_roles and by == "actor":
        console.print(f"– no role table in {', '.join(m.no_roles)}")


@app.command()
def search(word: str = typer.Argument("", help="a word in any form: 見守る finds 見守り and みまもり"),
           actor: str = typer.Option(None, help="only this actor: 市民, 地域, 専門職, 社協, 行政 (or a label: 社会福祉協議会)"),
           plans: str = typer.Option("", help="only these plan ids (or cities, e.g. atsugi), comma-separated"),
           theme: str = typer.Option(None, help="only items tagged with this theme (main topic first)"),
           main: bool = typer.Option(False, "--main", help="with --theme: only items whose main topic it is"),
           min_confidence: float = typer.Option(None, help="with --theme (a topic): only tags at least this "
                                                           "confident, 0-1 (how many it keeps and how many of "
                                                           "them are right: docs/rules.md)"),
           guesses: bool = typer.Option(True, "--guesses/--no-guesses",
                                        help="with --theme: include the learned prior's guesses for items no "
                                             "term of the codebook matched (keywords empty)"),
           out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           format: str = typer.Option("table", help=FORMAT_HELP)):
    """Find items across cities by the normalized form of WORD, or by --theme."""
    _check_format(format)
    hits = _call(api.search, word, actor, plans or None, theme, main, out, min_confidence=min_confidence,
                 guesses=guesses)
    if format == "table":  # a blank cell would not say why: the data formats keep the empty value
        hits = [h | {"keywords": h["keywords"] or GUESS_LABEL} if "keywords" in h else h for h in hits]
    columns = (["plan_id", "code", "kind", "actor", "text", "document", "page"] + (["theme_rank", "keywords"] if theme else [])
               + (["confidence"] if hits and "confidence" in hits[0] else []))
    what = " ".join(x for x in (word, theme) if x)
    _emit(hits, columns, format, f"{what}: {len(hits)} items", fold=("text", "document"))
    if not hits and format == "table":
        filters = [f"for {actor}" if actor else "", "as its main topic" if theme and main else "",
                   f"at confidence ≥ {min_confidence}" if min_confidence is not None else "",
                   "read from a term (no guesses)" if theme and not guesses else ""]
        console.print(" ".join([f"no item holds {what!r}"] + [f for f in filters if f]), highlight=False)


@app.command()
def similar(plan_id: str = typer.Argument(..., help="a plan id (or its city, e.g. ichinoseki)"),
            code: str = typer.Argument(..., help="policy code, e.g. 3.2"),
            out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
            format: str = typer.Option("table", help=FORMAT_HELP)):
    """The 3 most similar policies of each other plan to PLAN_ID's policy CODE."""
    _check_format(format)
    rows = _call(api.similar, plan_id, code, out)
    _emit(rows, ["other_plan_id", "rank", "other_policy_code", "title", "score"], format,
          f"policies like {plan_id} {code}", fold=("title",))
    if not rows and format == "table":
        console.print("no other plan has a policy to compare it with")


@app.command()
def align(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
          other_plans: int = typer.Option(40, help="beyond this many other plans, keep each policy's matches in "
                                                   "the plans that match it best (0: every plan)")):
    """Compute policy_alignment: each policy's 3 most similar policies in each other plan."""
    with _progress_bar() as bar:
        task = bar.add_task("aligning policies", total=None, done="")

        def step(done: int, total: int):
            bar.update(task, completed=done, total=total, done=f"{done}/{total} policies")

        path = _call(api.align, out, other_plans, step)
    console.print(f"wrote {path} and the policy_alignment table")


@app.command()
def report(out: Path = typer.Option(Path("out"), help="the folder a run wrote"),
           dest: Path = typer.Option(None, help="where to write index.html (default OUT/report)")):
    """Write one self-contained HTML report: heatmaps, items by theme, policy alignment; above 40 plans
    the national view (aggregates by prefecture, a drill-down to each plan)."""
    path = _call(api.report, out, dest)
    console.print(f"wrote {path}")


if __name__ == "__main__":
    app()
