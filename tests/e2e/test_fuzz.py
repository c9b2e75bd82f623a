"""Mutated copies of the sample PDFs through ingest, mutated text renditions through ingest and
segment, and crafted plan.yaml files: a clear error or a result, never a crash.

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

from planextract.errors import InputError, PlanextractError
from planextract.ingest import ingest_document
from planextract.models import SLUG_PATTERN
from planextract.normalise import FORMAT_CHARS
from planextract.pipeline import read_plan_meta
from planextract.prefectures import valid_code
from planextract.segment import segment_document

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


def ingest_mutated(tmp_path_factory, rules, name: str, data: bytes):
    """Ingest mutated bytes as a document of a fresh corpus: the document, or None when ingest
    refused it with a clear InputError naming the file (anything else fails the test)."""
    corpus = tmp_path_factory.mktemp("fuzz")
    path = corpus / "c" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        return ingest_document(path, corpus, "c", rules)
    except InputError as e:
        assert str(e).startswith(str(path))
        return None


@pytest.fixture(scope="module")
def samples():
    return [p.read_bytes() for p in SAMPLES if p.stat().st_size < 500_000]


@seed(20261122)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
@given(which=st.integers(0, 10), m=mutation)
def test_mutated_pdfs_never_crash(tmp_path_factory, rules, samples, which, m):
    doc = ingest_mutated(tmp_path_factory, rules, "mutated.pdf", mutate(samples[which % len(samples)], m))
    if doc is not None:
        assert doc.info.n_pages >= 1


# ----------------------------------------------------------------------------- text renditions

TEXT_SAMPLES = sorted((ROOT / "corpus").glob("*/*.txt"))

# What crafted text renditions hold: tab runs, table and markdown syntax, format characters,
# other encodings' bytes, long lines.
hostile_text = st.lists(st.sampled_from(
    ["\t", "\t\t\t", "|", "| --- |", "#", "## ", "- ", "・", "①", "基本目標1", "施策", "市民", "<td>", "</tr>",
     "\u202e", "\u200b", "\ufeff", "\u2028", "\r", "\n", "\x00", "\udcff", "=HYPERLINK(\"x\")", "a" * 500,
     "（", "）", "第99期", "令和99年度"]), min_size=1, max_size=60).map("".join)

text_mutation = st.one_of(
    mutation,
    st.tuples(st.just("insert"), st.integers(0, 10**7), hostile_text),
)


def mutate_text(data: bytes, m) -> bytes:
    if m[0] == "insert":
        at = m[1] % (len(data) + 1)
        return data[:at] + m[2].encode("utf-8", "surrogatepass") + data[at:]
    return mutate(data, m)


@pytest.fixture(scope="module")
def text_samples():
    return [p.read_bytes() for p in TEXT_SAMPLES]


@seed(20261123)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
@given(which=st.integers(0, 10), m=text_mutation)
def test_mutated_text_renditions_never_crash(tmp_path_factory, rules, text_samples, which, m):
    doc = ingest_mutated(tmp_path_factory, rules, "mutated.source.txt",
                         mutate_text(text_samples[which % len(text_samples)], m))
    if doc is None:
        return
    seg = segment_document(doc, rules)
    texts = [n.title for n in seg.nodes] + [r.text for r in seg.roles] + [u.text for u in seg.unassigned]
    assert not [t for t in texts if FORMAT_CHARS.search(t)]  # never in what goes out


# ----------------------------------------------------------------------------- plan.yaml

PLAN_YAML = 'city: 厚木市\ncity_code: "142123"\n'
yaml_piece = st.one_of(
    st.sampled_from(["slug: ", "edition: ", "prefecture: ", "city: ", "city_code: ", "\n", "  ", "- ", "[", "]",
                     "{", "}", "&a ", "*a", "!!python/object:os.system ", "'", '"', "#", "yes", "~", "99999999999",
                     "-1", "x</script>", "\u202e", "\xff", "\ufeff", ": ", "? ", "---\n", "...\n"]),
    st.text(max_size=8),
)
plan_yaml = st.one_of(
    st.lists(yaml_piece, max_size=30).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    st.tuples(st.just(PLAN_YAML), st.lists(yaml_piece, max_size=10))
      .map(lambda t: (t[0] + "".join(t[1])).encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
)


@seed(20261123)
@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=plan_yaml, folder=st.sampled_from(["atsugi", "x<!--<script>", "Atsugi", "a-1"]))
def test_any_plan_yaml_gives_metadata_or_a_one_line_problem(tmp_path_factory, content, folder):
    path = tmp_path_factory.mktemp("fuzz") / folder / "plan.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    try:
        meta = read_plan_meta(path.parent)
    except PlanextractError as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)
        return
    assert re.fullmatch(SLUG_PATTERN, meta.slug)
    assert meta.edition is None or 1 <= meta.edition <= 999
    assert valid_code(meta.city_code)
