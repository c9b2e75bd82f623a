"""Narrated diagrams: accessible text versions that tell the hierarchy in sentences.

"基本目標1に対する施策の方向1つ目は、○○の充実としている。" states a policy;
"主な取組の案としては、" opens a list whose last item ends "…としている。".
"""

from __future__ import annotations

import re

from ..normalise import squash_space, to_int
from ..rules import Rules


class Narration:
    def __init__(self, rules: Rules):
        self.patterns = rules.narration_patterns
        closers = sorted(rules.narration.item_closers, key=len, reverse=True)
        self._closer = re.compile("(?:" + "|".join(re.escape(c) for c in closers) + r")\s*$")

    def match(self, text: str) -> tuple[str, dict] | None:
        """(what the sentence sets, its parts) for a narrated sentence, else None."""
        t = squash_space(text)
        for pat, sets in self.patterns:
            m = pat.search(t)
            if m:
                parts = {k: v for k, v in m.groupdict().items() if v is not None}
                for key in ("num", "goal", "count"):
                    if key in parts:
                        parts[key] = to_int(parts[key])
                return sets, parts
        return None

    def strip_closer(self, text: str) -> tuple[str, bool]:
        """Remove '…としている。' from a narrated list item; True when it closed the list."""
        new, n = self._closer.subn("", text)
        return new, bool(n)
