"""planextract: Japanese municipal welfare plans (地域福祉計画) → structured, comparable data.

The Python API mirrors the command line:

>>> import planextract
>>> result = planextract.run("corpus", "out")            # planextract run
>>> doc = planextract.extract("corpus/atsugi/taikeizu.pdf")  # planextract inspect (one document)
>>> con = planextract.connect("out")                     # the run's DuckDB, read-only
>>> con.sql("SELECT plan_id, count(*) FROM roles GROUP BY 1").fetchall()
>>> planextract.align("out")                             # planextract align
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import InputError, PlanextractError, RulesError, SchemaError
from .models import RunResult as Result
from .models import SegmentedDocument as Document
from .pipeline import extract, run, validate
from .store import DB_NAME, export

__all__ = ["run", "extract", "connect", "export", "validate", "align", "Result", "Document",
           "PlanextractError", "InputError", "RulesError", "SchemaError"]


def align(out: Path | str = "out", max_other_plans: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> Path:
    """Compute `policy_alignment` for a run's plans (every plan against every other one): each
    policy's 3 most similar policies in each other plan; beyond `max_other_plans` other plans
    (default 40; 0: no limit) in the plans that match it best. `progress(done, total)` as policies
    are done."""
    from .compare import MAX_OTHER_PLANS, alignment_rows
    from .store import write_alignment

    con = connect(out)
    try:
        rows = alignment_rows(con, max_other_plans=MAX_OTHER_PLANS if max_other_plans is None else max_other_plans,
                              progress=progress)
    finally:
        con.close()
    return write_alignment(out, rows)


def connect(out: Path | str = "out"):
    """The DuckDB database a run wrote, opened read-only."""
    import duckdb

    db = Path(out) / DB_NAME
    if not db.exists():
        raise InputError(f"{db}: not found; run `planextract run` first")
    return duckdb.connect(str(db), read_only=True)
