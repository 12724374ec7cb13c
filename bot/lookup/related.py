"""Related words that widen a search: a small synonym table of our own for common NHS
words, and the topics' aliases (a word that names a topic also searches for the topic's
slug: "burnout" for "wellbeing").

A word's related terms are found by a dictionary look-up of the word searched for (as
typed or as corrected); a plural "s" is tried off and on. FTS5's stemming then matches the
other forms of each related term ("medic" finds "medics")."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from bot.lookup.query import WORD

Related = tuple[str, ...]  # related terms: a word, or a phrase ("service user")

# Words that mean much the same in the articles' world. A group is read both ways: each
# word widens to the others. Keep groups small and unsurprising.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("doctor", "medic", "clinician", "consultant", "physician"),
    ("nurse", "nursing", "midwife", "midwifery"),
    ("manager", "management", "managerial"),
    ("burnout", "exhaustion", "exhausted", "wellbeing", "well-being", "tired"),
    ("wellbeing", "well-being", "morale", "welfare"),
    ("patient", "service user"),
    ("leader", "leadership"),
    ("staff", "workforce", "employees"),
    ("mentor", "mentoring", "coach", "coaching"),
    ("ai", "artificial intelligence", "machine learning"),
    ("tech", "technology", "digital"),
    ("diversity", "inclusion", "equality", "edi"),
    ("ceo", "chief executive"),
    ("ops", "operational", "operations"),
    ("a&e", "emergency department", "urgent care"),
)


def words(term: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(term))


def related_table(
    topic_aliases: Mapping[str, str], known: Callable[[tuple[str, ...]], bool]
) -> dict[str, Related]:
    """Each one-word key to the other terms it widens to, keeping those that `known` says
    occur in the library: a synonym to the rest of its group, and a topic's one-word alias
    ("burnout") to the topic's slug as words ("wellbeing", "winter pressures")."""
    pairs = [(member, other) for group in SYNONYMS for member in group for other in group]
    pairs += [(alias, slug.replace("-", " ")) for alias, slug in topic_aliases.items()]
    occurs: dict[tuple[str, ...], bool] = {}
    table: dict[str, dict[str, None]] = {}
    for member, other in pairs:
        key, found = words(member), words(other)
        if len(key) != 1 or not found or found == key:
            continue
        if occurs.setdefault(found, known(found)):
            table.setdefault(key[0], {})[other] = None
    return {word: tuple(others) for word, others in table.items()}


def related_to(word: str, table: Mapping[str, Related]) -> Related:
    """The terms related to a word searched for, or to its plural or singular."""
    for form in _forms(word):
        if form in table:
            return tuple(t for t in table[form] if words(t) != (word,))
    return ()


def _forms(word: str) -> Iterator[str]:
    yield word
    if word.endswith("s") and len(word) > 3:
        yield word[:-1]
    else:
        yield word + "s"
