"""Finding things: `articles` numbers every article and shows its id; `read` takes the
number, the id or words of the title; people are found by any part of their name, hyphens
included; `quote` takes `lookup`'s filters; `topics` shows the slugs; a topic guessed from
a typo says so. Through the bot, then end to end in the console, Slack and Teams.

The library is edited by others, so the expectations are worked out from the loaded
library (ids, titles, speakers), never from list positions typed in here."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content.model import Article, Library, Quote, Topic, normalise_space
from bot.context import Context
from bot.core import Bot
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox
from bot.replies import Heading, Item, Reply
from bot.resolve import find_quotes, match_topic, quotes_by_person
from bot.store import Store
from tests.conftest import TestBot, button, text_of
from tests.fakes.slack_requests import slash_command
from tests.fakes.teams_activities import channel_message
from tests.slack_harness import Rounds
from tests.slack_harness import words as slack_words
from tests.teams_harness import Teams, card_text
from tests.test_console import run_console

FEMALE = "female-leadership-charlotte-williams"
DARKEST = "darkest-hour-winter-technology"
TYPO = "welbeing"  # for the topic `wellbeing`
CORRECTED = "you typed “welbeing”"


# What the library says the answers must be


def numbered(library: Library) -> list[str]:
    """Article ids newest first, undated last, ties by id: the numbering `articles` shows."""
    ordered = sorted(library.articles.values(), key=lambda a: a.id)
    ordered.sort(key=lambda a: a.date.toordinal() if a.date else 0, reverse=True)
    return [a.id for a in ordered]


def number_of(library: Library, article_id: str) -> int:
    return numbered(library).index(article_id) + 1


def title_words(article: Article) -> set[str]:
    return set(re.findall(r"[^\W_]+", article.title.lower()))


def titled(library: Library, *words: str) -> list[Article]:
    """The articles whose titles have all the words."""
    return [a for a in library.articles.values() if title_words(a) >= set(words)]


def spoken_by(library: Library, part: str) -> list[Quote]:
    """The quotes a person's name finds: those they say and those they report."""
    return [q for q in library.quotes.values() if any(part in p for p in q.people)]


def readable(text: str) -> str:
    """What a person reads, whichever surface: no escapes, entities or line wrapping."""
    return normalise_space(html.unescape(text.replace("\\", "")))


def items_in(reply: Reply) -> list[Item]:
    return [b for b in reply.blocks if isinstance(b, Item)]


def heading(reply: Reply) -> str:
    return next(b.text for b in reply.blocks if isinstance(b, Heading))


def everything(replies: list[Reply]) -> str:
    return "\n".join(map(text_of, replies))


# 1. `articles` and `read`, through the bot


async def test_articles_number_every_article_newest_first_with_its_id(
    testbot: TestBot, library: Library
) -> None:
    items = items_in(await testbot.send("articles"))
    assert [i.key for i in items] == numbered(library)
    for number, item in enumerate(items, start=1):
        assert item.title == f"{number}. {library.articles[item.key].title}"
        assert item.meta.endswith(f" · `{item.key}`")


async def test_adverts_and_promotional_copy_say_what_they_are(
    testbot: TestBot, library: Library
) -> None:
    """Kept for reference, and labelled: in the list, and before the summary when read."""
    items = {i.key: i for i in items_in(await testbot.send("articles"))}
    for article in library.articles.values():
        labelled = f" · {article.kind} · " in items[article.id].meta
        assert labelled == (article.kind != "article"), article.id
        said = text_of(await testbot.send(f"read {article.id}"))
        assert ("never offers its words unasked" in said) == (article.kind != "article")
    assert any(a.kind == "advert" and a.expires for a in library.articles.values())


async def test_an_article_without_a_publisher_says_so(testbot: TestBot, library: Library) -> None:
    unnamed = [a for a in library.articles.values() if not a.source]
    assert unnamed  # the bundled library has sources that name no publisher
    for article in unnamed:
        said = text_of(await testbot.send(f"read {article.id}"))
        assert " · publisher not named" in said, said


