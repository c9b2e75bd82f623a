import pymupdf
import pytest

from planextract.errors import InputError
from planextract.ingest import ingest_document
from planextract.ingest.layout import Atom, grid_to_cells, merge_segments, segments_to_grids, Seg, xy_cut
from planextract.ingest.text import decode, repeated_runs


def _ingest(tmp_path, rules, name, content):
    path = tmp_path / "corpus" / "c" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(content, "save"):
        content.save(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return ingest_document(path, tmp_path / "corpus", "c", rules)


def test_merged_cell_from_missing_border():
    # a 2x2 grid whose left column has no border between its rows: one cell spanning two rows
    segs = [Seg(True, 0, 0, 200), Seg(True, 50, 100, 200), Seg(True, 100, 0, 200),
            Seg(False, 0, 0, 100), Seg(False, 100, 0, 100), Seg(False, 200, 0, 100)]
    grid = grid_to_cells(segments_to_grids(merge_segments(segs))[0])
    spans = sorted((c.row, c.col, c.row_span, c.col_span) for c in grid.cells)
    assert spans == [(0, 0, 2, 1), (0, 1, 1, 1), (1, 1, 1, 1)]


def test_dashed_line_pieces_join_into_one_ruling():
    pieces = [Seg(True, 10, x, x + 2) for x in range(0, 100, 3)]
    merged = merge_segments(pieces)
    assert len(merged) == 1 and merged[0].a == 0 and merged[0].b >= 98


def test_xy_cut_reads_columns_before_rows():
    left = [Atom((10, y, 100, y + 10), f"L{y}") for y in (10, 30, 50)]
    right = [Atom((150, y, 240, y + 10), f"R{y}") for y in (10, 30, 50)]
    order = [a.payload for a in xy_cut(left + right)]
    assert order == ["L10", "L30", "L50", "R10", "R30", "R50"]


def test_pdf_table_cells_rows_and_distributed_text(tmp_path, rules, pdf):
    pdf.text(60, 80, "●それぞれの役割")
    pdf.table(60, 100, [70, 400], [[["市　　民"], ["▶理解に努めます。", "▶参加します。"]],
                                  [["行　　政"], ["▶支援します。"]]])
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = [b.table for p in doc.pages for b in p.blocks if b.table]
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (2, 2)
    texts = {(c.row, c.col): " / ".join(ln.text for ln in c.lines) for c in t.cells}
    assert texts[(0, 1)] == "▶理解に努めます。 / ▶参加します。"
    assert texts[(1, 0)].replace(" ", "").replace("\u3000", "") == "行政"


def test_pdf_furniture_running_head_and_page_numbers(tmp_path, rules, pdf):
    for i in range(4):
        if i:
            pdf.new_page()
        pdf.text(400, 30, "第5章　施策とその展開", size=8)
        pdf.text(290, 820, str(45 + i), size=9)
        pdf.text(60, 100, f"本文の段落その{i + 1}です。")
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    body = [b.line.text for p in doc.pages for b in p.blocks if b.line]
    furniture = [ln.text for p in doc.pages for ln in p.furniture]
    assert all("施策とその展開" not in t for t in body)
    assert not any(t.strip().isdigit() for t in body)
    assert sum("施策とその展開" in t for t in furniture) == 4
    assert len(body) == 4


def test_pdf_metadata_title_is_a_hint_not_text(tmp_path, rules, pdf):
    pdf.doc.set_metadata({"title": "第3期テスト市地域福祉計画"})
    pdf.text(60, 100, "本文")
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert doc.info.title_hint == "第3期テスト市地域福祉計画"
    assert [b.line.text for p in doc.pages for b in p.blocks if b.line] == ["本文"]


def test_text_rendition_tables_lists_and_headings(tmp_path, rules):
    text = "## 基本目標1 地域づくり\n\n- ▶ 項目です\n市民\t<ul><li>▶一つ目</li><li>▶二つ目</li></ul>\n"
    doc = _ingest(tmp_path, rules, "plan.source.txt", text)
    blocks = doc.pages[0].blocks
    assert blocks[0].line.text == "基本目標1 地域づくり"
    assert blocks[1].line.text.startswith("・")  # the markdown dash stays a bullet
    assert [ln.text for ln in blocks[2].table.cells[1].lines] == ["▶一つ目", "▶二つ目"]


def test_text_repeated_block_is_furniture():
    lines = ["本文1", "第1章", "計画策定", "第2章", "現状", "本文2", "第1章", "計画策定", "第2章", "現状"]
    assert repeated_runs(lines) == {1, 2, 3, 4, 6, 7, 8, 9}


def test_text_encodings():
    assert decode("基本理念".encode("cp932"), "x") == "基本理念"
    assert decode("\ufeff基本理念".encode("utf-8"), "x") == "基本理念"
    assert decode("基本理念".encode("utf-16"), "x") == "基本理念"


@pytest.mark.parametrize("name,data,message", [
    ("empty.pdf", b"", "empty"),
    ("fake.pdf", b"hello, not a pdf", "not a PDF"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_inputs_are_clear_errors(tmp_path, rules, name, data, message):
    with pytest.raises(InputError, match=message):
        _ingest(tmp_path, rules, name, data)


def test_encrypted_pdf_asks_for_a_password(tmp_path, rules, pdf):
    pdf.text(60, 100, "本文")
    path = tmp_path / "corpus" / "c" / "locked.pdf"
    path.parent.mkdir(parents=True)
    pdf.doc.save(str(path), encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    with pytest.raises(InputError, match="password"):
        ingest_document(path, tmp_path / "corpus", "c", rules)
