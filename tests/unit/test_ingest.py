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


def test_xy_cut_does_not_read_across_columns_where_only_one_column_has_ended():
    # the right column ends at 280; the left one runs on after a wide space before its next
    # heading. That space is wider than the gutter but parts nothing in the right column.
    left = [Atom((56, y, 290, y + 12), f"L{y}") for y in (100, 120, 140, 160, 180, 200, 220, 260)]
    left += [Atom((56, y, 290, y + 12), f"L{y}") for y in (300, 320)]
    right = [Atom((308, y, 539, y + 12), f"R{y}") for y in (100, 120, 140, 160, 180, 200, 220, 240, 260)]
    order = [a.payload for a in xy_cut(left + right)]
    assert order == [a.payload for a in left] + [a.payload for a in right]


def test_xy_cut_heading_running_to_the_page_edge_over_the_other_column():
    # a policy heading too long for its column runs on over the right column (where a table
    # carried over from before stands) to the page edge: it is not a full-width paragraph, the
    # columns are still read left then right, the heading with the column it starts in
    left = [Atom((62, 74, 197, 92), "title"), Atom((56, 159, 596, 173), "heading")]
    left += [Atom((56, y, 288, y + 12), f"L{y}") for y in range(180, 560, 20)]
    right = [Atom((308, 70, 539, 378), "table")]
    right += [Atom((308, y, 539, y + 12), f"R{y}") for y in range(400, 560, 20)]
    order = [a.payload for a in xy_cut(left + right)]
    assert order == [a.payload for a in left] + [a.payload for a in right]


def test_xy_cut_column_holding_a_table_without_rules_is_still_a_column():
    # the right column holds a table without rules (three cells a row): its rows start at the
    # column's edge though most of its pieces do not, and a heading crossing the gutter leaves no
    # clean channel. The columns are read left then right, not line by line across both.
    left = [Atom((56, y, 288, y + 12), f"L{y}") for y in range(100, 240, 20)]
    left += [Atom((56, 244, 400, 258), "heading")]
    left += [Atom((56, y, 288, y + 12), f"L{y}") for y in range(262, 420, 20)]
    right = [Atom((308, y, 539, y + 12), f"R{y}") for y in range(100, 180, 20)]
    right += [Atom((x, y, x + 60, y + 12), f"T{y}-{x}") for y in range(180, 420, 20) for x in (308, 380, 460)]
    order = [a.payload for a in xy_cut(left + right)]
    assert order[:len(left)] == [a.payload for a in left]
    assert sorted(order[len(left):]) == sorted(a.payload for a in right)


def test_xy_cut_ends_when_the_crossed_gutter_sits_on_a_column_edge():
    # a borderless table: a header cell runs to within 2pt of the second column, whose lines
    # start just left of the gutter found from that header. Splitting by another test than the
    # gutter's own put every line on one side and recursed for ever (RecursionError, page lost).
    header = Atom((56, 511, 155, 524), "H")
    left = [Atom((60 + 9 * (i % 2), 532 + 12.5 * i, 141, 542 + 12.5 * i), f"L{i}") for i in range(14)]
    right = [Atom((156.6, 532 + 20 * i, 237.6, 542 + 20 * i), f"R{i}") for i in range(4)]
    order = [a.payload for a in xy_cut([header, *left, *right])]
    assert sorted(order) == sorted(["H", *(a.payload for a in left), *(a.payload for a in right)])
    assert order.index("L13") < order.index("R0")  # read column by column


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


# ------------------------------------------------------------------ what real PDFs do to text


def _lines(doc):
    return [b.line for p in doc.pages for b in p.blocks if b.line]


def test_overprinted_runs_collapse_to_one_bold_line(tmp_path, rules, pdf):
    for k in range(3):  # bold made by drawing the run three times, 0.2 pt apart
        pdf.text(60 + 0.2 * k, 100, "基本目標１　地域で支え合う", size=12)
    pdf.text(60, 130, "本文の段落です。")
    lines = _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))
    assert [ln.text for ln in lines] == ["基本目標１　地域で支え合う", "本文の段落です。"]
    assert [ln.bold for ln in lines] == [True, False]


def test_overprinted_glyphs_collapse_but_honest_repeats_stay(tmp_path, rules, pdf):
    x = 60.0
    for ch in "施策の方向（１）":  # each glyph drawn four times, 0.5 pt apart: MuPDF splits the line
        for k in range(4):
            pdf.page.insert_text((x + 0.5 * k, 100), ch, fontname="japan", fontsize=12)
        x += 12
    pdf.text(60, 140, "ままま・・・──です", size=12)
    lines = _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))
    assert [ln.text for ln in lines] == ["施策の方向（１）", "ままま・・・──です"]
    assert [ln.bold for ln in lines] == [True, False]