async def test_a_topics_articles_keep_their_numbers_in_the_whole_library(
    testbot: TestBot, library: Library
) -> None:
    items = items_in(await testbot.send("articles winter-pressures"))
    assert items and len(items) < len(library.articles)
    for item in items:
        assert "winter-pressures" in library.articles[item.key].topics
        assert item.title.startswith(f"{number_of(library, item.key)}. ")


async def test_read_takes_an_articles_number_or_its_id(testbot: TestBot, library: Library) -> None:
    for number, article_id in enumerate(numbered(library), start=1):
        title = library.articles[article_id].title
        assert heading(await testbot.send(f"read {number}")) == title
        assert heading(await testbot.send(f"read #{number}")) == title
        assert heading(await testbot.send(f"read {article_id}")) == title
    beyond = len(library.articles) + 1
    said = text_of(await testbot.send(f"read {beyond}"))
    assert f"There is no article number {beyond}" in said and "`articles`" in said


async def test_read_names_a_publisher_once_when_it_is_also_the_byline(
    testbot: TestBot, library: Library
) -> None:
    """An article written by its publisher (Distilled Post) does not say so twice; one
    with named authors still names its publisher beside them."""
    own = [a for a in library.articles.values() if list(a.authors) == [a.source]]
    assert own, "the library has articles bylined by their publisher"
    for article in own:
        said = text_of(await testbot.send(f"read {article.id}"))
        assert said.count(article.source or "") == 1 + article.title.count(article.source or "")
    named = library.articles["dark-side-managers"]
    said = text_of(await testbot.send("read dark-side-managers"))
    assert named.source and named.source in said and "Emma Challans-Rasool" in said


@pytest.mark.parametrize(
    "words", ["female leadership", "darkest hour", "dark side", "talent", "Female  LEADERSHIP"]
)
async def test_read_opens_the_one_title_with_all_the_words(
    testbot: TestBot, library: Library, words: str
) -> None:
    [expected] = titled(library, *words.lower().split())
    assert heading(await testbot.send(f"read {words}")) == expected.title


async def test_read_by_title_words_opens_the_articles_named_in_the_brief(
    testbot: TestBot, library: Library
) -> None:
    female = await testbot.send("read female leadership")
    assert heading(female) == library.articles[FEMALE].title  # not the digital-diversity one
    darkest = await testbot.send("read darkest hour")
    assert heading(darkest) == library.articles[DARKEST].title


async def test_read_forgives_typos_in_title_words_after_exact_ones(
    testbot: TestBot, library: Library
) -> None:
    assert heading(await testbot.send("read femal leadrship")) == library.articles[FEMALE].title
    assert heading(await testbot.send("read darkst houre")) == library.articles[DARKEST].title


async def test_read_lists_the_titles_that_match_equally_instead_of_guessing(
    testbot: TestBot, library: Library
) -> None:
    expected = titled(library, "leadership")
    assert len(expected) >= 2
    reply = await testbot.send("read leadership")
    assert reply.kind == "articles" and "Several articles match “leadership”" in text_of(reply)
    items = items_in(reply)
    assert {i.key for i in items} == {a.id for a in expected}
    numbers = [number_of(library, i.key) for i in items]
    assert numbers == sorted(numbers)
    assert all(i.title.startswith(f"{n}. ") for n, i in zip(numbers, items, strict=True))
    assert f"`read {numbers[0]}`" in text_of(reply)


async def test_read_says_when_nothing_matches_and_how_to_ask(testbot: TestBot) -> None:
    said = text_of(await testbot.send("read zzzzzz qqqq"))
    assert "couldn't find an article called “zzzzzz qqqq”" in said
    assert "number" in said and "id" in said


# 2. People by any part of their name; `quote` with lookup's filters, through the bot


@pytest.mark.parametrize(
    "typed",
    [
        "Challans-Rasool",
        "Emma Challans-Rasool",
        "challans-rasool",
        "Challans",
        "rasool",
        "Challans Rasool",
        "Challans–Rasool",  # an en dash for the hyphen
        "author:Challans-Rasool",
        'author:"Emma Challans-Rasool"',
    ],
)
async def test_quote_finds_a_person_by_any_part_of_their_name(
    testbot: TestBot, library: Library, typed: str
) -> None:
    assert spoken_by(library, "Challans-Rasool")
    reply = await testbot.send(f"quote {typed}")
    assert "Challans-Rasool" in library.quotes[reply.subject].speaker


