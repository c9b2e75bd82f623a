from planextract.normalise import (
    ItemMarks,
    clean_text,
    fiscal_year,
    join_fragments,
    split_qualifier,
    to_int,
)
from planextract.prefectures import check_digit, prefecture_of, valid_code


def test_white_space_inside_japanese_removed_latin_words_kept():
    assert clean_text("市 民") == "市民"
    assert clean_text("社会福祉 協議会") == "社会福祉協議会"
    assert clean_text("Sustainable Development Goals の略") == "Sustainable Development Goalsの略"


def test_full_width_latin_and_digits_folded_punctuation_kept():
    assert clean_text("ＩＣＴを利用した８０５０問題") == "ICTを利用した8050問題"
    assert clean_text("「地域」（企業・学校）①") == "「地域」（企業・学校）①"


def test_join_fragments_joins_japanese_and_spaces_latin():
    assert join_fragments("ボラン", "ティア") == "ボランティア"
    assert join_fragments("NPO", "Center") == "NPO Center"


def test_numbers_in_every_printed_form():
    assert to_int("３") == 3
    assert to_int("(2)") == 2
    assert to_int("②") == 2
    assert to_int("十二") == 12
    assert to_int("元") == 1
    assert to_int("abc") is None


def test_eras(rules):
    assert fiscal_year("令和", "3", rules) == 2021
    assert fiscal_year("令和", "元", rules) == 2019
    assert fiscal_year("平成", "30", rules) == 2018


def test_item_marks_read_before_normalising(rules):
    marks = ItemMarks(rules)
    assert marks.split_leading("▶ 地域福祉に関する理解") == ("▶", "地域福祉に関する理解")
    assert marks.split_leading("① 家庭において") == ("①", "家庭において")
    assert marks.split_leading("（１）見守り活動") == ("（１）", "見守り活動")
    assert marks.split_leading("地域福祉") == (None, "地域福祉")
    assert marks.split_inline("●成年後見制度の周知　●任意後見制度") == ["●成年後見制度の周知　", "●任意後見制度"]
    # 「・」 joins words inside a line: never a split there
    assert marks.split_inline("児童・生徒の福祉教育") == ["児童・生徒の福祉教育"]


def test_qualifier_in_trailing_parentheses():
    assert split_qualifier("実施に努めます。(企業・学校)") == ("実施に努めます。", "企業・学校")
    assert split_qualifier("合理的配慮（障がいに応じた配慮）にできる限り努めます。") == (
        "合理的配慮（障がいに応じた配慮）にできる限り努めます。", None)


def test_local_government_code_check_digit_and_prefecture():
    assert check_digit("07202") == 8
    assert valid_code("072028") and valid_code("141500")
    assert not valid_code("072027")
    assert prefecture_of("032093") == "岩手県"
    assert prefecture_of("142123") == "神奈川県"


def test_kana_item_numbers_glued_to_their_text_but_not_a_katakana_word_or_its_broken_end(rules):
    """ア イ ウ number items, also with no space after them (the gap is a move of the pen);
    before katakana it is a word's first letter (イベント), and after a line ending in katakana
    it is the rest of a word broken over two lines (ボランティ / ア活動)."""
    marks = ItemMarks(rules)
    assert marks.split_leading("アあいさつ出前講座") == ("ア", "あいさつ出前講座")
    assert marks.split_leading("イ　居場所づくり支援事業") == ("イ", "居場所づくり支援事業")
    assert marks.split_leading("イベントの開催") == (None, "イベントの開催")
    assert marks.split_leading("ア活動等を通じ、理解を深めます。", after="就労体験やボランティ") == (
        None, "ア活動等を通じ、理解を深めます。")
    # a space after the kana: an item, whatever the item before ends with (…センター)
    assert marks.split_leading("イ　相談窓口の周知", after="地域福祉センター") == ("イ", "相談窓口の周知")
    # カ and ケ glued to a kanji are a count (3カ所, カ月), not the sixth item
    assert marks.split_leading("カ所で実施します。") == (None, "カ所で実施します。")
