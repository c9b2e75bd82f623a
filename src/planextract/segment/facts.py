"""Plan-level facts a document states: title, edition, planning period, vision."""

from __future__ import annotations

import re

from ..models import PlanFacts
from ..normalise import clean_text, fiscal_year, light_form, to_int
from ..rules import Rules


def text_to_facts(texts: list[str], rules: Rules, facts: PlanFacts) -> None:
    """Add what the given lines say about the plan (title, edition, period) to `facts`."""
    pats = rules.fact_patterns
    for raw in texts:
        t = light_form(raw)
        for pat in pats["title"]:
            for m in pat.finditer(t):
                title = clean_text(m.group("title"))
                if title not in facts.titles:
                    facts.titles.append(title)
                ed = to_int(m.group("edition"))
                if ed:
                    facts.editions.insert(0, ed)  # a title's edition outranks a mere mention
                city = m.groupdict().get("city")
                if city and clean_text(city) not in facts.cities:
                    facts.cities.append(clean_text(city))
        for m in pats["edition"].finditer(t):
            ed = to_int(m.group("edition"))
            if ed:
                facts.editions.append(ed)
        said = bool(pats["period_context"].search(t))
        for pat in pats["period"]:
            m = pat.search(t)
            if not m or not (said or _only(m, t)):
                continue
            if m.groupdict().get("w1"):
                start, end = int(m.group("w1")), int(m.group("w2"))
            else:
                start = fiscal_year(m.group("era1"), m.group("y1"), rules)
                end = fiscal_year(m.group("era2") or m.group("era1"), m.group("y2"), rules)
            if start and end and start <= end and (start, end) not in facts.periods:
                facts.periods.append((start, end))


def _only(m: re.Match, line: str) -> bool:
    """The period match is the whole line (the pattern takes the western years too)."""
    return m.group(0) == line.strip()


def best_edition(facts: PlanFacts) -> int | None:
    """A title's edition if any; else the highest edition mentioned."""
    if not facts.editions:
        return None
    return facts.editions[0] if facts.titles else max(facts.editions)
