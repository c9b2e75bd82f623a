"""store: DuckDB and tidy CSV, written fresh each run, in the table order of SCHEMA.md."""

from __future__ import annotations

import csv
import filecmp
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import duckdb

try:
    import fcntl
except ImportError:  # not POSIX: runs on one --out are not serialised
    fcntl = None
from pydantic import BaseModel

from .models import (
    ActionRow,
    AlignmentRow,
    ItemThemeRow,
    ThemeRow,
    TokenRow,
    DocumentRow,
    FurnitureRow,
    NodeRow,
    PlanRow,
    ProblemRow,
    RatingRow,
    RoleRow,
    RunResult,
    ScoreRow,
    UnassignedRow,
)

log = logging.getLogger("planextract")

DB_NAME = "planextract.duckdb"

# table name → row model; columns in model field order
TABLES: dict[str, type[BaseModel]] = {
    "plans": PlanRow,
    "documents": DocumentRow,
    "nodes": NodeRow,
    "roles": RoleRow,
    "actions": ActionRow,
    "scores": ScoreRow,
    "ratings": RatingRow,
    "unassigned": UnassignedRow,
    "furniture": FurnitureRow,
    "problems": ProblemRow,
    "tokens": TokenRow,
    "themes": ThemeRow,
    "item_themes": ItemThemeRow,
    "policy_alignment": AlignmentRow,
}

MAX_LINE_SIZE = 2**31 - 1  # bytes of one CSV line DuckDB accepts at most
DEFAULT_LINE_SIZE = 2_097_152  # DuckDB's own default
# The bulk load's small working set: memory does not grow with the corpus.
LOAD_CONFIG = {"memory_limit": "128MB", "threads": 1, "preserve_insertion_order": True}


def longest_line(path: Path) -> int:
    """Bytes of the longest line of a file. DuckDB's CSV reader sizes its buffers by the line
    limit it is given: the limit must fit the file's longest line, not be the largest there is
    (2 GB buffers do not fit the small working set the load runs in)."""
    longest = 0
    with open(path, "rb") as f:
        for line in f:
            longest = max(longest, len(line))
    return longest

