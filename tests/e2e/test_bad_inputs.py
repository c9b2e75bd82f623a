"""Bad input gets a clear answer, the other documents of the run are extracted as before, and
nothing is lost (issue "Bad input gets a clear answer, and nothing is lost")."""

from __future__ import annotations

import csv
import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest
from typer.testing import CliRunner

import planextract
from planextract import pipeline
from planextract.cli import app

from samples import copy_corpus as _corpus, quick_scores as _scores

ROOT = Path(__file__).resolve().parents[2]





def _image_only_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(50, 50, 400, 400), pixmap=pix)
    return doc.tobytes()


def _raw_pdf(content: bytes, font: bytes, descendant: bytes) -> bytes:
    """A one-page PDF written by hand (PyMuPDF always adds Unicode maps to the fonts it writes)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
            b" /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream", font, descendant,
            b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
            b" /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def _no_unicode_map_pdf() -> bytes:
    """Text in a CID font without a ToUnicode map: what many municipal PDFs look like inside."""
    font = b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts [6 0 R] >>"
    cid = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap /CIDSystemInfo << /Registry (Adobe)"
           b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R >>")
    ops = b"BT /F1 12 Tf " + b" ".join(b"1 0 0 1 60 %d Tm <0a1b0c2d0e3f04500561> Tj" % (700 - 20 * i)
                                       for i in range(10)) + b" ET"
    return _raw_pdf(ops, font, cid)


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((60, 80), "基本目標1 テスト", fontname="japan")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="secret")


def _truncated_pdf() -> bytes:
    return (ROOT / "corpus/atsugi/taikeizu.pdf").read_bytes()[:1500]


def _unrecognised_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((60, 80), "お知らせ：会議室の予約方法が変わりました。", fontname="japan")
    return doc.tobytes()


BAD = [
    ("zero.pdf", b"", "error", "empty (0 bytes)"),
    ("notapdf.pdf", b"<html>not a pdf</html>", "error", "named .pdf but is not a PDF"),
    ("truncated.pdf", _truncated_pdf(), "error", "PDF"),
    ("encrypted.pdf", _encrypted_pdf(), "error", "encrypted; give its password with --password"),
    ("scanned.pdf", _image_only_pdf(), "error", "OCR is needed"),
    ("nounicode.pdf", _no_unicode_map_pdf(), "warning", "fonts without a Unicode map"),
    ("notice.pdf", _unrecognised_pdf(), "warning", "no rule recognised this document's layout"),
]


@pytest.mark.parametrize("name,data,severity,message", BAD, ids=[b[0] for b in BAD])
def test_bad_document_is_reported_and_the_others_unchanged(tmp_path, baseline, name, data, severity, message):
    corpus = _corpus(tmp_path)
    (corpus / "atsugi" / name).write_bytes(data)
    result = pipeline.run(corpus, tmp_path / "out")
    rows = list(result.problems) + [p for plan in result.plans for p in plan.problems]
    mine = [p for p in rows if p.doc_path.endswith(name)]
    assert mine, f"no problem recorded for {name}"
    assert any(p.severity == severity and message in p.message for p in mine), [p.message for p in mine]
    assert _scores(tmp_path / "out") == baseline
    with (tmp_path / "out/csv/problems.csv").open(encoding="utf-8") as f:
        assert any(r["doc_path"].endswith(name) for r in csv.DictReader(f))


def test_unreadable_page_text_is_set_aside_not_emitted(tmp_path):
    corpus = _corpus(tmp_path)
    (corpus / "atsugi" / "nounicode.pdf").write_bytes(_no_unicode_map_pdf())
    result = pipeline.run(corpus, tmp_path / "out")
    plan = next(p for p in result.plans if p.plan.plan_id.startswith("atsugi"))
    doc_id = next(d.doc_id for d in plan.documents if d.path.endswith("nounicode.pdf"))
    con = planextract.connect(tmp_path / "out")
    assert con.execute("SELECT count(*) FROM v_items WHERE doc_id = ?", [doc_id]).fetchone() == (0,)
    with (tmp_path / "out/csv/unassigned.csv").open(encoding="utf-8") as f:
        assert [u for u in csv.DictReader(f) if u["doc_id"] == doc_id and "Unicode map" in u["reason"]]


def test_password_opens_an_encrypted_pdf(tmp_path):
    path = tmp_path / "corpus" / "c" / "locked.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(_encrypted_pdf())
    seg = pipeline.extract(path, password="secret")
    assert [(n.local_code, n.title) for n in seg.nodes] == [("1", "テスト")]


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"])
def test_text_rendition_in_other_encodings(tmp_path, baseline, encoding):
    corpus = _corpus(tmp_path)
    for src in (corpus / "sagamihara").glob("*.txt"):
        src.write_bytes(src.read_text(encoding="utf-8").encode(encoding, errors="replace"))
    (corpus / "sagamihara" / "overview.pdf").unlink()  # the text rendition is read
    pipeline.run(corpus, tmp_path / "out")
    assert _scores(tmp_path / "out") == baseline


@pytest.mark.parametrize("content,message", [
    (None, "plan.yaml: missing"),
    ("city: 厚木市\ncity_code: [\n", "plan.yaml: line"),
    ("city: 厚木市\n", "key 'city_code'"),
    ("city: 厚木市\ncity_code: '142124'\n", "not a valid 6-digit local government code"),
])
def test_plan_yaml_problems_name_the_key_or_line(tmp_path, content, message):
    corpus = _corpus(tmp_path)
    target = corpus / "atsugi" / "plan.yaml"
    if content is None:
        target.unlink()
    else:
        target.write_text(content, encoding="utf-8")
    result = pipeline.run(corpus, tmp_path / "out")
    assert any(message in p.message for p in result.problems), [p.message for p in result.problems]
    assert [p.plan.plan_id for p in result.plans] == ["sagamihara-5"]


def test_exit_codes(tmp_path):
    runner = CliRunner()
    corpus = _corpus(tmp_path)
    ok = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o1")])
    assert ok.exit_code == 0, ok.output
    (corpus / "atsugi" / "zero.pdf").write_bytes(b"")
    failed = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o2")])
    assert failed.exit_code == 1
    assert "zero.pdf" in failed.output
    bad_args = runner.invoke(app, ["run", "--corpus", str(corpus), "--formats", "docx"])
    assert bad_args.exit_code == 2
    (corpus / "atsugi" / "zero.pdf").unlink()
    (corpus / "atsugi" / "notice.pdf").write_bytes(_unrecognised_pdf())
    lenient = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o3")])
    strict = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o4"), "--strict"])
    assert (lenient.exit_code, strict.exit_code) == (0, 1)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_two_runs_give_byte_identical_csv(tmp_path):
    corpus = _corpus(tmp_path)
    pipeline.run(corpus, tmp_path / "a")
    pipeline.run(corpus, tmp_path / "b")
    assert _digests(tmp_path / "a/csv") == _digests(tmp_path / "b/csv")


def test_a_run_killed_midway_leaves_the_previous_output(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    out = tmp_path / "out"
    pipeline.run(corpus, out, formats=("text",))
    before = _digests(out / "csv")
    db_before = hashlib.sha256((out / "planextract.duckdb").read_bytes()).hexdigest()
    proc = subprocess.Popen([sys.executable, "-m", "planextract.cli", "run", "--corpus", str(corpus),
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # well inside the run (imports, then reading 5 documents)
    assert proc.poll() is None, "the run finished before it could be killed"
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _digests(out / "csv") == before
    assert hashlib.sha256((out / "planextract.duckdb").read_bytes()).hexdigest() == db_before
    # its workers die with it; what it left is removed by the next run
    deadline = time.monotonic() + 10
    while _children_alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _children_alive(workers) == []
    pipeline.run(corpus, out, formats=("text",))
    assert sorted(p.name for p in out.glob(".planextract-*")) == [".planextract-out"]
    assert list(tmp_path.glob(".out.*")) == [] and list((out / ".cache").glob("*.tmp")) == []
    assert _digests(out / "csv") == before


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (the run's workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _children_alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.append(pid)
        except (OSError, IndexError):
            continue
    return alive


def test_nothing_is_lost(tmp_path):
    """Every character ingest read is in a row, the tree's structure, unassigned or furniture."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    for formats in (("pdf",), ("text",)):
        result = pipeline.run(corpus, tmp_path / "out", formats=formats)
        docs = [d for p in result.plans for d in p.documents]
        assert len(docs) == (5 if formats == ("pdf",) else 5)
        low = [(d.path, d.coverage) for d in docs if d.coverage < 0.98]
        assert low == []
        assert all(d.chars_assigned <= d.chars_total for d in docs)
