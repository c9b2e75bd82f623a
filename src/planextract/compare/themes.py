"""Theme tagging by the codebook in rules/themes.yaml."""

from __future__ import annotations

from ..rules import Rules
from .tokens import Token


def themes_of(text: str, tokens: list[Token], rules: Rules) -> list[tuple[str, list[str]]]:
    """(theme, matched keywords) for every theme one of whose keywords the item holds."""
    keys: set[str] = set()
    for t in tokens:
        keys |= t.keys()
    out = []
    for theme in rules.themes.themes:
        hits = [k for k in theme.keywords if k in keys or k in text]
        if hits:
            out.append((theme.name, hits))
    return out
