"""Lookup finds what people look for: only real passages, each once, several articles on a
page, typos in any word of the library, related words, and people by any part of their
name. On hand-made passages where the point is a rule, on the bundled library where the
point is what new users met."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.model import Library
from bot.lookup import Document, LookupIndex, LookupResult, parse_query
from bot.lookup.documents import library_documents
from bot.lookup.names import resolve_person
from bot.lookup.passages import is_passage, passages
from bot.lookup.query import WORD
from bot.replies import Item, Reply, rich_text
from tests.conftest import TestBot, button, text_of


def doc(
    doc_id: int, article: str, text: str, people: tuple[str, ...] = ("Ann Author",)
) -> Document:
    return Document(
        id=doc_id, article_id=article, ordinal=doc_id, title=f"About {article}", authors=people,
        people=people, topics=("wellbeing",), date=dt.date(2023, 1, 1), text=text,
    )  # fmt: skip


def texts(result: LookupResult) -> list[str]:
    return [hit.document.text for hit in result.hits]


def items_in(reply: Reply) -> list[Item]:
    return [b for b in reply.blocks if isinstance(b, Item)]


def everything(index: LookupIndex, query: str) -> LookupResult:
    return index.search(query, limit=len(index) + 1)


# --- 1. only passages are results, each once ---------------------------------------------

PROSE = "Managers and medics lead services together across the whole hospital every day."
NOISE = [
    "References",
    "1. NHS Confederation (2022), Is the NHS overmanaged for managers?",
    "2. https://www.nuffieldtrust.org.uk/chart/are-there-too-many-managers-in-the-nhs",
    "[3] Managers and leadership – The Health Foundation",
]
NOISY = [
    doc(0, "a", PROSE),
    doc(1, "a", "https://blogs.example.org/managers/medics/dark-side-of-the-hospital"),
    doc(2, "a", "* The best job in the world for managers? NHS Confederation, 2019."),
    doc(3, "a", "© 2023 Managers Network. All rights reserved. Follow us on X."),
    *[doc(4 + i, "a", text) for i, text in enumerate(NOISE)],
    doc(8, "b", "Why managers matter to patients, and how medics can help them lead."),
    *[doc(9 + i, "b", text) for i, text in enumerate(NOISE)],  # the same list again
    doc(13, "b", PROSE),  # the same paragraph in another article
]


@pytest.fixture(scope="module")
def noisy() -> LookupIndex:
    return LookupIndex.from_documents(NOISY)


def test_references_links_citations_and_footers_are_not_results(noisy: LookupIndex) -> None:
    for query in ("managers", "nhs", "https", "nuffieldtrust", "references", "confederation",
                  "rights reserved", "health foundation", '"dark side"', "world"):  # fmt: skip
        for text in texts(everything(noisy, query)):
            assert text in (PROSE, NOISY[8].text), (query, text)


def test_an_identical_passage_is_shown_once(noisy: LookupIndex) -> None:
    found = texts(everything(noisy, "managers medics"))
    assert sorted(found) == sorted([PROSE, NOISY[8].text])
    assert len(noisy) == 2


def test_prose_after_a_reference_list_is_a_passage_again() -> None:
    after = "Afterword: managers " + "and medics keep talking " * 6
    index = LookupIndex.from_documents([doc(0, "a", "References"), doc(1, "a", NOISE[1]),
                                        doc(2, "a", after)])  # fmt: skip
    assert texts(index.search("afterword")) == [after]
    assert index.search("confederation").total == 0


@pytest.mark.parametrize(
    "text",
    [
        "If you want to make change a reality, then sign up today at horizonsnhs.com/school",
        "1. Make better decisions",
        "• Get more done in less time with lower costs",
        "Scope",
        "In 2019, 12 trusts took part.",
    ],
)
def test_ordinary_lines_stay_passages(text: str) -> None:
    assert is_passage(text)


# --- 1, on the bundled library -------------------------------------------------------------

URL = re.compile(r"(?:https?://|www\.)\S+")
REFERENCE_HEADING = re.compile(r"(?:references?|sources?|notes?|footnotes?)\W*", re.IGNORECASE)


def not_passages(library: Library) -> set[str]:
    """An independent reading of what no result may be: reference lists (a heading and the
    short lines after it), paragraphs that are mostly a URL, footnote-style citations."""
    found: set[str] = set()
    for article in library.articles.values():
        listing = False
        for text in article.paragraphs:
            if REFERENCE_HEADING.fullmatch(text):
                listing = True
            elif listing and len(text.split()) >= 25:
                listing = False
            urls = "".join(URL.findall(text))
            if listing or 2 * len(urls) >= len(text) or re.match(r"\*\s.*\b(19|20)\d\d\.$", text):
                found.add(text)
    return found


@pytest.fixture(scope="module")
def real_words(library: Library) -> list[str]:
    words = Counter(
        w.lower() for a in library.articles.values() for w in re.findall(r"\w+", a.body)
    )
    return sorted(words)


@pytest.fixture(scope="module")
def excluded(library: Library) -> set[str]:
    return not_passages(library)


FEW = settings(max_examples=150, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@FEW
@given(data=st.data())
def test_no_reference_or_link_line_is_ever_a_result_on_the_library(
    index: LookupIndex, real_words: list[str], excluded: set[str], data: st.DataObject
) -> None:
    words = data.draw(st.lists(st.sampled_from(real_words), min_size=1, max_size=3))
    result = index.search(" ".join(words), limit=10)
    assert not excluded.intersection(texts(result)), words


def test_reference_words_find_no_reference_line(index: LookupIndex, excluded: set[str]) -> None:
    for query in ("nuffieldtrust", "https", "references", "gov uk", "overmanaged", '"dark side'):
        assert not excluded.intersection(texts(everything(index, query))), query


def test_dark_side_finds_prose_first(index: LookupIndex) -> None:
    result = index.search('"dark side', limit=3)
    assert result.hits and all(len(t.split()) > 10 and not URL.search(t) for t in texts(result))


def test_lookup_nhs_shows_no_passage_twice(index: LookupIndex) -> None:
    found = texts(everything(index, "NHS"))
    assert found and len(found) == len(set(found))
    keys = [(h.document.article_id, h.document.ordinal) for h in everything(index, "NHS").hits]
    assert len(keys) == len(set(keys))


async def test_lookup_nhs_pages_show_no_passage_twice(testbot: TestBot) -> None:
    reply = await testbot.send("lookup NHS")
    seen: list[str] = []
    for _page in range(8):
        seen += [rich_text(i.body) for i in items_in(reply)]
        if not any(b.label == "More results" for b in reply.buttons):
            break
        reply = await testbot.press(button(reply, "More results"))
    assert len(seen) >= 9 and len(seen) == len(set(seen))


# --- 1. one article does not fill a page -----------------------------------------------------


def test_one_article_does_not_fill_a_page_when_others_match() -> None:
    strong = [
        doc(i, "big", f"Rota rota rota planning number {i} for the winter.") for i in range(6)
    ]
    once = "A long paragraph that mentions the rota only once, among many other words about"
    weak = doc(6, "small", f"{once} planning, people, beds, clinics and the long winter ahead.")
    index = LookupIndex.from_documents([*strong, weak])
    first = index.search("rota")
    assert [h.document.article_id for h in first.hits].count("big") == 2
    assert "small" in [h.document.article_id for h in first.hits]
    alone = index.search("rota", offset=3)  # nothing else matches: the rest of "big"
    assert {h.document.article_id for h in alone.hits} == {"big"}
    assert index.search("rota", limit=10).total == 7


@pytest.mark.parametrize("query", ["managers", "leadership", "NHS", "winter", "medics", "data"])
def test_a_first_page_on_the_library_has_several_articles(index: LookupIndex, query: str) -> None:
    result = index.search(query)
    articles = {h.document.article_id for h in everything(index, query).hits}
    counts = Counter(h.document.article_id for h in result.hits)
    if len(articles) > 1:
        assert max(counts.values()) <= 2, (query, counts)


# --- 2. typo correction covers every word of the library ----------------------------------


def test_a_typo_in_a_word_written_only_in_another_form_is_corrected() -> None:
    text = "How often do managers feel psychologically safe in questioning quality of care?"
    index = LookupIndex.from_documents([doc(0, "a", text), doc(1, "a", "Nothing to see.")])
    result = index.search("psycological")
    assert result.corrections == (("psycological", "psychological"),)
    assert texts(result) == [text]


def test_lookup_psycological_corrects_to_psychological_on_the_library(index: LookupIndex) -> None:
    result = index.search("psycological")
    assert result.searched_for == "psychological" and result.total >= 1
    assert "psychologically" in result.hits[0].document.text


async def test_lookup_psycological_says_what_it_searched_for(testbot: TestBot) -> None:
    text = text_of(await testbot.send("lookup psycological"))
    assert "Showing results for “psychological” (you typed “psycological”)" in text


@pytest.fixture(scope="module")
def passage_words(library: Library) -> list[str]:
    found = {w.lower() for d in passages(library_documents(library)) for w in WORD.findall(d.text)}
    return sorted(w for w in found if len(w) >= 6 and w.isalpha())


@FEW
@given(data=st.data())
def test_every_word_of_the_passages_is_found_with_a_typo(
    index: LookupIndex, passage_words: list[str], data: st.DataObject
) -> None:
    word = data.draw(st.sampled_from(passage_words))
    at = data.draw(st.integers(1, len(word) - 2))
    typo = word[:at] + word[at + 1 :]  # one letter dropped
    result = index.search(typo)
    assert result.total > 0, (word, typo)


# --- 3. topic aliases and synonyms widen a search ----------------------------------------------


def test_search_burnout_finds_wellbeing_passages(index: LookupIndex) -> None:
    result = index.search("burnout", limit=10)
    assert result.total > 0 and "wellbeing" in result.related
    assert all(re.search(r"wellbeing|well-being|morale|tired|exhaust", t, re.I)
               for t in texts(result))  # fmt: skip


async def test_search_burnout_says_it_showed_related_words(testbot: TestBot) -> None:
    reply = await testbot.send("search burnout")
    assert reply.kind == "lookup" and items_in(reply)
    assert "Showing results for “burnout” and related words: wellbeing" in text_of(reply)


async def test_a_corrected_and_widened_search_says_both(testbot: TestBot) -> None:
    text = text_of(await testbot.send("lookup burnuot"))
    assert "Showing results for “burnout” (you typed “burnuot”) and related words:" in text


def test_the_words_themselves_come_before_related_words(index: LookupIndex) -> None:
    result = everything(index, "doctor")
    assert result.related  # medics, clinicians, consultants are written far more often
    with_word = [bool(re.search(r"\bdoctors?\b", t, re.I)) for t in texts(result)]
    assert with_word[0] and with_word == sorted(with_word, reverse=True)


def test_a_search_that_related_words_do_not_widen_says_nothing(index: LookupIndex) -> None:
    assert not index.search("triumvirate").related


def test_a_topic_alias_widens_to_its_topic() -> None:
    docs = [doc(0, "a", "Protecting the wellbeing of staff is paramount."),
            doc(1, "b", "A winter plan for beds.")]  # fmt: skip
    index = LookupIndex.from_documents(docs, {"exhaustedness": "wellbeing"})
    result = index.search("exhaustedness")
    assert texts(result) == [docs[0].text] and result.related == ("wellbeing",)


def test_phrases_are_not_widened(index: LookupIndex) -> None:
    assert index.search('"burnout"').total == 0


# --- 4. people by any part of their name --------------------------------------------------

EMMA = "Emma Challans-Rasool"


@pytest.mark.parametrize(
    "query",
    [
        "author:challans-rasool",
        "author:Challans-Rasool",
        "author:challans",
        "author:rasool",
        'author:"Emma Challans-Rasool"',
        "author:“Emma Challans-Rasool”",  # curly quotes, as phones type them
        "author:Emma Challans-Rasool",  # no quotes at all
        "author:emma challans rasool",
    ],
)
def test_a_person_is_found_by_any_part_of_their_name(index: LookupIndex, query: str) -> None:
    result = index.search(query, limit=5)
    assert result.author == EMMA
    assert result.total == index.search('author:"Emma Challans-Rasool"').total > 0


def test_a_hyphenated_surname_is_a_part_of_a_long_name() -> None:
    people = {"Alexandra Challans-Rasool": 1, "Chris Allan": 3}
    assert resolve_person("challans-rasool", people) == "Alexandra Challans-Rasool"
    assert resolve_person("Alexandra Challans", people) == "Alexandra Challans-Rasool"
    assert resolve_person("allan", people) == "Chris Allan"


def test_words_after_an_unquoted_name_that_are_not_the_name_are_searched() -> None:
    docs = [doc(0, "a", "Winter beds.", (EMMA,)), doc(1, "a", "Summer leave.", (EMMA,))]
    index = LookupIndex.from_documents(docs)
    assert texts(index.search("author:Emma Challans-Rasool winter")) == ["Winter beds."]
    assert index.search("author:emma").total == 2


def test_the_parser_reads_curly_quotes_and_where_an_author_ends() -> None:
    parsed = parse_query("“dark side” author:emma challans")
    assert [[w.text for w in t.words] for t in parsed.terms] == [["dark", "side"], ["challans"]]
    assert parsed.author == "emma" and parsed.author_end == len("“dark side” author:emma")
    assert parse_query('author:"Emma C"').author_end is None


def test_passages_keeps_document_order() -> None:
    assert [d.id for d in passages(NOISY)] == [0, 8]
