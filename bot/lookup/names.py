"""Fuzzy resolution of `author:` and `topic:` values against the names the index knows."""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz, process, utils

PERSON_CUTOFF = 80.0
TOPIC_CUTOFF = 80.0
PARTIAL_SHORTEST = 4  # letters typed before they are looked for inside a longer topic name
PARTIAL_CUTOFF = 90.0
LONGEST_PART = 3  # words of a name that may be typed on their own
JOINING = frozenset({"and", "of", "the"})  # "Dan Hughes and Paul St. Georges"


def _key(text: str) -> str:
    return " ".join(str(utils.default_process(text)).split())


def resolve_person(typed: str, people: Mapping[str, int]) -> str | None:
    """The person (author or speaker) best matching `typed`: a whole name ("Emma
    Challans-Rasool") or any part of it, hyphens included ("vyas", "challans",
    "challans-rasool", "Emma Challans"). Ties go to the person with more passages.
    `people` maps each name to its number of passages."""
    wanted = _key(typed)
    if not wanted:
        return None
    scored = [(_person_score(wanted, name), count, name) for name, count in people.items()]
    best = max(scored, default=(0.0, 0, ""), key=lambda s: (s[0], s[1], s[2]))
    return best[2] if best[0] >= PERSON_CUTOFF else None


def name_parts(name: str) -> list[str]:
    """The parts a person may be looked up by: the whole name, and every run of up to
    `LONGEST_PART` of its words, a hyphenated name's halves counting as words."""
    words = [w for w in _key(name).split() if len(w) > 1 and w not in JOINING]
    runs = {
        " ".join(words[i : i + n])
        for n in range(1, LONGEST_PART + 1)
        for i in range(len(words) - n + 1)
    }
    return [_key(name), *sorted(runs)]


def name_words(name: str) -> set[str]:
    """The words of a name, lowercase (a hyphenated name gives two)."""
    return set(_key(name).split())


def _person_score(wanted: str, name: str) -> float:
    return max(fuzz.ratio(wanted, part) for part in name_parts(name))


def topic_match(typed: str, aliases: Mapping[str, str]) -> tuple[str, bool] | None:
    """The topic slug for a typed slug, alias or title (`aliases` maps each, lowercase, to
    its slug; case and punctuation aside), and whether it was named exactly; else the
    closest: a typo of a name, or a part of a longer one ("manager" for "manager-medic").
    A short name is never found inside a longer word: `ics` is not in `astrophysics`."""
    wanted = _key(typed)
    if not wanted:
        return None
    keys: dict[str, str] = {}
    for alias, slug in aliases.items():
        keys.setdefault(_key(alias), slug)
    if wanted in keys:
        return keys[wanted], True
    found = process.extractOne(wanted, list(keys), scorer=fuzz.ratio, score_cutoff=TOPIC_CUTOFF)
    if found is None and len(wanted) >= PARTIAL_SHORTEST:
        longer = [key for key in keys if len(key) > len(wanted)]
        found = process.extractOne(
            wanted, longer, scorer=fuzz.partial_ratio, score_cutoff=PARTIAL_CUTOFF
        )
    return (keys[found[0]], False) if found else None