def test_bold_font_colour_and_box_behind_a_line(tmp_path, rules, pdf):
    pdf.page.insert_text((60, 100), "Bold Heading", fontname="hebo", fontsize=12)
    pdf.page.draw_rect(pymupdf.Rect(55, 125, 300, 145), color=None, fill=(0.1, 0.3, 0.6))
    pdf.page.insert_text((60, 140), "基本目標２　健康づくり", fontname="japan", fontsize=12, color=(1, 1, 1))
    pdf.page.draw_rect(pymupdf.Rect(55, 165, 300, 185), color=None, fill=(1, 1, 1))  # white: no box
    pdf.text(60, 180, "ふつうの本文です。")
    pdf.page.insert_text((60, 220), "赤い注記です。", fontname="japan", fontsize=10.5, color=(0.8, 0, 0))
    lines = {ln.text: ln for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))}
    assert lines["Bold Heading"].bold and not lines["ふつうの本文です。"].bold
    heading = lines["基本目標２　健康づくり"]
    assert heading.boxed and heading.color == 0xFFFFFF
    assert not lines["ふつうの本文です。"].boxed and lines["ふつうの本文です。"].color is None
    assert lines["赤い注記です。"].color == 0xCC0000 and not lines["赤い注記です。"].boxed


def test_radicals_fold_to_ideographs_in_pdf_and_text(tmp_path, rules, pdf):
    # ⺠ (supplement, no decomposition), ⻑ (supplement), ⽬ and ⾏ (Kangxi, NFKC)
    pdf.text(60, 100, "⺠生委員と⻑期の⽬標を実⾏")
    assert [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))] == ["民生委員と長期の目標を実行"]
    doc = _ingest(tmp_path, rules, "plan.source.txt", "⻄地区の⻘少年\n市⺠\t⻝の支援\n")
    assert doc.pages[0].blocks[0].line.text == "西地区の青少年"
    assert [ln.text for c in doc.pages[0].blocks[1].table.cells for ln in c.lines] == ["市民", "食の支援"]


def test_furigana_is_set_aside_not_read_into_the_line(tmp_path, rules, pdf):
    pdf.text(60, 100, "地域福祉の推進", size=12)
    pdf.text(60, 88.5, "ちいきふくし", size=6)  # ruby just above the line it reads
    pdf.text(60, 140, "ひらがなだけの本文", size=10.5)  # kana of normal size stays text
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for ln in _lines(doc)] == ["地域福祉の推進", "ひらがなだけの本文"]
    assert [ln.text for ln in doc.pages[0].furniture] == ["ちいきふくし"]


def test_toc_leaders_give_title_and_page(tmp_path, rules, pdf):
    pdf.text(60, 80, "目次")
    pdf.text(60, 100, "第１章　計画の策定にあたって……………………１")
    pdf.text(60, 120, "基本目標１　地域で支え合う・・・・・ 12")
    pdf.text(60, 140, "Chapter 2 .......... 34")
    pdf.text(60, 160, "参加者数・・・120人")  # not a TOC entry
    lines = _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))
    assert [(ln.text, ln.toc_page) for ln in lines] == [
        ("目次", None), ("第１章　計画の策定にあたって", 1), ("基本目標１　地域で支え合う", 12),
        ("Chapter 2", 34), ("参加者数・・・120人", None)]
    doc = _ingest(tmp_path, rules, "plan.source.txt", "目次\n地域の見守り………………45\n")
    assert [(b.line.text, b.line.toc_page) for b in doc.pages[0].blocks] == [("目次", None), ("地域の見守り", 45)]


@pytest.mark.parametrize("number", ["- 12 -", "－12－", "―12―", "12", "12 / 40", "P.12", "p. 12", "（12）"])
def test_page_number_variants_are_furniture(tmp_path, rules, pdf, number):
    pdf.text(60, 100, "本文の段落です。")
    pdf.text(280, 820, number, size=9)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for ln in _lines(doc)] == ["本文の段落です。"]
    assert [ln.text for ln in doc.pages[0].furniture] == [number]


