"""Tables printed without rules: background fills only (found in ingest), and labels or header
rows of white space only (segment's blocks step), whatever a page or column break did to them."""

import pymupdf
import pytest

from planextract.ingest import ingest_document


def _ingest(tmp_path, rules, name, content):
    path = tmp_path / "corpus" / "c" / name
    content.save(path)
    return ingest_document(path, tmp_path / "corpus", "c", rules)


# ----------------------------------------------------------------------------- tables of fills only


def _fill_table(page, x, y, widths, rows, *, gap=0.0, size=9.0, line_h=12.5, filled=None):
    """A table drawn with background fills only (no rules): the header row and the first column
    grey, each cell its own rectangle `gap` points apart (0: edge to edge; 2: white rules)."""
    filled = filled or (lambda r, c: r == 0 or c == 0)
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    shape = page.new_shape()
    for r, row in enumerate(rows):
        h = max(len(cell) for cell in row) * line_h + 8
        for c, cell in enumerate(row):
            if filled(r, c):
                shape.draw_rect(pymupdf.Rect(xs[c] + gap / 2, y + gap / 2, xs[c + 1] - gap / 2, y + h - gap / 2))
            for i, text in enumerate(cell):
                page.insert_text((xs[c] + 4, y + 4 + size + i * line_h), text, fontname="japan", fontsize=size)
        y += h
    shape.finish(color=None, fill=(0.9, 0.9, 0.9))
    shape.commit()
    return y


def _tables(doc):
    return [b.table for p in doc.pages for b in p.blocks if b.table]


def _cell_texts(table):
    return {(c.row, c.col): " / ".join(ln.text for ln in c.lines) for c in table.cells}


def _goal_and_policy(pdf, roles_y: float | None = None, roles_size: float | None = 11, x: float = 60) -> None:
    """Goal 1 and its policy 1-1 at the top of the page, and the それぞれの役割 heading at `roles_y`
    (in the default size when `roles_size` is None)."""
    pdf.text(x, 60, "基本目標1 たすけあうまち", size=14)
    pdf.text(x, 90, "基本施策1-1 見守りの輪", size=12)
    if roles_y is not None:
        pdf.text(x, roles_y, "それぞれの役割", **({"size": roles_size} if roles_size else {}))


def _labels(pdf, y: float, columns) -> None:
    """A row of column labels: (x, label) pairs at baseline `y`."""
    for x, label in columns:
        pdf.text(x, y, label, size=9)


@pytest.mark.parametrize("gap", [0.0, 2.0])
def test_table_of_fills_only_is_a_table_with_its_cells(tmp_path, rules, pdf, gap):
    # narrow columns: the labels of the header row stand closer than the gap that joins the
    # pieces of one line, so read as loose lines they became "市民 地域 行政" on one line
    pdf.text(60, 80, "それぞれの役割")
    _fill_table(pdf.page, 56, 90, [46, 46, 46], [
        [["市民"], ["地域"], ["行政"]],
        [["●見守りに", "加わります"], ["●声をかけ", "ます"], ["●支援します"]],
    ], gap=gap)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (2, 3)
    texts = _cell_texts(t)
    assert [texts[(0, k)] for k in range(3)] == ["市民", "地域", "行政"]
    assert texts[(1, 0)] == "●見守りに / 加わります"
    assert texts[(1, 1)] == "●声をかけ / ます"
    assert texts[(1, 2)] == "●支援します"


def test_header_row_of_fills_repeated_on_every_page_is_not_furniture(tmp_path, rules, pdf):
    # one actor's pages: the same 施策 | 取組 header row at the same place on each page
    for k in range(4):
        if k:
            pdf.new_page()
        pdf.text(60, 80, f"地域の役割{k + 1}")
        _fill_table(pdf.page, 56, 100, [120, 300], [
            [["施策"], ["取組"]],
            [[f"（{k + 1}）見守りの推進"], ["○声をかけあいます"]],
        ])
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert len(tables) == 4
    assert all(_cell_texts(t)[(0, 0)] == "施策" and _cell_texts(t)[(0, 1)] == "取組" for t in tables)
    assert not any(ln.text in ("施策", "取組") for p in doc.pages for ln in p.furniture)


def test_a_label_box_beside_a_title_band_is_not_a_table(tmp_path, rules, pdf):
    # two fills edge to edge in one row, one text each: a heading, read as one line
    shape = pdf.page.new_shape()
    shape.draw_rect(pymupdf.Rect(56, 100, 124, 122))
    shape.finish(color=None, fill=(0.2, 0.4, 0.65))
    shape.draw_rect(pymupdf.Rect(124, 100, 400, 122))
    shape.finish(color=None, fill=(0.85, 0.9, 0.95))
    shape.commit()
    pdf.page.insert_text((60, 116), "基本目標１", fontname="japan", fontsize=12)
    pdf.page.insert_text((130, 116), "見守りのまちづくり", fontname="japan", fontsize=12)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert not _tables(doc)
    assert [b.line.text for b in doc.pages[0].blocks if b.line] == ["基本目標１ 見守りのまちづくり"]