_SQL_TYPES = {int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", str: "VARCHAR"}
# an item_themes row some term of the codebook matched: not the learned prior's guess for an item no
# term matched (its keywords are empty); what the theme matrices and the untagged share count
READ_BY_A_TERM = "coalesce(keywords, '') <> ''"

VIEWS = {
    "v_items": """
        SELECT plan_id, ref, code, 'node' AS kind, NULL AS actor, title AS text, doc_id, page FROM nodes
        UNION ALL SELECT plan_id, ref, policy_code, 'role', actor, text, doc_id, page FROM roles
        UNION ALL SELECT plan_id, ref, parent_code, kind, NULL, text, doc_id, page FROM actions""",
    # n is NULL, not 0, for a plan with no role content at all (no role table): 0 would read as
    # "commits to nothing" where the plan simply does not say.
    "v_actor_matrix": """
        SELECT p.plan_id, a.actor,
          CASE WHEN p.plan_id IN (SELECT plan_id FROM roles) THEN count(r.plan_id) END AS n
        FROM plans p CROSS JOIN (VALUES ('市民'), ('地域'), ('専門職'), ('社協'), ('行政')) a(actor)
        LEFT JOIN roles r ON r.plan_id = p.plan_id AND r.actor = a.actor
        GROUP BY p.plan_id, a.actor""",
    "v_theme_matrix": f"""
        SELECT p.plan_id, t.theme, count(DISTINCT it.ref) AS n,
          count(DISTINCT CASE WHEN it.rank = 1 THEN it.ref END) AS n_main
        FROM plans p CROSS JOIN (SELECT theme FROM themes WHERE dimension = 'topic') t
        LEFT JOIN item_themes it ON it.plan_id = p.plan_id AND it.theme = t.theme AND it.dimension = 'topic'
          AND {READ_BY_A_TERM}
        GROUP BY ALL""",
    "v_theme_actor": f"""
        SELECT it.plan_id, it.theme, r.actor, count(*) AS n
        FROM item_themes it JOIN roles r ON r.ref = it.ref
        WHERE it.dimension = 'topic' AND {READ_BY_A_TERM}
        GROUP BY ALL""",
    "v_policies": """
        SELECT n.plan_id, p.city, n.code, n.title, g.title AS goal_title, n.is_new
        FROM nodes n JOIN plans p USING (plan_id)
        LEFT JOIN nodes g ON g.plan_id = n.plan_id AND g.level = 'goal' AND g.code = n.parent_code
        WHERE n.level = 'policy'""",
    "v_roles_by_actor": """
        SELECT plan_id, actor, count(*) AS n_commitments FROM roles GROUP BY plan_id, actor""",
    "v_plan_summary": """
        SELECT p.plan_id, p.city, p.edition,
          (SELECT count(*) FROM nodes n WHERE n.plan_id = p.plan_id AND n.level = 'goal') AS goals,
          (SELECT count(*) FROM nodes n WHERE n.plan_id = p.plan_id AND n.level = 'policy') AS policies,
          (SELECT nullif(count(*), 0) FROM roles r WHERE r.plan_id = p.plan_id) AS roles,  -- NULL: no role content
          (SELECT count(*) FROM actions a WHERE a.plan_id = p.plan_id) AS actions,
          (SELECT count(*) FROM scores s WHERE s.plan_id = p.plan_id) AS scores
        FROM plans p""",
}


def _sql_type(annotation) -> str:
    args = getattr(annotation, "__args__", None)
    base = next((a for a in args if a is not type(None)), str) if args else annotation
    return _SQL_TYPES.get(base, "VARCHAR")


class Spool:
    """Rows of the large tables, appended to CSV files as plans are done, never all in memory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, tuple] = {}

    def writer(self, table: str):
        if table not in self._files:
            f = (self.directory / f"{table}.csv").open("w", encoding="utf-8", newline="")
            w = csv.writer(f, lineterminator="\n")
            w.writerow(list(TABLES[table].model_fields))
            self._files[table] = (f, w)
        return self._files[table][1]

    def add(self, table: str, rows) -> int:
        """Append model rows (or tuples in the table's column order); the number written."""
        w = self.writer(table)
        cols = list(TABLES[table].model_fields)
        n = 0
        for row in rows:
            if isinstance(row, BaseModel):
                d = row.model_dump()
                row = [_csv_value(d[c]) for c in cols]
            w.writerow(row)
            n += 1
        return n

    def add_text(self, table: str, text: str) -> None:
        """Append CSV rows already written as text (for example from a cache)."""
        self.writer(table)
        self._files[table][0].write(text)

    def close(self) -> dict[str, str]:
        for f, _ in self._files.values():
            f.close()
        return {t: str(self.directory / f"{t}.csv") for t in self._files}


def rows_of(result: RunResult) -> dict[str, list[BaseModel]]:
    out: dict[str, list[BaseModel]] = {name: [] for name in TABLES}
    for p in result.plans:
        out["plans"].append(p.plan)
        out["documents"] += p.documents
        out["nodes"] += p.nodes
        out["roles"] += p.roles
        out["actions"] += p.actions
        out["scores"] += p.scores
        out["ratings"] += p.ratings
        out["unassigned"] += p.unassigned
        out["furniture"] += p.furniture
        out["problems"] += p.problems
    out["problems"] += result.problems
    out["themes"] = result.themes
    return out


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def write_csv(directory: Path, tables: dict[str, list[BaseModel]], spooled: dict[str, str] | None = None) -> None:
    """One CSV per table; a table already spooled to a CSV file is moved into place."""
    directory.mkdir(parents=True, exist_ok=True)
    spooled = spooled or {}
    for name, model in TABLES.items():
        if spooled.get(name):
            shutil.move(spooled[name], directory / f"{name}.csv")
            continue
        write_csv_rows(directory / f"{name}.csv", model, tables[name])


def write_duckdb(path: Path, tables: dict[str, list[BaseModel]], csv_dir: Path,
                 spooled_names: frozenset[str] = frozenset()) -> None:
    """Typed tables loaded from the CSV files just written: the database holds what the CSV holds
    (an empty field is NULL in both), and a bulk load is far faster than row inserts."""
    statements = []
    for name, model in TABLES.items():
        cols = [(c, _sql_type(f.annotation)) for c, f in model.model_fields.items()]
        statements.append(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
    statements += [f"CREATE OR REPLACE VIEW {name} AS {sql}" for name, sql in VIEWS.items()]
    # A bulk load needs no large working set: keep DuckDB's small so a run's peak memory stays
    # flat as the corpus grows (it spills to disk beside the database if it must).
    con = duckdb.connect(str(path), config=dict(LOAD_CONFIG))
    try:
        con.execute(";\n".join(statements))  # one script: one round trip
        for name in TABLES:
            if tables[name] or name in spooled_names:
                load_csv(con, name, csv_dir / f"{name}.csv")
    finally:
        con.close()


def load_csv(con, table: str, path: Path) -> None:
    """Append the rows of a CSV file written by this module to `table` (an empty field is NULL).
    The file's path reaches DuckDB as a parameter, never inside SQL text: a quote in `--out`
    cannot end the string and start a statement of its own. A row may hold one very long line of
    a document (DuckDB's default limit is 2 MB)."""
    columns = ", ".join(f"'{c}': '{_sql_type(f.annotation)}'" for c, f in TABLES[table].model_fields.items())
    line_size = min(MAX_LINE_SIZE, max(DEFAULT_LINE_SIZE, longest_line(path) + 1024))
    con.execute(f"INSERT INTO {table} SELECT * FROM read_csv(?, header = true, delim = ',', quote = '\"', "
                f"nullstr = '', auto_detect = false, max_line_size = {int(line_size)}, "
                f"columns = {{{columns}}})", [str(path)])


# What a run owns in its --out folder: it writes these and nothing else (exports, reports and
# anything a user put in the folder stay as they are).
MARKER = ".planextract-out"  # says "a planextract output folder"; holds the format version
OUTPUT_VERSION = "1"
CACHE = ".cache"
OWNED = (DB_NAME, "csv")  # swapped in whole at the end of a run
LOCK = ".planextract.lock"  # flock'ed by the run that writes the folder; holds its pid
# temporary folders of a run, inside out/: removed by the next run when a run was killed
NEW_PREFIX, OLD_PREFIX, SPOOL_PREFIX = ".planextract-new-", ".planextract-old-", ".planextract-spool-"
# policy_alignment is computed from these tables (`planextract align`); when a run leaves them
# byte-identical, the alignment of the previous output still holds and is kept
ALIGNMENT_INPUTS = ("plans", "nodes", "roles", "actions", "tokens")


def _inside(a: Path, b: Path) -> bool:
    """a is b or lies under b."""
    return a == b or b in a.parents


def is_output_folder(out: Path) -> bool:
    """out/ holds a planextract output: its marker, or (written before the marker existed) its
    database and csv/ folder."""
    return (out / MARKER).is_file() or ((out / DB_NAME).is_file() and (out / "csv").is_dir())


def check_out(out: Path, corpus: Path | None = None) -> None:
    """Refuse an --out a run would damage: a file, a non-empty folder that is not a planextract
    output, the corpus itself, a folder inside it or around it."""
    from .errors import InputError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; give a folder (new, empty, or an earlier run's output)")
    if corpus is not None:
        o, c = out.resolve(), Path(corpus).resolve()
        where = "is the corpus" if o == c else "is inside the corpus" if _inside(o, c) else \
            "holds the corpus" if _inside(c, o) else None
        if where:
            raise InputError(f"--out {out}: {where} {corpus}; give a folder outside the corpus, e.g. --out out")
    if out.is_dir() and not is_output_folder(out) and any(not _own_stream(p) for p in out.iterdir()):
        raise InputError(f"--out {out}: not empty and not a planextract output (no {MARKER}); "
                         "give a new or empty folder, e.g. --out out")


def _own_stream(path: Path) -> bool:
    """The file this very process's output is being written to (`run --out d > d/log`): the shell
    created it for this run, it holds no one's data. Anything else in a foreign folder does."""
    try:
        st = path.lstat()
    except OSError:
        return False
    for fd in (1, 2):
        try:
            own = os.fstat(fd)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino):
            return True
    return False


def claim_out(out: Path) -> None:
    """Create out/ with its marker."""
    from .errors import InputError

    marker = out / MARKER
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not marker.is_file():
            tmp = out / f"{MARKER}.{os.getpid()}.tmp"
            tmp.write_text(f"planextract output {OUTPUT_VERSION}\n", encoding="utf-8")
            tmp.replace(marker)
    except OSError as e:
        raise InputError(f"--out {out}: cannot write there ({e.strerror or e})") from e


class OutLock:
    """An exclusive lock on out/ (flock on out/.planextract.lock) for the length of a run. A
    second run on the same folder waits for it, saying which process holds it, and gives up with
    an error after `timeout` seconds. The kernel drops the lock when its holder dies, so a killed
    run never leaves the folder locked."""

    def __init__(self, out: Path, timeout: float = 600.0, waiting=None):
        self.path = Path(out) / LOCK
        self.timeout, self.waiting = timeout, waiting
        self.fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def __enter__(self) -> "OutLock":
        from .errors import InputError

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline, told = time.monotonic() + self.timeout, False
        while fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    message = f"{self.path.parent} is being written by another run (pid {self.holder()}); waiting"
                    (self.waiting or log.warning)(message)
                    told = True
                if time.monotonic() > deadline:
                    pid = self.holder()
                    os.close(self.fd)
                    self.fd = None
                    raise InputError(f"--out {self.path.parent}: still in use by another planextract run (pid {pid}) "
                                     f"after {self.timeout:.0f} s; wait for it to end or give another --out")
                time.sleep(0.2)
            except OSError as e:  # a file system without locks (some network mounts)
                log.warning("%s: cannot lock (%s); make sure no other run writes this folder", self.path, e)
                break
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing the file releases the lock
            self.fd = None


def clean_leftovers(out: Path) -> list[str]:
    """Remove what killed runs left (call with the lock held, so no live run's files are touched):
    temporary folders, half-written cache files, and folders of older versions beside out/. An
    output part a run had moved aside but not yet replaced is put back. The names removed."""
    removed = []
    for old in sorted(out.glob(f"{OLD_PREFIX}*")):
        for name in OWNED:
            if (old / name).exists() and not (out / name).exists():
                (old / name).rename(out / name)
    leftovers = [*out.glob(f"{OLD_PREFIX}*"), *out.glob(f"{NEW_PREFIX}*"), *out.glob(f"{SPOOL_PREFIX}*"),
                 *out.glob(f"{MARKER}.*.tmp"), *(out / CACHE).glob("*.tmp"),
                 # what runs before the marker existed built beside out/
                 *out.parent.glob(f".{out.name}.spool-*"), *out.parent.glob(f".{out.name}.new-*"),
                 *out.parent.glob(f".{out.name}.old")]
    for p in leftovers:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p.name)
    return removed


def _same_bytes(a: Path, b: Path) -> bool:
    """Compared in blocks: the tokens table may be larger than memory should hold twice."""
    return a.is_file() and b.is_file() and filecmp.cmp(a, b, shallow=False)


def _carry_alignment(old_csv: Path, new_csv: Path) -> str | None:
    """Keep the previous policy_alignment when its inputs did not change: 'kept'; 'emptied' when
    there was one and it no longer holds; None when there was none."""
    old = old_csv / "policy_alignment.csv"
    if not old.is_file() or old.read_bytes().count(b"\n") <= 1:
        return None
    if all(_same_bytes(old_csv / f"{t}.csv", new_csv / f"{t}.csv") for t in ALIGNMENT_INPUTS):
        shutil.copyfile(old, new_csv / "policy_alignment.csv")
        return "kept"
    return "emptied"


def store(result: RunResult, out: Path) -> list[str]:
    """Write the run's tables into out/ (claimed with `claim_out`, locked by the caller). The
    database and csv/ are built in a temporary folder inside out/, then each is swapped in with two
    renames: a run killed before the swap leaves the previous output as it was, and the next run
    puts back a part caught mid-swap. Nothing else in out/ is touched. Returns notes for the
    summary (policy_alignment kept or emptied)."""
    out = Path(out)
    claim_out(out)
    tables = rows_of(result)
    tmp = Path(tempfile.mkdtemp(prefix=NEW_PREFIX, dir=out))
    old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX, dir=out))
    notes = []
    try:
        spooled = dict(result.spooled)
        write_csv(tmp / "csv", tables, spooled)
        alignment = _carry_alignment(out / "csv", tmp / "csv")
        if alignment == "kept":
            spooled["policy_alignment"] = str(tmp / "csv" / "policy_alignment.csv")
            notes.append("policy_alignment kept: the policies and their tokens did not change")
        elif alignment == "emptied":
            notes.append("policy_alignment emptied: the plans changed; run `planextract align` to compute it again")
        write_duckdb(tmp / DB_NAME, tables, tmp / "csv", frozenset(spooled))
        for name in OWNED:
            if (out / name).exists():
                (out / name).rename(old / name)
            (tmp / name).rename(out / name)
    finally:
        for name in OWNED:  # interrupted mid-swap: the previous part goes back
            if (old / name).exists() and not (out / name).exists():
                (old / name).rename(out / name)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return notes


