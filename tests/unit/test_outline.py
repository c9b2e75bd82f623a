"""Issue 9: plans laid out unlike the samples. The outline is found from the document's own
numbering, nesting and repetition; level words only name the levels. Every document here is
fictional, written for the test."""

from planextract.models import Level
from planextract.segment.outline import LabelReader


def nodes(seg, level=None):
    return [(n.local_code, n.title) for n in seg.nodes if level is None or n.level == level]


def actions(seg):
    return [(a.local_code, a.text) for a in seg.actions]


def test_label_reader_styles(rules):
    read = LabelReader(rules).read
    cases = {
        "柱２　みんなの居場所": ("柱", "arabic", 2, None, "みんなの居場所"),
        "施策の方向（1）身近な見守りの広がり": ("施策の方向", "paren", 1, None, "身近な見守りの広がり"),
        "ア　声をかけ合う関係": ("", "katakana", 1, None, "声をかけ合う関係"),
        "2-3 相談の入口": ("", "composite", 3, 2, "相談の入口"),
        # a bare decimal is a style of its own (the outline decides whose it is), never 1 + "1 …"
        "1.2　計画の位置づけ": ("", "decimal", 2, 1, "計画の位置づけ"),
        "施策2－1 相談体制": ("施策", "composite", 1, 2, "相談体制"),
        "Ⅲ 安心のまち": ("", "roman", 3, None, "安心のまち"),
        "II 安心のまち": ("", "latin_roman", 2, None, "安心のまち"),
        "【3】つながる": ("", "bracket", 3, None, "つながる"),
        "【基本目標１】ともに": ("基本目標", "arabic", 1, None, "ともに"),
        # parts of the book are numbering styles of their own (a 節 may be a plan's goal level)
        "第3章 施策の展開": ("第章", "part", 3, None, "施策の展開"),
        "第二節": ("第節", "part", 2, None, ""),
        "施策の方向性(ア)": ("施策の方向性", "paren_kana", 1, None, ""),
        # a decimal 1.2 is policy 2 of goal 1; "1. 2" is a number and a title
        "方針1.2 見守りの強化": ("方針", "composite", 2, 1, "見守りの強化"),
        "1. 2つの視点": ("", "arabic", 1, None, "2つの視点"),
        "方針１．３ 相談": ("方針", "composite", 3, 1, "相談"),
        # the number before its level word (a number in a drawn circle, the word beside it)
        "2 施策の方向　交流の場の充実": ("施策の方向", "arabic", 2, None, "交流の場の充実"),
        # ...but a number and a title that begins with a level word is a number and its title
        "1 施策の方向について": ("", "arabic", 1, None, "施策の方向について"),
        "1 目標 100件": ("", "arabic", 1, None, "目標 100件"),
    }
    for text, (word, kind, num, goal, title) in cases.items():
        lab = read(text)
        assert (lab.word, lab.kind, lab.num, lab.goal_num, lab.title) == (word, kind, num, goal, title), text
    # parts of the book and quantities are not headings' numbers
    # a decimal with no level word numbers a section of the book (1.1 計画策定の背景), not a policy;
    # 1.1.1 is a third level, not policy 1 of goal 1
    for text in ("1.1 計画策定の背景", "方針1.1.1 集い", "1-1-2", "1-2-1 出前講座", "施策1-1-1 相談"):
        assert read(text) is None or read(text).kind != "composite", text
    for text in ("3つの基本目標", "令和6年度の取組", "アンケート結果"):
        assert read(text) is None, text


def test_policy_label_with_a_parenthesised_number_and_actors_across_the_header(extract_file):
    """The issue's first example: 施策の方向（1）… headings and role tables whose header row names
    the actors. Before, no body heading was recognised and every role cell was set aside."""
    text = "\n".join([
        "第3章 施策の展開",
        "基本目標１ 誰もが参加できる地域",
        "施策の方向（1）身近な見守りの広がり",
        "一人ひとりが身近な人を気にかけるまちを目指します。",
        "主な取組",
        "・見守り協力店の登録を進めます。",
        "・声かけの練習会を地区ごとに開きます。",
        "",
        "市民\t地域\t行政",
        "・近所にあいさつをします。\t・見守りの当番を決めます。\t・協力店を募ります。",
        "施策の方向（2）相談の入口づくり",
        "主な取組",
        "・出張相談の日を設けます。",
        "基本目標２ 安心して暮らせる地域",
        "施策の方向（1）災害に備える仲間づくり",
        "主な取組",
        "・避難の声かけ名簿を整えます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "誰もが参加できる地域"), ("1.1", "身近な見守りの広がり"), ("1.2", "相談の入口づくり"),
                          ("2", "安心して暮らせる地域"), ("2.1", "災害に備える仲間づくり")]
    assert actions(seg) == [
        ("1.1", "見守り協力店の登録を進めます。"), ("1.1", "声かけの練習会を地区ごとに開きます。"),
        ("1.2", "出張相談の日を設けます。"), ("2.1", "避難の声かけ名簿を整えます。")]
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "近所にあいさつをします。"), ("1.1", "地域", "見守りの当番を決めます。"),
        ("1.1", "行政", "協力店を募ります。")]



def test_policies_numbered_before_their_level_word_are_policies(extract_file):
    text = "\n".join([
        "柱1　地域のつながり",
        "1 施策の方向　顔の見える関係",
        "2 施策の方向　交流の場",
        "柱2　担い手",
        "1 施策の方向　福祉教育",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "地域のつながり"), ("1.1", "顔の見える関係"), ("1.2", "交流の場"),
                          ("2", "担い手"), ("2.1", "福祉教育")]


    """No level word at all: Ⅰ holds （1）, so Ⅰ is the goal level and （1） the policy level."""
    text = "\n".join([
        "Ⅰ 安心して暮らせるまち",
        "（1）相談しやすい仕組み",
        "困りごとを一人で抱えないようにします。",
        "（2）見守りの輪",
        "Ⅱ 参加と交流のまち",
        "（1）居場所の広がり",
        "（2）担い手の育成",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "安心して暮らせるまち"), ("1.1", "相談しやすい仕組み"), ("1.2", "見守りの輪"),
                          ("2", "参加と交流のまち"), ("2.1", "居場所の広がり"), ("2.2", "担い手の育成")]
    assert seg.outline.styles["|roman"].startswith("goal")