def test_rows_of_a_fill_table_carried_over_a_page_break_keep_its_columns(tmp_path, rules, pdf):
    # the header row at the foot of a page; on the next page only the first column's fill marks
    # the rows (no header repeated): they are cells of the same columns, not loose lines
    pdf.text(60, 700, "それぞれの役割")
    _fill_table(pdf.page, 56, 710, [120, 120, 120], [[["市民"], ["地域"], ["行政"]]])
    pdf.new_page()
    _fill_table(pdf.page, 56, 70, [120, 120, 120], [
        [["●あいさつを交わします"], ["●見守りに加わります"], ["●窓口を知らせます"]],
    ], filled=lambda r, c: c == 0)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert [(t.page, t.n_rows, t.n_cols) for t in tables] == [(1, 1, 3), (2, 1, 3)]
    assert [_cell_texts(tables[1])[(0, k)] for k in range(3)] == ["●あいさつを交わします", "●見守りに加わります",
                                                                 "●窓口を知らせます"]


def test_a_lone_fill_that_continues_no_table_is_not_one(tmp_path, rules, pdf):
    _fill_table(pdf.page, 56, 70, [120, 120, 120], [[["●あいさつを交わします"], ["●見守りに加わります"], ["●窓口"]]],
                filled=lambda r, c: c == 0)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert not _tables(doc)


def test_role_rows_after_a_page_break_go_to_the_actors_of_the_header_before_it(extract_file, pdf):
    _goal_and_policy(pdf, roles_y=700, roles_size=None)
    _fill_table(pdf.page, 56, 710, [120, 120, 120], [[["市民"], ["地域"], ["行政"]]])
    pdf.new_page()
    _fill_table(pdf.page, 56, 70, [120, 120, 120], [
        [["●あいさつを交わします"], ["●見守りに加わります"], ["●窓口を知らせます"]],
    ], filled=lambda r, c: c == 0)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "あいさつを交わします"), ("1.1", "地域", "見守りに加わります"), ("1.1", "行政", "窓口を知らせます")]


# ----------------------------------------------------------------------------- labels down a column


def _label_rows(pdf, x, y, rows, item_x, size=9.0, line_h=12.5):
    """Actor labels down a column at x, each row's items from item_x (no rules, no fills)."""
    for label, items in rows:
        pdf.text(x, y, label, size=size)
        for i, item in enumerate(items):
            pdf.text(item_x + (0 if item.startswith("●") else size), y + line_h * i, item, size=size)
        y += line_h * len(items) + 8
    return y


def test_a_label_joined_to_the_first_line_of_its_items_is_split_at_the_gap(extract_file, pdf):
    # the items start a word space after the longest label: ingest reads "自治会 ●見守りに…" as one
    # line; the label column is still a label column, and each label keeps its own items
    _goal_and_policy(pdf, roles_y=115)
    end = _label_rows(pdf, 60, 140, [("自治会", ["●見守りに加わり", "ます。"]),
                                     ("社協", ["●講座を開きます。"]),
                                     ("行政", ["●窓口を知らせます。", "●相談に応じます。"])], item_x=96)
    pdf.text(60, end + 20, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("1.1", "地域", "自治会", "見守りに加わります。"), ("1.1", "社協", "社協", "講座を開きます。"),
        ("1.1", "行政", "行政", "窓口を知らせます。"), ("1.1", "行政", "行政", "相談に応じます。")]


def test_labels_in_the_right_column_are_not_cut_by_lines_of_the_left_column(extract_file, pdf):
    # two page columns: the left one's lines stand between the right one's labels (by height)
    # but not in their column, so they neither end the run of labels nor the table
    pdf.text(60, 60, "基本目標1 たすけあうまち", size=14)
    pdf.text(320, 60, "基本施策1-1 見守りの輪", size=12)
    pdf.text(320, 85, "それぞれの役割", size=11)
    _label_rows(pdf, 320, 110, [("市民", ["●あいさつを交わします。", "●回覧板を回します。"]),
                                ("地域", ["●見守りに加わります。"]), ("行政", ["●窓口を知らせます。"])], item_x=380)
    for k in range(12):
        pdf.text(60, 100 + 12 * k, "これまでの計画期間に地域福祉の利用が伸び悩んでい", size=9)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "あいさつを交わします。"), ("1.1", "市民", "回覧板を回します。"),
        ("1.1", "地域", "見守りに加わります。"), ("1.1", "行政", "窓口を知らせます。")]


def test_a_borderless_header_row_at_the_foot_of_a_page_heads_the_rows_on_the_next(extract_file, pdf):
    # no rules, no fills: the labels at the foot of the page, their items at the top of the next
    _goal_and_policy(pdf, roles_y=760)
    _labels(pdf, 780, ((60, "住民"), (200, "社会福祉協議会"), (340, "町")))
    pdf.new_page()
    pdf.text(60, 80, "○あいさつを交わし", size=9)
    pdf.text(69, 92.5, "ます。", size=9)
    pdf.text(60, 105, "○回覧板を回します。", size=9)
    pdf.text(200, 80, "○講座を開きます。", size=9)
    pdf.text(340, 80, "○窓口を知らせます。", size=9)
    pdf.text(60, 140, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("1.1", "市民", "住民", "あいさつを交わします。"), ("1.1", "市民", "住民", "回覧板を回します。"),
        ("1.1", "社協", "社会福祉協議会", "講座を開きます。"), ("1.1", "行政", "町", "窓口を知らせます。")]


