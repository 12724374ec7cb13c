"""Bounded cost for any input (issue 15): the limits of `bot/limits.py` at their exact
boundaries, linear text cleaning under adversarial markup (results, not timings: those are
in the benchmark), and memory caches that stay within their byte budgets."""

from __future__ import annotations

import gc
import html
import re
import tracemalloc
from dataclasses import replace
from typing import Any

import pytest
from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack import pages as slack_pages
from adapters.slack import translate as slack
from adapters.teams import outbox as teams_outbox
from adapters.teams import translate as teams
from bot import actions, core, limits
from bot.content.model import Library
from bot.context import Context
from bot.core import TOO_LONG, event_name, parsed_command
from bot.events import Command, Conversation, Person
from bot.handlers import lookup as lookup_handler
from bot.lookup import Document, LookupIndex, LookupResult, parse_query
from bot.lookup import index as lookup_index
from bot.memo import ByteBudgetLRU, footprint, rendered_size, sizes
from bot.replies import Paragraph, Reply, Visibility
from bot.store import Store
from rounds import metrics
from tests.conftest import TestBot, form_of, text_of
from tests.fakes.teams_activities import BOT_NAME, channel_message
from tests.test_reflect import CHANNEL, World, make_world, person

FUZZ = settings(max_examples=150, deadline=None)
SERVICE = "https://smba.trafficmanager.net/uk/"
WHERE = Conversation("console", "general", "test")


def command(text: str) -> Command:
    return Command(WHERE, Person("U-alice", "alice"), text)


def activity(text: str, mentions: int = 1) -> Activity:
    data = channel_message("help", SERVICE)
    [mention] = [e for e in data["entities"] if e["type"] == "mention"]
    data["text"] = text
    data["entities"] = [mention] * mentions
    return Activity().deserialize(data)


# --- commands: 4,000 characters --------------------------------------------------------------


def of_length(head: str, length: int, filler: str = "x") -> str:
    return head + filler * (length - len(head))


async def test_a_command_at_the_limit_is_read(testbot: TestBot) -> None:
    text = of_length("lookup leadership ", limits.COMMAND_CHARS)
    reply = await testbot.send(text)
    assert reply.kind in ("lookup", "lookup-none") and "characters long" not in text_of(reply)
    assert parsed_command(text).name == "lookup"


async def test_a_command_one_over_the_limit_is_answered_with_the_limit(testbot: TestBot) -> None:
    text = of_length("lookup leadership ", limits.COMMAND_CHARS + 1)
    reply = await testbot.send(text)
    assert reply.kind == TOO_LONG and reply.visibility is Visibility.PRIVATE
    said = text_of(reply)
    assert "4,001 characters long" in said and "up to 4,000" in said
    assert testbot.bot.in_memory(command(text))  # answered inline, from memory
    assert event_name(command(text)) == TOO_LONG  # a metrics label, never the text


async def test_an_enormous_slack_mention_is_answered_with_the_limit(testbot: TestBot) -> None:
    text = "<@B0T> lookup " + "triumvirate " * 3_400  # about 40,000 characters, Slack's most
    event = slack.mention_event({"text": text, "user": "U1", "channel": "C1"}, "T1", "B0T")
    [reply] = await testbot.bot.handle(replace(event, conversation=WHERE))
    assert reply.kind == TOO_LONG and f"{len(event.text):,} characters" in text_of(reply)


async def test_a_too_long_command_in_a_reflection_thread_is_not_a_contribution(
    world: World,
) -> None:
    where = replace(CHANNEL, thread=await world.thread())
    text = "x" * (limits.COMMAND_CHARS + 1)
    [reply] = await world.bot.handle(Command(where, person("sam"), text))
    assert reply.kind == TOO_LONG
    assert await world.store.reflections.count((await world.latest()).id) == 0


# --- contributions: 3,000 characters ---------------------------------------------------------


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    world = await make_world(library, index, store)
    await world.say("reflect start manager-medic")
    return world


async def test_a_reply_at_the_limit_is_recorded(world: World) -> None:
    text = of_length("We agreed the plan. ", limits.CONTRIBUTION_CHARS, "a")
    assert await world.reply(text) == []
    [stored] = await world.store.reflections.contributions((await world.latest()).id)
    assert stored.text == text


