"""Pools of text for the layout zoo, written for it (fictional; nothing here comes from a real plan).

Every sentence is composed from pieces (who / whom / what / how it ends), so that a plan's words
vary from seed to seed and no extraction rule can key on them. `Phrases` hands out texts that are
unique within one plan (nodes are merged by title, and the scorer matches by text).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

# --- fictional place names: (kanji, romaji); combined as first + second + 市/町/村 -----------------
NAME_FIRST = [
    ("青葉", "aoba"), ("朝霧", "asagiri"), ("鈴風", "suzukaze"), ("星見", "hoshimi"), ("若草", "wakakusa"),
    ("白樺", "shirakaba"), ("花咲", "hanasaki"), ("水城", "mizuki"), ("柚木", "yunoki"), ("月影", "tsukikage"),
    ("雲雀", "hibari"), ("光ケ", "hikariga"), ("紅葉", "momiji"), ("澄川", "sumikawa"), ("緑陽", "ryokuyo"),
    ("桐生野", "kiriuno"), ("千鳥", "chidori"), ("藤波", "fujinami"), ("潮見", "shiomi"), ("陽向", "hinata"),
]
NAME_SECOND = [
    ("台", "dai"), ("原", "hara"), ("野", "no"), ("浦", "ura"), ("沢", "sawa"), ("丘", "oka"), ("浜", "hama"),
    ("森", "mori"), ("岬", "misaki"), ("里", "sato"), ("谷", "tani"), ("坂", "saka"),
]

# --- goal titles: who × how they live × what is built ---------------------------------------------
GOAL_WHO = ["誰もが", "みんなが", "一人ひとりが", "子どもから高齢者までが", "住民同士が", "世代をこえて人々が",
            "困りごとを抱えた人も", "障がいのある人もない人も"]
GOAL_HOW = ["安心して暮らし続けられる", "つながり合い支え合える", "いきいきと参加できる", "自分らしく過ごせる",
            "困ったときに助けを求められる", "学び合い育ち合える", "互いを認め合える", "役割を持って活躍できる",
            "健やかに年を重ねられる", "災害に備えて助け合える"]
GOAL_WHAT = ["地域づくり", "まちづくり", "仕組みづくり", "ふるさと", "環境づくり", "関係づくり", "拠点づくり"]

# --- policy titles and action items: (qualifier) + topic + thing + what is done to it ---------------
TOPICS = ["見守り", "相談", "居場所", "福祉教育", "ボランティア", "防災", "権利擁護", "移動支援", "就労支援",
          "子育て支援", "健康づくり", "情報発信", "交流サロン", "地域食堂", "介護予防", "成年後見", "生活困窮者支援",
          "ひきこもり支援", "多文化共生", "ヤングケアラー支援", "買い物支援", "住まい支援", "再犯防止", "孤立防止"]
THINGS = ["活動", "体制", "窓口", "ネットワーク", "講座", "拠点", "仕組み", "担い手", "連絡会", "マップ", "研修",
          "ガイドブック", "支援員", "協議体", "プログラム"]
DOINGS = ["の充実", "の強化", "の推進", "の整備", "の周知", "の拡充", "への支援", "の見直し", "の普及", "の確保",
          "の育成", "の活性化", "の構築"]
QUALIFIERS = ["", "", "", "地区ごとの", "多世代による", "身近な", "オンラインを活用した", "関係機関と連携した",
              "小地域での", "住民主体の", "分野をこえた", "切れ目のない"]

# --- role commitments: (lead) + whom + predicate + ending ----------------------------------------
LEADS = ["", "", "日ごろから", "身近なところで", "できる範囲で", "季節の行事を通じて", "学校や職場でも",
         "困ったときには早めに", "災害に備えて", "地区の集まりで", "休日を利用して", "顔の見える関係の中で",
         "情報を共有しながら", "関係者と話し合いながら", "一人で抱え込まず", "無理のない範囲で", "継続して"]
WHOM = ["近所の高齢者", "子育て中の家庭", "障がいのある人", "若い世代", "外国籍の住民", "ひきこもりがちな人",
        "介護をしている家族", "転入してきた世帯", "地域の子どもたち", "認知症の人とその家族", "生活に困っている人",
        "災害時に支援が必要な人", "ひとり暮らしの人", "退職したばかりの人", "学生ボランティア", "地区の役員"]
# (masu stem, dictionary form)
PREDICATES = [
    ("に声をかけ", "に声をかける"), ("を見守り", "を見守る"), ("の話に耳を傾け", "の話に耳を傾ける"),
    ("を行事に誘い", "を行事に誘う"), ("の相談に応じ", "の相談に応じる"), ("への理解を深め", "への理解を深める"),
    ("を支える活動に参加し", "を支える活動に参加する"), ("と交流する機会をつくり", "と交流する機会をつくる"),
    ("の居場所づくりに協力し", "の居場所づくりに協力する"), ("に必要な情報を届け", "に必要な情報を届ける"),
    ("を適切な支援につなぎ", "を適切な支援につなぐ"), ("の見守りに加わり", "の見守りに加わる"),
    ("の暮らしを支える仕組みを整え", "の暮らしを支える仕組みを整える"), ("向けの講座を開き", "向けの講座を開く"),
    ("の声を取組に生かし", "の声を取組に生かす"), ("の活動を後押しし", "の活動を後押しする"),
    ("と一緒に避難訓練に取り組み", "と一緒に避難訓練に取り組む"), ("の困りごとを共有し", "の困りごとを共有する"),
]
ENDINGS = [("masu", "ます。"), ("masu", "ましょう。"), ("dict", "よう努めます。"), ("dict", "ことを心がけます。"),
           ("dict", "ように取り組みます。"), ("masu", "ます")]

# bodies named in a trailing parenthesis after a commitment (kept as qualifier, not in the text)
CARRIERS = ["自治会", "民生委員・児童委員", "老人クラブ", "子ども会", "PTA", "商店会", "NPO法人", "学校", "企業"]

# --- descriptions and noise ------------------------------------------------------------------------
DESC_OPEN = ["近年、", "本市では、", "アンケートでは、", "これまでの計画期間に、", "地区懇談会では、", "社会の変化に伴い、"]
DESC_FACT = ["{t}に関する相談が増えています", "{t}の担い手が不足しています", "{t}を知らない人が多くいます",
             "{t}の取組に地区による差がみられます", "{t}への関心が高まっています", "{t}の利用が伸び悩んでいます"]
DESC_PLAN = ["そこで、{t}を身近に感じられるよう取組を進めます", "関係者が協力し、{t}を地域全体で支えます",
             "{t}に誰もが参加しやすい環境を整えます", "{t}の情報が必要な人に届くよう工夫します"]

COLUMN_TEXT = ["困りごとを抱えた人を身近な人が支えるしくみのことです。", "住民と専門職が一緒に取り組む活動のことです。",
               "誰もが気軽に立ち寄れる場のことです。", "制度のすき間にある課題に地域で向き合う取組です。"]

VISION_A = ["ともに笑顔で", "つながる手と手", "みんなの力で", "やさしさがめぐる", "支え合いの輪が広がる",
            "だれひとり取り残さない", "ひとりひとりが主役の", "ふれあいと安心の"]
VISION_B = ["住みよいまち", "あたたかなまち", "未来へつなぐまち", "ぬくもりのあるまち", "共に生きるまち",
            "心かよう地域"]

INDICATORS = ["{t}の参加者数", "{t}の登録者数", "{t}の認知度", "{t}の実施回数", "{t}の設置数"]

# readings of some words for furigana (small kana set above the word)
READINGS = {"見守り": "みまもり", "相談": "そうだん", "居場所": "いばしょ", "福祉": "ふくし", "防災": "ぼうさい",
            "権利擁護": "けんりようご", "地域": "ちいき", "支援": "しえん", "介護予防": "かいごよぼう",
            "成年後見": "せいねんこうけん", "協議体": "きょうぎたい", "担い手": "にないて", "拠点": "きょてん"}


def sample_texts() -> set[str]:
    """Titles and items of the sample plans (tests/gold): the zoo must never print them."""
    gold_dir = Path(__file__).resolve().parents[1] / "gold"
    texts: set[str] = set()
    for gp in gold_dir.glob("*.json"):
        g = json.loads(gp.read_text(encoding="utf-8"))
        texts |= {n["title"] for n in g["nodes"]}
        texts |= {r["text"] for r in g["roles"] + g["actions"]}
        if g["plan"].get("vision"):
            texts.add(g["plan"]["vision"])
    return texts


_SAMPLE = None


class Phrases:
    """Texts for one plan, each unique within the plan and never one of the sample plans'."""

    def __init__(self, rng: random.Random):
        global _SAMPLE
        if _SAMPLE is None:
            _SAMPLE = sample_texts()
        self.rng = rng
        self.used: set[str] = set(_SAMPLE)

    def _unique(self, make) -> str:
        for _ in range(200):
            s = make()
            if s not in self.used:
                self.used.add(s)
                return s
        raise RuntimeError("phrase pools exhausted")

    def goal_title(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(GOAL_WHO) + r.choice(GOAL_HOW) + r.choice(GOAL_WHAT))

    def policy_title(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(QUALIFIERS) + r.choice(TOPICS) + r.choice(THINGS) + r.choice(DOINGS))

    def action(self) -> str:
        r = self.rng

        def make():
            noun = r.choice(QUALIFIERS) + r.choice(TOPICS) + r.choice(THINGS)
            if r.random() < 0.2:  # some plans write their actions as sentences
                return noun + r.choice(["を進めます。", "に取り組みます。", "を広げます。"])
            return noun + r.choice(DOINGS)
        return self._unique(make)

    def commitment(self) -> str:
        r = self.rng

        def make():
            stem, dict_form = r.choice(PREDICATES)
            form, ending = r.choice(ENDINGS)
            lead = r.choice(LEADS)
            return lead + ("、" if lead and r.random() < 0.4 else "") + r.choice(WHOM) + \
                (stem if form == "masu" else dict_form) + ending
        return self._unique(make)

    def description(self, title: str) -> str:
        r = self.rng
        topic = next((t for t in TOPICS if t in title), "地域福祉")
        return r.choice(DESC_OPEN) + r.choice(DESC_FACT).format(t=topic) + "。" + \
            r.choice(DESC_PLAN).format(t=topic) + "。"

    def vision(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(VISION_A) + "　" + r.choice(VISION_B))

    def indicator(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(INDICATORS).format(t=r.choice(TOPICS)))

    def carrier(self) -> str:
        return self.rng.choice(CARRIERS)