def _quote(speaker: str, number: int) -> Quote:
    return Quote(id=f"q{number}", article="a", text="words", speaker=speaker)


def test_a_hyphenated_name_is_matched_whole_and_by_its_parts() -> None:
    quotes = [
        _quote("Anne Smith-Jones", 1),
        _quote("Jones Smith", 2),
        _quote("Cara Other and Bea Smith-Jones", 3),
    ]

    def found(query: str) -> list[str]:
        return [q.id for q in quotes_by_person(quotes, query)]

    assert found("smith-jones") == ["q1", "q3"]  # the whole part: not "Jones Smith"
    assert found("Anne Smith-Jones") == ["q1"]
    assert found("jones") == ["q1", "q2", "q3"]
    assert found("smith jones") == ["q1", "q2", "q3"]
    assert found("Smith—Jones") == ["q1", "q3"]  # a dash typed for the hyphen
    assert found("and") == []  # joins two names; not a name
    assert found("-") == []


async def test_quote_author_filter_as_in_lookup(testbot: TestBot, library: Library) -> None:
    vyas = {q.id for q in spoken_by(library, "Vyas")}
    assert vyas
    reply = await testbot.send("quote author:vyas")
    seen = {reply.subject}
    for _ in range(len(vyas)):
        reply = await testbot.press(button(reply, "Another"))
        seen.add(reply.subject)
    assert seen == vyas
    nobody = text_of(await testbot.send("quote author:zzqxwv"))
    assert "couldn't find a quote" in nobody


def _word_of(quote: Quote) -> str:
    words: list[str] = re.findall(r"[^\W_]+", quote.text.lower())
    return max(words, key=len)


async def test_quote_combines_filters_phrases_and_words(testbot: TestBot, library: Library) -> None:
    said = spoken_by(library, "Vyas")[0]
    reply = await testbot.send(f"quote author:vyas {_word_of(said)}")
    chosen = library.quotes[reply.subject]
    assert "Vyas" in chosen.speaker and _word_of(said) in chosen.text.lower()
    phrase = " ".join(re.findall(r"[^\W_]+", said.text)[1:3])
    reply = await testbot.send(f'quote "{phrase}"')
    assert phrase.lower() in readable(library.quotes[reply.subject].text).lower()
    reply = await testbot.send(f"quote “{_word_of(said)}” author:vyas")  # curly quotes too
    assert _word_of(said) in library.quotes[reply.subject].text.lower()
    for line in ("quote topic:winter-pressures author:vyas", "quote author:vyas topic:winter"):
        chosen = library.quotes[(await testbot.send(line)).subject]
        assert "winter-pressures" in chosen.topics and "Vyas" in chosen.speaker
    assert "There is no topic “zzqx”" in text_of(await testbot.send("quote topic:zzqx"))


def test_find_quotes_narrows_by_every_filter(library: Library) -> None:
    found = find_quotes(library, 'topic:wellbeing author:"Challans-Rasool"').quotes
    assert found
    assert all("wellbeing" in q.topics and "Challans-Rasool" in q.speaker for q in found)
    assert find_quotes(library, '"no such phrase anywhere at all"').quotes == []


# 3. Topic slugs; a topic guessed from a typo says so, through the bot


async def test_topics_show_each_slug_as_code_next_to_the_title(
    testbot: TestBot, library: Library
) -> None:
    items = items_in(await testbot.send("topics"))
    assert [i.key for i in items] == list(library.topics)
    for item in items:
        topic = library.topics[item.key]
        assert item.title == f"{topic.title} (`{topic.slug}`)"


def test_a_topic_is_guessed_from_a_typo_or_a_part_never_from_a_word_around_it() -> None:
    topic = Topic("system-working", "System working", "", aliases=("ics", "integrated care"))
    library = Library(topics={topic.slug: topic})

    def guessed(typed: str) -> tuple[str, bool] | None:
        found = match_topic(library, typed)
        return (found.topic.slug, found.exact) if found else None

    assert guessed("ICS") == guessed("System  Working") == ("system-working", True)
    assert guessed("integrated  care") == guessed("system-working") == ("system-working", True)
    assert guessed("sytem working") == guessed("integrated") == ("system-working", False)
    assert guessed("astrophysics") is None and guessed("physics") is None


