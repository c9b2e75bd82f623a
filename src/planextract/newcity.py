"""`planextract init`: the one file a new city needs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import InputError, RulesError
from .models import SLUG_PATTERN
from .prefectures import prefecture_of, valid_code

TEMPLATE = """\
# planextract: what no document of this plan states. Everything else (title, edition, period,
# vision, goals, policies, roles, actions, scores) is extracted from the documents in this folder.
#
# city: the municipality's name as written in its documents (e.g. 会津若松市).
{city}
# city_code: the 6-digit local government code (全国地方公共団体コード); its last digit is a check
#   digit, and its first two digits give the prefecture ({prefecture}).
city_code: "{code}"
# prefecture: only when it should differ from the one the code gives (normally leave it out).
# prefecture: {prefecture}
# edition: only when no document states it (第N期); normally leave it out.
# edition: 1
#
# The folder name ({slug}) is the plan's romaji slug: plan_id = <slug>-<edition>.
"""


def yaml_line(key: str, value: str) -> str:
    """`key: value` written by the YAML writer: a newline, `#`, `yes` or `[1,2]` in the value is
    quoted, so that it reads back as the same string and can add no key of its own."""
    line = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False, width=10**6)
    if yaml.safe_load(line) != {key: value}:  # a line break YAML folds (U+0085): escape everything
        line = yaml.safe_dump({key: value}, allow_unicode=True, width=10**6, default_style='"')
    return line.rstrip("\n")


def init_city(folder: Path | str, city: str, code: str, force: bool = False) -> Path:
    folder = Path(folder)
    slug = folder.name
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise InputError(f"{folder}: the folder name is the plan's romaji slug (a-z, 0-9, -), got {slug!r}")
    if not city.strip():
        raise InputError("--city is empty: give the municipality's name as its documents write it")
    if not valid_code(code):
        raise RulesError(f"--code {code!r} is not a valid 6-digit local government code "
                         "(the sixth digit is a check digit)")
    target = folder / "plan.yaml"
    if target.exists() and not force:
        raise InputError(f"{target} exists already (use --force to overwrite it)")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.format(city=yaml_line("city", city), code=code, slug=slug,
                                      prefecture=prefecture_of(code)), encoding="utf-8")
    return target
