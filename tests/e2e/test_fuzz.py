"""Mutated copies of the sample PDFs through ingest: a clear InputError or a result, never a crash.

CI runs a short seeded round; `make fuzz` runs the long one (PLANEXTRACT_FUZZ_EXAMPLES=1000).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pymupdf
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from planextract.errors import InputError
from planextract.ingest import ingest_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "corpus").glob("*/*.pdf"))
EXAMPLES = int(os.environ.get("PLANEXTRACT_FUZZ_EXAMPLES", "40"))

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def flip_bytes(data: bytes, positions: list[int], values: list[int]) -> bytes:
    b = bytearray(data)
    for p, v in zip(positions, values):
        b[p % len(b)] = v
    return bytes(b)


def truncate(data: bytes, fraction: float) -> bytes:
    return data[: max(1, int(len(data) * fraction))]


def delete_object(data: bytes, which: int) -> bytes:
    objs = list(re.finditer(rb"\d+ 0 obj.*?endobj", data, re.S))
    if not objs:
        return data
    m = objs[which % len(objs)]
    return data[: m.start()] + data[m.end():]


mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.integers(0, 10**7), min_size=1, max_size=40),
              st.lists(st.integers(0, 255), min_size=40, max_size=40)),
    st.tuples(st.just("truncate"), st.floats(0.0, 0.999)),
    st.tuples(st.just("delete"), st.integers(0, 10**4)),
)


def mutate(data: bytes, m) -> bytes:
    if m[0] == "flip":
        return flip_bytes(data, m[1], m[2])
    if m[0] == "truncate":
        return truncate(data, m[1])
    return delete_object(data, m[1])


@pytest.fixture(scope="module")
def samples():
    return [p.read_bytes() for p in SAMPLES if p.stat().st_size < 500_000]


@seed(20261122)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
@given(which=st.integers(0, 10), m=mutation)
def test_mutated_pdfs_never_crash(tmp_path_factory, rules, samples, which, m):
    data = mutate(samples[which % len(samples)], m)
    corpus = tmp_path_factory.mktemp("fuzz")
    path = corpus / "c" / "mutated.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        doc = ingest_document(path, corpus, "c", rules)
    except InputError as e:
        assert str(e).startswith(str(path))
        return
    assert doc.info.n_pages >= 1