def test_a_note_under_a_borderless_table_is_not_its_last_item(extract_file, pdf):
    # a note two lines below the table's last line, in its first column: the blank ends the table
    _goal_and_policy(pdf, roles_y=115)
    _labels(pdf, 140, ((60, "住民"), (200, "社会福祉協議会"), (340, "町")))
    pdf.text(60, 160, "○あいさつを交わします。", size=9)
    pdf.text(200, 160, "○講座を開きます。", size=9)
    pdf.text(340, 160, "○窓口を知らせます。", size=9)
    pdf.text(66, 190, "トピックス", size=9)
    pdf.text(66, 203, "見守りとは、日ごろの声かけのことです。", size=9)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつを交わします。"), ("社協", "講座を開きます。"), ("行政", "窓口を知らせます。")]


def _band(page, rect, fill=(0.9, 0.9, 0.9)):
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(*rect))
    shape.finish(color=None, fill=fill)
    shape.commit()


def test_a_header_row_shaded_as_one_band_takes_its_columns_from_the_channels_between_labels(tmp_path, rules, pdf):
    # one grey band behind the whole header row, the body on white under it, no rules
    _band(pdf.page, (56, 100, 416, 118))
    for x, label in ((60, "施策"), (180, "取組"), (300, "担当")):
        pdf.page.insert_text((x, 112), label, fontname="japan", fontsize=9)
    pdf.page.insert_text((60, 134), "（1）見守りの推進", fontname="japan", fontsize=9)
    pdf.page.insert_text((180, 134), "○声をかけます", fontname="japan", fontsize=9)
    pdf.page.insert_text((180, 146.5), "○訪問します", fontname="japan", fontsize=9)
    pdf.page.insert_text((300, 134), "福祉課", fontname="japan", fontsize=9)
    pdf.page.insert_text((60, 200), "この計画の推進には、市民、地域、行政が連携して取り組みます。", fontname="japan", fontsize=10)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert len(tables) == 1 and (tables[0].n_rows, tables[0].n_cols) == (2, 3)
    texts = _cell_texts(tables[0])
    assert [texts[(0, k)] for k in range(3)] == ["施策", "取組", "担当"]
    assert [texts[(1, k)] for k in range(3)] == ["（1）見守りの推進", "○声をかけます / ○訪問します", "福祉課"]
    assert [b.line.text for b in doc.pages[0].blocks if b.line] == [
        "この計画の推進には、市民、地域、行政が連携して取り組みます。"]


def test_a_shaded_header_row_over_a_white_body_reaches_down_to_its_last_row(tmp_path, rules, pdf):
    # header cells shaded one by one, the rows under it on white: a row per actor, apart by a blank
    _fill_table(pdf.page, 56, 100, [80, 280], [[["主体"], ["取組"]]])
    rows = (("市民", ["●あいさつを交わします", "●回覧板を回します"]), ("行政", ["●窓口を知らせます"]))
    y = 136
    for label, items in rows:
        pdf.page.insert_text((60, y), label, fontname="japan", fontsize=9)
        for i, item in enumerate(items):
            pdf.page.insert_text((140, y + 12.5 * i), item, fontname="japan", fontsize=9)
        y += 12.5 * len(items) + 8
    pdf.page.insert_text((60, y + 40), "第4章　計画の推進", fontname="japan", fontsize=14)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert len(tables) == 1 and (tables[0].n_rows, tables[0].n_cols) == (3, 2)
    texts = _cell_texts(tables[0])
    assert texts == {(0, 0): "主体", (0, 1): "取組", (1, 0): "市民", (1, 1): "●あいさつを交わします / ●回覧板を回します",
                     (2, 0): "行政", (2, 1): "●窓口を知らせます"}


def test_a_heading_band_with_number_and_title_apart_is_not_a_table(tmp_path, rules, pdf):
    _band(pdf.page, (56, 100, 539, 122), fill=(0.85, 0.92, 0.98))
    pdf.page.insert_text((60, 116), "基本目標１", fontname="japan", fontsize=12)
    pdf.page.insert_text((150, 116), "見守りのまちづくり", fontname="japan", fontsize=12)
    pdf.page.insert_text((60, 140), "地域で支え合う関係づくりを進めるため、見守りの担い手を育てます。", fontname="japan", fontsize=10)
    pdf.page.insert_text((60, 154), "・声かけ運動", fontname="japan", fontsize=10)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert not _tables(doc)


# ----------------------------------------------------------------------------- header rows without rules