async def test_a_reply_one_over_the_limit_is_refused_privately(world: World) -> None:
    text = of_length("We agreed the plan. ", limits.CONTRIBUTION_CHARS + 1, "a")
    [reply] = await world.reply(text)
    said = text_of(reply)
    assert reply.visibility is Visibility.PRIVATE
    assert "3,001 characters long" in said and "up to 3,000" in said and "not recorded" in said
    assert await world.store.reflections.count((await world.latest()).id) == 0


async def test_an_anonymous_contribution_at_the_limit_is_posted(world: World) -> None:
    found = await world.latest()
    text = of_length("I felt unheard. ", limits.CONTRIBUTION_CHARS, "a")
    done = await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text=text)
    assert "anonymous contribution is in the thread" in text_of(done)
    [stored] = await world.store.reflections.contributions(found.id)
    assert stored.text == text


async def test_an_anonymous_contribution_one_over_the_limit_asks_again(world: World) -> None:
    found = await world.latest()
    text = of_length("I felt unheard. ", limits.CONTRIBUTION_CHARS + 1, "a")
    again = await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text=text)
    assert again.kind == "form" and "3,001 characters" in form_of(again).error
    assert "up to 3,000" in form_of(again).error
    assert form_of(again).initial == ""  # more than the form's box takes: not shown again
    assert await world.store.reflections.count(found.id) == 0
    assert world.in_thread(await world.thread()) == []


def test_the_forms_take_what_the_core_records() -> None:
    from adapters.slack.render import INPUT_TEXT
    from adapters.teams.cards import FORM_TEXT

    assert INPUT_TEXT == FORM_TEXT == limits.CONTRIBUTION_CHARS


# --- lookup: 24 words, typo correction of words up to 40 letters ---------------------------


def test_a_query_reads_its_first_24_words() -> None:
    words = [f"w{n}" for n in range(limits.QUERY_WORDS + 1)]
    assert [w.text for w in parse_query(" ".join(words[:-1])).words] == words[:-1]
    assert [w.text for w in parse_query(" ".join(words)).words] == words[:-1]


# a 40-letter and a 41-letter word, and each typed with its 20th letter changed
KNOWN_40 = "abcdefghij" * 4
KNOWN_41 = "klmnopqrst" * 4 + "u"


def typo(word: str) -> str:
    return word[:19] + "z" + word[20:]


@pytest.fixture(scope="module")
def long_words() -> LookupIndex:
    doc = Document(0, "a", 0, "Long words", ("A",), ("A",), ("t",), None, f"{KNOWN_40} {KNOWN_41}")
    return LookupIndex.from_documents([doc])


def test_a_word_of_40_letters_is_corrected(long_words: LookupIndex) -> None:
    result = long_words.search(typo(KNOWN_40))
    assert result.corrections == ((typo(KNOWN_40), KNOWN_40),) and result.total == 1


def test_a_word_of_41_letters_is_searched_as_typed(long_words: LookupIndex) -> None:
    result = long_words.search(typo(KNOWN_41))
    assert result.corrections == () and result.total == 0
    assert long_words.vocabulary.candidates(typo(KNOWN_41)) == []


def test_an_enormous_word_is_never_corrected(index: LookupIndex) -> None:
    word = "leadership" * 2_400  # 24,000 letters: its one-deletion table would be 550 MiB
    assert index.vocabulary.candidates(word) == []
    result = index.search(f"{word} triumvirate")
    assert result.corrections == () and result.problem is None


def test_a_search_box_query_is_read_up_to_the_command_limit(index: LookupIndex) -> None:
    query = "triumvirate " + "z" * 40_000 + " author:nobody"
    result = index.search(query)
    assert result.query == query and result.problem is None  # the filter lies past the limit
    assert result.total > 0


# --- text cleaning at the edge: linear, and bounded by RAW_CHARS -----------------------------


