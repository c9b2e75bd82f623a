"""Hostile input stays harmless (issue 13): crafted files cost little time, and what they hold
never becomes markup, a formula, SQL or a path outside the corpus."""

from __future__ import annotations

import random
import time
import zlib
from pathlib import Path

from planextract.ingest import ingest_document
from planextract.ingest import pdf as pdf_ingest
from planextract.ingest.layout import RawLine, _y_overlap, merge_same_row
from planextract.segment import segment_document

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
    assert took < 20.0, f"reading took {took:.1f} s"
