"""Property tests: no query string makes the parser or the search raise, and paging is
respected."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.lookup import Document, LookupIndex, LookupResult, parse_query
from bot.replies import rich_text

TEXTS = [
    "The triumvirate leadership model brings a medical director, a nurse and a manager together.",
    "Managers are alongside medics on the same path, not on the dark side.",
    "Patient flow matters more every winter; the flow of patients slows when beds are full.",
    "Protecting the wellbeing of staff is paramount: our teams are tired.",
    "The nine chief executives want a different approach to talent management.",
    "Café culture, naïve coöperation and Straße: diacritics are removed when matching.",
    "Leadership, leadership and more leadership in a passage about leadership.",
    "Numbers like 2023 and 111 calls, Proud2bOps and A&E appear in the text too.",
]
DOCS = [
    Document(
        id=i * 7 + 1,
        article_id=f"a{i % 3}",
        ordinal=i // 3,
        title=f"Article {i % 3}",
        authors=("Emma Challans-Rasool",) if i % 2 else ("Rachna Vyas",),
        people=("Emma Challans-Rasool", "Charlotte Williams") if i % 2 else ("Rachna Vyas",),
        topics=("manager-medic",) if i % 2 else ("patient-flow",),
        date=dt.date(2023, 1, 1 + i) if i % 4 else None,
        text=text,
    )
    for i, text in enumerate(TEXTS)
]
INDEX = LookupIndex.from_documents(DOCS, {"triumvirate": "manager-medic"})

FTS_SYNTAX = [
    "AND", "OR", "NOT", "NEAR", "NEAR(", ")", "(", "*", "^", "-", "+", '"', ":", "{", "}",
    "author:", "topic:", "text:", "author:\"", "topic:\"\"", "\x00", "\u200f", "\u202e", "😀",
    "\ue000", "\ue001", "\ue002", "'", ",", "\\", "%", "_",
]  # fmt: skip
WORDS = ["triumvirate", "triumverate", "leadership", "patient", "flow", "vyas", "wellbieng",
         "cafe", "straße", "2023", "the", "of", "managr", "medics"]  # fmt: skip

queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FTS_SYNTAX + WORDS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(FTS_SYNTAX + WORDS), max_size=12).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=500, max_size=3000),
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(queries)
def test_parsing_never_raises_and_words_are_clean(query: str) -> None:
    parsed = parse_query(query)
    for word in parsed.words:
        assert word.text and '"' not in word.text and "\x00" not in word.text
        assert query[word.start : word.end].lower() == word.text


@FAST
@given(queries, st.integers(-5, 20), st.integers(-2, 12))
def test_search_never_raises_and_respects_paging(query: str, offset: int, limit: int) -> None:
    result = INDEX.search(query, offset=offset, limit=limit)
    assert isinstance(result, LookupResult)
    assert result.query == query
    assert result.offset == max(offset, 0)
    assert len(result.hits) <= max(limit, 0)
    assert len(result.hits) <= max(result.total - result.offset, 0)
    assert result.total <= len(DOCS)
    for hit in result.hits:
        assert rich_text(hit.snippet).strip("…").split()[0] in hit.document.text


@FAST
@given(queries)
def test_pages_partition_the_results(query: str) -> None:
    everything = INDEX.search(query, limit=len(DOCS))
    paged = [INDEX.search(query, offset=o, limit=3) for o in range(0, len(DOCS), 3)]
    assert all(p.total == everything.total for p in paged)
    ids = [h.document.id for p in paged for h in p.hits]
    assert ids == [h.document.id for h in everything.hits]
    assert len(set(ids)) == len(ids) == everything.total


@FAST
@given(queries)
def test_corrections_only_name_typed_words(query: str) -> None:
    result = INDEX.search(query)
    typed = {w.text for w in parse_query(query).words}
    for wrong, right in result.corrections:
        assert wrong in typed and wrong != right
