"""Issue 11 points 1-3: a run writes only what it owns; a wrong --corpus or --out is refused before
anything is written; exports, reports and the policy alignment survive a run."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import planextract
from planextract import pipeline
from planextract.cli import app
from planextract.errors import InputError
MARKER = ".planextract-out"  # the marker a run leaves in its --out folder

from samples import copy_corpus as _corpus

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(*args: str):
    return runner.invoke(app, ["run", "--jobs", "1", *args])


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


# ---- point 1: --out DIR never deletes what DIR holds


def test_a_folder_that_is_not_an_output_is_refused_and_left_alone(tmp_path):
    corpus = _corpus(tmp_path, ("sagamihara",))
    (tmp_path / "d" / "thesis").mkdir(parents=True)
    (tmp_path / "d" / "thesis" / "ch1.tex").write_text("x", encoding="utf-8")
    line = _one_line_error(_run("--corpus", str(corpus), "--out", str(tmp_path / "d")))
    assert "not empty and not a planextract output" in line and "--out" in line
    assert _digests(tmp_path / "d") == {"thesis/ch1.tex": hashlib.sha256(b"x").hexdigest()}


@pytest.mark.parametrize("where", ["corpus", "corpus/atsugi", "corpus/new"])
def test_out_equal_to_or_inside_the_corpus_is_refused(tmp_path, where):
    corpus = _corpus(tmp_path)
    before = _digests(corpus)
    line = _one_line_error(_run("--corpus", str(corpus), "--out", str(tmp_path / where)))
    assert "corpus" in line
    assert _digests(corpus) == before and not (tmp_path / "corpus/new").exists()


def test_out_holding_the_corpus_is_refused(tmp_path):
    out = tmp_path / "out"
    pipeline.run(_corpus(tmp_path, ("sagamihara",)), out)
    corpus = out / "corpus"
    shutil.copytree(ROOT / "corpus/sagamihara", corpus / "sagamihara")
    before = _digests(out)
    line = _one_line_error(_run("--corpus", str(corpus), "--out", str(out)))
    assert "holds the corpus" in line
    assert _digests(out) == before


def test_an_empty_folder_or_an_earlier_output_is_accepted(tmp_path):
    corpus = _corpus(tmp_path, ("sagamihara",))
    (tmp_path / "empty").mkdir()
    assert _run("--corpus", str(corpus), "--out", str(tmp_path / "empty")).exit_code == 0
    assert (tmp_path / "empty" / MARKER).is_file()
    assert _run("--corpus", str(corpus), "--out", str(tmp_path / "empty")).exit_code == 0


# ---- point 2: a wrong --corpus does not wipe the results


def test_a_city_folder_as_corpus_is_refused_and_the_output_kept(tmp_path):
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    assert _run("--corpus", str(corpus), "--out", str(out)).exit_code == 0
    before = _digests(out)
    line = _one_line_error(_run("--corpus", str(corpus / "atsugi"), "--out", str(out)))
    assert "no plan folder" in line and f"did you mean --corpus {corpus.resolve()}" in line
    assert _digests(out) == before
    # the API says the same
    with pytest.raises(InputError, match="did you mean"):
        pipeline.run(corpus / "atsugi", out)
    assert _digests(out) == before


def test_a_corpus_one_level_too_high_is_refused_with_a_hint(tmp_path):
    _corpus(tmp_path)
    with pytest.raises(InputError, match=r"did you mean --corpus .*corpus"):
        pipeline.run(tmp_path, tmp_path / "elsewhere" / "out")
    assert not (tmp_path / "elsewhere").exists()


# ---- point 3: exports, reports, other files and the alignment survive a run


def test_exports_reports_and_user_files_survive_a_run(tmp_path):
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    pipeline.run(corpus, out)
    planextract.export(out, "xlsx-csv", out / "excel")
    (out / "report").mkdir()
    (out / "report" / "index.html").write_text("<html>report</html>", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    kept = {k: v for k, v in _digests(out).items() if k.startswith(("excel/", "report/", "notes.txt"))}
    assert len(kept) > 10
    (corpus / "atsugi" / "taikeizu.pdf").unlink()  # the next run's tables differ
    pipeline.run(corpus, out)
    after = _digests(out)
    assert {k: after.get(k) for k in kept} == kept


def test_alignment_is_kept_when_its_inputs_are_unchanged_and_the_summary_says_when_emptied(tmp_path):
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    pipeline.run(corpus, out)
    planextract.align(out)

    def alignment() -> list:
        con = planextract.connect(out)
        try:
            return con.execute("SELECT * FROM policy_alignment ORDER BY ALL").fetchall()
        finally:
            con.close()

    aligned = alignment()
    assert aligned
    result = pipeline.run(corpus, out)
    assert alignment() == aligned
    assert (out / "csv/policy_alignment.csv").read_bytes().count(b"\n") == len(aligned) + 1
    assert any("policy_alignment kept" in n for n in result.notes)

    shutil.rmtree(corpus / "sagamihara")
    shutil.copytree(ROOT / "corpus/ichinoseki", corpus / "ichinoseki")
    result = pipeline.run(corpus, out)
    assert alignment() == []
    assert any("planextract align" in n for n in result.notes)
    cli = _run("--corpus", str(corpus), "--out", str(out))
    assert cli.exit_code == 0 and "policy_alignment" not in cli.output  # nothing aligned, nothing to say
    planextract.align(out)
    assert "policy_alignment kept" in _run("--corpus", str(corpus), "--out", str(out)).output


def test_a_folder_holding_only_the_runs_own_log_is_accepted(tmp_path):
    """`planextract run --out d > d/log`: the shell creates d/log before the run starts. That file
    is this run's own output stream, not someone's data, so the folder is accepted; any other
    file still makes it a foreign folder (the workplace's before-stop hook runs exactly this)."""
    import subprocess
    import sys

    corpus = _corpus(tmp_path, cities=("atsugi",))
    out = tmp_path / "o"
    out.mkdir()
    cmd = [sys.executable, "-m", "planextract.cli", "run", "--jobs", "1", "--corpus", str(corpus), "--out", str(out)]
    with (out / "log").open("w") as log:
        done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
    assert done.returncode == 0, (out / "log").read_text()
    assert (out / "csv" / "nodes.csv").is_file() and (out / MARKER).is_file()
    other = tmp_path / "p"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with (other / "log").open("w") as log:
        done = subprocess.run([*cmd[:-1], str(other)], stdout=log, stderr=subprocess.STDOUT)
    assert done.returncode == 2 and (other / "notes.txt").read_text() == "mine"