def test_vertical_side_tab_is_furniture_even_when_its_text_changes(tmp_path, rules, pdf):
    tabs = ["第１章　計画の概要", "第１章　計画の概要", "第２章　施策の展開", "第２章　施策の展開"]
    for i, tab in enumerate(tabs):
        if i:
            pdf.new_page()
        pdf.page.insert_text((585, 200), tab, fontname="japan", fontsize=10, rotate=90)
        pdf.text(60, 100, f"本文の段落その{i + 1}です。")
        pdf.page.insert_text((300, 400), f"図{i + 1}", fontname="japan", fontsize=10, rotate=90)  # not at the edge
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for p in doc.pages for ln in p.furniture] == tabs
    assert [ln.text for ln in _lines(doc)] == [t for i in range(4) for t in (f"本文の段落その{i + 1}です。", f"図{i + 1}")]


def test_pdf_bookmarks_are_read(tmp_path, rules, pdf):
    pdf.text(60, 100, "本文")
    pdf.new_page().text(60, 100, "本文")
    pdf.doc.set_toc([[1, "第１章　計画の概要", 1], [2, "１　計画の趣旨", 2], [1, "資料", -1]])
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [(b.level, b.title, b.page) for b in doc.bookmarks] == [
        (1, "第１章 計画の概要", 1), (2, "１ 計画の趣旨", 2), (1, "資料", None)]


def test_furigana_drawn_between_the_characters_it_reads(tmp_path, rules, pdf):
    # ruby drawn after each kanji, as word processors do: a naive read interleaves it
    x = 60.0
    for base, ruby in [("地", "ち"), ("域", "いき"), ("福", "ふく"), ("祉", "し"), ("の", ""), ("推", "すい"), ("進", "しん")]:
        pdf.text(x, 100, base, size=12)
        if ruby:
            pdf.text(x + (12 - 6 * len(ruby)) / 2, 89, ruby, size=6)
        x += 12
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for ln in _lines(doc)] == ["地域福祉の推進"]
    assert "".join(ln.text for ln in doc.pages[0].furniture) == "ちいきふくしすいしん"


def test_text_rendition_of_overprinted_bold_is_collapsed(tmp_path, rules):
    text = "基基基本本本目目目標標標１１１\n市民\t見見守守りりのの輪輪\nおかあさんといっしょ\n"
    doc = _ingest(tmp_path, rules, "plan.source.txt", text)
    line, table = doc.pages[0].blocks[0].line, doc.pages[0].blocks[1].table
    assert (line.text, line.bold) == ("基本目標１", True)
    assert [(ln.text, ln.bold) for c in table.cells for ln in c.lines] == [("市民", False), ("見守りの輪", True)]
    assert (doc.pages[0].blocks[2].line.text, doc.pages[0].blocks[2].line.bold) == ("おかあさんといっしょ", False)


def test_toc_leaders_drawn_apart_from_the_title(tmp_path, rules, pdf):
    # title, leader run and number drawn as three pieces; the leaders start inside the title's box
    pdf.text(60, 100, "基本目標１　地域で支え合う", size=10)
    pdf.text(180, 100, "・" * 30, size=10)
    pdf.text(520, 100, "12", size=10)
    pdf.text(60, 120, "本文です。", size=10)
    lines = _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))
    assert [(ln.text, ln.toc_page) for ln in lines] == [("基本目標１　地域で支え合う", 12), ("本文です。", None)]


def test_side_tab_of_stacked_characters_on_two_pages(tmp_path, rules, pdf):
    for i in range(2):
        if i:
            pdf.new_page()
        for k, ch in enumerate("第３章"):  # one character per line, down the right edge
            pdf.text(575, 200 + 4 * i + 12 * k, ch, size=10)
        pdf.text(60, 100, f"本文の段落その{i + 1}です。")
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for ln in _lines(doc)] == ["本文の段落その1です。", "本文の段落その2です。"]
    assert [ln.text for p in doc.pages for ln in p.furniture] == ["第", "３", "章"] * 2


def test_running_head_alternating_sides_is_furniture(tmp_path, rules, pdf):
    for i in range(4):
        if i:
            pdf.new_page()
        pdf.text(60 if i % 2 == 0 else 450, 34, "第３章　施策の展開", size=8.5)  # left on even pages, right on odd
        pdf.text(60, 100, f"本文の段落その{i + 1}です。")
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [ln.text for ln in _lines(doc)] == [f"本文の段落その{i + 1}です。" for i in range(4)]
    assert [ln.text for p in doc.pages for ln in p.furniture] == ["第３章　施策の展開"] * 4


def test_text_rendition_page_numbers_are_furniture(tmp_path, rules):
    text = "本文の段落です。\n- 12 -\n次の段落です。\n－13－\nP.14\n15 / 40\n12\n"
    doc = _ingest(tmp_path, rules, "plan.source.txt", text)
    assert [b.line.text for b in doc.pages[0].blocks] == ["本文の段落です。", "次の段落です。", "12"]
    assert [ln.text for ln in doc.pages[0].furniture] == ["- 12 -", "－13－", "P.14", "15 / 40"]


