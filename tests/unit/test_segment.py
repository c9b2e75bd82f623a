"""segment on small documents built in the test: one convention per test."""

from planextract.models import Level


def codes(seg, level=None):
    return [(n.local_code, n.title) for n in seg.nodes if level is None or n.level == level]


def test_headings_by_numbering_and_role_table_across_a_page_break(extract_file, pdf):
    pdf.text(60, 60, "基本目標1 みんなが活躍できる地域づくり", size=13)
    pdf.text(60, 90, "基本施策1-1 理解促進", size=12)
    pdf.text(60, 110, "地域福祉に対する意識を多くの人に広げるよう取り組みます。")
    pdf.text(60, 140, "●それぞれの役割")
    pdf.table(60, 150, [70, 420], [[["市　　民"], ["▶理解に努めます。", "▶参加するよう努めます。(企業・学校)"]]])
    pdf.new_page()
    pdf.table(60, 60, [70, 420], [[["行　　政"], ["▶講演会を開催していき", "ます。"]],
                                 [["社会福祉", "協 議 会"], ["▶福祉教育に取り組みます。"]]])
    seg = extract_file("plan.pdf", pdf)
    assert codes(seg) == [("1", "みんなが活躍できる地域づくり"), ("1.1", "理解促進")]
    assert seg.nodes[1].description.startswith("地域福祉に対する意識")
    roles = [(r.local_code, r.actor.value, r.text, r.qualifier) for r in seg.roles]
    assert roles == [
        ("1.1", "市民", "理解に努めます。", None),
        ("1.1", "市民", "参加するよう努めます。", "企業・学校"),
        ("1.1", "行政", "講演会を開催していきます。", None),
        ("1.1", "社協", "福祉教育に取り組みます。", None),
    ]


def test_label_and_title_on_separate_lines(extract_file, pdf):
    pdf.text(200, 80, "基本目標2", size=9)
    pdf.text(200, 96, "みんなで支え合う地域", size=11)
    pdf.text(200, 110, "づくり", size=11)
    seg = extract_file("diagram.pdf", pdf)
    assert codes(seg) == [("2", "みんなで支え合う地域づくり")]


def test_policy_list_with_running_numbers_gets_positions(extract_file):
    text = "\n".join([
        "基本目標１：体制づくり", "≪施策の方向性≫", "１　一つ目の方向を整備します。", "２　二つ目の方向を充実します。",
        "《主な取組》", "〇総合的な施策の推進　〇多機関が連携した支援",
        "", "基本目標２：人材づくり", "≪施策の方向性≫", "３　三つ目の方向を充実します。",
    ])
    seg = extract_file("overview.source.txt", text)
    assert [c for c, _ in codes(seg, Level.policy)] == ["1.1", "1.2", "2.1"]
    assert [n.label for n in seg.nodes if n.level == Level.policy] == ["1", "2", "3"]
    actions = [(a.local_code, a.kind.value, a.text) for a in seg.actions]
    assert actions == [("1", "action", "総合的な施策の推進"), ("1", "action", "多機関が連携した支援")]


def test_focus_section_items_and_ignored_opinions(extract_file):
    text = "\n".join([
        "## 重点的な取組 2 相談体制の充実", "### ●地域住民意見・アンケートから", "- ▶ 相談できる体制の整備",
        "### ●具体的な施策", "- ▶ 包括的な相談体制の整備", "- ▶ 継続的な支援",
    ])
    seg = extract_file("plan.source.txt", text)
    assert codes(seg) == [("focus.2", "相談体制の充実")]
    assert [(a.local_code, a.kind.value, a.text) for a in seg.actions] == [
        ("focus.2", "focus_measure", "包括的な相談体制の整備"), ("focus.2", "focus_measure", "継続的な支援")]
    assert any(u.text == "相談できる体制の整備" for u in seg.unassigned)


