"""`LookupIndex`: parse the query, correct its words, resolve filters, then search."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot import limits
from bot.content.model import Library
from bot.lookup import wording
from bot.lookup.documents import library_documents, library_topic_aliases
from bot.lookup.names import name_words, resolve_person, topic_match
from bot.lookup.passages import passages
from bot.lookup.query import ParsedQuery, Term, fts_expression, fts_term, parse_query, rewrite
from bot.lookup.related import Related, related_table, related_to
from bot.lookup.snippets import clean, lead, to_spans
from bot.lookup.store import Filters, PassageStore
from bot.lookup.types import Document, LookupHit, LookupResult
from bot.lookup.vocabulary import Vocabulary, correctable, words_of
from bot.memo import ByteBudgetLRU

SearchKey = tuple[str, int, int]  # the query, offset and limit
RELATED_SHOWN = 6  # related terms named in a result ("showing results for … and …")
SPELLINGS_TRIED = 32  # words tried for spelling out a stem found by a typo's stem
# Typed words per query corrected through their stem (a scan of the stems, about a
# millisecond each on a large library): people type few words, a hostile query many.
STEM_CORRECTIONS = 3


@dataclass(frozen=True)
class Plan:
    """What will be searched: the parsed query with corrections and filters resolved."""

    parsed: ParsedQuery
    corrections: dict[str, str]
    filters: Filters
    problem: str | None = None
    # the terms each one-word term widens to, by the word searched for (its synonyms; for a
    # topic's alias, the topic's slug as words)
    related: dict[str, Related] = field(default_factory=dict)
    topic_typed: str | None = None  # the `topic:` as typed, when the topic was guessed from it


class LookupIndex:
    """Keyword lookup over passages: SQLite FTS5 with bm25 ranking, typo tolerance,
    phrases, `author:` and `topic:` filters, and related words (synonyms, topics' names).
    Only passages are indexed (not reference lists, links, citations, footers or repeats:
    see `bot.lookup.passages`). Built once, then only read; searches may come from any
    thread (they take turns on the one in-memory SQLite connection)."""

    def __init__(self, docs: Sequence[Document], topic_aliases: Mapping[str, str]) -> None:
        ids = [d.id for d in docs]
        if len(set(ids)) != len(ids):
            raise ValueError("document ids must be unique")
        docs = list(passages(docs))
        self._docs = {d.id: d for d in docs}
        self._store = PassageStore(docs)
        self._people = Counter(p for d in docs for p in set(d.people))
        self._topics = {t: t for d in docs for t in d.topics}
        self._topics.update({k.lower(): v for k, v in topic_aliases.items()})
        self._related = related_table(self._topics, self._store.has_phrase)
        texts = (f"{d.text} {d.title}" for d in docs)
        self._vocabulary = Vocabulary.of(texts, extra=self._related)
        self._stems = Vocabulary(self._store.stem_frequencies(), deletions=False)
        self._clean = {d.id: clean(d.text) for d in docs}
        # one SQLite connection: one search at a time (re-entrant: `search` calls `plan`)
        self._lock = threading.RLock()
        # The index never changes once built, so recent answers can be given again: people
        # repeat popular searches, and paging re-asks the same query.
        self._recent: ByteBudgetLRU[SearchKey, LookupResult] = ByteBudgetLRU(
            "lookup", limits.LOOKUP_CACHE_BYTES, _answer_bytes
        )

    @classmethod
    def from_documents(
        cls, docs: Iterable[Document], topic_aliases: Mapping[str, str] | None = None
    ) -> LookupIndex:
        """`topic_aliases` maps each alias or slug (lowercase) to its topic's slug."""
        return cls(list(docs), topic_aliases or {})

    @classmethod
    def from_library(cls, library: Library) -> LookupIndex:
        return cls.from_documents(library_documents(library), library_topic_aliases(library))

    def __len__(self) -> int:
        return len(self._docs)

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocabulary

    @property
    def cache(self) -> ByteBudgetLRU[SearchKey, LookupResult]:
        return self._recent

    def search(self, query: str, offset: int = 0, limit: int = 3) -> LookupResult:
        """One page of passages for `query`, best first, with the total number matching.
        Negative offsets and limits count as 0; only the first `limits.COMMAND_CHARS`
        characters of a query are read (a platform's search box may send more)."""
        key = (query, max(offset, 0), max(limit, 0))
        with self._lock:
            return self._recent.fetch(key, self._answer)

    def _answer(self, key: SearchKey) -> LookupResult:
        return self._search(*key)

    def _search(self, query: str, offset: int, limit: int) -> LookupResult:
        plan = self.plan(parse_query(query[: limits.COMMAND_CHARS]))
        result = _empty_result(query, plan, offset)
        if plan.problem is not None:
            return result
        if not plan.parsed.terms:
            return self._listed(result, plan.filters, limit)
        return self._matched(result, plan, limit)

    def plan(self, parsed: ParsedQuery) -> Plan:
        """Resolve the filters, correct the words of a parsed query and find the terms
        related to them. An `author:` name typed on without quotes (`author:Emma
        Challans-Rasool`) is read whole: the name's words after it are not searched for."""
        with self._lock:
            return self._plan(parsed)

    def _plan(self, parsed: ParsedQuery) -> Plan:
        if parsed.empty:
            return Plan(parsed, {}, Filters(), wording.EMPTY_QUERY)
        person = topic = None
        if parsed.author is not None:
            person = resolve_person(parsed.author, self._people)
            if person is None:
                problem = wording.UNKNOWN_PERSON.format(name=parsed.author)
                return Plan(parsed, {}, Filters(), problem)
            parsed = _rest_of_name(parsed, person)
        guessed = None
        if parsed.topic is not None:
            found = topic_match(parsed.topic, self._topics)
            if found is None:
                problem = wording.UNKNOWN_TOPIC.format(topic=parsed.topic)
                return Plan(parsed, {}, Filters(), problem)
            topic, exact = found
            guessed = None if exact else parsed.topic
        corrections = self._corrections(parsed)
        related = self._related_terms(parsed, corrections)
        filters = Filters(person, topic)
        return Plan(parsed, corrections, filters, related=related, topic_typed=guessed)

    def _related_terms(
        self, parsed: ParsedQuery, corrections: Mapping[str, str]
    ) -> dict[str, Related]:
        related: dict[str, Related] = {}
        for term in parsed.terms:
            if not term.quoted:
                used = corrections.get(term.words[0].text, term.words[0].text)
                found = related_to(used, self._related)
                if found:
                    related[used] = found
        return related

    def _corrections(self, parsed: ParsedQuery) -> dict[str, str]:
        corrections: dict[str, str] = {}
        stemmed = 0
        for word in parsed.words:
            typed = word.text
            if typed in corrections or not correctable(typed) or self._known(typed):
                continue
            used = self._vocabulary.correct(typed)
            if used is None and stemmed < STEM_CORRECTIONS:
                stemmed += 1
                used = self._correct_stem(typed)
            if used is not None:
                corrections[typed] = used
        return corrections

    def _correct_stem(self, typed: str) -> str | None:
        """A typo in a word the passages have only in another form ("psycological" when
        only "psychologically" is written) is too far from every written word, but its stem
        is near theirs: the typed word is mended where its stem differs, and kept if it
        then has that stem; else the stem's commonest written form is used."""
        stem = self._store.stems([typed]).get(typed)
        near = self._stems.correct(stem) if stem else None
        if stem is None or near is None:
            return None
        if stem != typed and typed.startswith(stem):
            mended = near + typed[len(stem) :]
            if self._store.stems([mended]).get(mended) == near:
                return mended
        return self._written_form(near)

    def _written_form(self, stem: str) -> str | None:
        """The commonest word of the passages with this stem."""
        start = stem[:-1] if stem.endswith("i") else stem  # "happi" is "happy"
        tried = self._vocabulary.starting_with(start, SPELLINGS_TRIED)
        stems = self._store.stems(tried)
        same = [w for w in tried if stems.get(w) == stem]
        frequency = self._vocabulary.frequency
        return min(same, key=lambda w: (-frequency(w), len(w), w), default=None)

    def _known(self, word: str) -> bool:
        """In the raw vocabulary, or matching through stemming or accents ("manager" when
        only "managers" was written): such words are searched as typed, not corrected."""
        return word in self._vocabulary or self._store.matches_any(fts_term([word]))

    def _listed(self, result: LookupResult, filters: Filters, limit: int) -> LookupResult:
        """Passages by filter alone; with `author:`, those naming the person come first."""
        mentions = _name_expression(filters.person) if filters.person else None
        offset = _bounded(result.offset, self)
        total, ids = self._store.listed(filters, mentions, offset, limit)
        snippets = self._store.snippets(mentions, ids) if mentions and ids else {}
        hits = tuple(self._hit(i, 0.0, snippets.get(i)) for i in ids)
        return replace(result, total=total, hits=hits)

    def _hit(self, doc_id: int, score: float, snippet: str | None) -> LookupHit:
        doc = self._docs[doc_id]
        text = self._clean[doc_id]
        return LookupHit(doc, score, lead(text) if snippet is None else to_spans(snippet, text))

    def _matched(self, result: LookupResult, plan: Plan, limit: int) -> LookupResult:
        terms, corrections, related = plan.parsed.terms, plan.corrections, plan.related
        expression = fts_expression(terms, corrections, related=related)
        total = self._store.count(expression, plan.filters)
        broadened = False
        if total == 0 and len(terms) > 1:
            expression = fts_expression(terms, corrections, any_term=True, related=related)
            total = self._store.count(expression, plan.filters)
            broadened = total > 0
        first = None  # with related words: the passages matching the words themselves first
        if related and total:
            exact = fts_expression(terms, corrections, any_term=broadened)
            ahead = self._store.count(exact, plan.filters)
            if ahead == total:
                expression = exact  # the related words found nothing more
            else:
                first = (exact, ahead)
        offset = _bounded(result.offset, self)
        page = self._store.page(expression, plan.filters, offset, limit, first) if total else []
        hits = self._hits(expression, page)
        shown = _shown(related) if first is not None else ()
        return replace(result, total=total, hits=hits, broadened=broadened, related=shown)

    def _hits(self, expression: str, page: list[tuple[int, float]]) -> tuple[LookupHit, ...]:
        if not page:
            return ()
        snippets = self._store.snippets(expression, [i for i, _ in page])
        return tuple(self._hit(i, score, snippets.get(i)) for i, score in page)


def _answer_bytes(key: SearchKey, result: LookupResult) -> int:
    """A remembered answer's size, from the query and the page asked for (its passages
    belong to the index and are not counted): the query's text is held a few times over
    (the key, as typed, as searched for, in its corrections)."""
    query, _offset, limit = key
    hits = min(limit, len(result.hits))
    return limits.LOOKUP_ANSWER_BYTES + limits.LOOKUP_HIT_BYTES * hits + 8 * len(query)


def _shown(related: Mapping[str, Related]) -> tuple[str, ...]:
    terms = dict.fromkeys(t for found in related.values() for t in found)
    return tuple(terms)[:RELATED_SHOWN]


def _rest_of_name(parsed: ParsedQuery, person: str) -> ParsedQuery:
    """The query without the words typed straight after an unquoted `author:` value that
    are words of the person's name."""
    end = parsed.author_end
    if end is None:
        return parsed
    words = name_words(person)
    kept = list(parsed.terms)
    for term in parsed.terms:
        word = term.words[0]
        if word.start < end:
            continue
        if term.quoted or word.start - end > 2 or word.text not in words:
            break
        kept.remove(term)
        end = word.end
    return replace(parsed, terms=tuple(kept))


def _name_expression(person: str) -> str:
    """Any word of a person's name, for finding the passages that mention them."""
    return " OR ".join(fts_term([w]) for w in sorted(words_of(person)))


def _bounded(offset: int, index: LookupIndex) -> int:
    """An offset SQLite can take (any offset past the end gives the same empty page)."""
    return min(offset, len(index))


def _empty_result(query: str, plan: Plan, offset: int) -> LookupResult:
    words = plan.parsed.words
    return LookupResult(
        query=query,
        searched_for=rewrite(query, words, plan.corrections),
        corrections=_pairs(plan.parsed.terms, plan.corrections),
        author=plan.filters.person,
        topic=plan.filters.topic,
        total=0,
        offset=offset,
        hits=(),
        broadened=False,
        problem=plan.problem,
        topic_typed=plan.topic_typed,
    )


def _pairs(terms: Sequence[Term], corrections: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    typed = dict.fromkeys(w.text for t in terms for w in t.words if w.text in corrections)
    return tuple((w, corrections[w]) for w in typed)