def test_overprinted_heading_over_other_text_keeps_both_lines_whole(tmp_path, rules, pdf):
    # a bold (overprinted) heading runs into the other column, over a line of smaller text there:
    # the copies collapse to one heading, the other line is not woven into it glyph by glyph
    for k in range(3):
        pdf.text(60 + 0.2 * k, 100, "【施策１】　見守り活動の推進と確保", size=12)
    pdf.text(150, 99, "通じて障がい", size=9)
    lines = _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))
    texts = sorted(ln.text for ln in lines)
    assert texts == sorted(["【施策１】　見守り活動の推進と確保", "通じて障がい"])
    assert next(ln for ln in lines if ln.text.startswith("【")).bold


def _box(pdf, x0, y0, x1, y1, lines, size=9.0):
    pdf.page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0.2, 0.4, 0.65), fill=(0.93, 0.96, 1.0), width=0.8)
    for k, text in enumerate(lines):
        pdf.text(x0 + 4, y0 + 4 + size + k * (size + 2), text, size=size)


def test_tree_of_boxes_is_read_row_by_row(tmp_path, rules, pdf):
    # 施策の体系 as a diagram: each goal box spans the rows of its policy boxes to its right.
    # Read by the widest channel, every goal would come before every policy.
    pdf.text(56, 80, "施策の体系", size=13)
    row_h, y = 40, 100
    for g, policies in (("目標Ａ", ["方針Ａ１", "方針Ａ２", "方針Ａ３"]), ("目標Ｂ", ["方針Ｂ１", "方針Ｂ２"])):
        _box(pdf, 56, y, 226, y + len(policies) * row_h - 6, [g, "みんなで支え合うまちづくり"])
        for k, p in enumerate(policies):
            _box(pdf, 256, y + k * row_h, 539, y + (k + 1) * row_h - 6, [p + "　地域の見守り活動の推進"])
        y += len(policies) * row_h
    order = [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))]
    assert order == ["施策の体系", "目標Ａ", "みんなで支え合うまちづくり",
                     *(f"方針Ａ{k}　地域の見守り活動の推進" for k in "１２３"),
                     "目標Ｂ", "みんなで支え合うまちづくり",
                     *(f"方針Ｂ{k}　地域の見守り活動の推進" for k in "１２")]


def test_text_of_two_boxes_side_by_side_is_never_one_line(tmp_path, rules, pdf):
    # two boxes a narrow gap apart, their rows at the same heights: a box's edge ends the line
    for x0, rows in ((56, ["地域で支え合うしくみづ", "くりの推進"]), (201, ["見守り活動の推進と充実", "交流の場"])):
        pdf.page.draw_rect(pymupdf.Rect(x0, 100, x0 + 140, 140), color=(0.2, 0.4, 0.65), width=0.8)
        for k, text in enumerate(rows):
            pdf.text(x0 + 2, 116 + 15 * k, text, size=12)
    texts = [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))]
    assert texts == ["地域で支え合うしくみづ", "くりの推進", "見守り活動の推進と充実", "交流の場"]


def test_label_box_and_title_band_a_little_apart_are_one_line(tmp_path, rules, pdf):
    # a dark label box and a light title band drawn a few points apart: one heading line
    pdf.page.draw_rect(pymupdf.Rect(56, 98, 120, 116), color=None, fill=(0.2, 0.4, 0.65))
    pdf.page.draw_rect(pymupdf.Rect(124, 98, 400, 116), color=None, fill=(0.85, 0.9, 0.98))
    pdf.text(60, 112, "基本目標１", size=11)
    pdf.text(128, 112, "地域で支え合うまちづくり", size=11)
    pdf.text(60, 140, "本文の段落です。", size=10.5)
    texts = [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))]
    assert texts == ["基本目標１ 地域で支え合うまちづくり", "本文の段落です。"]


def test_label_in_a_box_still_joins_its_title_beside_it(tmp_path, rules, pdf):
    pdf.page.draw_rect(pymupdf.Rect(56, 98, 120, 116), color=None, fill=(0.2, 0.4, 0.65))
    pdf.text(60, 112, "基本目標１", size=11)
    pdf.text(128, 112, "地域で支え合うまちづくり", size=11)
    texts = [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))]
    assert texts == ["基本目標１ 地域で支え合うまちづくり"]


