"""Hostile input stays harmless (issue 13): crafted files cost little time, and what they hold
never becomes markup, a formula, SQL or a path outside the corpus."""

from __future__ import annotations

import json
import random
import sys
import time
import unicodedata
import zlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from planextract.errors import InputError
from planextract.ingest import ingest_document
from planextract.ingest import pdf as pdf_ingest
from planextract.ingest.layout import RawLine, _y_overlap, merge_same_row
from planextract.models import PlanMeta
from planextract.newcity import init_city
from planextract.normalise import clean_text
from planextract.pipeline import read_plan_meta, validate
from planextract.report import ScriptSafeJSONEncoder, script_safe_json
from planextract.segment import segment_document
from planextract.store import spreadsheet_safe

# ----------------------------------------------------------------------------- layout time


def many_short_lines_pdf(rows: int, cols: int) -> bytes:
    """A PDF of rows × cols one-letter lines, none joining another (10 pt apart at 2 pt): a few
    hundred bytes, since the repeated drawing commands compress to almost nothing."""
    row = b"(a) Tj 10 0 Td " * cols + b"-%d -3 Td\n" % (10 * cols)
    content = zlib.compress(b"BT /F1 2 Tf 20 830 Td\n" + row * rows + b"ET", 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def merge_same_row_all_pairs(lines: list[RawLine], max_gap_em: float = 1.6) -> list[RawLine]:
    """The definition merge_same_row keeps: each line joins the first row it continues."""
    rows: list[RawLine] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox[0], ln.bbox[1])):
        for k, cur in enumerate(rows):
            gap = ln.bbox[0] - cur.bbox[2]
            em = max(cur.size, ln.size)
            if (not cur.vertical and not ln.vertical and _y_overlap(cur, ln) >= 0.6
                    and -1.0 <= gap <= max_gap_em * em and abs(cur.size - ln.size) <= 0.35 * em):
                sep = " " if gap > 0.25 * em else ""
                rows[k] = RawLine(cur.text + sep + ln.text, (cur.bbox[0], min(cur.bbox[1], ln.bbox[1]),
                                                            ln.bbox[2], max(cur.bbox[3], ln.bbox[3])),
                                  max(cur.size, ln.size))
                break
        else:
            rows.append(RawLine(ln.text, ln.bbox, ln.size, ln.vertical))
    return rows


def test_merge_same_row_gives_what_comparing_all_pairs_gives():
    rnd = random.Random(20261123)
    for _ in range(1500):
        lines = []
        for i in range(rnd.randint(0, 40)):
            x0 = rnd.choice([rnd.uniform(0, 200), rnd.randint(0, 20) * 10.0])
            y0 = rnd.choice([rnd.uniform(0, 100), rnd.randint(0, 10) * 12.0])
            size = rnd.choice([10.0, 10.5, 8.0, 14.0, rnd.uniform(0, 30), 0.0])
            height = rnd.choice([size, size * 1.2, rnd.uniform(-1, 40), 0.0, float("inf")])
            lines.append(RawLine(f"t{i}", (x0, y0, x0 + rnd.uniform(-2, 60), y0 + height), size,
                                 rnd.random() < 0.05))
        assert merge_same_row(lines) == merge_same_row_all_pairs(lines)


def test_pdf_of_many_short_lines_lays_out_fast(tmp_path, rules, monkeypatch):
    """Issue 13 point 5: a sub-kilobyte PDF of ~6,000 short lines took 16 s in merge_same_row."""
    path = tmp_path / "c" / "lines.pdf"
    path.parent.mkdir()
    path.write_bytes(many_short_lines_pdf(110, 55))
    assert path.stat().st_size < 1200
    spent = []

    def timed(lines):
        started = time.perf_counter()
        rows = merge_same_row(lines)
        spent.append(time.perf_counter() - started)
        return rows

    monkeypatch.setattr(pdf_ingest, "merge_same_row", timed)
    started = time.perf_counter()
    doc = ingest_document(path, tmp_path, "c", rules)
    total = time.perf_counter() - started
    assert sum(len(p.blocks) for p in doc.pages) == 110 * 55  # every letter kept, none joined
    assert sum(spent) < 1.0, f"merge_same_row took {sum(spent):.2f} s"
    assert total < 5.0, f"ingest took {total:.2f} s"