def test_embedded_plan_box_and_a_text_rendition_that_lost_it(extract_file):
    boxed = "\n".join(["【成年後見制度利用促進基本計画】", "重点的な取組", "（１）制度の理解促進",
                       "【主な取組】●制度の周知・啓発　●利用促進の仕組みづくり",
                       "【重点的な取組事項】", "（１）包括的な支援体制の整備"])
    seg = extract_file("a.source.txt", boxed)
    assert codes(seg, Level.focus) == [("guardianship.1", "制度の理解促進"), ("focus.1", "包括的な支援体制の整備")]
    assert [a.text for a in seg.actions if a.local_code == "guardianship.1"] == ["制度の周知・啓発", "利用促進の仕組みづくり"]
    # the same list with its box title lost: attributed by what its items talk about
    lost = "\n".join(["重点的な取組", "（１）成年後見制度の理解促進", "【主な取組】●任意後見制度の周知",
                      "（２）中核機関の機能の強化", "【主な取組】●市民後見人の育成"])
    seg = extract_file("b.source.txt", lost)
    assert [c for c, _ in codes(seg, Level.focus)] == ["guardianship.1", "guardianship.2"]


def test_narrated_diagram(extract_file):
    text = "\n".join([
        "テスト市地域福祉計画（第３期）の施策体系図について", "計画の期間は令和６年度から令和８年度まで",
        "基本理念は、支え合いの地域づくりとしている。",
        "2つの基本目標のうち、1つ目は、絆が深まるまち", "2つ目は、安心して暮らせるまちとしている。",
        "基本目標1に対する施策の方向1つ目は、ご近所の声かけとしている。",
        "主な取組の案としては、", "・声かけ活動の実施", "・ＩＣＴを利用した安否確認の推進としている。",
        "その後の、達成された姿としては、見守る関係ができている。となる。",
        "次に、施策の方向2つ目は、新たな施策となるが、居場所づくりとしている。",
    ])
    seg = extract_file("taikeizu_text.txt", text)
    assert codes(seg) == [("1", "絆が深まるまち"), ("2", "安心して暮らせるまち"), ("1.1", "ご近所の声かけ"),
                          ("1.2", "居場所づくり")]
    assert [n.is_new for n in seg.nodes] == [False, False, False, True]
    assert [(a.kind.value, a.text) for a in seg.actions] == [
        ("action", "声かけ活動の実施"), ("action", "ICTを利用した安否確認の推進"),
        ("outcome", "見守る関係ができている。")]
    assert seg.facts.visions == ["支え合いの地域づくり"]
    assert seg.facts.periods == [(2024, 2026)] and 3 in seg.facts.editions


def test_evaluation_sheet_by_header_names(extract_file, pdf):
    header = [["基本目標"], ["施策展開の方向性"], ["施策の展開"], ["それぞれの役割"], ["評価点(平均)及び意見等"]]
    row1 = [["1 人づくり"], ["(1) 福祉教育の推進"], ["① 福祉教育を推進します。"],
            ["市民", "① 学習機会の充実に努める。", "行政", "① 講座を開催する。", "② 参加を呼びかける。"],
            ["3.6", "○ 良い取組だと思う。"]]
    row2 = [[""], ["(2) 意識の向上"], ["① 意識を高めます。"], ["福祉事業者", "① 機会を創出する。"], ["3.7"]]
    pdf.table(30, 40, [60, 80, 120, 160, 100], [header, row1, row2], size=8, line_h=11, spans={(1, 0): 2})
    seg = extract_file("meeting.pdf", pdf)
    assert codes(seg) == [("1", "人づくり"), ("1.1", "福祉教育の推進"), ("1.2", "意識の向上")]
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "学習機会の充実に努める。"), ("1.1", "行政", "講座を開催する。"),
        ("1.1", "行政", "参加を呼びかける。"), ("1.2", "専門職", "機会を創出する。")]
    assert [(s.local_code, s.score, s.kind.value) for s in seg.scores] == [
        ("1.1", 3.6, "midterm_evaluation"), ("1.2", 3.7, "midterm_evaluation")]
    assert [(a.local_code, a.text) for a in seg.actions] == [("1.1", "福祉教育を推進します。"), ("1.2", "意識を高めます。")]


