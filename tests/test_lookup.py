"""Keyword lookup: behaviour on a small hand-made set of passages, then quality on the real
content library."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest

from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Article, Library, Quote, Topic
from bot.lookup import Document, LookupIndex, LookupResult, parse_query, wording
from bot.replies import Span, rich_text

DARK = "dark-side"
WINTER = "winter-flow"
TALENT = "talent"

PASSAGES: dict[str, list[str]] = {
    DARK: [
        "Let us consider one of the most common structures for managing a clinical division:"
        " the triumvirate leadership model of a medical director, a nurse and a manager.",
        "Managers do not choose to be on the dark side; they are alongside you on the same"
        " path, and leadership is shared between managers and medics.",
        "Why is it so hard for medics and managers to value each other's work? Challans-Rasool"
        " hasn’t stopped asking that question since she joined the NHS management scheme.",
    ],
    WINTER: [
        "Rachna Vyas says patient flow is the work of the whole system, not of one hospital,"
        " and that leadership across boundaries matters more every winter.",
        "The flow of patients through urgent care slows when beds are full; winter pressures"
        " never really stop for health and care services.",
        "Protecting the wellbeing of staff is paramount: our teams are tired, Vyas said.",
    ],
    TALENT: [
        "The nine chief executives interviewed want a different approach to talent"
        " management and leadership development across the NHS.",
        "Trust chiefs say leaders must be allowed to learn from mistakes, and that"
        " leadership programmes should open doors to people from every background.",
        "Leadership, leadership and more leadership: the report repeats the word often, in"
        " a long passage that goes on well beyond the length of any snippet so that the"
        " snippet has to be cut somewhere near the middle of the text rather than shown in"
        " full, which is exactly what this sentence is here to test.",
    ],
}
META = {
    DARK: ("Why are managers seen to be on the dark side?", ("Emma Challans-Rasool",
           "Charlotte Williams"), ("manager-medic",), dt.date(2023, 1, 25)),
    WINTER: ("Rachna Vyas on urgent care", ("Distilled Post",), ("patient-flow",),
             dt.date(2023, 11, 13)),
    TALENT: ("A different tack on talent management", ("Caroline White",), ("talent",),
             dt.date(2019, 6, 14)),
}  # fmt: skip
SPEAKERS = {WINTER: ("Rachna Vyas",)}
ALIASES = {"manager-medic": "manager-medic", "triumvirate": "manager-medic",
           "managers and medics": "manager-medic", "patient-flow": "patient-flow",
           "flow": "patient-flow", "talent": "talent"}  # fmt: skip


def make_documents() -> list[Document]:
    docs: list[Document] = []
    for article_id, texts in PASSAGES.items():
        title, authors, topics, date = META[article_id]
        people = authors + SPEAKERS.get(article_id, ())
        for ordinal, text in enumerate(texts):
            docs.append(
                Document(len(docs), article_id, ordinal, title, authors, people, topics, date, text)
            )
    return docs


@pytest.fixture(scope="module")
def index() -> LookupIndex:
    return LookupIndex.from_documents(make_documents(), ALIASES)


def articles(result: LookupResult) -> list[str]:
    return [hit.document.article_id for hit in result.hits]


def bold_words(spans: tuple[Span, ...]) -> list[str]:
    return [s.text for s in spans if s.bold]


# --- the query parser -------------------------------------------------------------------


def test_parser_reads_words_phrases_and_filters() -> None:
    parsed = parse_query('Winter "Patient  flow" author:"Emma Challans-Rasool" topic:talent')
    assert [[w.text for w in t.words] for t in parsed.terms] == [["winter"], ["patient", "flow"]]
    assert parsed.author == "Emma Challans-Rasool"
    assert parsed.topic == "talent"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('"patient flow', ["patient", "flow"]),  # unbalanced quote: plain words
        ("foo:bar", ["foo", "bar"]),  # unknown prefix: plain words
        ("author: vyas", ["author", "vyas"]),  # nothing after the colon
        ('topic:"" x', ["topic", "x"]),
        ("AND OR NEAR(a, b) * ^ -c", ["and", "or", "near", "a", "b", "c"]),
        ("snake_case", ["snake", "case"]),
        ("😀 \x00 \u200f", []),
    ],
)
def test_parser_reads_odd_input_as_plain_words(query: str, words: list[str]) -> None:
    parsed = parse_query(query)
    assert [w.text for w in parsed.words] == words
    assert parsed.author is None and parsed.topic is None


def test_parser_keeps_the_first_filter_and_reads_later_ones_as_words() -> None:
    parsed = parse_query("author:vyas author:white")
    assert parsed.author == "vyas"
    assert [w.text for w in parsed.words] == ["author", "white"]


# --- words, ranking, snippets -------------------------------------------------------------


def test_finds_a_word_and_bolds_it_in_the_snippet(index: LookupIndex) -> None:
    result = index.search("triumvirate")
    assert result.total == 1 and articles(result) == [DARK]
    assert bold_words(result.hits[0].snippet) == ["triumvirate"]
    assert not result.corrected and not result.broadened and result.problem is None


def test_all_words_must_match(index: LookupIndex) -> None:
    result = index.search("leadership winter")
    assert result.total == 1 and articles(result) == [WINTER]
    assert sorted(bold_words(result.hits[0].snippet)) == ["leadership", "winter"]


def test_stemming_matches_other_forms_of_a_word(index: LookupIndex) -> None:
    result = index.search("manager")  # only "managers" and "managing" are written
    assert result.total >= 2 and not result.corrected
    assert articles(result)[:2] == [DARK, DARK]


def test_results_are_ranked_best_first_two_passages_of_an_article_at_a_time(
    index: LookupIndex,
) -> None:
    hits = index.search("leadership", limit=10).hits
    assert hits[0].document.text.startswith("Leadership, leadership")
    for article in (DARK, WINTER, TALENT):
        scores = [h.score for h in hits if h.document.article_id == article]
        assert scores == sorted(scores, reverse=True)
    assert [h.document.article_id for h in hits].index(TALENT) == 0
    third = [h.document.article_id for h in hits[:3]].count(TALENT)
    assert third <= 2  # the talent article's third passage waits for the others


def test_a_long_passage_is_cut_to_a_short_snippet_of_whole_words(index: LookupIndex) -> None:
    hit = index.search("snippet").hits[0]
    text = rich_text(hit.snippet)
    assert text.startswith("…") and text.endswith("…")
    words = text.strip("…").split()
    assert 15 <= len(words) <= 32
    assert " ".join(words) in hit.document.text  # whole words only, none split


def test_a_snippet_never_starts_inside_a_written_word(index: LookupIndex) -> None:
    for query in ("rasool", "stopped asking"):
        hit = index.search(query).hits[0]
        text = rich_text(hit.snippet).strip("…")
        start = hit.document.text.find(text)
        assert start == 0 or hit.document.text[start - 1] == " ", text


def test_a_short_passage_is_shown_whole(index: LookupIndex) -> None:
    hit = index.search("paramount").hits[0]
    assert rich_text(hit.snippet) == hit.document.text


# --- phrases ------------------------------------------------------------------------------


def test_a_phrase_must_appear_in_order(index: LookupIndex) -> None:
    phrase = index.search('"patient flow"')
    assert phrase.total == 1 and phrase.hits[0].document.ordinal == 0
    assert bold_words(phrase.hits[0].snippet) == ["patient flow"]
    assert index.search("patient flow").total == 2  # "flow of patients" too


def test_title_words_count_but_less_than_passage_words(index: LookupIndex) -> None:
    result = index.search("urgent", limit=10)  # in one passage, and in its article's title
    assert result.total == 3 and set(articles(result)) == {WINTER}
    assert result.hits[0].document.ordinal == 1
    assert bold_words(result.hits[0].snippet) == ["urgent"]


def test_phrase_and_word_together(index: LookupIndex) -> None:
    result = index.search('"dark side" medics')
    assert set(articles(result)) == {DARK}  # the title says "dark side" too
    assert result.hits[0].document.ordinal == 1
    assert index.search('"side dark"').total == 0


# --- typo correction ----------------------------------------------------------------------


def test_a_misspelt_word_is_corrected_and_says_so(index: LookupIndex) -> None:
    result = index.search("triumverate")
    assert result.corrected
    assert result.corrections == (("triumverate", "triumvirate"),)
    assert result.searched_for == "triumvirate"
    assert articles(result) == [DARK]
    assert bold_words(result.hits[0].snippet) == ["triumvirate"]


@pytest.mark.parametrize(
    ("query", "searched_for"),
    [
        ("wellbieng", "wellbeing"),  # transposed letters
        ("cheif executives", "chief executives"),
        ("Triumverate  model", "Triumvirate model"),  # the typed capital is kept
        ('"patinet flow"', '"patient flow"'),  # inside a phrase too
        ("author:vyas wellbein", "author:vyas wellbeing"),
    ],
)
def test_corrections_are_shown_in_the_query_as_typed(
    index: LookupIndex, query: str, searched_for: str
) -> None:
    result = index.search(query)
    assert result.searched_for == searched_for
    assert result.total >= 1


def test_short_words_and_numbers_are_not_corrected(index: LookupIndex) -> None:
    for query in ("nsh", "2025", "teh"):
        result = index.search(query)
        assert not result.corrected and result.total == 0


def test_a_word_with_nothing_near_it_is_left_alone(index: LookupIndex) -> None:
    result = index.search("xylophone")
    assert not result.corrected and result.total == 0 and result.problem is None


# --- broadening ---------------------------------------------------------------------------


def test_when_no_passage_has_every_word_any_word_will_do(index: LookupIndex) -> None:
    result = index.search("triumvirate xylophone")
    assert result.broadened and result.total == 1 and articles(result) == [DARK]


def test_nothing_at_all_is_not_broadened(index: LookupIndex) -> None:
    result = index.search("xylophone zeppelin")
    assert not result.broadened and result.total == 0 and result.hits == ()


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "person"),
    [
        ("author:vyas", "Rachna Vyas"),
        ("author:Rachna", "Rachna Vyas"),
        ('author:"Emma Challans-Rasool"', "Emma Challans-Rasool"),
        ("author:challans", "Emma Challans-Rasool"),
        ("AUTHOR:wiliams", "Charlotte Williams"),
        ("author:white", "Caroline White"),
    ],
)
def test_author_filter_matches_people_fuzzily(index: LookupIndex, query: str, person: str) -> None:
    result = index.search(query, limit=10)
    assert result.author == person
    assert result.hits and all(person in h.document.people for h in result.hits)


def test_author_filter_alone_lists_passages_naming_the_person_first(index: LookupIndex) -> None:
    result = index.search("author:vyas", limit=10)
    assert result.total == 3
    assert [h.document.ordinal for h in result.hits] == [0, 2, 1]
    assert bold_words(result.hits[0].snippet) == ["Rachna", "Vyas"]


def test_author_filter_with_words(index: LookupIndex) -> None:
    result = index.search("leadership author:vyas")
    assert result.total == 1 and articles(result) == [WINTER]
    assert index.search("triumvirate author:vyas").total == 0


def test_unknown_author_is_a_problem(index: LookupIndex) -> None:
    result = index.search("leadership author:zebedee")
    assert result.problem == wording.UNKNOWN_PERSON.format(name="zebedee")
    assert result.total == 0 and result.hits == ()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("topic:manager-medic", "manager-medic"),
        ("topic:triumvirate", "manager-medic"),  # an alias
        ('topic:"Managers and medics"', "manager-medic"),
        ("topic:manger-medic", "manager-medic"),  # a typo
        ("topic:talent", "talent"),
    ],
)
def test_topic_filter_takes_slugs_aliases_and_typos(
    index: LookupIndex, query: str, slug: str
) -> None:
    result = index.search(query, limit=10)
    assert result.topic == slug
    assert result.total == 3 and all(slug in h.document.topics for h in result.hits)


def test_topic_filter_with_words(index: LookupIndex) -> None:
    result = index.search("leadership topic:talent", limit=10)
    assert result.total == 3 and set(articles(result)) == {TALENT}


def test_unknown_topic_is_a_problem(index: LookupIndex) -> None:
    result = index.search("topic:astrophysics leadership")
    assert result.problem == wording.UNKNOWN_TOPIC.format(topic="astrophysics")
    assert result.total == 0


# --- paging -------------------------------------------------------------------------------


def test_pages_of_three_cover_every_match_once(index: LookupIndex) -> None:
    everything = index.search("leadership", limit=50)
    assert everything.total == 6 == len(everything.hits)
    pages = [index.search("leadership", offset=o) for o in (0, 3, 6)]
    assert [len(p.hits) for p in pages] == [3, 3, 0]
    assert all(p.total == 6 for p in pages)
    assert [h.document.id for p in pages for h in p.hits] == [
        h.document.id for h in everything.hits
    ]
    assert pages[1].offset == 3


def test_odd_offsets_and_limits(index: LookupIndex) -> None:
    assert index.search("leadership", offset=10**30).hits == ()
    assert index.search("leadership", offset=-5).offset == 0
    none = index.search("leadership", limit=0)
    assert none.hits == () and none.total == 6
    assert len(index.search("leadership", limit=-1).hits) == 0


# --- empty and hostile queries ------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "😀", '"', "***", "\x00"])
def test_a_query_without_words_is_a_problem_not_an_error(index: LookupIndex, query: str) -> None:
    result = index.search(query)
    assert result.problem == wording.EMPTY_QUERY
    assert result.total == 0 and result.hits == () and result.query == query


@pytest.mark.parametrize(
    "query",
    [
        "AND OR NEAR(",
        '"',
        "*",
        "-",
        "😀",
        "\x00",
        "NOT leadership",
        "leadership AND",
        "NEAR(leadership winter, 2)",
        "lead*",
        "^leadership",
        '"unbalanced phrase',
        'leadership" "',
        "text:leadership",
        "rowid:1",
        "(leadership OR winter",
        "col : umn",
        "author:",
        "topic:",
        "\u200fleadership\u200e",
        "leadership\x00winter",
        "x" * 5000,
        "leadership " * 400,
        "\ue000leadership\ue001",
    ],
)
def test_hostile_queries_are_searched_safely(index: LookupIndex, query: str) -> None:
    result = index.search(query)
    assert result.query == query
    assert len(result.hits) <= 3


def test_stop_words_alone_do_not_crash(index: LookupIndex) -> None:
    result = index.search("the and of")
    assert result.problem is None


def test_fts_operators_are_just_words(index: LookupIndex) -> None:
    # "not" is a word: only the passage with all three is found, not the others
    assert articles(index.search("leadership NOT winter")) == [WINTER]
    assert index.search("lead*").total == 0  # no prefix search
    assert index.search("Challans-Rasool").total == 1  # a hyphen is not "minus"


# --- construction -------------------------------------------------------------------------


def test_length_is_the_number_of_passages(index: LookupIndex) -> None:
    assert len(index) == 9


def test_document_ids_must_be_unique() -> None:
    doc = make_documents()[0]
    with pytest.raises(ValueError, match="unique"):
        LookupIndex.from_documents([doc, doc])


def test_an_empty_index_finds_nothing() -> None:
    empty = LookupIndex.from_documents([])
    assert len(empty) == 0
    assert empty.search("triumverate").total == 0


def test_it_can_be_searched_from_another_thread(index: LookupIndex) -> None:
    found: list[int] = []
    worker = threading.Thread(target=lambda: found.append(index.search("winter").total))
    worker.start()
    worker.join()
    assert found == [2]


def test_from_library_indexes_paragraphs_with_speakers_and_topic_aliases() -> None:
    article = Article(
        id="dark-side",
        title="The dark side",
        authors=("Emma Challans-Rasool",),
        date=dt.date(2023, 1, 25),
        source="Proud2bOps",
        topics=("manager-medic",),
        summary="",
        body="The triumvirate model.\n\nManagers and medics,\ntogether.\n\n",
    )
    library = Library(
        articles={article.id: article},
        topics={"manager-medic": Topic("manager-medic", "Manager–medic", "", ("triumvirate",))},
        quotes={"q1": Quote("q1", "dark-side", "Together.", "Rachna Vyas")},
    )
    index = LookupIndex.from_library(library)
    assert len(index) == 2
    hit = index.search("medics").hits[0]
    assert (hit.document.article_id, hit.document.ordinal) == ("dark-side", 1)
    assert hit.document.text == "Managers and medics, together."
    assert hit.document.people == ("Emma Challans-Rasool", "Rachna Vyas")
    assert index.search("author:vyas").total == 2
    assert index.search("topic:triumvirate").topic == "manager-medic"


# --- quality on the real content library --------------------------------------------------


@pytest.fixture(scope="module")
def real_library() -> Library:
    return load_library([bundled_content_dir()]).library


@pytest.fixture(scope="module")
def real(real_library: Library) -> LookupIndex:
    return LookupIndex.from_library(real_library)


def in_top3(result: LookupResult, check: Callable[[Document], bool]) -> bool:
    return any(check(hit.document) for hit in result.hits[:3])


def test_real_triumverate_finds_the_dark_side_passage_first(real: LookupIndex) -> None:
    result = real.search("triumverate")
    assert result.corrections == (("triumverate", "triumvirate"),)
    top = result.hits[0].document
    assert "dark side" in top.title.lower() and "triumvirate" in top.text.lower()


@pytest.mark.parametrize(
    ("query", "title_has"),
    [
        ("proud2bop", "proud2bops"),
        ("Rachna", "rachna"),
        ("author:vyas", "rachna"),
        ('"patient flow"', "patient flow"),
    ],
)
def test_real_queries_find_the_right_article(real: LookupIndex, query: str, title_has: str) -> None:
    result = real.search(query)
    assert in_top3(result, lambda d: title_has in (d.title + " " + d.text).lower()), result


def test_real_wellbieng_finds_wellbeing(real: LookupIndex) -> None:
    result = real.search("wellbieng")
    assert result.corrected and result.searched_for == "wellbeing"
    assert in_top3(result, lambda d: "wellbeing" in d.text.lower())


def test_real_cheif_executives_finds_the_talent_article(real: LookupIndex) -> None:
    result = real.search("cheif executives")
    assert result.searched_for == "chief executives"
    assert in_top3(result, lambda d: "talent" in d.title.lower())


def test_real_author_vyas_is_rachna_vyas(real: LookupIndex) -> None:
    result = real.search("author:vyas")
    assert result.author == "Rachna Vyas"
    assert in_top3(result, lambda d: "rachna" in d.title.lower())


def test_real_library_is_indexed_paragraph_by_paragraph(
    real: LookupIndex, real_library: Library
) -> None:
    paragraphs = [p for a in real_library.articles.values() for p in a.paragraphs]
    assert 0 < len(real) <= len(paragraphs)
    assert len(real) >= 0.8 * len(paragraphs)  # only references, links and repeats are left