def test_text_line_of_50000_tab_cells_is_read_fast(tmp_path, rules):
    """Issue 13 point 5: one line of 50,000 tab-separated cells took 130 s (segment/tables.give_back)."""
    path = tmp_path / "c" / "wide.txt"
    path.parent.mkdir()
    path.write_text("\t".join(f"c{i}" for i in range(50_000)) + "\n", encoding="utf-8")
    started = time.perf_counter()
    seg = segment_document(ingest_document(path, tmp_path, "c", rules), rules)
    took = time.perf_counter() - started
    assert [u.text for u in seg.unassigned] == [f"c{i}" for i in range(50_000)]  # nothing dropped
    assert took < 60.0, f"reading took {took:.1f} s"  # 2-7 s now (load-dependent); minutes before


# ----------------------------------------------------------------------------- report, exports


def test_json_for_a_script_cannot_end_it():
    hostile = {"plan": "x</script><script>alert(1)</script>", "b": "x<!--<script>", "c": "a&b]]>", "d": "\u2028\u2029"}
    text = json.dumps(hostile, cls=ScriptSafeJSONEncoder, ensure_ascii=False)
    assert not set("<>&\u2028\u2029") & set(text)
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == hostile  # the same values once parsed
    assert script_safe_json('"</SCRIPT>"') == '"\\u003c/SCRIPT\\u003e"'


@pytest.mark.parametrize("value,expected", [
    ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("見守り活動の実施", "見守り活動の実施"), ("1-2", "1-2"), ("", ""),
    (-1, -1), (2.5, 2.5), (None, None),  # numbers of numeric columns stay numbers
])
def test_spreadsheet_safe_neutralises_formula_starts(value, expected):
    assert spreadsheet_safe(value) == expected


# ----------------------------------------------------------------------------- plan.yaml, init


@pytest.mark.parametrize("slug", ["x</script><script>", "x<!--<script>", "Atsugi", "a_b", "", "a b", "厚木"])
def test_plan_meta_slug_is_lower_case_letters_digits_and_hyphens(slug):
    with pytest.raises(ValidationError):
        PlanMeta(slug=slug, city="厚木市", city_code="142123")


@pytest.mark.parametrize("edition", [0, -1, 1000, 99999999999])
def test_plan_meta_edition_is_bounded(edition):
    with pytest.raises(ValidationError):
        PlanMeta(slug="atsugi", city="厚木市", city_code="142123", edition=edition)
    assert PlanMeta(slug="atsugi-2", city="厚木市", city_code="142123", edition=6).edition == 6


CITIES = ["さくら野市", "x\nslug: evil\nedition: 3", "さくら # 野市", "yes", "[1,2]", "null", "~", " lead", "- x",
          "&a", "*a", "!tag", "%x", "'", '"', "1e3", "0x1F", "x\x85y", "x\u2028y", "x\r\ny", "{a: 1}", "a: b",
          "---", "\x00"]


@pytest.mark.parametrize("city", CITIES, ids=range(len(CITIES)))
def test_init_writes_a_city_that_reads_back_as_written(tmp_path, city):
    init_city(tmp_path / "sakurano", city, "139998")
    meta = read_plan_meta(tmp_path / "sakurano")
    assert (meta.city, meta.slug, meta.edition) == (city, "sakurano", None)


def test_init_refuses_a_folder_name_that_is_not_a_slug(tmp_path):
    for name in ("Sakurano", "saku_rano", "x<b>"):
        with pytest.raises(InputError, match="romaji slug"):
            init_city(tmp_path / name, "さくら野市", "139998")


def test_validate_names_file_line_and_key_of_an_unknown_key(tmp_path):
    folder = tmp_path / "corpus" / "sakurano"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text('city: さくら野市\ncity_code: "139998"\nslugg: x\n', encoding="utf-8")
    messages = validate(tmp_path / "corpus")
    assert [m for m in messages if "plan.yaml" in m] == [
        f"{folder / 'plan.yaml'}: line 3, key 'slugg': Extra inputs are not permitted"]


# ----------------------------------------------------------------------------- format characters


def test_clean_text_removes_every_format_character():
    format_chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert len(format_chars) > 150
    assert clean_text("市\u202e民" + format_chars + "の\u200b見守り\ufeff") == "市民の見守り"


def test_format_characters_are_gone_when_segment_reads_a_line(tmp_path, rules):
    path = tmp_path / "c" / "plan.md"
    path.parent.mkdir()
    path.write_text("\ufeff基本目標\u200b1　地域\u202eで支え合う\u2066まちづくり\u2069\n", encoding="utf-8")
    seg = segment_document(ingest_document(path, tmp_path, "c", rules), rules)
    assert [(n.local_code, n.title) for n in seg.nodes] == [("1", "地域で支え合うまちづくり")]
