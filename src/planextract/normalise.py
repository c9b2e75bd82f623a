"""Text normalisation (SCHEMA.md "Text normalisation"), numbers, eras, actors.

Order matters: markers are read from the raw text first, then the text is normalised; callers
keep the raw text beside the normalised one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from difflib import SequenceMatcher

from .rules import Rules

_FW_ALNUM = {**{0xFF10 + i: 0x30 + i for i in range(10)},
             **{0xFF21 + i: 0x41 + i for i in range(26)},
             **{0xFF41 + i: 0x61 + i for i in range(26)}}

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_SPACE = re.compile(r"[\s\u3000]+")

# Format characters (Unicode category Cf, as of Unicode 15): invisible, yet they reorder what is
# shown (U+202E right-to-left override), hide inside words (U+200B zero width space, U+00AD soft
# hyphen) or start a file (U+FEFF). No plan means one: they are removed from every text column.
FORMAT_CHARS = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                          "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                          "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                          "\U000e0020-\U000e007f]")


def fold_width(text: str) -> str:
    """Full-width Latin letters and digits to half-width; everything else as printed."""
    return text.translate(_FW_ALNUM)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "&+%")


@lru_cache(maxsize=1 << 16)
def squash_space(text: str) -> str:
    """Remove white space inside Japanese text; keep one space between two Latin words."""
    parts = _SPACE.split(text.strip())
    out = parts[0] if parts else ""
    for part in parts[1:]:
        if not part:
            continue
        if out and _is_latin(out[-1]) and _is_latin(part[0]):
            out += " " + part
        else:
            out += part
    return out


@lru_cache(maxsize=1 << 16)
def light_form(text: str) -> str:
    """Form used for pattern matching: widths folded, runs of white space made one space."""
    return _SPACE.sub(" ", fold_width(text)).strip()


def drop_format_chars(text: str) -> str:
    return FORMAT_CHARS.sub("", text)


def clean_text(text: str) -> str:
    """The normalised form of every text column."""
    return squash_space(fold_width(drop_format_chars(text)))


def join_fragments(a: str, b: str) -> str:
    """Join two pieces of one sentence broken across lines or cells."""
    a, b = a.rstrip(), b.lstrip()
    if not a:
        return b
    if not b:
        return a
    if _is_latin(a[-1]) and _is_latin(b[0]):
        return a + " " + b
    return a + b


def to_int(token: str) -> int | None:
    """'３' → 3, '(2)' → 2, '②' → 2, '十二' → 12, '元' → 1."""
    token = token.strip().strip("()（）.．)")
    if not token:
        return None
    if token == "元":
        return 1
    if len(token) == 1 and "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    if len(token) == 1 and "Ⅰ" <= token <= "Ⅻ":  # Roman numerals as one character
        return ord(token) - ord("Ⅰ") + 1
    digits = unicodedata.normalize("NFKC", token)
    if digits.isdigit():
        return int(digits)
    if all(ch in _KANJI_DIGITS or ch == "十" for ch in token):
        if "十" in token:
            tens, _, ones = token.partition("十")
            return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0)
        value = 0
        for ch in token:
            value = value * 10 + _KANJI_DIGITS[ch]
        return value
    return None


def fiscal_year(era: str, year: str, rules: Rules) -> int | None:
    """令和3 → 2021, 平成30 → 2018."""
    base = rules.facts.eras.get(era)
    n = to_int(year)
    if base is None or n is None:
        return None
    return base + n


_KATAKANA = re.compile(r"[ァ-ヺー]")


class ItemMarks:
    """Reads and removes bullets and item numbers at the start of an item."""

    def __init__(self, rules: Rules):
        n = rules.numbering
        bullets = re.escape(n.bullets)
        self._lead = re.compile(rf"^\s*(?P<mark>[{bullets}]+|{n.item_number})\s*")
        self._inline = re.compile(rf"(?:(?<=\s)|(?<=。)|^)(?=[{re.escape(n.inline_bullets)}]|[①-⑳])")

    def split_leading(self, text: str, after: str = "") -> tuple[str | None, str]:
        """('▶', rest) or (None, text). Repeated marks ('①▶') are all removed. `after`: the text
        the line follows; a katakana word broken over two lines (ボランティ / ア活動) does not
        make its second line an item numbered ア."""
        marks = []
        rest = text
        while True:
            m = self._lead.match(rest)
            if not m or m.end() == 0:
                break
            glued = not rest[m.end("mark"):m.end("mark") + 1].isspace()
            if not marks and glued and _KATAKANA.fullmatch(m.group("mark")) and _KATAKANA.match(after.rstrip()[-1:]):
                break
            marks.append(m.group("mark"))
            rest = rest[m.end():]
        return ("".join(marks) if marks else None), rest

    def starts_item(self, text: str, after: str = "") -> bool:
        mark, _ = self.split_leading(text, after)
        return mark is not None

    def split_inline(self, text: str) -> list[str]:
        """Split '●a　●b' and '① a ② b' into items; never on 「・」 inside a line."""
        pieces = [p for p in self._inline.split(text) if p and p.strip()]
        return pieces or [text]



# the body carrying a commitment, in brackets after its sentence (the 。 is sometimes left out)
_QUALIFIER = re.compile(r"^(?P<body>.*?(?:[。．.]|ます|ましょう))\s*[(（](?P<q>[^()（）]{1,40})[)）]\s*$")


def split_qualifier(text: str) -> tuple[str, str | None]:
    """'…努めます。(企業・学校)' → ('…努めます。', '企業・学校')."""
    m = _QUALIFIER.match(text)
    if not m:
        return text, None
    return m.group("body"), clean_text(m.group("q"))


def clipped(a: str, b: str) -> bool:
    """One title is the other cut short (at a page edge, by a box it overran): the same heading."""
    short, long_ = sorted((squash_space(a), squash_space(b)), key=len)
    return len(short) >= 6 and short != long_ and long_.startswith(short)


def completes(title: str | None, new: str | None) -> bool:
    """Whether `new` should replace `title`: there was none, or `title` is `new` cut short."""
    return bool(new) and (not title or clipped(title, new) and len(new) > len(title))


def similar(a: str, b: str) -> float:
    """Similarity of two texts (SequenceMatcher ratio), white space ignored."""
    a, b = squash_space(a), squash_space(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


class Matcher:
    """Compares many (white-space-free) strings against one kept string, whose index is built once;
    cheap upper bounds first, the full ratio only when they pass."""

    def __init__(self, kept: str):
        self.n = len(kept)
        self.m = SequenceMatcher(None, autojunk=False)
        self.m.set_seq2(kept)

    def at_least(self, other: str, threshold: float) -> bool:
        if not other or not self.n or 2 * min(self.n, len(other)) / (self.n + len(other)) < threshold:
            return False
        self.m.set_seq1(other)
        return self.m.quick_ratio() >= threshold and self.m.ratio() >= threshold


_LABEL_TAIL = re.compile(r"[\s:：、,，.．]+$")


def label_form(label: str | None) -> str | None:
    """A node's label in one form: '基本目標1：' and '重点的な取組 2' → '基本目標1', '重点的な取組2'."""
    if not label:
        return None
    return _LABEL_TAIL.sub("", clean_text(label)) or None
