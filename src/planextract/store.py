"""store: DuckDB and tidy CSV, written fresh each run, in the table order of SCHEMA.md."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import duckdb
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

_SQL_TYPES = {int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", str: "VARCHAR"}

VIEWS = {
    "v_items": """
        SELECT plan_id, ref, code, 'node' AS kind, NULL AS actor, title AS text, doc_id, page FROM nodes
        UNION ALL SELECT plan_id, ref, policy_code, 'role', actor, text, doc_id, page FROM roles
        UNION ALL SELECT plan_id, ref, parent_code, kind, NULL, text, doc_id, page FROM actions""",
    "v_actor_matrix": """
        SELECT p.plan_id, a.actor, count(r.ref) AS n
        FROM plans p CROSS JOIN (VALUES ('市民'), ('地域'), ('専門職'), ('社協'), ('行政')) a(actor)
        LEFT JOIN roles r ON r.plan_id = p.plan_id AND r.actor = a.actor
        GROUP BY ALL""",
    "v_theme_matrix": """
        SELECT p.plan_id, t.theme, count(DISTINCT it.ref) AS n,
          count(DISTINCT CASE WHEN it.rank = 1 THEN it.ref END) AS n_main
        FROM plans p CROSS JOIN (SELECT theme FROM themes WHERE dimension = 'topic') t
        LEFT JOIN item_themes it ON it.plan_id = p.plan_id AND it.theme = t.theme AND it.dimension = 'topic'
        GROUP BY ALL""",
    "v_theme_actor": """
        SELECT it.plan_id, it.theme, r.actor, count(*) AS n
        FROM item_themes it JOIN roles r ON r.ref = it.ref
        WHERE it.dimension = 'topic'
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
          (SELECT count(*) FROM roles r WHERE r.plan_id = p.plan_id) AS roles,
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
    (an empty field is NULL in both), and a bulk COPY is far faster than row inserts."""
    statements = []
    for name, model in TABLES.items():
        cols = [(c, _sql_type(f.annotation)) for c, f in model.model_fields.items()]
        statements.append(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
        if tables[name] or name in spooled_names:
            source = (csv_dir / f"{name}.csv").as_posix().replace("'", "''")
            statements.append(f"COPY {name} FROM '{source}' (HEADER, DELIMITER ',', QUOTE '\"', NULLSTR '')")
    statements += [f"CREATE OR REPLACE VIEW {name} AS {sql}" for name, sql in VIEWS.items()]
    # A bulk load needs no large working set: keep DuckDB's small so a run's peak memory stays
    # flat as the corpus grows (it spills to disk beside the database if it must).
    con = duckdb.connect(str(path), config={"memory_limit": "128MB", "threads": 1,
                                            "preserve_insertion_order": True})
    try:
        con.execute(";\n".join(statements))  # one script: one round trip
    finally:
        con.close()


def store(result: RunResult, out: Path) -> None:
    """Build the whole output folder beside `out`, then swap it in with two renames: a run killed
    before the swap leaves the previous `out/` as it was. `out/.cache` is carried over."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tables = rows_of(result)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old = out.parent / f".{out.name}.old"
    try:
        spooled = dict(result.spooled)
        write_csv(tmp / "csv", tables, spooled)
        write_duckdb(tmp / DB_NAME, tables, tmp / "csv", frozenset(spooled))
        if (out / ".cache").is_dir():
            (out / ".cache").rename(tmp / ".cache")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


EXPORT_FORMATS = ("csv", "parquet", "xlsx-csv")


def export(out: Path | str, fmt: str, dest: Path | str | None = None) -> list[Path]:
    """Export the tables of a run's DuckDB file.

    csv: UTF-8, LF. xlsx-csv: UTF-8 with a BOM and CRLF line ends, which Excel on Japanese Windows
    opens without mojibake. parquet: one file per table, written by DuckDB."""
    from .errors import InputError

    out = Path(out)
    db = out / DB_NAME
    if not db.exists():
        raise InputError(f"{db}: not found; run `planextract run` first")
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format takes {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    dest = Path(dest) if dest else out / "export" / fmt
    dest.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    written = []
    try:
        for name in TABLES:
            if fmt == "parquet":
                path = dest / f"{name}.parquet"
                con.execute(f"COPY (SELECT * FROM {name}) TO '{path.as_posix()}' (FORMAT PARQUET)")
            else:
                path = dest / f"{name}.csv"
                cur = con.execute(f"SELECT * FROM {name}")
                cols = [d[0] for d in cur.description]
                encoding, newline = ("utf-8-sig", "\r\n") if fmt == "xlsx-csv" else ("utf-8", "\n")
                with path.open("w", encoding=encoding, newline="") as f:
                    w = csv.writer(f, lineterminator=newline)
                    w.writerow(cols)
                    for row in cur.fetchall():
                        w.writerow([_csv_value(v) for v in row])
            written.append(path)
    finally:
        con.close()
    return written


def write_alignment(out: Path | str, rows: list[BaseModel]) -> Path:
    """Replace `policy_alignment` in a run's DuckDB file and CSV (the `align` step)."""
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
            con.execute(f"COPY policy_alignment FROM '{tmp.as_posix()}' (HEADER, DELIMITER ',', QUOTE '\"', NULLSTR '')")
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
