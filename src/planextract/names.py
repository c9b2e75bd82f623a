"""Names a user types for plans and actors, resolved to the ids the tables hold.

An id the tables do not hold is an error that lists the ones they do: a query never comes back
empty only because a name was spelled another way."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InputError
from .models import Actor
from .normalise import squash_space

ACTORS = tuple(a.value for a in Actor if a is not Actor.other)  # the five of SCHEMA.md


def city_of(plan_id: str) -> str:
    """'atsugi-6' → 'atsugi' (the plan id is `<city romaji>-<edition>`)."""
    head, _, edition = plan_id.rpartition("-")
    return head if head and edition.isdigit() else plan_id


def resolve_plan_id(given: str, known: Iterable[str]) -> str:
    """`given` when it is a known plan id, else the one known plan of that city (`atsugi` →
    `atsugi-6`); an error listing the known ids when there is none, or several editions."""
    known = sorted(set(known))
    given = given.strip()
    if given in known:
        return given
    editions = [k for k in known if city_of(k) == given]
    if len(editions) == 1:
        return editions[0]
    if editions:
        raise InputError(f"plan {given!r} has several editions ({', '.join(editions)}): give one of them")
    listed = ", ".join(known) if known else "none (run `planextract run` first)"
    raise InputError(f"no plan {given!r}; known plans: {listed}")


def resolve_plan_ids(given: Iterable[str] | str | None, known: Iterable[str]) -> list[str] | None:
    """Each of `given` (a list, or ids separated by commas) resolved; None when none is given."""
    if given is None:
        return None
    if isinstance(given, str):
        given = given.split(",")
    wanted = [g for g in (x.strip() for x in given) if g]
    if not wanted:
        return None
    known = sorted(set(known))
    return [resolve_plan_id(g, known) for g in wanted]


def resolve_actor(given: str | None, rules=None) -> str | None:
    """One of the five actors, from the actor itself or a label of rules/actors.yaml
    (社会福祉協議会 → 社協); an error listing the actors otherwise."""
    if given is None or not given.strip():
        return None
    label = squash_space(given)
    if label in ACTORS or label == Actor.other.value:  # `other`: roles whose label maps to none of the five
        return label
    if rules is None:
        from .rules import load_rules

        rules = load_rules()
    actor = rules.actor_of(label)
    if actor:
        return actor
    raise InputError(f"no actor {given!r}; actors: {', '.join(ACTORS)} "
                     "(or a label of rules/actors.yaml, e.g. 社会福祉協議会)")