EXPORT_FORMATS = ("csv", "parquet", "xlsx", "xlsx-csv")

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell value for a spreadsheet: text that would start a formula (`=HYPERLINK(…)`, `-1+2`,
    `@SUM(…)`) gets a leading `'` (OWASP's rule): the spreadsheet shows the text, it runs nothing.
    Numbers, booleans and None come back as they are, so numeric columns stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


PARTITIONS = ("prefecture",)
XLSX_NAME = "planextract.xlsx"
XLSX_MAX_ROWS = 1_048_576  # rows of an Excel sheet, the header row included


def write_xlsx(con, path: Path) -> Path:
    """One workbook, one sheet per table: header row frozen and with filters, column widths that
    fit. Every text cell is written with write_string, never interpreted: codes stay text
    (city_code 072028, policy code 1.10) and text that starts with = is not a formula.
    A table longer than a sheet continues on sheets named `table (2)`, `table (3)`…"""
    import xlsxwriter

    # constant_memory: rows go to disk as they are written, so a large table needs little memory
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#F0F4F8", "bottom": 1})

    def new_sheet(title: str, cols: list[str]):
        sheet = book.add_worksheet(title)
        for c, col in enumerate(cols):
            sheet.write_string(0, c, col, header)
            wide = col in ("text", "title", "description", "message", "vision", "raw_text", "keywords")
            sheet.set_column(c, c, 48 if wide else max(8, min(24, len(col) + 2)))
        sheet.freeze_panes(1, 0)
        return sheet

    def close_sheet(sheet, n_rows: int, n_cols: int) -> None:
        sheet.autofilter(0, 0, max(n_rows, 1), max(n_cols - 1, 0))

    try:
        for name in TABLES:
            cur = con.execute(f"SELECT * FROM {name}")
            cols = [d[0] for d in cur.description]
            part, r = 1, 0
            sheet = new_sheet(name, cols)
            while batch := cur.fetchmany(10_000):
                for row in batch:
                    if r == XLSX_MAX_ROWS - 1:
                        close_sheet(sheet, r, len(cols))
                        part, r = part + 1, 0
                        sheet = new_sheet(f"{name} ({part})", cols)
                    r += 1
                    for c, v in enumerate(row):
                        if v is None:
                            continue
                        if isinstance(v, bool):
                            sheet.write_boolean(r, c, v)
                        elif isinstance(v, (int, float)):
                            sheet.write_number(r, c, v)
                        else:
                            sheet.write_string(r, c, str(v))
            close_sheet(sheet, r, len(cols))
    finally:
        book.close()
    return path


def _with_prefecture(con, name: str):
    """Table `name` as a DuckDB relation with a `prefecture` column (the plan's, joined from
    `plans`; NULL for rows of no plan), or None for a table of no plan (themes)."""
    table = con.table(name)
    if "prefecture" in table.columns:
        return table
    if "plan_id" not in table.columns:
        return None
    plans = con.table("plans").select("plan_id, prefecture").set_alias("p")
    return table.set_alias("t").join(plans, "t.plan_id = p.plan_id", how="left").select("t.*, p.prefecture")


def export_partitioned(con, dest: Path, partition: str) -> list[Path]:
    """Each table as a folder of Parquet files, one sub-folder per value of `partition`
    (hive layout: `roles/prefecture=…/data_0.parquet`, values percent-encoded, NULL as
    `__HIVE_DEFAULT_PARTITION__`), which DuckDB, polars and Spark read as one table."""
    written = []
    for name in TABLES:
        folder = dest / name
        folder.mkdir(parents=True, exist_ok=True)
        relation = _with_prefecture(con, name)
        if relation is None:  # a table of no plan: one file, no partitions
            con.table(name).write_parquet(str(folder / "data_0.parquet"))
        elif not relation.limit(1).fetchall():  # no partition to write: one file holds the columns
            relation.write_parquet(str(folder / "data_0.parquet"))
        else:
            relation.write_parquet(str(folder), partition_by=[partition], overwrite=True)
        written.append(folder)
    return written


def export(out: Path | str, fmt: str, dest: Path | str | None = None, partition: str | None = None) -> list[Path]:
    """Export the tables of a run's DuckDB file.

    xlsx: one Excel workbook (planextract.xlsx), one sheet per table, codes as text. csv: UTF-8, LF.
    xlsx-csv: UTF-8 with a BOM and CRLF line ends, which Excel on Japanese Windows opens without
    mojibake, and text that would start a formula neutralised (spreadsheet_safe). parquet: one file
    per table, written by DuckDB; with `partition` ("prefecture"), one folder per table partitioned
    by the plans' prefecture."""
    from .errors import InputError

    out = Path(out)
    db = out / DB_NAME
    if not db.exists():
        raise InputError(f"{db}: not found; run `planextract run` first")
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format takes {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    if partition is not None and (partition not in PARTITIONS or fmt != "parquet"):
        raise InputError(f"--partition takes {', '.join(PARTITIONS)}, with --format parquet "
                         f"(got {partition!r} with {fmt!r})")
    dest = Path(dest) if dest else out / "export" / fmt
    dest.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    if partition:
        try:
            return export_partitioned(con, dest, partition)
        finally:
            con.close()
    written = []
    try:
        if fmt == "xlsx":
            return [write_xlsx(con, dest / XLSX_NAME)]
        for name in TABLES:
            if fmt == "parquet":
                path = dest / f"{name}.parquet"
                con.table(name).write_parquet(str(path))  # the path as an argument, never in SQL text
            else:
                path = dest / f"{name}.csv"
                cur = con.execute(f"SELECT * FROM {name}")
                cols = [d[0] for d in cur.description]
                encoding, newline = ("utf-8-sig", "\r\n") if fmt == "xlsx-csv" else ("utf-8", "\n")
                with path.open("w", encoding=encoding, newline="") as f:
                    w = csv.writer(f, lineterminator=newline)
                    w.writerow(cols)
                    safe = spreadsheet_safe if fmt == "xlsx-csv" else (lambda v: v)
                    for row in cur.fetchall():
                        w.writerow([safe(_csv_value(v)) for v in row])
            written.append(path)
    finally:
        con.close()
    return written


def write_alignment(out: Path | str, rows: Iterable[BaseModel]) -> Path:
    """Replace `policy_alignment` in a run's DuckDB file and CSV (the `align` step). `rows` may be
    a generator (a national run has a million rows): they are written as they come."""
    from .errors import InputError

    out = Path(out)
    db = out / DB_NAME
    if not db.exists():
        raise InputError(f"{db}: not found; run `planextract run` first")
    csv_path = out / "csv" / "policy_alignment.csv"
    tmp = csv_path.with_suffix(".csv.tmp")
    write_csv_rows(tmp, TABLES["policy_alignment"], rows)
    con = duckdb.connect(str(db))
    try:
        con.execute("BEGIN")
        con.execute("DELETE FROM policy_alignment")
        if rows:
            load_csv(con, "policy_alignment", tmp)
        con.execute("COMMIT")
    finally:
        con.close()
    tmp.replace(csv_path)
    return csv_path


def write_csv_rows(path: Path, model: type[BaseModel], rows: list[BaseModel]) -> None:
    cols = list(model.model_fields)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for row in rows:
            d = row.model_dump()
            w.writerow([_csv_value(d[c]) for c in cols])
