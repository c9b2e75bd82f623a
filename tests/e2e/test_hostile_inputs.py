"""Hostile input stays harmless (issue 13), and one bad plan.yaml never sinks the run (issue 11
point 5): crafted plan folders, names and paths through the whole pipeline, the exports and the
report (opened in headless Chromium)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import unicodedata
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

import planextract
from planextract import pipeline
from planextract.cli import app

from samples import copy_corpus as _corpus, quick_scores as _scores, QUICK as GOOD

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

SCRIPT = "x</script><script>document.body.setAttribute('data-pwned','script')</script>"
COMMENT = "x<!--<script>"
IMG = "<img src=x id=injected onerror=\"document.body.setAttribute('data-pwned','img')\">"




def _problems(result) -> list:
    return list(result.problems) + [p for plan in result.plans for p in plan.problems]



# ----------------------------------------------------------------------------- 1. the report


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium is installed by .ci/run")
def test_report_of_hostile_names_injects_nothing_in_chromium(tmp_path):
    """Names that end a <script>, open a comment or carry an element: in a table cell, in the
    charts' JSON, in a theme's <summary>. The browser must show them as text and run nothing."""
    corpus = _corpus(tmp_path, ["atsugi"])
    meta = yaml.safe_load((corpus / "atsugi" / "plan.yaml").read_text(encoding="utf-8"))
    meta["city"] = IMG
    (corpus / "atsugi" / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    pipeline.run(corpus, out)
    # What validate now refuses (plan ids of any form, a theme of any name) may still sit in a
    # database written by an older version or by hand: the report must be safe for it too.
    con = duckdb.connect(str(out / "planextract.duckdb"))
    con.execute("UPDATE plans SET plan_id = ?", [SCRIPT])
    con.execute("INSERT INTO plans SELECT ?, city, city_code, prefecture, ?, edition, period_start_fy, "
                "period_end_fy, ? FROM plans", [COMMENT, IMG, SCRIPT])
    con.execute("UPDATE themes SET theme = ? WHERE theme = (SELECT min(theme) FROM item_themes)", [IMG])
    con.execute("UPDATE item_themes SET theme = ? WHERE theme = (SELECT min(theme) FROM item_themes)", [IMG])
    con.execute("UPDATE roles SET text = ?", [SCRIPT])
    con.execute("UPDATE actions SET text = ?", [IMG])
    con.close()
    res = runner.invoke(app, ["report", "--out", str(out), "--dest", str(tmp_path / "report")])
    assert res.exit_code == 0, res.output
    page = tmp_path / "report" / "index.html"
    html_text = page.read_text(encoding="utf-8")
    assert SCRIPT not in html_text and COMMENT not in html_text and IMG not in html_text
    browser = _chromium()
    assert browser, "Chromium is missing (.ci/run installs Debian's chromium)"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000", "--window-size=1400,1800"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "<body" in dom, "Chromium gave no DOM"
    assert not re.search(r'data-pwned="', dom), "a hostile name ran its script"  # as text it is fine
    assert not re.search(r"<img[^>]*injected", dom), "a hostile name became an element"
    assert len(re.findall(r"<script", dom)) == len(re.findall(r"<script", html_text))  # no script added
    assert re.search(r"<(canvas|svg)", dom), "the charts did not render"
    assert "&lt;img src=x id=injected" in dom  # shown as the text it is
    plans_table = re.search(r'<table class="plans">(.*?)</table>', dom, re.S).group(1)
    assert len(re.findall(r"<tr>", plans_table)) == 1 + 2


# ----------------------------------------------------------------------------- plan.yaml


def _fifo(path: Path) -> None:
    os.mkfifo(path)


PLAN_YAML_CASES = {
    "edition out of range": ("write", 'city: 厚木市\ncity_code: "142123"\nedition: 99999999999\n',
                             "line 3, key 'edition'"),
    "not UTF-8": ("bytes", 'city: 厚木市\ncity_code: "142123"\n'.encode("cp932"), "not UTF-8 text"),
    "a folder named plan.yaml": ("mkdir", None, "plan.yaml: not a regular file"),
    "a FIFO named plan.yaml": ("fifo", None, "plan.yaml: not a regular file"),
    "slug that is markup": ("write", 'city: 厚木市\ncity_code: "142123"\nslug: "x</script><script>"\n',
                            "line 3, key 'slug'"),
    "unknown key": ("write", 'city: 厚木市\ncity_code: "142123"\nslugg: atsugi\n', "line 3, key 'slugg'"),
    "link out of its folder": ("link", None, "a symbolic link out of its plan folder"),
}


@pytest.mark.parametrize("case", list(PLAN_YAML_CASES))
def test_a_bad_plan_yaml_is_a_problem_of_its_plan_only(tmp_path, baseline, case):
    how, content, message = PLAN_YAML_CASES[case]
    corpus = _corpus(tmp_path, (*GOOD, "ichinoseki"))
    target = corpus / "ichinoseki" / "plan.yaml"
    target.unlink()
    if how == "write":
        target.write_text(content, encoding="utf-8")
    elif how == "bytes":
        target.write_bytes(content)
    elif how == "mkdir":
        target.mkdir()
    elif how == "fifo":
        _fifo(target)
    else:
        (tmp_path / "elsewhere.yaml").write_text('city: 一関市\ncity_code: "032093"\n', encoding="utf-8")
        target.symlink_to(tmp_path / "elsewhere.yaml")
    result = pipeline.run(corpus, tmp_path / "out")
    mine = [p for p in result.problems if p.doc_path == "ichinoseki"]
    assert len(mine) == 1 and message in mine[0].message and "\n" not in mine[0].message, mine
    assert sorted(p.plan.plan_id for p in result.plans) == ["atsugi-6", "sagamihara-5"]
    assert _scores(tmp_path / "out") == baseline
    assert any(message in m for m in pipeline.validate(corpus))


def test_a_folder_name_that_is_not_a_slug_asks_to_rename_or_set_slug(tmp_path, baseline):
    corpus = _corpus(tmp_path)
    shutil.copytree(ROOT / "corpus" / "ichinoseki", corpus / COMMENT)
    result = pipeline.run(corpus, tmp_path / "out")
    mine = [p for p in result.problems if p.doc_path == COMMENT]
    assert len(mine) == 1 and "rename the folder or set `slug:`" in mine[0].message, mine
    assert _scores(tmp_path / "out") == baseline
    # with a slug set, the plan is read under it
    with (corpus / COMMENT / "plan.yaml").open("a", encoding="utf-8") as f:
        f.write("slug: ichinoseki\n")
    result = pipeline.run(corpus, tmp_path / "out2")
    assert "ichinoseki-2" in [p.plan.plan_id for p in result.plans]


# ----------------------------------------------------------------------------- 4. corpus files


def test_links_out_of_the_corpus_and_special_files_are_skipped_and_reported(tmp_path, baseline):
    corpus = _corpus(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (corpus / "atsugi" / "p.md").symlink_to(secret)
    outside = tmp_path / "outside" / "evil"
    shutil.copytree(ROOT / "corpus" / "ichinoseki", outside)
    (corpus / "linked").symlink_to(outside, target_is_directory=True)
    _fifo(corpus / "atsugi" / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(corpus / "sagamihara" / "sock.md"))
    (corpus / "sagamihara" / "folder.pdf").mkdir()
    (corpus / "atsugi" / "inside.md").symlink_to(corpus / "atsugi" / "taikeizu_text.txt")  # inside: read
    try:
        result = pipeline.run(corpus, tmp_path / "out")
    finally:
        sock.close()
    got = {p.doc_path: p.message for p in _problems(result) if p.stage == "corpus"}
    assert sorted(got) == ["atsugi/fifo.txt", "atsugi/p.md", "linked", "sagamihara/folder.pdf", "sagamihara/sock.md"]
    assert "outside the corpus" in got["atsugi/p.md"] and "outside the corpus" in got["linked"]
    assert "not a regular file" in got["atsugi/fifo.txt"] and "not a regular file" in got["sagamihara/sock.md"]
    assert [p.plan.plan_id for p in result.plans] == ["atsugi-6", "sagamihara-5"]
    assert any(d.path == "atsugi/inside.md" for p in result.plans for d in p.documents)
    for table in ("unassigned", "roles", "actions", "nodes", "tokens"):
        assert "root:x:0:0" not in (tmp_path / "out" / "csv" / f"{table}.csv").read_text(encoding="utf-8")
    with (tmp_path / "out" / "csv" / "problems.csv").open(encoding="utf-8") as f:
        assert {r["doc_path"] for r in csv.DictReader(f) if r["stage"] == "corpus"} == set(got)


# ----------------------------------------------------------------------------- 2, 3. exports


@pytest.fixture(scope="module")
def formula_run(tmp_path_factory):
    """A run whose text holds what a spreadsheet would take for formulas, under an --out with a
    quote in its name."""
    tmp = tmp_path_factory.mktemp("formula")
    corpus = _corpus(tmp, ["atsugi"])
    (corpus / "atsugi" / "notes.md").write_text(
        '=HYPERLINK("http://example.invalid/?x","見守り")\n\n+1+2\n\n@SUM(A1:A9)\n\n普通の文です。\n',
        encoding="utf-8")
    out = tmp / "o'ut; DROP TABLE plans; --"
    res = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_xlsx_csv_export_neutralises_formulas(formula_run, tmp_path):
    res = runner.invoke(app, ["export", "--out", str(formula_run), "--format", "xlsx-csv", "--dest", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
    with (tmp_path / "x" / "unassigned.csv").open(encoding="utf-8-sig", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    formulas = [t for t in texts if t.lstrip("'")[:1] in ("=", "+", "-", "@")]
    assert len(formulas) == 3, texts  # (a line starting with "-" is a list item: see the unit test)
    assert all(t.startswith("'") for t in formulas), formulas
    assert "普通の文です。" in texts  # ordinary text as it was
    with (tmp_path / "x" / "documents.csv").open(encoding="utf-8-sig", newline="") as f:
        assert all(re.fullmatch(r"\d+", r["n_pages"]) for r in csv.DictReader(f))  # numbers stay numbers
    # the plain CSV export keeps the data as it is
    res = runner.invoke(app, ["export", "--out", str(formula_run), "--format", "csv", "--dest", str(tmp_path / "c")])
    with (tmp_path / "c" / "unassigned.csv").open(encoding="utf-8", newline="") as f:
        assert '=HYPERLINK("http://example.invalid/?x","見守り")' in [r["text"] for r in csv.DictReader(f)]


def test_quotes_in_paths_never_become_sql(formula_run, tmp_path, monkeypatch):
    """The run above wrote under an --out with a quote; align rewrites a table there; a --dest
    that would close the COPY string and start a second COPY writes only parquet files."""
    assert runner.invoke(app, ["align", "--out", str(formula_run)]).exit_code == 0
    con = duckdb.connect(str(formula_run / "planextract.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM plans").fetchone() == (1,)
    con.close()
    monkeypatch.chdir(tmp_path)  # where a second COPY … TO 'y' would write
    dest = tmp_path / "x' (FORMAT CSV); COPY (SELECT 42) TO 'y"
    res = runner.invoke(app, ["export", "--out", str(formula_run), "--format", "parquet", "--dest", str(dest)])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "y").exists() and not list(tmp_path.glob("x' (FORMAT CSV)*.parquet"))
    con = duckdb.connect()
    assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(dest / "plans.parquet")]).fetchone() == (1,)


def test_no_sql_text_is_built_from_a_path():
    """No COPY … TO/FROM '<path>' left in the code: paths reach DuckDB as parameters or arguments."""
    for path in Path(planextract.__file__).parent.rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"COPY[^\n]*'\{", code), path
        assert not re.search(r"(FROM|TO) '\{", code), path


# ----------------------------------------------------------------------------- 7. format characters


def test_format_characters_never_reach_the_output(tmp_path, baseline):
    corpus = _corpus(tmp_path)
    for src in (corpus / "atsugi").glob("*.txt"):
        text = src.read_text(encoding="utf-8")
        src.write_text("\ufeff" + "".join(ch + ("\u202e" if i % 7 == 3 else "\u200b" if i % 11 == 5 else "")
                                          for i, ch in enumerate(text)), encoding="utf-8")
    (corpus / "atsugi" / "taikeizu.pdf").unlink()  # the text rendition is read
    meta = (corpus / "atsugi" / "plan.yaml").read_text(encoding="utf-8")
    (corpus / "atsugi" / "plan.yaml").write_text(meta.replace("厚木市", "厚木\u202e市"), encoding="utf-8")
    pipeline.run(corpus, tmp_path / "out")
    assert _scores(tmp_path / "out") == baseline
    for table in (tmp_path / "out" / "csv").glob("*.csv"):
        text = table.read_text(encoding="utf-8")
        assert not [ch for ch in text if unicodedata.category(ch) == "Cf"], table.name
