"""planextract: Japanese municipal welfare plans (地域福祉計画) → structured, comparable data.

The Python API mirrors the command line: each command has a function of the same name taking the
same options (planextract/api.py), returning data instead of printing it.

>>> import planextract
>>> result = planextract.run("corpus", "out")            # planextract run
>>> doc = planextract.extract("corpus/atsugi/taikeizu.pdf")  # one document → Document
>>> con = planextract.connect("out")                     # the run's DuckDB, read-only
>>> con.sql("SELECT plan_id, count(*) FROM roles GROUP BY 1").fetchall()
>>> planextract.align("out")                             # planextract align
>>> planextract.search("見守る", actor="社協")             # planextract search
"""

from __future__ import annotations

from .errors import InputError, PlanextractError, RulesError, SchemaError
from .models import RunResult as Result
from .models import SegmentedDocument as Document
from .pipeline import extract
from .store import DB_NAME

# Imported last: a twin named like a module of the package (score, report, compare, inspect)
# must be the function, and the modules are already imported by .api.
from .api import (Matrix, Score, align, compare, connect, export, init, inspect, report, run, score,  # noqa: E402
                  search, similar, validate)

__all__ = ["run", "extract", "connect", "export", "validate", "align", "score", "init", "inspect", "compare",
           "search", "similar", "report", "Result", "Document", "Score", "Matrix",
           "PlanextractError", "InputError", "RulesError", "SchemaError"]