def _narrow_role_table(pdf, heading_x: float, first_col: float) -> None:
    """A goal, a policy and a role table of five narrow columns printed without rules: labels
    joined by ingest (市民一人 地区), one wrapped (市民一人 / ひとり), items that wrap under them."""
    _goal_and_policy(pdf, roles_y=115, x=heading_x)
    xs = [first_col + 46.3 * k for k in range(5)]
    for x, label in zip(xs, ["市民一人", "地区", "社会福祉", "社協", "県"]):
        pdf.text(x, 140, label, size=9)
    pdf.text(xs[0], 152.5, "ひとり", size=9)
    pdf.text(xs[2], 152.5, "法人", size=9)
    for k, item in enumerate(["●見守り", "●声かけ", "●講座", "●相談", "－"]):
        pdf.text(xs[k], 172, item, size=9)
    pdf.text(xs[0] + 9, 184.5, "ます。", size=9)
    pdf.text(xs[1] + 9, 184.5, "します。", size=9)


def test_labels_of_narrow_columns_joined_and_wrapped_are_still_a_header_row(extract_file, pdf):
    # five narrow columns in the left half of the page, the right half another column of text:
    # ingest joins neighbouring labels ("市民一人 地区"), a long label wraps (市民一人 / ひとり),
    # and the page's other column stands on the same baselines; none of it hides the header row
    _narrow_role_table(pdf, heading_x=60, first_col=60)
    for k in range(6):  # the other column of the page, on the same baselines
        pdf.text(320, 140 + 12.5 * k, "本市では、地域福祉への関心が高まって", size=9)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("市民", "市民一人ひとり", "見守ります。"), ("地域", "地区", "声かけします。"),
        ("専門職", "社会福祉法人", "講座"), ("社協", "社協", "相談")]


def test_a_cell_that_overran_into_the_next_is_split_at_the_next_cell_s_item_mark(extract_file, pdf):
    # the first cell's last line runs to the next cell's first item, no white space between:
    # ingest reads one line "訪問（NPO）●講座を"; the next cell's item starts at its mark
    _goal_and_policy(pdf, roles_y=115)
    _labels(pdf, 140, ((60, "市民"), (130, "社協"), (200, "行政")))
    pdf.text(60, 160, "●あいさつ", size=9)
    pdf.text(60, 172.5, "訪問（NPO）", size=9)
    pdf.text(130, 172.5, "●講座を", size=9)
    pdf.text(139, 185, "開きます", size=9)
    pdf.text(200, 160, "●窓口", size=9)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつ訪問（NPO）"), ("社協", "講座を開きます"), ("行政", "窓口")]


def test_a_page_of_thousands_of_fills_is_not_searched_for_tables():
    # a hatch: thousands of fills sharing edges; pairing them would take seconds per page
    import time

    from planextract.ingest.layout import fills_to_grids

    hatch = [(56, 10 + i * 0.01, 100, 500) for i in range(3000)] + [(100, 10 + i * 0.01, 150, 500) for i in range(3000)]
    start = time.perf_counter()
    assert fills_to_grids(hatch) == []
    assert time.perf_counter() - start < 0.5


def test_rows_of_a_fill_table_carried_to_the_next_column_of_the_page_keep_its_columns(tmp_path, rules, pdf):
    # a page in two columns: the table's header and first row at the foot of the left column,
    # its next row at the top of the right one (first column shaded, no header repeated)
    for k in range(40):
        pdf.text(60, 80 + 15 * k, "本市では、地域福祉への関心が高まって")
    _fill_table(pdf.page, 56, 700, [80, 150], [[["施策"], ["取組"]], [["（1）見守り"], ["○声をかけます"]]])
    _fill_table(pdf.page, 310, 70, [80, 150], [[["（2）居場所"], ["○サロンを開きます"]]],
                filled=lambda r, c: c == 0)
    for k in range(30):
        pdf.text(314, 120 + 15 * k, "本市では、地域福祉への関心が高まって")
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = sorted(_tables(doc), key=lambda t: t.bbox[0])
    assert [(t.n_rows, t.n_cols) for t in tables] == [(2, 2), (1, 2)]
    assert _cell_texts(tables[1]) == {(0, 0): "（2）居場所", (0, 1): "○サロンを開きます"}


def test_a_box_as_wide_as_a_table_s_first_column_under_text_is_not_its_rows(tmp_path, rules, pdf):
    # a label box further down the page, as wide as the first column of the table above: rows
    # carried over a break open their column, this box does not
    _fill_table(pdf.page, 56, 100, [80, 150], [[["施策"], ["取組"]], [["（1）見守り"], ["○声をかけます"]]])
    pdf.text(60, 200, "本市では、地域福祉への関心が高まっています。")
    _fill_table(pdf.page, 56, 230, [80, 300], [[["重点目標２"], ["居場所のひろがり"]]], filled=lambda r, c: c == 0)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [(t.n_rows, t.n_cols) for t in _tables(doc)] == [(2, 2)]