def test_xy_cut_reads_the_heads_of_side_by_side_columns_each_with_its_column():
    """■主な取組 over a list and ■評価指標 over a table beside it, under a full-width table: the
    widest channel parts the heads' row from the columns, yet each head is read with its column
    (before, both heads came first, so the list was read under the second head)."""
    table = Atom((50, 244, 545, 432), "table")
    heads = [Atom((55, 436, 108, 448), "head-left"), Atom((330, 436, 382, 448), "head-right")]
    items = [Atom((60, y, 240, y + 11), f"item{y}") for y in (453, 469, 485)]
    indicator = Atom((330, 452.2, 545, 500), "indicator")
    order = [a.payload for a in xy_cut([table, *heads, *items, indicator])]
    assert order == ["table", "head-left", "item453", "item469", "item485", "head-right", "indicator"]


def test_xy_cut_keeps_a_row_that_runs_across_the_columns_above_them():
    """A row whose pieces do not stand over the columns' starts is not their heads."""
    table = Atom((50, 244, 545, 432), "table")
    row = [Atom((150, 436, 200, 448), "a"), Atom((420, 436, 480, 448), "b")]
    items = [Atom((60, y, 240, y + 11), f"item{y}") for y in (453, 469, 485)]
    indicator = Atom((330, 452.2, 545, 500), "indicator")
    order = [a.payload for a in xy_cut([table, *row, *items, indicator])]
    assert order[:3] == ["table", "a", "b"]


def _stepped_column(x: float, name: str) -> list[Atom]:
    """One page column of an overview sheet: a heading, two lines of text, a table, a box, each
    at the same height as in the columns beside it, parted by more white than the gutter."""
    return [Atom((x, 78, x + 200, 93), f"{name}-head"), Atom((x, 104, x + 357, 114), f"{name}-text"),
            Atom((x, 117, x + 60, 127), f"{name}-text2"), Atom((x, 139, x + 367, 289), f"{name}-table"),
            Atom((x, 307, x + 367, 377), f"{name}-box")]


def test_xy_cut_reads_page_columns_of_one_width_that_run_in_step_column_by_column():
    """Three columns of one width, each a policy (heading, text, table, box at the same heights):
    the white between their rows (18 pt) is wider than the gutter (10 pt), yet each column is
    read whole (before, the headings of all three came first, then their texts, then tables)."""
    atoms = _stepped_column(30, "a") + _stepped_column(407, "b") + _stepped_column(784, "c")
    order = [a.payload for a in xy_cut(atoms)]
    assert order == [a.payload for a in atoms]


def test_xy_cut_still_reads_labels_beside_their_texts_row_by_row():
    """A column of short labels beside a column of texts (of another width) is read by rows."""
    atoms = []
    for y in (100, 130, 160, 190):
        atoms += [Atom((50, y, 90, y + 10), f"label{y}"), Atom((100, y, 400, y + 10), f"text{y}")]
    order = [a.payload for a in xy_cut(atoms)]
    assert order == [a.payload for a in atoms]


def test_a_toc_entry_with_its_leaders_in_the_title_piece_and_its_page_number_far_right(tmp_path, rules, pdf):
    """タイトル・・・・ as one piece and its page number set apart in a column at the page's
    right (more than four characters away): one 目次 entry with its page. Before, the dots of
    the 中黒 leaders stayed in the title and the line was read as a list item."""
    pdf.text(60, 100, "第5章　計画の推進に向けて・・・・・・・・・・・・・・・・・・", size=10)
    pdf.text(400, 100, "14", size=10)
    pdf.text(60, 130, "地域福祉の推進には、市民一人ひとりの参加が欠かせません。", size=10)
    lines = [ln for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf)) if ln.toc_page is not None]
    assert [(ln.text, ln.toc_page) for ln in lines] == [("第5章　計画の推進に向けて", 14)]


def test_a_toc_of_two_columns_keeps_the_right_columns_numbers(tmp_path, rules, pdf):
    """The leaders of the left column's entry end in its page number; the number of the right
    column's entry (its chapter number, printed before its title) is not taken as a page."""
    pdf.text(60, 100, "計画の趣旨", size=10)
    pdf.text(112, 100, "・・・・・・・・ 3", size=10)
    pdf.text(265, 100, "2", size=10)
    pdf.text(277, 100, "計画の位置づけ・・・・・・ 5", size=10)
    texts = [ln.text for ln in _lines(_ingest(tmp_path, rules, "plan.pdf", pdf))]
    assert any(t.startswith("2") and "計画の位置づけ" in t for t in texts), texts