def test_loose_rows_of_a_text_rendition(extract_file):
    header = "基本目標\t施策展開の方向性\t施策の展開\tそれぞれの役割\tこれまでの主な取組\t評価点(平均)及び意見等"
    rows = [
        "1 人づくり\t(1) 福祉教育の推進 ① 推進します。\t市民 ① 努める。\t社会福祉協議会 ① 開催した。\t3.6 ○ 意見",
        "(2)\t意識の向上\t<p>① 高めます。</p>\t<p>市民</p> <p>① 努める。</p>\t<p>行政</p> <p>① 配布した。</p>\t3.7\t<p>○ 意見</p>",
    ]
    seg = extract_file("meeting.source.txt", "\n".join([header, *rows]))
    assert codes(seg) == [("1", "人づくり"), ("1.1", "福祉教育の推進"), ("1.2", "意識の向上")]
    assert [(s.local_code, s.score) for s in seg.scores] == [("1.1", 3.6), ("1.2", 3.7)]
    assert [(r.local_code, r.actor.value) for r in seg.roles] == [("1.1", "市民"), ("1.2", "市民")]


def test_role_list_without_a_table(extract_file, pdf):
    """Text renditions and borderless tables: the actor label on a line, its items after it."""
    text = "\n".join(["基本施策1-1 理解促進", "●それぞれの役割", "市　民", "▶理解に努めます。", "▶参加します。",
                      "社会福祉協議会", "▶講座を開きます。", "基本施策1-2 担い手", "▶この行は役割ではありません。"])
    seg = extract_file("plan.source.txt", "基本目標1 人づくり\n" + text)
    assert [(r.local_code, r.actor.value, r.text) for r in seg.roles] == [
        ("1.1", "市民", "理解に努めます。"), ("1.1", "市民", "参加します。"), ("1.1", "社協", "講座を開きます。")]
    # the same in a PDF whose role rows have no borders, only white space between them
    pdf.text(60, 60, "基本目標1 人づくり", size=13)
    pdf.text(60, 90, "基本施策1-1 理解促進", size=12)
    pdf.text(60, 115, "●それぞれの役割")
    y = 140
    for label, items in (("市　民", ["▶理解に努めます。", "▶参加します。"]), ("社会福祉協議会", ["▶講座を開きます。"])):
        pdf.text(60, y, label, size=9.5)
        for i, item in enumerate(items):
            pdf.text(160, y + i * 15, item, size=9.5)
        y += 15 * len(items) + 20
    seg = extract_file("plan.pdf", pdf)
    assert [(r.actor.value, r.text) for r in seg.roles] == [
        ("市民", "理解に努めます。"), ("市民", "参加します。"), ("社協", "講座を開きます。")]


def test_self_rating_per_row_is_a_score_department_ratings_are_not(extract_file):
    header = "基本目標\t施策の方向\t区分\tそれぞれの役割\t令和5年度実績\t達成度(1～5段階評価)"
    rows = ["1 人づくり\t(1) 福祉教育の推進\t市民\t① 学ぶ。\t講座を開いた。\t4",
            "\t\t行政\t① 開く。\t【福祉課】 講座を開いた。\t【福祉課】 3 【長寿社会課】 5"]
    seg = extract_file("progress.source.txt", "\n".join([header, *rows]))
    # this sheet rates by department: its bare "4" is a department's rating whose tag was lost
    assert seg.scores == []
    assert sorted((r.department or "", r.score) for r in seg.ratings) == [("", 4.0), ("福祉課", 3.0), ("長寿社会課", 5.0)]
    # a sheet that gives one number per row rates the node
    seg = extract_file("progress2.source.txt", "\n".join([header, rows[0]]))
    assert [(s.local_code, s.kind.value, s.actor.value, s.fiscal_year, s.score) for s in seg.scores] == [
        ("1.1", "self_rating", "市民", 2023, 4.0)]


def test_bracketed_and_marked_headings_and_actor_labels_with_a_parenthetical(extract_file):
    text = "\n".join(["【基本目標１】 ともに学ぶまち", "■基本施策1-2 福祉を学ぶ機会", "●それぞれの役割",
                      "地域（自治会・民生委員等）\t<ul><li>▶学びの場を提供します。</li></ul>",
                      "行政\t<ul><li>▶講座を開きます。</li></ul>"])
    seg = extract_file("plan.source.txt", text)
    # 基本施策1-2 is policy 2 of goal 1 by its composite number, even where the excerpt starts there
    assert codes(seg) == [("1", "ともに学ぶまち"), ("1.2", "福祉を学ぶ機会")]
    assert [(r.actor.value, r.actor_label) for r in seg.roles] == [
        ("地域", "地域（自治会・民生委員等）"), ("行政", "行政")]