def test_a_column_of_label_fills_under_a_heading_is_a_table_of_the_columns_met_before(tmp_path, rules, pdf):
    # the next policy's table without its header row: labels shaded one under another, their
    # items on white; under a heading, not at the top of the page, and still a table
    _fill_table(pdf.page, 56, 100, [80, 200], [[["主体"], ["役割"]], [["区民"], ["○声をかけます"]]])
    pdf.new_page()
    pdf.text(60, 90, "（2）居場所づくり", size=12)
    _fill_table(pdf.page, 56, 110, [80, 200], [[["区民"], ["○サロンに参加します"]], [["県"], ["○支援します"]]],
                filled=lambda r, c: c == 0)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    tables = _tables(doc)
    assert [(t.page, t.n_rows, t.n_cols) for t in tables] == [(1, 2, 2), (2, 2, 2)]
    assert _cell_texts(tables[1]) == {(0, 0): "区民", (0, 1): "○サロンに参加します", (1, 0): "県", (1, 1): "○支援します"}


# ----------------------------------------------------------------------------- rows split by a page break


def test_an_item_cut_by_a_page_break_is_finished_by_the_text_atop_the_next_page(extract_file, pdf):
    # actors across the header row, the header repeated after the break; the row split: each
    # column's last item goes on, unmarked, at the top of the next page
    _goal_and_policy(pdf, roles_y=700, roles_size=None)
    pdf.table(60, 710, [200, 200], [[["市民"], ["行政"]], [["●あいさつを交わし", "ます。", "●見守りに"], ["●窓口を"]]])
    pdf.new_page()
    pdf.table(60, 60, [200, 200], [[["市民"], ["行政"]], [["加わります。", "●回覧板を回します。"], ["知らせます。"]]])
    pdf.text(60, 160, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつを交わします。"), ("市民", "見守りに加わります。"), ("行政", "窓口を知らせます。"),
        ("市民", "回覧板を回します。")]


def test_the_rest_of_an_actor_row_split_by_a_page_break_keeps_its_actor(extract_file, pdf):
    # actors down the first column; the last row goes on over the break without its label
    _goal_and_policy(pdf, roles_y=720, roles_size=None)
    pdf.table(60, 730, [80, 320], [[["市民"], ["●あいさつを交わします。"]], [["行政"], ["●窓口を", "●相談に"]]])
    pdf.new_page()
    pdf.table(60, 60, [80, 320], [[[""], ["応じます。", "●講座を開きます。"]], [["社協"], ["●支えます。"]]])
    pdf.text(60, 160, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつを交わします。"), ("行政", "窓口を"), ("行政", "相談に応じます。"), ("行政", "講座を開きます。"),
        ("社協", "支えます。")]


def test_a_header_row_printed_again_after_the_break_is_not_read_as_rows(extract_file, pdf):
    _goal_and_policy(pdf, roles_y=760)
    _labels(pdf, 780, ((60, "住民"), (200, "社会福祉協議会"), (340, "町")))
    pdf.new_page()
    _labels(pdf, 80, ((60, "住民"), (200, "社会福祉協議会"), (340, "町")))
    pdf.text(60, 100, "○あいさつを交わします。", size=9)
    pdf.text(200, 100, "○講座を開きます。", size=9)
    pdf.text(340, 100, "○窓口を知らせます。", size=9)
    pdf.text(60, 140, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつを交わします。"), ("社協", "講座を開きます。"), ("行政", "窓口を知らせます。")]


def test_rows_of_an_actor_table_on_the_next_page_without_its_header_keep_their_actors(extract_file, pdf):
    # the header is not printed again after the break: the rows take the columns' actors from
    # the table on the page before (same policy, as many columns), and the cut item is finished
    _goal_and_policy(pdf, roles_y=700, roles_size=None)
    pdf.table(60, 710, [130, 130, 130], [[["自助"], ["共助"], ["公助"]],
                                         [["◆あいさつを交わし", "ます。", "◆見守りに"], ["◆講座を開きます。"], ["◆窓口"]]])
    pdf.new_page()
    pdf.table(60, 60, [130, 130, 130], [[["加わります。", "◆回覧板を回します。"], ["◆声をかけます。"], [""]]])
    pdf.text(60, 160, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("市民", "自助", "あいさつを交わします。"), ("市民", "自助", "見守りに加わります。"), ("地域", "共助", "講座を開きます。"),
        ("行政", "公助", "窓口"), ("市民", "自助", "回覧板を回します。"), ("地域", "共助", "声をかけます。")]


def test_a_heading_box_as_wide_as_a_table_s_first_column_atop_the_next_page_is_not_its_rows(tmp_path, rules, pdf):
    # the next goal's label box opens the page, as wide as the first column of the table before
    # it, in another colour: a heading, not the table's rows
    _fill_table(pdf.page, 56, 600, [120, 120, 120], [[["自助"], ["共助"], ["公助"]], [["・見守り"], ["・声かけ"], ["・相談"]]])
    pdf.new_page()
    _band(pdf.page, (56, 70, 176, 92), fill=(0.2, 0.4, 0.65))
    pdf.page.insert_text((60, 86), "基本目標２", fontname="japan", fontsize=12)
    pdf.page.insert_text((300, 86), "見守りのまちづくり", fontname="japan", fontsize=12)
    doc = _ingest(tmp_path, rules, "plan.pdf", pdf)
    assert [t.page for t in _tables(doc)] == [1]


def test_a_borderless_table_in_the_right_column_skips_the_left_column_s_lines(extract_file, pdf):
    # the narrow columns of the earlier test, in the right column of the page; the left
    # column's lines stand beside the table: they neither end it nor go into it
    _narrow_role_table(pdf, heading_x=320, first_col=311.5)
    for k in range(8):  # the left column of the page, beside the table
        pdf.text(56, 158 + 12.5 * k, "本市では、地域福祉への関心が高まって", size=9)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("市民", "市民一人ひとり", "見守ります。"), ("地域", "地区", "声かけします。"),
        ("専門職", "社会福祉法人", "講座"), ("社協", "社協", "相談")]


