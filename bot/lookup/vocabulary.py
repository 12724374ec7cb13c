"""The raw word vocabulary of the index, and typo correction against it.

Words are kept unstemmed and lowercase with their document frequencies; porter-stemmed
terms (what FTS5's own vocabulary holds) make poor correction targets."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import limits
from bot.lookup.query import WORD

SHORTEST_CORRECTED = 4  # words of three letters or fewer are never corrected


def words_of(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def max_edits(word: str) -> int:
    """How many edits a correction may make: one for short words, two for longer ones."""
    return 1 if len(word) <= 5 else 2


def correctable(word: str) -> bool:
    """Long enough to correct, short enough to correct cheaply, and not a number."""
    shortest, longest = SHORTEST_CORRECTED, limits.LONGEST_CORRECTED
    return shortest <= len(word) <= longest and not word.isnumeric()


class Vocabulary:
    """Document frequencies of raw words, with two ways to find near words: a table of
    one-letter deletions (so words one edit away are found by lookup, not by scanning) and
    length buckets for the rarer two-edit scan with rapidfuzz."""

    def __init__(self, frequencies: Counter[str], *, deletions: bool = True) -> None:
        """`deletions=False` skips the deletion table (cheaper to build, slower to ask):
        for a vocabulary asked only when the main one has no answer."""
        self._df = frequencies
        self._words = sorted(frequencies)
        self._by_length: dict[int, list[str]] = {}
        self._deletions: dict[str, list[str]] | None = {} if deletions else None
        for word in self._words:
            self._by_length.setdefault(len(word), []).append(word)
            if self._deletions is not None and len(word) >= SHORTEST_CORRECTED - 1:
                for key in _deletions(word) | {word}:
                    self._deletions.setdefault(key, []).append(word)
        self._windows: dict[int, list[str]] = {}

    @classmethod
    def of(cls, texts: Iterable[str], extra: Iterable[str] = ()) -> Vocabulary:
        """The words of `texts` with their document frequencies, and `extra` words (with a
        frequency of 0 unless the texts have them) that are searchable too."""
        frequencies: Counter[str] = Counter()
        for text in texts:
            frequencies.update(words_of(text))
        for word in extra:
            frequencies.setdefault(word, 0)
        return cls(frequencies)

    def __contains__(self, word: object) -> bool:
        return word in self._df

    def __len__(self) -> int:
        return len(self._df)

    def frequency(self, word: str) -> int:
        return self._df.get(word, 0)

    def candidates(self, word: str) -> list[tuple[str, int]]:
        """Known words within `max_edits` (Damerau/OSA distance, so a swap of two adjacent
        letters is one edit), nearest first, then the most frequent, then alphabetical.
        Words two edits away are only looked for when none is one edit away. A word longer
        than `limits.LONGEST_CORRECTED` has none (its deletion forms would cost the square
        of its length)."""
        if len(word) > limits.LONGEST_CORRECTED:
            return []
        found = self._one_edit(word) if self._deletions is not None else self._scan(word, 1)
        if not found and max_edits(word) >= 2:
            found = self._scan(word, 2)
        ranked = sorted(found, key=lambda m: (m[1], -self._df[m[0]], m[0]))
        return [(m[0], int(m[1])) for m in ranked]

    def correct(self, word: str) -> str | None:
        """The best known word for a typed one, or None if nothing is near enough."""
        found = self.candidates(word)
        return found[0][0] if found else None

    def starting_with(self, prefix: str, limit: int) -> list[str]:
        """Up to `limit` known words that start with `prefix`, in alphabetical order."""
        start = bisect.bisect_left(self._words, prefix)
        found = itertools.islice(self._words, start, start + limit)
        return list(itertools.takewhile(lambda w: w.startswith(prefix), found))

    def _scan(self, word: str, edits: int) -> list[tuple[str, int, int]]:
        window = self._window(len(word))
        found = process.extract(word, window, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [(w, int(d), i) for w, d, i in found if w != word]

    def _one_edit(self, word: str) -> list[tuple[str, int, int]]:
        """Symmetric deletion: a word one edit away shares a one-deletion form with it."""
        table = self._deletions or {}
        near = {w for key in _deletions(word) | {word} for w in table.get(key, ())}
        distances = ((w, OSA.distance(word, w)) for w in near if w != word)
        return [(w, d, 0) for w, d in distances if d == 1]

    def _window(self, length: int) -> list[str]:
        """Known words whose length is within two of `length`."""
        if length not in self._windows:
            lengths = range(length - 2, length + 3)
            self._windows[length] = [w for n in lengths for w in self._by_length.get(n, [])]
        return self._windows[length]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
