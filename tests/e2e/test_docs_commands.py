"""The docs cannot drift from the program (issue 12 point 9): every command shown in README.md and
docs/tutorial-new-city.md runs, top to bottom, in a copy of the repository's corpus; each ```text
block after a ```sh block has the shape of what the block's last command prints; every link of the
docs stays inside the repository."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/tutorial-new-city.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
NUMBER = re.compile(r"^(–|-?\d+(\.\d+)?)$")


def blocks(doc: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer((ROOT / doc).read_text(encoding="utf-8"))]


def commands(body: str) -> list[list[str]]:
    """The command lines of a ```sh block as argument lists, the project's venv replaced by this
    interpreter; `make` lines (they run this test suite) are left out."""
    out = []
    for line in body.splitlines():
        args = shlex.split(line, comments=True)
        if not args or args[0] == "make":
            continue
        if args[0] == ".venv/bin/planextract":
            args = [sys.executable, "-m", "planextract.cli", *args[1:]]
        elif args[0] == ".venv/bin/python":
            args = [sys.executable, *args[1:]]
        else:
            raise AssertionError(f"a command the test does not know how to run: {line}")
        out.append(args)
    return out


def shape(line: str) -> str:
    """A line with its numbers masked: the columns and words must match, the figures may change."""
    return " ".join("#" if NUMBER.match(t) else t for t in line.split())


def assert_shape(sample: str, output: str, where: str) -> None:
    """Every line of the sample (but `⋮`) appears, in order, among the lines of the output."""
    got = [shape(ln) for ln in output.splitlines() if ln.strip()]
    i = 0
    for line in sample.splitlines():
        if not line.strip() or line.strip() == "⋮":
            continue
        want = shape(line)
        while i < len(got) and got[i] != want:
            i += 1
        assert i < len(got), f"{where}: the docs show {line.strip()!r}, the program does not print it:\n{output}"
        i += 1


@pytest.fixture
def workdir(tmp_path):
    """A copy of what the docs' commands read: corpus/, tests/gold/, docs/examples/."""
    for part in ("corpus", "tests/gold", "docs/examples"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.rmtree(tmp_path / "corpus" / "sakurano", ignore_errors=True)
    return tmp_path


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_of_the_docs_runs_and_prints_what_they_show(doc, workdir):
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    last_output, ran = None, 0
    for lang, body in blocks(doc):
        if lang == "sh":
            for args in commands(body):
                res = subprocess.run(args, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
                shown = " ".join(args[2:] if args[1] == "-m" else args[1:])
                assert res.returncode == 0, f"{doc}: `{shown}` exited {res.returncode}:\n{res.stdout}{res.stderr}"
                assert "Traceback" not in res.stderr, res.stderr
                last_output, ran = res.stdout + res.stderr, ran + 1
        elif lang == "text":
            assert last_output is not None, f"{doc}: sample output before any command"
            assert_shape(body, last_output, doc)
        elif lang == "python":
            res = subprocess.run([sys.executable, "-c", body], cwd=workdir, env=env, capture_output=True, text=True,
                                 timeout=600)
            assert res.returncode == 0, f"{doc}: the python block fails:\n{res.stderr}"
    assert ran >= 5


def test_shape_tells_a_wrong_sample_from_a_right_one():
    output = "plan  nodes roles\n────\natsugi-6  12  0\n"
    assert_shape("plan nodes roles\natsugi-6 99 –", output, "t")
    with pytest.raises(AssertionError):
        assert_shape("plan nodes coverage", output, "t")


@pytest.mark.parametrize("doc", DOCS + ["docs/faq.md", "docs/rules.md", "docs/schema.md"])
def test_links_stay_inside_the_repository(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if re.match(r"https?://", target):
            continue
        path = ((ROOT / doc).parent / target).resolve()
        assert path.is_relative_to(ROOT), f"{doc}: {target} is outside the repository"
        assert path.exists(), f"{doc}: {target} does not exist"