def test_rows_of_an_actor_table_in_the_next_column_without_its_header_keep_their_actors(extract_file, pdf):
    # a page in two columns: the table's header and first row at the foot of the left column,
    # the rest of the split row at the top of the right one, no header printed again
    _goal_and_policy(pdf)
    for k in range(30):
        pdf.text(60, 120 + 18 * k, "本市では、地域福祉への関心が高まって")
    pdf.text(60, 680, "それぞれの役割")
    pdf.table(60, 690, [75, 75, 75], [[["自助"], ["共助"], ["公助"]], [["◆あいさつを", "交わし"], ["◆講座を開", "きます。"], ["◆窓口"]]])
    pdf.table(310, 60, [75, 75, 75], [[["ます。", "◆見守る。"], ["◆声かけ。"], [""]]])
    for k in range(30):
        pdf.text(310, 140 + 18 * k, "本市では、地域福祉への関心が高まって")
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "あいさつを交わします。"), ("地域", "講座を開きます。"), ("行政", "窓口"),
        ("市民", "見守る。"), ("地域", "声かけ。")]


# ----------------------------------------------------------------------------- item tables


def test_an_action_table_with_a_header_row_gives_one_action_a_row_named_in_its_name_column(extract_file, pdf):
    """事業名 | 内容 | 担当課 under 主な事業: each row is one action, its name from the 事業名 column
    (wherever that column stands), a name wrapped at a 中黒 still one, a status mark not part of
    it; what it does and who is in charge are not actions. Before, every cell went back to the
    text flow as prose and no action was read."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■主な事業", size=11)
    pdf.table(60, 140, [90, 160, 180], [
        [["担当課"], ["事業名"], ["内容"]],
        [["福祉課"], ["【新規】見守り協力員の派遣"], ["ひとり暮らしの人を訪ねます。"]],
        [["担当課"], ["事業名"], ["内容"]],
        [["地域福祉課"], ["支え合いガイドの作成・", "配布"], ["分かりやすい冊子を作ります。"]],
    ])
    seg = extract_file("plan.pdf", pdf)
    assert [(a.local_code, a.kind.value, a.text) for a in seg.actions] == [
        ("1.1", "action", "見守り協力員の派遣"), ("1.1", "action", "支え合いガイドの作成・配布")]
    assert seg.actions[0].raw_text.startswith("【新規】")  # the raw text keeps what was printed
    assert "ひとり暮らしの人を訪ねます。" in [u.text for u in seg.unassigned]  # kept, not an action


def test_a_table_under_actions_whose_header_names_no_item_column_is_not_an_item_table(extract_file, pdf):
    """番号 | 担当課 | 内容: no column is named as the items', so none is taken for them."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■主な事業", size=11)
    pdf.table(60, 140, [60, 90, 200], [[["番号"], ["担当課"], ["内容"]], [["1"], ["福祉課"], ["訪ねます。"]]])
    assert extract_file("plan.pdf", pdf).actions == []


def test_a_table_under_no_list_of_actions_is_not_an_item_table(extract_file, pdf):
    """The same shape of table in a policy's prose (no 主な事業 above it) gives no action."""
    _goal_and_policy(pdf)
    pdf.table(60, 140, [160, 180], [
        [["事業名"], ["内容"]],
        [["見守り協力員の派遣"], ["ひとり暮らしの人を訪ねます。"]],
    ])
    assert extract_file("plan.pdf", pdf).actions == []


def test_an_item_table_goes_on_under_its_heading_repeated_as_continued_on_the_next_page(extract_file, pdf):
    """The policy's heading printed again with （続き） over the rest of the table (its header row
    repeated): the same policy, and its list of actions still open."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■主な事業", size=11)
    pdf.table(60, 140, [160, 180], [[["事業名"], ["内容"]], [["見守り協力員の派遣"], ["訪ねます。"]]])
    pdf.new_page()
    pdf.text(60, 60, "基本施策1-1 見守りの輪（続き）", size=12)
    pdf.table(60, 80, [160, 180], [[["事業名"], ["内容"]], [["安否確認の訓練"], ["訓練します。"]]])
    seg = extract_file("plan.pdf", pdf)
    assert [n.local_code for n in seg.nodes] == ["1", "1.1"]
    assert [(a.local_code, a.text) for a in seg.actions] == [("1.1", "見守り協力員の派遣"), ("1.1", "安否確認の訓練")]


def test_an_indicator_table_under_the_actions_is_not_an_item_table(extract_file, pdf):
    """指標 | 現状値 | 目標値 after the list of actions: its rows are targets, not actions."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■主な事業", size=11)
    pdf.text(60, 150, "・見守り協力員の派遣")
    pdf.table(60, 170, [160, 80, 80], [[["指標"], ["現状値"], ["目標値"]], [["協力員の人数"], ["20人"], ["40人"]]])
    seg = extract_file("plan.pdf", pdf)
    assert [(a.local_code, a.text) for a in seg.actions] == [("1.1", "見守り協力員の派遣")]