async def test_lookup_finds_topics_as_every_other_command_does(testbot: TestBot) -> None:
    """One way to find a topic: `lookup topic:` guesses like `quote` (never a short alias
    inside a longer word) and says when it guessed."""
    for typed in ("astrophysics", "tactics"):
        said = text_of(await testbot.send(f"lookup topic:{typed}"))
        assert f"“{typed}”" in said and "passages" not in said, said
        assert match_topic(testbot.bot.ctx.library, typed) is None
    guessed = text_of(await testbot.send(f"lookup topic:{TYPO}"))
    assert CORRECTED in guessed and "passages" in guessed
    assert "you typed" not in text_of(await testbot.send("lookup topic:wellbeing"))


@pytest.fixture
async def posting_bot(library: Library, index: LookupIndex, store: Store) -> TestBot:
    """A test bot that can also post (a reflection's opening), in the console."""
    outboxes = {"console": MemoryOutbox()}
    ctx = Context(
        library=library, index=index, store=store, rng=random.Random(7), outboxes=outboxes
    )
    return TestBot(Bot(ctx))


TOPIC_COMMANDS = [
    "quote {topic}",
    "quote topic:{topic}",
    "articles {topic}",
    "prompt {topic}",
    "reflect start {topic}",
    "schedule weekly monday 09:00 {topic}",
    "lookup topic:{topic}",
]


@pytest.mark.parametrize("command", TOPIC_COMMANDS)
async def test_a_topic_guessed_from_a_typo_says_so(posting_bot: TestBot, command: str) -> None:
    await posting_bot.send(command.format(topic=TYPO))
    said = everything(posting_bot.last)
    assert CORRECTED in said and "`wellbeing`" in said
    assert "error" not in {r.kind for r in posting_bot.last}


EXACT = ["wellbeing", "WELLBEING", "burnout", "well-being"]  # the slug, or an alias
TITLED = ["quote {topic}", 'quote topic:"{topic}"', "articles {topic}", "prompt {topic}"]


@pytest.mark.parametrize(
    ("command", "typed"),
    [(c, t) for c in TOPIC_COMMANDS for t in EXACT]
    + [(c, "Staff wellbeing and morale") for c in TITLED],
)
async def test_a_topic_typed_as_its_slug_title_or_alias_says_nothing(
    posting_bot: TestBot, command: str, typed: str
) -> None:
    await posting_bot.send(command.format(topic=typed))
    said = everything(posting_bot.last)
    assert "you typed" not in said and "error" not in {r.kind for r in posting_bot.last}, said


async def test_a_corrected_prompt_is_public_and_the_note_private(posting_bot: TestBot) -> None:
    await posting_bot.send(f"prompt {TYPO}")
    prompt, note = posting_bot.last
    assert prompt.kind == "prompt" and CORRECTED not in text_of(prompt)
    assert note.visibility.value == "private" and CORRECTED in text_of(note)


async def test_help_says_what_each_command_accepts(testbot: TestBot) -> None:
    said = {name: text_of(await testbot.send(f"help {name}")) for name in ("quote", "read")}
    assert "author:" in said["quote"] and "topic:" in said["quote"] and "any part" in said["quote"]
    assert "number" in said["read"] and "id" in said["read"] and "title" in said["read"]
    assert "slug" in text_of(await testbot.send("help topics"))


# End to end: the same cases on each surface


Check = Callable[[str], None]


