"""Local government codes (全国地方公共団体コード): prefecture and check digit."""

from __future__ import annotations

# JIS X 0401 prefecture codes: the first two digits of a local government code.
PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]


def check_digit(first5: str) -> int:
    """The sixth digit: 11 minus (weighted sum mod 11), last digit (weights 6, 5, 4, 3, 2)."""
    total = sum(int(d) * w for d, w in zip(first5, (6, 5, 4, 3, 2)))
    return (11 - total % 11) % 10


def valid_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == int(code[5]) \
        and 1 <= int(code[:2]) <= 47


def prefecture_of(code: str) -> str | None:
    if not code or len(code) < 2 or not code[:2].isdigit():
        return None
    n = int(code[:2])
    return PREFECTURES[n - 1] if 1 <= n <= 47 else None