def _banded_header(pdf, x: float, y: float, widths: list[float], labels: list[str], h: float = 22) -> float:
    """A header row drawn as one shaded band, no rule between its labels, each label over its column."""
    shape = pdf.page.new_shape()
    shape.draw_rect(pymupdf.Rect(x, y, x + sum(widths), y + h))
    shape.finish(color=(0, 0, 0), fill=(0.85, 0.85, 0.85), width=0.8)
    shape.commit()
    left = x
    for w, label in zip(widths, labels):
        pdf.text(left + 4, y + 15, label, size=9.5)
        left += w
    return y + h


def test_a_header_drawn_as_one_band_is_read_label_by_column(tmp_path, rules, pdf):
    """事業名 内容 担当課 on one shaded band with no rules between them: before, one cell over the
    three columns (so no column was named as the items'); now a cell per column. A row whose one
    piece of text runs across the columns (a group title) stays one cell."""
    y = _banded_header(pdf, 60, 140, [160, 180, 90], ["事業名", "内容", "担当課"])
    pdf.table(60, y, [160, 180, 90], [[["見守り協力員の派遣"], ["訪ねます。"], ["福祉課"]]])
    y = _banded_header(pdf, 60, 300, [160, 180, 90], ["高齢者の見守りと支え合いの推進に向けた主な事業の一覧"])
    pdf.table(60, y, [160, 180, 90], [[["安否確認の訓練"], ["訓練します。"], ["福祉課"]]])
    # a title with a note beside it, each inside a column: not labels naming the columns
    y = _banded_header(pdf, 60, 460, [160, 180, 90], ["見守り事業", "", "（単位：人）"])
    pdf.table(60, y, [160, 180, 90], [[["協力員"], ["20"], ["40"]]])
    first, second, third = _tables(_ingest(tmp_path, rules, "plan.pdf", pdf))
    assert {k: v for k, v in _cell_texts(first).items() if k[0] == 0} == {(0, 0): "事業名", (0, 1): "内容", (0, 2): "担当課"}
    assert [(c.col, c.col_span) for c in second.cells if c.row == 0] == [(0, 3)]
    assert [(c.col, c.col_span) for c in third.cells if c.row == 0] == [(0, 3)]


def test_an_item_table_under_a_banded_header_gives_its_actions_a_name_wrapped_before_a_middle_dot_one(extract_file, pdf):
    """Under the banded header each row is an action. A name filled to its cell's edge and wrapped
    before the 中黒 (作成 / ・配布) is one name; a short name with ・ items under it is one each."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■主な事業", size=11)
    y = _banded_header(pdf, 60, 140, [160, 180, 90], ["事業名", "内容", "担当課"])
    pdf.table(60, y, [160, 180, 90], [
        [["見守り協力員のガイドブックの作成", "・配布"], ["分かりやすい冊子を作ります。"], ["福祉課"]],
        [["研修会の開催", "・初任者研修"], ["研修を行います。"], ["福祉課"]],
    ])
    seg = extract_file("plan.pdf", pdf)
    assert [(a.local_code, a.text) for a in seg.actions] == [
        ("1.1", "見守り協力員のガイドブックの作成・配布"), ("1.1", "研修会の開催"), ("1.1", "初任者研修")]


def test_a_role_table_under_a_header_of_labels_not_naming_the_actors_column(extract_file, pdf):
    """取組の主体 | 取組内容 | 期待される効果 over rows headed by actors: the first row is the
    header (before, 取組の主体 was read as an actor 'other' with the item 取組内容), and the third
    column, what the commitments are to bring, is kept in unassigned, not dropped."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "■みんなの取組", size=11)
    pdf.table(60, 140, [80, 220, 140], [
        [["取組の主体"], ["取組内容"], ["期待される効果"]],
        [["市民"], ["・近所の人にあいさつします。"], ["つながりが生まれます。"]],
        [["行政"], ["・相談窓口を案内します。"], ["支援が届きます。"]],
    ])
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [("市民", "近所の人にあいさつします。"), ("行政", "相談窓口を案内します。")]
    assert {"つながりが生まれます。", "支援が届きます。"} <= {u.text for u in seg.unassigned}
    # the header's words are not known ones: it is kept where an analyst can see it, not dropped
    assert "取組の主体" in {u.text for u in seg.unassigned}