def cases(library: Library, code: Callable[[str], str]) -> dict[str, Check]:
    """Each line a person types, and what must then be readable in the answer. `code` is how
    the surface shows code (Teams' text blocks show it plain)."""
    order = numbered(library)
    third = library.articles[order[2]]
    [dark] = titled(library, "dark", "side")
    challans = [readable(q.text) for q in spoken_by(library, "Challans-Rasool")]
    vyas = [readable(q.text) for q in spoken_by(library, "Vyas")]

    def articles(said: str) -> None:
        for number, article_id in enumerate(order, start=1):
            assert f"{number}. {readable(library.articles[article_id].title)}" in said
            assert code(article_id) in said

    def opens(article: Article) -> Check:
        return lambda said: _opens(said, article)

    def quotes_one_of(texts: list[str]) -> Check:
        return lambda said: _has_one(said, texts)

    def topics(said: str) -> None:
        for topic in library.topics.values():
            assert f"{topic.title} ({code(topic.slug)})" in said

    def corrected(said: str) -> None:
        assert CORRECTED in said and f"Articles on {library.topics['wellbeing'].title}" in said

    def found(*parts: str) -> Check:
        def check(said: str) -> None:
            assert all(part in said for part in parts), said[:300]

        return check

    links = {a.url for a in library.articles.values() if a.url}

    def no_reference_lines(said: str) -> None:
        """No passage is a reference list's line (its web addresses); each result's Open
        article button carries its article's own address."""
        passages = re.sub(r"https?://[^\s\"]+", lambda m: "" if m[0] in links else m[0], said)
        assert "1–3 of" in said and "https:" not in passages, passages[:300]
        assert "References" not in said, said[:300]

    return {
        "lookup psycological": found("psychological", "you typed “psycological”"),
        "search burnout": found("Showing results for “burnout” and related words", "wellbeing"),
        'lookup "dark side': no_reference_lines,
        "articles": articles,
        "read 3": opens(third),
        "read dark side": opens(dark),
        "read female leadership": opens(library.articles[FEMALE]),
        "quote Challans-Rasool": quotes_one_of(challans),
        "quote author:vyas": quotes_one_of(vyas),
        "topics": topics,
        f"articles {TYPO}": corrected,
    }


def verify(expected: dict[str, Check], answers: dict[str, str]) -> None:
    """Every case checked, and every one that fails named."""
    failed: list[str] = []
    for line, check in expected.items():
        try:
            check(readable(answers[line]))
        except (AssertionError, KeyError) as problem:
            failed.append(f"{line}: {problem}"[:300])
    assert not failed, "\n".join(failed)


def _opens(said: str, article: Article) -> None:
    assert readable(article.title) in said and readable(article.summary) in said


def _has_one(said: str, texts: list[str]) -> None:
    assert any(text in said for text in texts), said[:300]


def test_findability_in_the_console(tmp_path: Path, library: Library) -> None:
    expected = cases(library, lambda text: f"`{text}`")
    done = run_console("\n".join(expected) + "\n", tmp_path)
    assert done.returncode == 0, done.stderr
    answers = dict(
        chunk.partition("\n")[::2] for chunk in ("\n" + done.stdout).split("\nyou> ")[1:]
    )
    assert list(answers) == list(expected)
    verify(expected, answers)


async def test_findability_in_slack(rounds: Rounds, library: Library) -> None:
    expected = cases(library, lambda text: f"`{text}`")
    answers: dict[str, str] = {}
    for line in expected:
        answer = await rounds.send(slash_command(line, rounds.fake.response_url()))
        assert answer["response_type"] == "ephemeral", line
        answers[line] = slack_words(answer)
    verify(expected, answers)


async def test_findability_in_teams(teams: Teams, library: Library) -> None:
    expected = cases(library, lambda text: text)
    answers: dict[str, str] = {}
    for line in expected:
        [reply] = await teams.send(channel_message(line, teams.fake.url))
        cards = [a["content"] for a in reply.activity.get("attachments", [])]
        answers[line] = "\n".join(map(card_text, cards))  # as shown: runs joined
    verify(expected, answers)


def test_a_described_speaker_is_no_name_to_search_for() -> None:
    """`quote nhs` is a search for words, not for the chief executives Caroline White
    reports ("NHS trust chief executives interviewed …" describes them, it names no one);
    her own name finds the words she reports."""
    from bot.content.loader import bundled_content_dir, load_library
    from bot.resolve import quotes_by_person

    library = load_library([bundled_content_dir()]).library
    described = [q for q in library.quotes.values() if q.described]
    assert described  # the bundled library has speakers it describes without a name
    assert not quotes_by_person(described, "nhs")
    assert not quotes_by_person(described, "participant")
    reported = [q for q in described if "Caroline White" in q.reported_by]
    assert reported and set(reported) <= set(quotes_by_person(described, "caroline white"))