def test_slack_text_up_to_the_raw_limit_is_cleaned_and_longer_passed_on() -> None:
    unit = "&amp;"
    at_limit = unit * (limits.RAW_CHARS // len(unit))
    assert len(at_limit) == limits.RAW_CHARS
    assert slack.plain(at_limit) == "&" * (limits.RAW_CHARS // len(unit))
    over = at_limit + "x"
    assert slack.plain(over) == over  # the core refuses it by its length


def test_teams_text_up_to_the_raw_limit_is_cleaned_and_longer_passed_on() -> None:
    unit = "<at>"
    at_limit = unit * (limits.RAW_CHARS // len(unit))
    assert teams.plain_command(at_limit) == teams.plain_message(at_limit) == ""
    over = at_limit + "x"
    assert teams.plain_command(over) == over and teams.plain_message(over) == over
    assert parsed_command(teams.plain_command(over)).name == TOO_LONG


def test_160_kb_of_at_tags_is_answered_with_the_limit() -> None:
    text = "<at>" * 40_000
    assert teams.command_text(activity(text)) == text
    assert parsed_command(text).name == TOO_LONG


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<at>Rounds</at> help", "help"),
        ("<at>Rounds</at> quote <at>Kit Lee</at>", "quote Kit Lee"),
        ("<at>Rounds</at> help <at><at>Kit</at></at>", "help Kit"),  # nested
        ("<at>Rounds</at> help <at>Kit", "help Kit"),  # unclosed
        ("<at>Rounds</at> help </at>Kit<at", "help Kit<at"),
        ("<at>Rounds</at> <p>help</p><br/>&amp;", "help &"),
        ("<at>Rounds</at> a <<b>b", "a < b"),
        ("<AT>Rounds</AT> help", "Rounds help"),  # not the entity's text: a name
    ],
)
def test_teams_markup_is_cleaned(text: str, expected: str) -> None:
    assert teams.command_text(activity(text)) == expected


def test_at_most_16_of_the_bots_mentions_are_removed() -> None:
    mention = f"<at>{BOT_NAME}</at>"
    text = f"{mention} " * 20 + "help"
    assert teams.plain_command(text, [mention] * 20) == f"{BOT_NAME} " * 4 + "help"
    assert teams.command_text(activity(text, mentions=20)) == f"{BOT_NAME} " * 4 + "help"


# Markup, broken markup and text; every `<` here begins a tag (see `old_teams_command`).
MARKUP = ["<at>", "</at>", "<AT>", "<p>", "</p>", "<br/>", "<br >", "</div>", "<b>"]
WORDS = ["Sam", "Kit Lee", " ", "\n", "&amp;", "&nbsp;", "x", "é", "😀", ">", "/at>"]
PIECE = st.sampled_from(MARKUP + WORDS)
SMALL = st.lists(PIECE, max_size=40).map("".join)
STRAY = st.lists(PIECE | st.just("<"), max_size=40).map("".join)
# Large: a piece repeated to about RAW_CHARS, with small text around it.
LARGE = st.builds(
    lambda before, piece, after: before + piece * ((limits.RAW_CHARS - 600) // len(piece)) + after,
    SMALL,
    st.sampled_from(["<at>", "<at><at>", "<", "<a", "</at>", "<at>x", "<p", "<br  "]),
    SMALL,
)


def tags_in(text: str) -> list[str]:
    return [tag for tag in MARKUP if tag.lower() in text.lower()]


def old_teams_command(text: str, mentions: list[str]) -> str:
    """`command_text` as it was, with its quadratic patterns: the reference on small input."""
    for said in mentions:
        text = text.replace(said or "\0", " ", 1)
    text = re.sub(r"<at>(.*?)</at>", lambda m: m.group(1), text, flags=re.I | re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def squeezed(text: str) -> str:
    return "".join(text.split())


@FUZZ
@given(SMALL, st.lists(st.sampled_from(["<at>Rounds</at>", "<at>Kit</at>", ""]), max_size=3))
def test_teams_cleaning_matches_the_old_one_up_to_spaces(text: str, mentions: list[str]) -> None:
    assert squeezed(teams.plain_command(text, mentions)) == squeezed(
        old_teams_command(text, mentions)
    )


@FUZZ
@given(STRAY | LARGE)
def test_teams_cleaning_leaves_no_tag_and_keeps_names(text: str) -> None:
    assert len(text) <= limits.RAW_CHARS
    cleaned = teams.plain_command(text.replace("&", ""))  # no `&lt;` to make a `<`
    assert not tags_in(cleaned) and cleaned == " ".join(cleaned.split())
    message = teams.plain_message(text.replace("&", ""))
    assert not tags_in(message) and "\n\n\n" not in message
    named = teams.plain_command(text + "<at>Kit Lee</at>" + text)
    assert "Kit Lee" in named or len(text) * 2 > limits.RAW_CHARS


@FUZZ
@given(SMALL | LARGE)
def test_teams_bot_mention_is_removed_before_any_text(rest: str) -> None:
    mention = f"<at>{BOT_NAME}</at>"
    text = mention + rest
    if len(text) <= limits.RAW_CHARS:
        assert teams.plain_command(text, [mention]) == teams.plain_command(rest)


SLACK_PIECE = st.sampled_from(
    ["<@B0T>", "<@B0T|", "<@B0T|rounds>", "<@U1|", "<", ">", "|", "<#C1|general>", "&amp;", "x "]
)
SLACK_TEXT = st.lists(SLACK_PIECE, max_size=40).map("".join) | st.builds(
    lambda piece, after: piece * (limits.RAW_CHARS // len(piece)) + after,
    st.sampled_from(["<@B0T|", "<@U1|<", "<https://x|", "<<<"]),
    st.lists(SLACK_PIECE, max_size=5).map("".join),
)


@FUZZ
@given(SLACK_TEXT)
def test_slack_mentions_are_removed_whatever_surrounds_them(text: str) -> None:
    said = text + "<@B0T|rounds> help"
    event = slack.mention_event({"text": said}, "T1", "B0T")
    assert slack.mentions(text + "<@B0T>", "B0T")
    if len(said) > limits.RAW_CHARS:
        assert parsed_command(event.text).name == TOO_LONG
        return
    assert "<@B0T" not in event.text.replace("<@B0T|", "")  # only unclosed ones are kept
    assert event.text.endswith("help")


# --- memory: every cache within its byte budget ----------------------------------------------


def maximal(n: int, head: str = "lookup ") -> str:
    return of_length(f"{head}{n} ", limits.COMMAND_CHARS, "z")


def within_budgets() -> None:
    for name, (held, budget) in sizes().items():
        assert held <= budget, name


def test_ten_thousand_maximal_commands_keep_each_cache_within_its_budget(
    testbot: TestBot, index: LookupIndex
) -> None:
    for n in range(10_000):
        text = maximal(n)
        parsed = parsed_command(text)
        result = index.search(parsed.args)
        lookup_handler.results_reply(testbot.bot.ctx, result)
    within_budgets()
    for cache in (core._PARSED, index.cache, lookup_handler._REPLIES.cache):
        assert 0 < len(cache) < 10_000 and cache.bytes > cache.budget * 0.9, cache.name


def test_rendered_replies_keep_each_memo_within_its_budget() -> None:
    memos = (slack_pages._RENDERED.cache, teams_outbox._RENDERED.cache)
    for n in range(450):  # 4,000 characters each: more than the budgets hold
        text = f"{n} " + "word " * ((limits.COMMAND_CHARS - 10) // 5)
        reply = Reply(kind="x", blocks=(Paragraph.of(text),))
        slack_pages.pages([reply])
        teams_outbox.rendered(reply)
    within_budgets()
    for cache in memos:
        assert 0 < len(cache) < 450 and cache.bytes > cache.budget * 0.9, cache.name


def test_the_parse_cache_estimate_is_honest() -> None:
    """What the estimates count is what the memory holds (within a tenth)."""
    cache: ByteBudgetLRU[str, Any] = ByteBudgetLRU("test-honest", limits.COMMAND_CACHE_BYTES)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2_000):
            text = maximal(n, "quote ")
            cache.put(text, core._parse(text))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache.bytes <= cache.budget
    assert 0.9 * held <= cache.bytes <= 1.1 * held


def test_the_metrics_show_each_cache_and_its_budget(index: LookupIndex) -> None:
    parsed_command("help lookup")
    body = metrics.exposition()[0].decode()
    held = dict(re.findall(r'^rounds_cache_bytes\{cache="([^"]+)"\} (\S+)$', body, re.M))
    budgets = dict(re.findall(r'^rounds_cache_budget_bytes\{cache="([^"]+)"\} (\S+)$', body, re.M))
    for name in ("commands", "lookup", "lookup-replies", "slack-pages", "teams-cards", "dates"):
        assert name in held and name in budgets, name
    assert float(held["commands"]) > 0
    assert float(budgets["commands"]) == limits.COMMAND_CACHE_BYTES
    assert all(float(held[n]) <= float(budgets[n]) for n in held)


@FUZZ
@given(st.text(alphabet="<>ab /", max_size=60))
def test_teams_tag_stripping_leaves_no_tag_and_keeps_the_text_outside_tags(text: str) -> None:
    """No `<` is followed by a `>` afterwards; text that holds no `<` comes through as is,
    and a well-formed tag becomes a space."""
    stripped = teams.strip_tags(text)
    first = stripped.find("<")
    assert first < 0 or ">" not in stripped[first:]
    if "<" not in text:
        assert stripped == text
    assert teams.strip_tags(f"{text.replace('<', '')}<b>x") == f"{text.replace('<', '')} x"


def test_stray_openings_before_a_late_close_leave_no_tag() -> None:
    """Found by hypothesis: many `<br ` then `<at>>` once left `<br >` behind."""
    text = "<br  " * ((limits.RAW_CHARS - 600) // 5) + "<at>>"
    assert not tags_in(teams.plain_command(text)) and not tags_in(teams.plain_message(text))


def test_the_rendered_memos_estimate_at_least_what_they_hold() -> None:
    """A rendered answer and the reply it pins are estimated from the answer's pickle: never
    less than the memory they hold, and not wildly more."""
    cache = slack_pages._RENDERED
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held_replies = []
        estimated = 0
        for n in range(200):
            text = f"{n} " + "word " * 80
            reply = Reply(kind="x", blocks=(Paragraph.of(text), Paragraph.of(f"*{n}* _x_")))
            answer = slack_pages._pages_of(reply)
            held_replies.append((reply, answer))
            estimated += rendered_size(reply, answer)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= estimated <= 6 * held, (held, estimated)  # text-heavy replies: about 5x
    assert cache.cache.budget == limits.REPLY_MEMO_BYTES


LOOKUP_QUERIES = [
    "winter pressures",
    "managre medics",  # a typo, corrected
    "author:vyas winter",
    "topic:manager-medic rota",
    '"dark side"',
    "x" * limits.COMMAND_CHARS,
    " ".join(["managre"] * 40),
    " ".join(f"wordd{i}" for i in range(40)),
    " ".join("abcdefghij"[i % 10] * 40 for i in range(90)),  # words at the correction limit
    "operations members",
]


BODY_COMMANDS = ["help", "topics", "articles", "read 3", "quote", "prompt", "privacy", "schedule"]


@pytest.mark.parametrize("command", [*BODY_COMMANDS, *(f"lookup {q}" for q in LOOKUP_QUERIES)])
async def test_the_slack_body_memo_estimates_at_least_what_it_holds(
    testbot: TestBot, command: str
) -> None:
    """A slash command's JSON body is sized from its length (walking the reply it pins cost
    more than a search): never less than the body and the reply really hold."""
    reply = await testbot.send(command)
    body = slack_pages._first_page_json(reply)
    assert footprint((reply, body)) <= slack_pages._body_size(reply, body)


@pytest.mark.parametrize("limit", [3, 25])
def test_lookup_answers_are_estimated_above_what_they_hold(
    index: LookupIndex, library: Library, limit: int
) -> None:
    """The lookup memories estimate an answer from its query and page size, without walking
    it: never less than the answer and its reply really hold."""
    ctx = Context(library=library, index=index, store=None)  # type: ignore[arg-type]
    for query in LOOKUP_QUERIES + [f"{w} {w}s" for w in ("rota", "huddle", "board", "ward")]:
        result = index.search(query, 0, limit)
        key = (query, 0, limit)
        held = footprint((key, result), shared=(Document,))
        assert held <= lookup_index._answer_bytes(key, result), query[:40]
        reply = lookup_handler._results_reply(ctx, result)
        shown = footprint(reply, shared=(Document, LookupResult))
        assert shown <= lookup_handler._reply_bytes(result, reply), query[:40]
