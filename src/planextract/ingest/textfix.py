"""Text repairs shared by PDF and text renditions: radical characters, table-of-contents leaders.

Radicals: PDF producers (and the converters that make text renditions from PDFs) often emit a
character of the Kangxi Radicals block (U+2F00–U+2FDF) or the CJK Radicals Supplement
(U+2E80–U+2EFF) for an ideograph of the same shape (`⽬` for 目, `⻑` for 長). NFKC folds the Kangxi
radicals; for the supplement, Unicode gives a compatibility decomposition for only two characters,
so the fold also uses the Unicode Character Database's EquivalentUnifiedIdeograph.txt (the
ideograph each radical looks like; U+2E81–U+2EF3, 114 entries; U+2E80 has none and is kept).
Only these two blocks are touched: widths and other compatibility forms are normalise's job.
"""

from __future__ import annotations

import re
import unicodedata

# UCD EquivalentUnifiedIdeograph.txt, U+2E81..U+2EF3 (radical then ideograph, pairs separated by
# a space). A few targets are components (亻, 氵) or simplified forms (长): those are what the
# radical stands for, and the plan's own text decides which one it meant.
_SUPPLEMENT_PAIRS = (
    "⺁厂 ⺂乛 ⺃乚 ⺄乙 ⺅亻 ⺆冂 ⺇𠘨 ⺈刀 ⺉刂 ⺊卜 ⺋㔾 ⺌小 ⺍小 ⺎兀 ⺏尣 ⺐尢 ⺑𡯂 ⺒巳 ⺓幺 ⺔彑 "
    "⺕𫜹 ⺖忄 ⺗心 ⺘扌 ⺙攵 ⺛旡 ⺜日 ⺝月 ⺞歺 ⺟母 ⺠民 ⺡氵 ⺢氺 ⺣灬 ⺤爫 ⺥爫 ⺦丬 ⺧牛 ⺨犭 ⺩王 "
    "⺪𤴔 ⺫目 ⺬示 ⺭礻 ⺮𥫗 ⺯糹 ⺰纟 ⺱罓 ⺲罒 ⺳㓁 ⺴冗 ⺵𦉫 ⺶羊 ⺷𦍌 ⺸𦍋 ⺹耂 ⺺肀 ⺻聿 ⺼肉 ⺽𦥑 "
    "⺾艹 ⺿艹 ⻀艹 ⻁虎 ⻂衤 ⻃覀 ⻄西 ⻅见 ⻆角 ⻇𧢲 ⻈讠 ⻉贝 ⻊𧾷 ⻋车 ⻌辶 ⻍辶 ⻎辶 ⻏邑 ⻐钅 ⻑長 "
    "⻒镸 ⻓长 ⻔门 ⻕𨸏 ⻖阝 ⻗雨 ⻘青 ⻙韦 ⻚页 ⻛风 ⻜飞 ⻝食 ⻞𩙿 ⻟飠 ⻠饣 ⻡𩠐 ⻢马 ⻣骨 ⻤鬼 ⻥鱼 "
    "⻦鸟 ⻧卤 ⻨麦 ⻩黄 ⻪黾 ⻫斉 ⻬齐 ⻭歯 ⻮齿 ⻯竜 ⻰龙 ⻱龜 ⻲亀 ⻳龟"
)


def _radical_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x2E80, 0x2FE0):
        ch = chr(cp)
        decomposition = unicodedata.decomposition(ch)  # "<compat> 6BCD" for ⺟ and ⻳, all Kangxi
        if decomposition.startswith("<compat>"):
            table[cp] = unicodedata.normalize("NFKC", ch)
    for pair in _SUPPLEMENT_PAIRS.split():
        radical, ideograph = pair[0], pair[1:]
        table.setdefault(ord(radical), ideograph)
    return table


RADICALS = _radical_table()
_HAS_RADICAL = re.compile("[\u2e80-\u2fdf]")


def fold_radicals(text: str) -> str:
    """Radical characters → the ideographs they stand for (unchanged when there is none)."""
    if not _HAS_RADICAL.search(text):
        return text
    return text.translate(RADICALS)


# A table-of-contents entry: a title, a run of leader dots, a page number ("タイトル……12",
# "タイトル・・・・ 12", "タイトル.......12"). Three dots at least, or two ellipsis characters.
_TOC_ENTRY = re.compile(
    r"^(?P<title>.*?[^\s.．・･·…‥⋯])\s*"
    r"(?P<leaders>(?:[.．・･·]\s*){3,}|(?:[…‥⋯]\s*){2,}|(?:[.．・･·…‥⋯]\s*){3,})"
    r"(?P<page>[0-9０-９]{1,4})\s*$")


_HAS_LEADER = re.compile(r"[.．・･·…‥⋯]\s*[.．・･·…‥⋯]")


def split_toc_entry(text: str) -> tuple[str, int | None]:
    """("タイトル……12") → ("タイトル", 12); a line without leaders and a page number is kept."""
    tail = text.rstrip()
    if not tail or not tail[-1].isdigit() or not _HAS_LEADER.search(text):  # most lines: cheap no
        return text, None
    m = _TOC_ENTRY.match(text)
    if not m:
        return text, None
    return m.group("title").strip(), int(unicodedata.normalize("NFKC", m.group("page")))


# Overprinted bold read by a converter that does not merge the copies: every character of the line
# repeated the same number of times (2–4), "基基基本本本目目目標標標". Honest repeats (「ままま」,
# ・・・, ──) are runs of one character among others, never the whole line made of equal runs.
_REPEATED_GLYPHS_MIN_RUNS = 4


def collapse_repeated_glyphs(text: str) -> tuple[str, bool]:
    """(text with each character once, True) when every character of the line is repeated the same
    2–4 times; (text, False) otherwise."""
    body = "".join(text.split())
    if len(body) < 2 * _REPEATED_GLYPHS_MIN_RUNS or body[0] != body[1]:  # most lines: cheap no
        return text, False
    runs: list[tuple[str, int]] = []
    for ch in text:
        if ch.isspace():
            runs.append((ch, 0))
        elif runs and runs[-1][0] == ch:
            runs[-1] = (ch, runs[-1][1] + 1)
        else:
            runs.append((ch, 1))
    counts = {n for ch, n in runs if n}
    n_runs = sum(1 for _, n in runs if n)
    if len(counts) != 1 or not 2 <= next(iter(counts)) <= 4 or n_runs < _REPEATED_GLYPHS_MIN_RUNS:
        return text, False
    if len({ch for ch, n in runs if n}) < 3:  # ・・・・・・ or ─ ─: leaders and rules, not text
        return text, False
    return "".join(ch for ch, _ in runs), True
