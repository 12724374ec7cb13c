"""Fuzzy resolution of `author:` and `topic:` values against the names the index knows."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process, utils

PERSON_CUTOFF = 80.0
TOPIC_CUTOFF = 80.0
PARTIAL_SHORTEST = 4
NAME_PARTS = re.compile(r"[\s\-‐-―]+")


def _key(text: str) -> str:
    return str(utils.default_process(text))


def resolve_person(typed: str, people: Mapping[str, int]) -> str | None:
    """The person (author or speaker) best matching `typed`: a whole name ("Emma
    Challans-Rasool") or one part of it ("vyas", "challans"). Ties go to the person with
    more passages. `people` maps each name to its number of passages."""
    wanted = _key(typed)
    if not wanted:
        return None
    scored = [(_person_score(wanted, name), count, name) for name, count in people.items()]
    best = max(scored, default=(0.0, 0, ""), key=lambda s: (s[0], s[1], s[2]))
    return best[2] if best[0] >= PERSON_CUTOFF else None


def _person_score(wanted: str, name: str) -> float:
    whole = fuzz.ratio(wanted, _key(name))
    parts = [fuzz.ratio(wanted, _key(p)) for p in NAME_PARTS.split(name) if len(p) > 1]
    return max([whole, *parts])


def resolve_topic(typed: str, aliases: Mapping[str, str]) -> str | None:
    """The topic slug for a typed slug, alias or title (`aliases` maps each, lowercase, to
    its slug), allowing for typos."""
    wanted = _key(typed)
    if not wanted:
        return None
    keys = {_key(alias): slug for alias, slug in aliases.items()}
    if wanted in keys:
        return keys[wanted]
    found = process.extractOne(wanted, list(keys), scorer=fuzz.ratio, score_cutoff=TOPIC_CUTOFF)
    if found is None and len(wanted) >= PARTIAL_SHORTEST:
        # a part of a longer slug or alias: "manager" for "manager-medic"
        found = process.extractOne(wanted, list(keys), scorer=fuzz.WRatio, score_cutoff=88.0)
    return keys[found[0]] if found else None