def test_a_note_of_who_is_in_charge_after_an_action_is_not_its_text(extract_file, pdf):
    """1) 見守り協力員の派遣（担当：福祉課）: the action is the name; the note stays in raw_text. A
    role's trailing (企業・学校) is still its qualifier."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "主な事業", size=11)
    pdf.text(60, 150, "1) 見守り協力員の派遣（担当：福祉課）")
    pdf.text(60, 166, "2) 安否確認の訓練【所管課：危機管理課】")
    seg = extract_file("plan.pdf", pdf)
    assert [a.text for a in seg.actions] == ["見守り協力員の派遣", "安否確認の訓練"]
    assert seg.actions[0].raw_text.endswith("（担当：福祉課）")


# ----------------------------------------------------------------------------- actors named on the item's line


def _icon(pdf, x: float, y: float, label: str, size: float = 9.5) -> float:
    """An icon label: a filled rectangle as wide as its text, the actor's name in white. Returns its right edge."""
    right = x + 6 + size * len(label)
    shape = pdf.page.new_shape()
    shape.draw_rect(pymupdf.Rect(x, y - size - 3, right, y + 4))
    shape.finish(color=None, fill=(0.3, 0.45, 0.7))
    shape.commit()
    pdf.page.insert_text((x + 3, y), label, fontname="japan", fontsize=size, color=(1, 1, 1))
    return right


def test_icon_labels_of_different_widths_each_followed_by_its_items(extract_file, pdf):
    """住民 / 自治会・町内会 / 市役所 as icons down the left, each row's items starting right after
    its own icon (so at different places): every item goes to the actor of its row. Before, items
    beside a short icon, starting left of the widest icon's edge, were read as the wrong actor's."""
    _goal_and_policy(pdf)
    rows = [("住民", ["・近所の人にあいさつします。", "・地域の行事に参加します。"]),
            ("自治会・町内会", ["・見守りの当番を決めます。"]),
            ("民生委員・児童委員", ["・気になる世帯を訪ねます。", "・相談を関係機関へつなぎます。"]),
            ("市役所", ["・相談窓口を案内します。", "・情報を届けます。"])]
    y = 140
    for label, items in rows:
        right = _icon(pdf, 66, y, label)
        for k, item in enumerate(items):
            pdf.text(right + 8 + (0 if k == 0 else 8), y + 15 * k, item, size=9.5)
        y += 15 * len(items) + 12
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("市民", "住民", "近所の人にあいさつします。"), ("市民", "住民", "地域の行事に参加します。"),
        ("地域", "自治会・町内会", "見守りの当番を決めます。"),
        ("地域", "民生委員・児童委員", "気になる世帯を訪ねます。"), ("地域", "民生委員・児童委員", "相談を関係機関へつなぎます。"),
        ("行政", "市役所", "相談窓口を案内します。"), ("行政", "市役所", "情報を届けます。")]


def test_items_opened_by_an_actor_and_a_colon_are_that_actors_roles(extract_file, pdf):
    """・市民：関心を持つ (an overview's bullets under a policy): a role of 市民, the label not in its
    text; the 主な事業 list after them is still actions. Before, every bullet was an action."""
    _goal_and_policy(pdf)
    pdf.text(60, 130, "・市民：見守りに関心を持つ")
    pdf.text(60, 146, "・行政：相談窓口を周知する")
    pdf.text(60, 162, "・目標：参加者を増やす")
    pdf.text(60, 190, "▶主な事業", size=11)
    pdf.text(60, 210, "○見守り推進事業")
    pdf.text(60, 240, "市民の役割", size=11)
    pdf.text(60, 260, "・地域：サロンに参加する")
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "見守りに関心を持つ"), ("行政", "相談窓口を周知する"),
        # in one actor's list, 地域： names the item's topic: it stays that actor's item, whole
        ("市民", "地域：サロンに参加する")]
    assert [a.text for a in seg.actions] == ["目標：参加者を増やす", "見守り推進事業"]


def test_a_box_with_a_title_tab_in_its_corner_is_a_box_not_a_table(extract_file, pdf):
    """A framed box with a filled tab at its top left (社協の取組（地域福祉活動計画）) and ☆ items
    below: the rules make an L-shaped region round the tab, no table's cell. Before, it was read
    as a table of two cells at one place and its items as prose; now the tab heads the items."""
    _goal_and_policy(pdf)
    shape = pdf.page.new_shape()
    shape.draw_rect(pymupdf.Rect(50, 130, 545, 210))
    shape.finish(color=(0.5, 0.1, 0.2), fill=(0.98, 0.93, 0.93), width=0.8)
    shape.draw_rect(pymupdf.Rect(50, 130, 250, 148))
    shape.finish(color=(0.5, 0.1, 0.2), fill=(0.5, 0.1, 0.2), width=1)
    shape.commit()
    pdf.page.insert_text((56, 143), "社協の取組（地域福祉活動計画）", fontname="japan", fontsize=10, color=(1, 1, 1))
    pdf.text(60, 168, "☆担い手の研修を開きます。")
    pdf.text(60, 186, "☆相談の場を設けます。")
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [("社協", "担い手の研修を開きます。"), ("社協", "相談の場を設けます。")]