def test_unknown_level_word_and_a_heading_repeated_without_its_label(extract_file):
    """柱 names the goal level; the body repeats the tree's titles without any number."""
    text = "\n".join([
        "施策の体系",
        "柱1 ふれあいのあるまち",
        "ア 世代をこえた交流",
        "イ 身近な居場所",
        "柱2 支え合うまち",
        "ア 見守りの仕組み",
        "",
        "世代をこえた交流",
        "主な取組",
        "・昔遊びの会を開きます。",
        "身近な居場所",
        "主な取組",
        "・空き店舗を交流の場にします。",
        "見守りの仕組み",
        "主な取組",
        "・配食のときに安否を確かめます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg, Level.goal) == [("1", "ふれあいのあるまち"), ("2", "支え合うまち")]
    assert nodes(seg, Level.policy) == [("1.1", "世代をこえた交流"), ("1.2", "身近な居場所"), ("2.1", "見守りの仕組み")]
    assert actions(seg) == [
        ("1.1", "昔遊びの会を開きます。"), ("1.2", "空き店舗を交流の場にします。"), ("2.1", "配食のときに安否を確かめます。")]
    repeated = [e for e in seg.outline.entries if e.label is None]
    assert [e.title for e in repeated] == ["世代をこえた交流", "身近な居場所", "見守りの仕組み"]
    assert all("repeats the title" in e.evidence[0] for e in repeated)


def test_an_agenda_is_not_a_goal_list_when_the_document_names_its_levels(extract_file):
    text = "\n".join([
        "次第", "1 開会", "2 報告", "(1) 昨年度の実績", "(2) 今年度の予定", "3 閉会",
        "基本目標1 つながるまち", "(1) 交流の場",
    ])
    seg = extract_file("meeting.source.txt", text)
    assert nodes(seg) == [("1", "つながるまち"), ("1.1", "交流の場")]


def test_role_sections_named_by_actor_and_a_box_shared_by_two_actors(extract_file):
    """市民の役割 / 地域でできること / 市が取り組むこと open one actor's items; a box shared by the
    town and its council gives each item to the actor its trailing （町）/（社協） names."""
    text = "\n".join([
        "基本目標1 つながるまち",
        "基本施策1-1 交流の場づくり",
        "【市民の役割】",
        "・近所の集まりに顔を出します。",
        "地域でできること",
        "・集会所を開放します。",
        "町・社協が取り組むこと",
        "・送迎の仕組みを検討します。（町）",
        "・交流会の運営を支えます。（社協）",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.actor.value, r.text, r.qualifier) for r in seg.roles] == [
        ("市民", "近所の集まりに顔を出します。", None), ("地域", "集会所を開放します。", None),
        ("行政", "送迎の仕組みを検討します。", None), ("社協", "交流会の運営を支えます。", None)]


def test_self_help_scheme_columns_and_an_unknown_actor_kept_as_other(extract_file):
    """自助・互助・共助・公助 columns: with 互助 present, 共助 is the services' help (専門職).
    A label that names no actor is kept as `other` with a warning, never dropped."""
    text = "\n".join([
        "基本目標1 ささえあうまち",
        "基本施策1-1 見守りの輪",
        "自助\t互助\t共助\t公助",
        "・あいさつを交わします。\t・声をかけ合います。\t・訪問時に気づきを伝えます。\t・相談窓口を周知します。",
        "基本施策1-2 買い物の支え",
        "それぞれの役割",
        "市民\t・近くの店を使います。",
        "商店会\t・配達を引き受けます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.local_code, r.actor.value, r.actor_label) for r in seg.roles] == [
        ("1.1", "市民", "自助"), ("1.1", "地域", "互助"), ("1.1", "専門職", "共助"), ("1.1", "行政", "公助"),
        ("1.2", "市民", "市民"), ("1.2", "other", "商店会")]
    assert any("商店会" in p.message and p.severity == "warning" for p in seg.problems)


def test_a_sheet_row_split_by_a_page_break_does_not_open_nodes(extract_file, pdf):
    """Re-rendered with other page breaks, a policy title wrapped into the next page's first row
    became a node of its own (issue 9's third example). The rest of a cut title joins its node."""
    header = [["基本目標"], ["施策の方向"], ["主な取組"]]
    filler = [[["1 人づくり" if i == 1 else ""], [f"({i}) 項目{i}の推進"], ["・取組を進めます。"]] for i in (1, 2)]
    rows = [header, *filler, [[""], ["(3) 地域の担い手の育成と"], ["・講座を開きます。"]]]
    pdf.table(40, 640, [110, 200, 200], rows, line_h=40)
    pdf.new_page()
    pdf.table(40, 40, [110, 200, 200], [[[""], ["次世代の参加の促進"], ["・交流会を開きます。"]],
                                       [["2 つながり"], ["(1) 相談体制の充実"], ["・窓口を設けます。"]]], line_h=30)
    seg = extract_file("sheet.pdf", pdf)
    policies = [(n.local_code, n.title) for n in seg.nodes if n.level == Level.policy]
    assert ("1.3", "地域の担い手の育成と次世代の参加の促進") in policies
    assert [c for c, _ in policies] == ["1.1", "1.2", "1.3", "2.1"]
    assert [(a.local_code, a.text) for a in seg.actions if a.local_code == "1.3"] == [
        ("1.3", "講座を開きます。"), ("1.3", "交流会を開きます。")]


def test_unnumbered_headings_printed_like_a_level(extract_file, pdf):
    """Goals are numbered; policies are not, but are printed alike (12 pt against a 10.5 pt body).
    A document with no numbers at all: the two most prominent recurring looks are the levels."""
    y = 60
    for g, policies in (("基本目標1 ふれあうまち", ["居場所のひろがり", "世代の交流"]), ("基本目標2 たすけあうまち", ["見守りの輪"])):
        pdf.text(60, y, g, size=15)
        y += 30
        for title in policies:
            pdf.text(60, y, title, size=12.5)
            pdf.text(60, y + 20, "地域の中で顔の見える関係をつくり、互いに気にかけ合うまちを目指します。")
            pdf.text(60, y + 40, "・集いの場を増やします。")
            y += 70
    seg = extract_file("plan.pdf", pdf)
    assert nodes(seg) == [("1", "ふれあうまち"), ("1.1", "居場所のひろがり"), ("1.2", "世代の交流"),
                          ("2", "たすけあうまち"), ("2.1", "見守りの輪")]
    assert [a.local_code for a in seg.actions] == ["1.1", "1.2", "2.1"]


def test_descriptions_are_prose_not_running_titles_or_notes(extract_file, pdf):
    """Issue 12 point 2: a running title ingest did not set aside, a footnote or a bracketed
    title is not a node's description; the lead sentence is."""
    for n in range(3):
        pdf.text(200, 30, "わがまち福祉計画 中間評価", size=10.5)
        if n == 0:
            pdf.text(60, 80, "基本目標1 つながるまち", size=14)
            pdf.text(60, 110, "基本施策1-1 交流の場づくり", size=12)
            pdf.text(60, 140, "※交流の場は地区ごとの集会所を指します。", size=8)
            pdf.text(60, 160, "誰もが気軽に集える場所を地域の中に増やしていきます。")
        pdf.new_page()
    seg = extract_file("plan.pdf", pdf)
    policy = next(n for n in seg.nodes if n.local_code == "1.1")
    assert policy.description == "誰もが気軽に集える場所を地域の中に増やしていきます。"


def test_achievements_in_a_loose_row_are_not_actions(extract_file):
    """Issue 12 point 3: a text rendition's row whose cell records what was done (past tense) is
    set aside, as the PDF path does; it is never an action."""
    header = "基本目標\t施策の方向\t施策の展開\tこれまでの主な取組\t評価点(平均)"
    rows = ["1 ひとづくり\t(1) 学びの場\t① 講座を開きます。\t講座を一回開いた。\t3.5",
            # an export that dropped the empty 施策の展開 cell: the record must not slide into it
            "\t(2) 担い手\t講座を三回開いた。参加者に冊子を配った。\t3.0"]
    seg = extract_file("sheet.source.txt", "\n".join([header, *rows]))
    assert actions(seg) == [("1.1", "講座を開きます。")]
    assert any("講座を三回開いた" in u.text for u in seg.unassigned)


def test_labels_in_one_form():
    from planextract.normalise import label_form

    assert label_form("基本目標１：") == "基本目標1"
    assert label_form("重点的な取組 2") == "重点的な取組2"
    assert label_form("（1）") == "（1）" and label_form("") is None


def test_sections_of_a_chapter_as_goals_iroha_policies_and_a_toc(extract_file):
    """第N節 holds the 施策の方向性(イ)(ロ) headings, so it is the goal level; イ ロ ハ count as
    iroha; the 目次's entries (leader dots, page numbers) are the same nodes as the body's."""
    text = "\n".join([
        "目次",
        "第1節 ともに学ぶまち……………2",
        "施策の方向性(イ) 学びの場の確保……2",
        "施策の方向性(ロ) 講座の周知……3",
        "第2節 ともに守るまち……………4",
        "施策の方向性(イ) 防災の備え……4",
        "第4章 計画の内容",
        "第1節",
        "ともに学ぶまち",
        "施策の方向性(イ) 学びの場の確保",
        "施策の方向性(ロ) 講座の周知",
        "第2節",
        "ともに守るまち",
        "施策の方向性(イ) 防災の備え",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "ともに学ぶまち"), ("1.1", "学びの場の確保"), ("1.2", "講座の周知"),
                          ("2", "ともに守るまち"), ("2.1", "防災の備え")]


def test_a_role_table_printed_without_rules(extract_file, pdf):
    """Blocks step: a header row of actor labels side by side, items aligned under each, no ruling
    lines (white space or background fills only). Lines that ingest joined across columns on one
    baseline are split again at the white space between them."""
    pdf.text(60, 60, "基本目標1 たすけあうまち", size=14)
    pdf.text(60, 90, "基本施策1-1 見守りの輪", size=12)
    pdf.text(60, 115, "それぞれの役割")
    for x, label in ((60, "自助"), (220, "共助"), (380, "公助")):
        pdf.text(x, 140, label)
    pdf.text(60, 160, "□近所にあいさつを")
    pdf.text(220, 160, "□声をかけ合う場を")
    pdf.text(380, 160, "□相談窓口を知らせます。")
    pdf.text(70, 174, "します。")
    pdf.text(230, 174, "つくります。")
    pdf.text(60, 190, "□回覧板を回します。")
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("1.1", "市民", "自助", "近所にあいさつをします。"), ("1.1", "市民", "自助", "回覧板を回します。"),
        ("1.1", "地域", "共助", "声をかけ合う場をつくります。"), ("1.1", "行政", "公助", "相談窓口を知らせます。")]


def test_actor_rows_without_rules_read_in_rows_not_columns(extract_file, pdf):
    """Labels down the first column, items to their right, no rules: reading order may give all
    labels first. Each item belongs to the label whose row it starts in."""
    pdf.text(60, 60, "基本目標1 たすけあうまち", size=14)
    pdf.text(60, 90, "基本施策1-1 見守りの輪", size=12)
    pdf.text(60, 115, "各主体の役割", size=11)
    rows = (("区民", ["●あいさつを交わします。", "●回覧板を回します。"]), ("関係機関", ["●気づきを伝えます。"]),
            ("行政", ["●窓口を知らせます。"]))
    y = 140
    for label, items in rows:
        pdf.text(60, y, label, size=9)
        for i, item in enumerate(items):
            pdf.text(175, y + 12.5 * i, item, size=9)
        y += 12.5 * len(items) + 8
    pdf.text(60, y + 20, "基本施策1-2 居場所", size=12)
    seg = extract_file("plan.pdf", pdf)
    assert [(r.local_code, r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("1.1", "市民", "区民", "あいさつを交わします。"), ("1.1", "市民", "区民", "回覧板を回します。"),
        ("1.1", "専門職", "関係機関", "気づきを伝えます。"), ("1.1", "行政", "行政", "窓口を知らせます。")]


def test_two_columns_whose_channel_a_heading_crosses_are_read_column_by_column():
    """XY-cut finds no clean channel when a heading runs over into the other column; the column
    split that few lines cross is still taken, so each column is read whole."""
    from planextract.ingest.layout import Atom, xy_cut

    left = [Atom((56, 100 + 14 * i, 278, 110 + 14 * i), f"L{i}") for i in range(8)]
    right = [Atom((320, 96 + 14 * i, 540, 106 + 14 * i), f"R{i}") for i in range(8)]
    heading = Atom((56, 86, 340, 98), "H")  # wider than its column
    order = [a.payload for a in xy_cut([heading, *right, *left])]
    assert order == ["H"] + [f"L{i}" for i in range(8)] + [f"R{i}" for i in range(8)]
    # a paragraph across the full width above two columns is not a crossing heading
    full = Atom((56, 60, 540, 70), "F")
    order = [a.payload for a in xy_cut([full, *right, *left])]
    assert order[0] == "F"


def test_bookmarks_give_the_levels_of_unnumbered_headings(extract_file, pdf):
    """Nothing numbered, nothing printed larger: the PDF's bookmarks nest goals and policies, and
    the body's lines that repeat their titles are those headings."""
    y = 60
    for title in ("ふれあうまち", "居場所のひろがり", "たすけあうまち", "見守りの輪"):
        pdf.text(60, y, title)
        pdf.text(60, y + 18, "・集いの場を増やします。")
        y += 50
    pdf.doc.set_toc([[1, "ふれあうまち", 1], [2, "居場所のひろがり", 1], [1, "たすけあうまち", 1], [2, "見守りの輪", 1]])
    seg = extract_file("plan.pdf", pdf)
    assert nodes(seg) == [("1", "ふれあうまち"), ("1.1", "居場所のひろがり"), ("2", "たすけあうまち"), ("2.1", "見守りの輪")]


def test_review_findings_on_the_outline(extract_file, rules):
    """A sentence that starts with a title is not that heading; an indicator list does not hide the
    policies after it; captions (図表1) are not levels; 共助（社協） goes by its brackets."""
    text = "\n".join([
        "施策の体系", "柱1 ふれあうまち", "ア 見守り活動の充実", "イ 居場所づくり",
        "柱1 ふれあうまち", "成果指標", "・参加者数", "ア 見守り活動の充実",
        "見守り活動の充実に向けて、地域の協力が欠かせません。",
        "主な取組", "・声かけを広げます。", "イ 居場所づくり", "図表1 参加者の推移",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "ふれあうまち"), ("1.1", "見守り活動の充実"), ("1.2", "居場所づくり")]
    assert actions(seg) == [("1.1", "声かけを広げます。")]
    assert rules.actor_of("共助（社協）") == "社協" and rules.actor_of("公助（社協）") == "社協"


def test_dai_number_alone_on_its_line_is_a_label(rules):
    read = LabelReader(rules).read
    lab = read("第一")
    assert (lab.kind, lab.num, lab.title) == ("kanji", 1, "")
    assert read("第2").num == 2
    # a word starting with 第 is not a label, nor a bare number
    for text in ("第三者", "一", "52"):
        assert read(text) is None, text


def test_goal_level_from_what_precedes_the_policies_when_the_tree_hides_it(extract_file):
    """A 体系 page whose goal boxes did not read as labels (glued to their titles) shows the
    policy numbering first; in the chapter each run of policies follows a 第一 / 第二 alone on its
    line. The style printed before the policies is the goal level; before, nothing was read."""
    text = "\n".join([
        "施策の体系",
        "第一ひとりにしない地域づくり",
        "〔取組の方向1〕　気づきの輪の強化",
        "〔取組の方向2〕　相談の窓口の周知",
        "第二互いに学ぶまちづくり",
        "〔取組の方向3〕　学びの場の充実",
        "第3章　計画の内容",
        "第一",
        "ひとりにしない地域づくり",
        "〔取組の方向1〕　気づきの輪の強化",
        "■事業",
        "・声かけの講座を開きます。",
        "〔取組の方向2〕　相談の窓口の周知",
        "■事業",
        "・出張相談を行います。",
        "第二",
        "互いに学ぶまちづくり",
        "〔取組の方向3〕　学びの場の充実",
        "■事業",
        "・学び合いの会を開きます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg, Level.goal) == [("1", "ひとりにしない地域づくり"), ("2", "互いに学ぶまちづくり")]
    assert nodes(seg, Level.policy) == [("1.1", "気づきの輪の強化"), ("1.2", "相談の窓口の周知"),
                                        ("2.1", "学びの場の充実")]
    assert actions(seg) == [
        ("1.1", "声かけの講座を開きます。"), ("1.2", "出張相談を行います。"), ("2.1", "学び合いの会を開きます。")]


def test_a_policy_the_tree_placed_under_another_goal_is_kept_where_its_items_are(extract_file):
    """A 体系 of boxes read in the wrong order puts 取組2 under goal 2; the chapter states it under
    goal 1 with its items. The bare statement is withdrawn and goal 2's policies move up; before,
    the plan had 取組2 twice and goal 2's policies were numbered from 2.2."""
    text = "\n".join([
        "施策の体系",
        "基本目標１ ひとりにしない地域",
        "取組１ 気づきの輪の強化",
        "基本目標２ 互いに学ぶまち",
        "取組２ 相談の窓口の周知",
        "取組３ 学びの場の充実",
        "第3章 施策の展開",
        "基本目標１ ひとりにしない地域",
        "取組１ 気づきの輪の強化",
        "主な取組",
        "・声かけの講座を開きます。",
        "取組２ 相談の窓口の周知",
        "主な取組",
        "・出張相談を行います。",
        "基本目標２ 互いに学ぶまち",
        "取組３ 学びの場の充実",
        "主な取組",
        "・学び合いの会を開きます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert sorted(nodes(seg, Level.policy)) == [("1.1", "気づきの輪の強化"), ("1.2", "相談の窓口の周知"),
                                                ("2.1", "学びの場の充実")]
    assert actions(seg) == [
        ("1.1", "声かけの講座を開きます。"), ("1.2", "出張相談を行います。"), ("2.1", "学び合いの会を開きます。")]
    assert any("stated under two goals" in p.message for p in seg.problems)


def test_a_role_header_row_cut_from_its_rows_by_a_page_break(extract_file, pdf):
    """自助 | 互助 | 共助 | 公助 printed at the foot of a page, the rows at the top of the next.
    Before, the lone header was read as one actor's row (自助 → 互助 as a 市民 role) and the rows
    without a header were lost."""
    pdf.text(60, 80, "基本目標１ ひとりにしない地域")
    pdf.text(60, 110, "施策１ 気づきの輪の強化")
    pdf.text(60, 760, "それぞれの役割")
    pdf.table(60, 770, [110, 110, 110, 110], [[["自助"], ["互助"], ["共助"], ["公助"]]])
    pdf.new_page()
    pdf.table(60, 60, [110, 110, 110, 110], [[["・声をかけます。"], ["・見守ります。"], ["・講座を開きます。"],
                                              ["・窓口を整えます。"]]])
    pdf.text(60, 200, "施策２ 相談の窓口の周知")
    seg = extract_file("plan.pdf", pdf)
    assert {(r.local_code, r.actor.value, r.text) for r in seg.roles} == {
        ("1.1", "市民", "声をかけます。"), ("1.1", "地域", "見守ります。"),
        ("1.1", "専門職", "講座を開きます。"), ("1.1", "行政", "窓口を整えます。")}


def test_policies_read_out_of_their_printed_order_take_the_places_their_numbers_give(extract_file):
    """A 体系 whose boxes read (ハ) before (ロ) stated the policies in that order; the codes are
    positions, and the printed iroha numbers say which is second."""
    text = "\n".join([
        "施策の体系",
        "基本目標１ ひとりにしない地域",
        "施策の方向性(イ) 気づきの輪の強化",
        "施策の方向性(ハ) 学びの場の充実",
        "施策の方向性(ロ) 相談の窓口の周知",
        "第3章 施策の展開",
        "基本目標１ ひとりにしない地域",
        "施策の方向性(イ) 気づきの輪の強化",
        "主な取組",
        "・声かけの講座を開きます。",
        "施策の方向性(ロ) 相談の窓口の周知",
        "主な取組",
        "・出張相談を行います。",
        "施策の方向性(ハ) 学びの場の充実",
        "主な取組",
        "・学び合いの会を開きます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert sorted(nodes(seg, Level.policy)) == [("1.1", "気づきの輪の強化"), ("1.2", "相談の窓口の周知"),
                                                ("1.3", "学びの場の充実")]
    assert actions(seg) == [
        ("1.1", "声かけの講座を開きます。"), ("1.2", "出張相談を行います。"), ("1.3", "学び合いの会を開きます。")]


def test_a_numbered_item_list_in_the_headings_style_stays_a_list(extract_file):
    """Policies numbered 1, 2 (a 目次 names them), and under 具体的な取組 a list 1．2．3． in the
    same style whose first item is a sentence and whose second is a noun phrase. Before, the
    second item was taken as policy 2 and the real policy 2 became 1.3."""
    text = "\n".join([
        "目次",
        "目標１．ひとりにしない地域 ……… 3",
        "1．気づきの輪の強化 ……… 4",
        "2．相談の窓口の周知 ……… 5",
        "目標１．ひとりにしない地域",
        "1．気づきの輪の強化",
        "具体的な取組",
        "1．声かけの講座を開きます。",
        "2．見守りの協力店の登録",
        "3．出張相談の日を設けます。",
        "2．相談の窓口の周知",
        "具体的な取組",
        "1．窓口の案内を配ります。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg, Level.policy) == [("1.1", "気づきの輪の強化"), ("1.2", "相談の窓口の周知")]
    assert actions(seg) == [
        ("1.1", "声かけの講座を開きます。"), ("1.1", "見守りの協力店の登録"), ("1.1", "出張相談の日を設けます。"),
        ("1.2", "窓口の案内を配ります。")]


def test_numbered_goals_that_hold_their_actions_directly(extract_file):
    """No level word anywhere, no policy level: 第一 / 第二 headings, each followed by a 事業 list.
    Before, nothing named a level and the document was 'not recognised'."""
    text = "\n".join([
        "第３章　取組の推進",
        "第一  ひとりにしない地域づくり",
        "地域の関心が高まっています。",
        "事業",
        "1．声かけの講座の周知",
        "2．見守りの協力店を広げます。",
        "第二  互いに学ぶまちづくり",
        "事業",
        "1．学び合いの会の充実",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "ひとりにしない地域づくり"), ("2", "互いに学ぶまちづくり")]
    assert actions(seg) == [
        ("1", "声かけの講座の周知"), ("1", "見守りの協力店を広げます。"), ("2", "学び合いの会の充実")]


def test_a_katakana_number_before_a_katakana_title(rules):
    # the free level word took エ and read オ as the number; エ is the number, オンライン… the title
    lab = LabelReader(rules).read("エ　オンラインを活用した相談の場")
    assert (lab.word, lab.kind, lab.num, lab.title) == ("", "katakana", 4, "オンラインを活用した相談の場")
    lab = LabelReader(rules).read("イ ボランティアの輪")
    assert (lab.kind, lab.num, lab.title) == ("katakana", 2, "ボランティアの輪")


def test_an_indicator_table_after_a_sheet_is_not_the_sheet_continued(extract_file, pdf):
    """A 施策の体系 sheet (基本目標 | 施策 | 主な取組), later a 数値目標 table of as many columns.
    Before, the indicator table was read as the sheet run on: its values became goals."""
    pdf.text(60, 60, "施策の体系")
    pdf.table(60, 70, [150, 150, 150], [[["基本目標"], ["施策"], ["主な取組"]],
                                       [["1 ひとりにしない地域"], ["(1) 気づきの輪の強化"], ["・声かけの講座を開きます。"]]])
    pdf.text(60, 200, "数値目標")
    pdf.table(60, 210, [150, 150, 150], [[["見守りの登録者数"], ["令和4年度 173"], ["258"]],
                                        [["講座の参加者数"], ["102"], ["174"]]])
    seg = extract_file("plan.pdf", pdf)
    assert nodes(seg) == [("1", "ひとりにしない地域"), ("1.1", "気づきの輪の強化")]


def test_a_chart_value_between_a_label_and_its_title_is_not_the_title(extract_file):
    text = "\n".join([
        "目標一　ひとりにしない地域づくり",
        "取組方針Ⅰ　気づきの輪の強化",
        "＜取組内容＞",
        "◆声かけの講座の周知",
        "目標二",
        "令和4年度",
        "令和5年度",
        "（人）",
        "互いに学ぶまちづくり",
        "取組方針Ⅰ　学びの場の充実",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg, Level.goal) == [("1", "ひとりにしない地域づくり"), ("2", "互いに学ぶまちづくり")]
    assert nodes(seg, Level.policy) == [("1.1", "気づきの輪の強化"), ("2.1", "学びの場の充実")]


def test_an_unmarked_sentence_after_a_marked_role_list_is_not_a_role(extract_file):
    """A column (コラム) printed after the last actor's marked items: before, its sentence became
    that actor's role."""
    text = "\n".join([
        "基本目標１ ひとりにしない地域",
        "施策１ 気づきの輪の強化",
        "それぞれの役割",
        "市民",
        "・近所にあいさつをします。",
        "行政",
        "・窓口を整えます。",
        "コラム　見守りとは、住民と専門職が一緒に取り組む活動のことです。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.actor.value, r.text) for r in seg.roles] == [("市民", "近所にあいさつをします。"),
                                                          ("行政", "窓口を整えます。")]


def test_role_items_printed_without_marks_are_still_read(extract_file):
    text = "\n".join([
        "基本目標１ ひとりにしない地域",
        "施策１ 気づきの輪の強化",
        "それぞれの役割",
        "市民",
        "近所にあいさつをします。",
        "行政",
        "窓口を整えます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.actor.value, r.text) for r in seg.roles] == [("市民", "近所にあいさつをします。"),
                                                          ("行政", "窓口を整えます。")]


def test_explain_shows_each_step_and_where_text_was_lost(tmp_path, rules):
    """issue 9 point 5: per paragraph, the outline's evidence, the block rule, the node open
    (attribution's cursor) and, for unplaced text, the step that let it go."""
    from planextract.inspection import inspect_document

    path = tmp_path / "corpus" / "c" / "plan.source.txt"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([
        "基本目標１ ひとりにしない地域",
        "それぞれの役割",
        "・まだどの施策も開いていない役割です。",
        "施策１ 気づきの輪の強化",
        "それぞれの役割",
        "市民",
        "・近所にあいさつをします。",
    ]), encoding="utf-8")
    steps = inspect_document(path, explain=True, rules=rules)["explain"]
    by_text = {s["text"]: s for s in steps}
    lost = by_text["・まだどの施策も開いていない役割です。"]
    assert lost["under"] == "goal 1 › roles" and lost["lost_at"].startswith("attribution:")
    heading = by_text["施策１ 気づきの輪の強化"]
    assert "level word 施策" in heading["evidence"] and heading["rule"] == "heading:policy"
    assert heading["under"] == "goal 1 › roles" and heading["lost_at"] == ""
    role = by_text["・近所にあいさつをします。"]
    assert role["under"] == "goal 1 › policy 1.1 › roles of 市民 (市民)" and role["result"] == "1 roles"


def test_a_table_cell_holding_two_numbered_headings_gives_two_outline_lines(rules):
    """A 体系 box (a table cell) printing (イ)… and (ロ)… one under the other: two units, as the
    body prints them; a title wrapped inside a cell stays one. Before, the outline saw one heading
    '(イ)…(ロ)…' that no body line repeated, and goal 2 lost its policies."""
    from planextract.models import Line
    from planextract.segment.outline import _cell_units, label_reader

    lines = [Line(text=t, page=1) for t in ("(イ)　地区ごとの相談担い手の", "活性化", "(ロ)　福祉教育マップの構築")]
    units = _cell_units(lines, label_reader(rules))
    assert ["".join(ln.text for ln in u) for u in units] == ["(イ)　地区ごとの相談担い手の活性化", "(ロ)　福祉教育マップの構築"]
    assert len(_cell_units(lines, None)) == 1


def test_a_decimal_policy_number_nests_under_its_goal_whatever_word_precedes_it(extract_file):
    """方針 names the goal level in some plans; 方針1.2 is still policy 2 of goal 1 by its number."""
    text = "\n".join([
        "目標1 支え合う仕組みをつくる",
        "方針1.1 小地域の活動",
        "■具体的な取組",
        "① 地区の集いの開催",
        "方針1.2 見守りの強化",
        "■具体的な取組",
        "① 見守り協力員の派遣",
        "目標2 寄り添う支援を届ける",
        "方針2.1 相談の充実",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "支え合う仕組みをつくる"), ("1.1", "小地域の活動"), ("1.2", "見守りの強化"),
                          ("2", "寄り添う支援を届ける"), ("2.1", "相談の充実")]
    assert actions(seg) == [("1.1", "地区の集いの開催"), ("1.2", "見守り協力員の派遣")]


def test_a_heading_repeated_on_the_next_page_as_continued_is_the_same_node(extract_file):
    """（続き） after a repeated heading says the policy goes on; 【新規】 leaves no empty brackets."""
    text = "\n".join([
        "基本目標1 たすけあうまち",
        "1-(1) 見守りの輪【新規】",
        "■主な取組",
        "・見守り協力員の派遣",
        "1-(1) 見守りの輪（続き）",
        "・安否確認の訓練",
        "1-(2) 居場所づくり",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "たすけあうまち"), ("1.1", "見守りの輪"), ("1.2", "居場所づくり")]
    assert next(n for n in seg.nodes if n.local_code == "1.1").is_new
    assert actions(seg) == [("1.1", "見守り協力員の派遣"), ("1.1", "安否確認の訓練")]


def test_a_range_of_labels_in_the_contents_is_not_the_first_goals_title(extract_file):
    """目次: 目標１～目標３ names the span of a chapter. Before, it was read as goal 1 titled
    ～目標３, and the goal's heading in the body kept that title."""
    text = "\n".join([
        "目次",
        "第3章　取組の展開",
        "　目標１～目標３",
        "目標１　身近な地域でつながりをつくる",
        "（ア）外出の支援",
        "目標２　支援が届く仕組み",
        "（ア）相談の窓口",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg, Level.goal) == [("1", "身近な地域でつながりをつくる"), ("2", "支援が届く仕組み")]


def test_a_plan_numbered_decimally_throughout_keeps_the_books_sections_apart(extract_file):
    """1 / 1.1 number the book's chapters and sections as well as the plan's goals and policies,
    with 1.1.1 for the actions: a 1.1 holding an item list (役割分担) is a policy, its 1 the goal;
    a 1.1 of prose (1.1 計画策定の背景) and a 1 with no such 1.1 under it (a chapter, a 目次 line)
    are the book's. Before, 1.1 was read as 1 titled 1 計画策定の背景, and nothing was found."""
    text = "\n".join([
        "目次",
        "1　計画の策定にあたって",
        "2　施策の展開",
        "1　計画の策定にあたって",
        "1.1　計画策定の背景",
        "地域のつながりが弱まっています。",
        "1.2　計画の位置づけ",
        "2　施策の展開",
        "1　地域で支え合う人と場づくり",
        "1.1　地域活動への参加促進",
        "1.1.1　参加推進事業",
        "1.1.2　出前講座の開催",
        "【役割分担】",
        "市民",
        "○地域活動に参加します。",
        "1.2　身近な居場所の充実",
        "1.2.1　居場所づくり推進事業",
        "【役割分担】",
        "行政",
        "○居場所を支えます。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "地域で支え合う人と場づくり"), ("1.1", "地域活動への参加促進"), ("1.2", "身近な居場所の充実")]
    assert actions(seg) == [("1.1", "参加推進事業"), ("1.1", "出前講座の開催"), ("1.2", "居場所づくり推進事業")]
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "地域活動に参加します。"), ("1.2", "行政", "居場所を支えます。")]


def test_a_numbered_section_named_as_the_vision_has_the_vision_on_its_next_line(extract_file):
    """1　基本理念 (a numbered section of the book) with the vision on the line under it. Before,
    only an unnumbered 基本理念 label was read, and the plan had no vision."""
    text = "\n".join([
        "第3章　計画の基本的な考え方",
        "1　基本理念",
        "ともに支え、ともに生きる　笑顔あふれるまち",
        "この理念のもと、それぞれが役割を果たします。",
        "基本目標1 たすけあうまち",
        "基本施策1-1 見守りの輪",
    ])
    seg = extract_file("plan.source.txt", text)
    assert seg.facts.visions == ["ともに支え、ともに生きる笑顔あふれるまち"]


def test_decimal_sections_of_the_book_in_a_plan_whose_levels_are_named_otherwise(extract_file):
    """The book numbers its sections 1.1 (two of them over a 主な取組 list) and the plan names its
    levels 基本目標 / (1): the sections stay the book's, and a 1.1.1 in the plan is no action."""
    text = "\n".join([
        "1 計画の策定にあたって", "1.1 計画策定の背景", "地域のつながりが弱まっています。",
        "1.3 計画の期間", "■主な取組", "・見直し", "1.4 計画の策定体制", "■主な取組", "・委員会",
        "2 施策", "基本目標1 たすけあうまち", "(1) 見守り", "■主な取組", "・見守り協力員の派遣",
        "1.1.1 計画の位置づけ", "(2) 居場所", "■主な取組", "・サロン",
    ])
    seg = extract_file("plan.source.txt", text)
    assert nodes(seg) == [("1", "たすけあうまち"), ("1.1", "見守り"), ("1.2", "居場所")]
    assert actions(seg) == [("1.1", "見守り協力員の派遣"), ("1.2", "サロン")]


def test_a_decimal_policy_under_a_goal_of_another_number_is_not_the_plans(extract_file):
    """2.1 and 2.2 under 1: their numbers do not agree along the tree; no goal 2 is made up."""
    text = "\n".join([
        "1 地域", "2.1 参加", "【役割分担】", "市民", "○参加します。",
        "2.2 居場所", "【役割分担】", "行政", "○支えます。",
    ])
    assert nodes(extract_file("plan.source.txt", text)) == []


def test_a_vision_printed_beside_its_label_after_a_space(extract_file):
    """基本理念　value on one line (label and value parted by a space, no colon): the value is the
    vision; prose that begins with the label is not."""
    text = "\n".join([
        "第3章　計画の体系",
        "基本理念　誰もがつながり、自分らしく暮らせるまち",
        "基本目標1 たすけあうまち",
        "基本理念 を実現するため、次のとおり施策を展開します。",
        "基本理念　基本目標　施策の方向",
        "基本理念 ・・・・・・ 15",
    ])
    seg = extract_file("plan.source.txt", text)
    assert seg.facts.visions == ["誰もがつながり、自分らしく暮らせるまち"]
    # after a colon the value may be a sentence (a full-width colon as well)
    seg = extract_file("plan.source.txt", "基本理念：誰もが安心して暮らせるまちをつくります")
    assert seg.facts.visions == ["誰もが安心して暮らせるまちをつくります"]


def test_a_slogan_framed_on_the_cover_is_the_vision_only_when_no_label_names_one(extract_file):
    cover = "\n".join(["第2期　テスト市地域福祉計画", "～海と風に抱かれ　みんなで支え合うまち～", "令和6年度～令和10年度"])
    body = "\n".join(["目次"] + [f"第{k}章　章の名前{k}" for k in range(1, 20)] + ["基本目標1 たすけあうまち", "～ここは本文の見出し～"])
    seg = extract_file("plan.source.txt", cover + "\n" + body)
    assert seg.facts.slogans == ["海と風に抱かれみんなで支え合うまち"]
    assert seg.facts.visions == []


def test_role_groups_named_by_an_actor_and_its_particle_and_kana_numbered_actions(extract_file):
    """【自分や家族で】【地域で】【行政が】: an actor and its particle head its items (自分や家族:
    two words of one actor); 具体的施策 lists the actions, numbered ア イ with a charge note."""
    text = "\n".join([
        "目標1　ふれあいのまち",
        "施策の方向（1）",
        "あいさつと交流の推進",
        "【自分や家族で】",
        "◇ あいさつを心がけます。",
        "【地域で】",
        "◇ 交流の場を開きます。",
        "【行政が】",
        "◇ 情報を発信します。",
        "具体的施策",
        "ア あいさつ出前講座",
        "イ 交流サポーター養成事業",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.actor.value, r.actor_label, r.text) for r in seg.roles] == [
        ("市民", "自分や家族で", "あいさつを心がけます。"), ("地域", "地域で", "交流の場を開きます。"),
        ("行政", "行政が", "情報を発信します。")]
    assert actions(seg) == [("1.1", "あいさつ出前講座"), ("1.1", "交流サポーター養成事業")]


def test_the_cover_title_printed_like_the_goals_is_no_goal(extract_file, pdf):
    """No heading has a number: the goals and policies are two looks, and the cover prints the
    plan's name in the goals' look. The plan's name heads no level (before, it was goal 1 and
    every goal after it was numbered one too high)."""
    pdf.text(60, 60, "テスト市地域福祉計画", size=15)
    y = 120
    for goal, policies in (("ふれあう", ["居場所のひろがり", "世代の交流"]), ("たすけあう", ["見守りの輪", "相談の窓口"])):
        pdf.text(60, y, goal, size=15)
        y += 30
        for title in policies:
            pdf.text(60, y, title, size=12.5)
            pdf.text(60, y + 20, "地域の中で顔の見える関係をつくり、互いに気にかけ合うまちを目指します。")
            y += 50
    seg = extract_file("plan.pdf", pdf)
    assert nodes(seg) == [("1", "ふれあう"), ("1.1", "居場所のひろがり"), ("1.2", "世代の交流"),
                          ("2", "たすけあう"), ("2.1", "見守りの輪"), ("2.2", "相談の窓口")]


def test_titles_listed_with_slashes_do_not_reopen_the_first_of_them(extract_file, pdf):
    """A line listing unnumbered policy titles joined by ／ (a 体系 page's summary) is not the
    first policy's heading wrapped onto a second line: what follows stays where it was."""
    y = 60
    for g, policies in (("基本目標1 ふれあうまち", ["居場所のひろがり", "世代の交流"]), ("基本目標2 たすけあうまち", ["見守りの輪"])):
        pdf.text(60, y, g, size=15)
        y += 30
        for title in policies:
            pdf.text(60, y, title, size=12.5)
            if title == "世代の交流":
                y += 20
                pdf.text(60, y, "居場所のひろがり／世代の交流")
            pdf.text(60, y + 20, "・集いの場を増やします。")
            y += 50
    seg = extract_file("plan.pdf", pdf)
    assert [a.local_code for a in seg.actions] == ["1.1", "1.2", "2.1"]


def test_lists_of_actions_named_as_a_list_of_projects(extract_file):
    """具体的な事業 and 事業一覧 name a policy's list of actions: the table under them is its
    actions, one a row, named in its 事業名 column (before, the table was prose)."""
    text = "\n".join([
        "基本目標1 ふれあうまち",
        "施策の方向1 あいさつの促進",
        "具体的な事業",
        "| 事業名 | 内容 | 担当課 |",
        "|---|---|---|",
        "| あいさつ運動推進事業 | 地域であいさつ運動を進めます。 | 福祉課 |",
        "施策の方向2 交流の場の充実",
        "事業一覧",
        "| 事業名 | 内容 | 担当課 |",
        "|---|---|---|",
        "| 交流サロン支援事業 | サロンの運営を支えます。 | 福祉課 |",
    ])
    seg = extract_file("plan.source.txt", text)
    assert actions(seg) == [("1.1", "あいさつ運動推進事業"), ("1.2", "交流サロン支援事業")]


def test_a_column_titled_beside_its_name_is_set_aside_and_everyones_roles_open_roles(extract_file):
    """■みんなの役割 opens the roles (not an action named みんなの役割); a コラム box's title line
    (コラム　…) sets its text aside, so it is no role of the actor above it."""
    text = "\n".join([
        "基本目標1 ふれあうまち",
        "施策の方向1 あいさつの促進",
        "■みんなの役割",
        "【市民の役割】",
        "・あいさつを心がけます。",
        "コラム　地区サロンってなに？",
        "・月に一度、お茶を飲みながら語りあう場です。",
    ])
    seg = extract_file("plan.source.txt", text)
    assert [(r.actor.value, r.text) for r in seg.roles] == [("市民", "あいさつを心がけます。")]
    assert actions(seg) == []
