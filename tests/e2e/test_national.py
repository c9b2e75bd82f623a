"""A national-size run (issue "Every plan in Japan on one machine"), checked on the sample
corpus: alignment unchanged, Parquet partitioned by prefecture, the report's national view."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

import planextract
from align_reference import align as reference_align, policy_lemmas as reference_lemmas
from planextract import pipeline
from planextract.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("national") / "out"
    pipeline.run(ROOT / "corpus", out)
    res = runner.invoke(app, ["align", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_sample_alignment_top3_lists_are_those_of_the_reference_implementation(out):
    con = planextract.connect(out)
    try:
        expected = reference_align(reference_lemmas(con))
        stored = con.execute("SELECT plan_id, policy_code, other_plan_id, other_policy_code, rank, score "
                             "FROM policy_alignment ORDER BY plan_id, policy_code, other_plan_id, rank").fetchall()
    finally:
        con.close()
    assert len(expected) > 300
    assert stored == sorted(expected, key=lambda r: (r[0], r[1], r[2], r[4]))


def test_parquet_partitioned_by_prefecture_reads_back_as_the_same_tables(out, tmp_path):
    import duckdb

    from planextract.store import TABLES

    dest = tmp_path / "pq"
    res = runner.invoke(app, ["export", "--out", str(out), "--format", "parquet", "--partition", "prefecture",
                              "--dest", str(dest)])
    assert res.exit_code == 0, res.output
    db = planextract.connect(out)
    with_roles = [r[0] for r in db.execute("SELECT DISTINCT prefecture FROM roles JOIN plans USING (plan_id)")
                  .fetchall()]
    db.close()
    assert with_roles
    # hive layout, the value percent-encoded: roles/prefecture=%E7%A5%9E…/
    assert sorted(p.name for p in (dest / "roles").iterdir()) == sorted(f"prefecture={quote(p)}" for p in with_roles)
    db = planextract.connect(out)
    reader = duckdb.connect()
    try:
        def parquet(table: str, sql: str):
            return reader.execute(sql.replace("TABLE", "read_parquet(?, hive_partitioning = true)"),
                                  [str(dest / table / "**" / "*.parquet")]).fetchall()

        for table in TABLES:
            assert parquet(table, "SELECT count(*) FROM TABLE") == \
                db.execute(f"SELECT count(*) FROM {table}").fetchall(), table
        by_prefecture = "SELECT prefecture, count(*) FROM {} GROUP BY ALL ORDER BY ALL"
        assert parquet("roles", by_prefecture.format("TABLE")) == db.execute(by_prefecture.format(
            "roles JOIN plans USING (plan_id)")).fetchall()
        assert parquet("plans", "SELECT plan_id, prefecture FROM TABLE ORDER BY ALL") == \
            db.execute("SELECT plan_id, prefecture FROM plans ORDER BY ALL").fetchall()
        assert len(db.execute("SELECT DISTINCT prefecture FROM plans").fetchall()) == 3
    finally:
        db.close()
        reader.close()


def test_partition_needs_parquet_and_a_known_column(out, tmp_path):
    for args in (["--format", "csv", "--partition", "prefecture"], ["--format", "parquet", "--partition", "city"]):
        res = runner.invoke(app, ["export", "--out", str(out), "--dest", str(tmp_path / "x"), *args])
        assert res.exit_code == 2 and "--partition takes prefecture" in res.output, res.output


def _on_a_terminal(args: list[str]) -> str:
    """What the CLI prints when stdout and stderr are a terminal (a pseudo-terminal here)."""
    import os
    import pty
    import subprocess
    import sys

    main, tty = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "planextract.cli", *args], stdout=tty, stderr=tty,
                            env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(tty)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["run", "align"])
def test_progress_bar_with_eta_on_a_terminal_only(out, tmp_path, command):
    args = (["run", "--corpus", str(ROOT / "corpus"), "--out", str(tmp_path / "out"), "--no-cache"]
            if command == "run" else ["align", "--out", str(out)])
    bar = re.compile(r"━+.* \d+/\d+.*ETA (-|\d):[-\d]{2}:[-\d]{2}")
    shown = _on_a_terminal(args)
    assert bar.search(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)), shown[-500:]
    if command == "run":
        args[args.index(str(tmp_path / "out"))] = str(tmp_path / "out2")
    piped = runner.invoke(app, args)  # not a terminal: no bar
    assert piped.exit_code == 0 and not bar.search(piped.output), piped.output


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium is installed by .ci/run")
def test_national_view_opens_in_headless_chromium_with_drill_down(out, tmp_path):
    import subprocess

    from planextract.report import write_report

    page = write_report(out, tmp_path / "report", national_above=3)  # 4 plans: the national view
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000", "--window-size=1400,1800"]
    text = page.read_text(encoding="utf-8")
    atsugi = re.search(r'<tr id="(plan-\d+)"><td>atsugi-6</td>', text).group(1)
    dom = subprocess.run(flags + ["--dump-dom", f"{page.as_uri()}#{atsugi}"], capture_output=True, text=True,
                         timeout=120).stdout
    assert re.search(r"<(canvas|svg)", dom), "the charts did not render"
    prefectures = re.search(r'<table class="prefectures">(.*?)</table>', dom, re.S).group(1)
    assert len(re.findall(r"<tr>", prefectures)) == 1 + 3  # header + 岩手県, 福島県, 神奈川県
    # the link to a plan opens its prefecture and marks its row
    assert re.search(rf'<details open="">(?:(?!</details>).)*<tr id="{atsugi}" class="found"><td>atsugi-6</td>',
                     dom, re.S)
