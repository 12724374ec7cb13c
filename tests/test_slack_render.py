"""The Slack adapter's pure rendering: neutral replies into valid Block Kit messages."""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.blocks import Block as SlackBlock

from adapters.slack import translate
from adapters.slack.check import problems
from adapters.slack.render import (
    INVOKE,
    SlackMessage,
    action_id,
    action_name,
    escape,
    notice_view,
    render,
)
from bot import actions
from bot import messages as say
from bot.content.model import Library
from bot.replies import (
    Block,
    Button,
    Heading,
    Item,
    Note,
    Paragraph,
    Question,
    QuoteBlock,
    Reply,
    Rich,
    Span,
    rich_text,
)
from bot.typed import as_typed
from tests.conftest import COMMAND_LINES, TestBot, button

Json = dict[str, Any]


# Helpers


def valid(reply: Reply) -> list[SlackMessage]:
    """Render, and insist every message is one Slack accepts."""
    messages = render(reply)
    assert messages
    for message in messages:
        assert problems(message) == [], problems(message)
        assert message.text.strip() and len(message.text) <= 3000
        assert not re.search(r"[<>]|&(?!amp;|lt;|gt;)", message.text), message.text
        for block in message.blocks:
            parsed = SlackBlock.parse(block)
            assert parsed is not None
            parsed.validate_json()  # slack_sdk's own limits, independently
    return messages


def texts(messages: list[SlackMessage], kind: str | None = None) -> list[str]:
    """The text of every section, header, context element, button and overflow option, in
    order."""
    out: list[str] = []
    for block in (b for m in messages for b in m.blocks):
        if kind and block["type"] != kind:
            continue
        if "text" in block:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            for shown in element.get("options", [element]):
                text = shown["text"]
                out.append(text["text"] if isinstance(text, dict) else text)
    return out


def unmark(text: str) -> str:
    """What a reader sees, whitespace normalised: no quote prefixes, bold marks or entities."""
    text = re.sub(r"(?m)^> ?", "", text).replace("*", "")
    return " ".join(html.unescape(text).split())


def shown(messages: list[SlackMessage]) -> str:
    return unmark("\n".join(texts(messages)))


def expected(block: Block) -> list[str]:
    match block:
        case Heading(text=text) | Note(text=text) | Question(text=text):
            return [text]
        case Paragraph(rich=rich):
            return [rich_text(rich)]
        case QuoteBlock(text=text, attribution=attribution):
            return [f"“{text}”", f"— {attribution}"]
        case Item(title=title, meta=meta, body=body):
            return [f"{title} {rich_text(body)}", meta]
    raise TypeError(block)


def assert_shows(reply: Reply, messages: list[SlackMessage]) -> None:
    """Every text of the reply, its commands typed as in Slack, appears whole and in order
    in what Slack will show; every button once, as a button or an overflow option."""
    seen, at = shown(messages), 0
    for block in as_typed(reply, INVOKE).blocks:
        for part in filter(None, map(unmark, expected(block))):
            found = seen.find(part, at)
            assert found >= 0, f"{part!r} not shown after position {at} in {seen!r}"
            at = found + len(part)
    labels = texts(messages, "actions")
    own = [b.button for b in reply.blocks if isinstance(b, Item) and b.button is not None]
    expected_labels = [b.label for b in (*reply.buttons, *own) if len(b.value) <= 2000]
    assert sorted(labels) == sorted(expected_labels)


def buttons_of(messages: list[SlackMessage]) -> list[Json]:
    return [e for m in messages for b in m.blocks if b["type"] == "actions" for e in b["elements"]]


def overflows(messages: list[SlackMessage]) -> list[Json]:
    return [e for e in buttons_of(messages) if e["type"] == "overflow"]


def pressed(element: Json) -> list[tuple[str, str, str]]:
    """What choosing a button or each option of an overflow menu sends back, read the way
    the adapter reads a `block_actions` payload: (label, action name, value)."""
    if element["type"] == "button":
        name, value = translate.pressed({"actions": [element]})
        return [(element["text"]["text"], name, value)]
    return [
        (option["text"]["text"], *translate.pressed({"actions": [chose(element, option)]}))
        for option in element["options"]
    ]


def chose(overflow: Json, option: Json) -> Json:
    """The `actions[0]` of the `block_actions` payload Slack sends for an overflow option."""
    picked = {"text": {**option["text"], "emoji": True}, "value": option["value"]}
    return {"type": "overflow", "action_id": overflow["action_id"], "selected_option": picked}


def words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(1, 12))) + str(n) for n in range(count)]


def text_of_length(length: int, seed: int, newline_every: int = 0) -> str:
    """Exactly `length` characters of numbered random words, optionally in lines."""
    parts: list[str] = []
    size = 0
    for n, word in enumerate(words(length, seed), 1):
        parts += [word, "\n" if newline_every and n % newline_every == 0 else " "]
        size += len(word) + 1
        if size >= length:
            break
    text = "".join(parts)[:length]
    return text[:-1] + "z" if text[-1].isspace() else text


# The real bot, every command


@pytest.mark.parametrize("command", COMMAND_LINES)
async def test_every_command_renders_valid_and_complete(testbot: TestBot, command: str) -> None:
    await testbot.send(command)
    assert testbot.last
    for reply in testbot.last:
        messages = valid(reply)
        assert_shows(reply, messages)
        assert len(messages) == 1


async def test_articles_for_every_topic(testbot: TestBot, library: Library) -> None:
    for slug, topic in library.topics.items():
        reply = await testbot.send(f"articles {slug}")
        messages = valid(reply)
        assert_shows(reply, messages)
        assert topic.title in shown(messages)


async def test_read_every_article(testbot: TestBot, library: Library) -> None:
    assert library.articles
    for article_id, article in library.articles.items():
        reply = await testbot.send(f"read {article_id}")
        assert reply.kind == "article"
        messages = valid(reply)
        assert_shows(reply, messages)
        assert article.title in shown(messages)


async def test_quote_shows_text_and_attribution_as_quote(testbot: TestBot) -> None:
    reply = await testbot.send("quote winter")
    [quote] = [b for b in reply.blocks if isinstance(b, QuoteBlock)]
    [message] = valid(reply)
    blocks = message.blocks
    [at] = [n for n, b in enumerate(blocks) if b.get("text", {}).get("text", "").startswith(">")]
    section, context = blocks[at : at + 2]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert all(line.startswith(">") for line in section["text"]["text"].splitlines())
    assert unmark(section["text"]["text"]) == unmark(f"“{quote.text}”")
    assert context["elements"][0]["text"] == escape(f"— {quote.attribution}")
    assert blocks[-1]["type"] == "actions"
    assert message.text == escape(reply.summary)


async def test_quote_buttons_round_trip_and_render(testbot: TestBot) -> None:
    first = await testbot.send("quote manager-medic")
    sent = [p for element in buttons_of(valid(first)) for p in pressed(element)]
    assert sent == [(b.label, b.action, b.value) for b in first.buttons]
    for label in (say.BUTTON_ANOTHER, say.BUTTON_SHARE, say.BUTTON_DISCUSS):
        await testbot.press(button(first, label), user="bob")
        for reply in testbot.last:
            assert_shows(reply, valid(reply))
        if label != say.BUTTON_ANOTHER:
            assert "bob" in shown([m for r in testbot.last for m in render(r)])


async def test_lookup_more_results_and_share(testbot: TestBot) -> None:
    reply = await testbot.send("lookup leadership")
    seen = {b.title for b in reply.blocks if isinstance(b, Item)}
    for _ in range(3):
        [more] = [p for e in buttons_of(valid(reply)) for p in pressed(e) if p[0] == "More results"]
        assert more[1] == actions.MORE_RESULTS
        reply = await testbot.press(button(reply, "More results"))
        messages = valid(reply)
        assert_shows(reply, messages)
        titles = {b.title for b in reply.blocks if isinstance(b, Item)}
        assert titles and not titles & seen
        seen |= titles
    shared = await testbot.press(button(reply, say.BUTTON_SHARE), user="bob")
    assert_shows(shared, valid(shared))
    assert say.SHARED_BY.format(name="bob") in shown(render(shared))


async def test_lookup_typo_shows_correction_and_bold_matches(testbot: TestBot) -> None:
    reply = await testbot.send("lookup triumverate")
    messages = valid(reply)
    assert "triumvirate" in shown(messages) and "triumverate" in shown(messages)
    assert re.search(r"\*[^*\s][^*]*\*", "\n".join(texts(messages, "section")))


# Long text


def quote_words(messages: list[SlackMessage]) -> list[str]:
    sections = texts(messages, "section")
    return html.unescape(re.sub(r"(?m)^> ", "", "\n".join(sections))).split()


def test_quote_of_2990_characters_is_one_section() -> None:
    text = text_of_length(2990, seed=1)
    assert len(text) == 2990
    reply = Reply(kind="quote", blocks=(QuoteBlock(text, "Someone"),))
    messages = valid(reply)
    assert len(texts(messages, "section")) == 1
    assert quote_words(messages) == f"“{text}”".split()


def test_quote_of_10000_characters_splits_at_words() -> None:
    text = text_of_length(10000, seed=2, newline_every=40)
    reply = Reply(kind="quote", blocks=(QuoteBlock(text, "Someone"),))
    messages = valid(reply)
    sections = texts(messages, "section")
    assert len(sections) >= 4
    assert all(len(s) <= 3000 for s in sections)
    assert all(line.startswith("> ") for s in sections for line in s.split("\n"))
    assert sections[0].startswith("> “") and sections[-1].endswith("”")
    assert quote_words(messages) == f"“{text}”".split()  # no word lost, split or merged
    assert texts(messages, "context") == ["— Someone"]


def test_escaping_counts_toward_the_limit() -> None:
    text = " ".join(["R&D", "<tag>"] * 400)  # 4,000 characters, 8,800 once escaped
    messages = valid(Reply(kind="quote", blocks=(QuoteBlock(text, "A & B"),)))
    assert len(texts(messages, "section")) >= 3
    assert quote_words(messages) == f"“{text}”".split()


def test_long_bold_run_is_closed_in_every_section() -> None:
    bold = " ".join(words(900, seed=3))
    reply = Reply(kind="x", blocks=(Paragraph((Span("start "), Span(bold, bold=True))),))
    sections = texts(valid(reply), "section")
    assert len(sections) >= 2
    for section in sections[1:]:
        assert section.startswith("*") and section.endswith("*")
        assert section.count("*") == 2
    assert " ".join(s.replace("*", "") for s in sections).split() == ["start", *bold.split()]


def test_a_word_longer_than_a_section_is_hard_split() -> None:
    word = "x" * 7000
    messages = valid(Reply(kind="x", blocks=(Paragraph.of(f"a {word} b"),)))
    assert "".join(texts(messages, "section")).replace(" ", "") == f"a{word}b"


def test_long_note_and_heading_stay_within_limits() -> None:
    note = text_of_length(40000, seed=4)
    heading = text_of_length(400, seed=5)
    reply = Reply(kind="x", blocks=(Heading("Short"), Heading(heading), Note(note)))
    messages = valid(reply)
    blocks = [b for m in messages for b in m.blocks]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Short"}}
    assert blocks[1]["type"] == "section" and blocks[1]["text"]["text"] == f"*{heading}*"
    contexts = [b for b in blocks if b["type"] == "context"]
    assert len(contexts) == 2 and len(contexts[0]["elements"]) == 10
    assert " ".join(texts(messages, "context")).split() == note.split()


def test_top_level_text_is_cut_at_a_word_and_escaped() -> None:
    summary = "<b>&</b> " + text_of_length(5000, seed=6)
    [message] = valid(Reply(kind="x", blocks=(Note("n"),), summary=summary))
    assert len(message.text) <= 3000 and message.text.endswith("…")
    assert message.text.startswith("&lt;b&gt;&amp;&lt;/b&gt; ")
    assert escape(summary).startswith(message.text[:-1] + " ")


def test_text_without_summary_is_the_plain_text_of_the_blocks() -> None:
    reply = Reply(kind="x", blocks=(Heading("Title"), Paragraph.of("a < b")))
    [message] = valid(reply)
    assert message.text == "Title\na &lt; b"


# Pagination


def test_120_items_paginate_with_buttons_on_the_last_message() -> None:
    items = tuple(Item(f"Title {n:03}", f"meta {n}", (Span(f"body {n}"),)) for n in range(120))
    more = Button("More results", actions.MORE_RESULTS, "120:leadership")
    reply = Reply(kind="lookup", blocks=(Heading("Results"), *items), buttons=(more,), summary="s")
    messages = valid(reply)
    assert len(messages) >= 5
    assert all(len(m.blocks) <= 50 for m in messages)
    assert [m.text for m in messages] == ["s"] + ["s (continued)"] * (len(messages) - 1)
    assert not buttons_of(messages[:-1])
    assert messages[-1].blocks[-1]["type"] == "actions"
    assert [e["text"]["text"] for e in buttons_of(messages)] == ["More results"]
    titles = re.findall(r"^\*(Title \d+)\*", "\n".join(texts(messages, "section")), re.M)
    assert titles == [f"Title {n:03}" for n in range(120)]
    for message in messages:  # an item's meta stays with its title
        assert message.blocks[-1]["type"] in ("context", "actions")
    assert_shows(reply, messages)


# Inline formatting and escaping


def test_escaping_of_script_and_ampersand() -> None:
    assert escape("<script>&</script>") == "&lt;script&gt;&amp;&lt;/script&gt;"
    reply = Reply(kind="x", blocks=(Paragraph.of("x <script>& y"), Note("<!channel> &")))
    [message] = valid(reply)
    assert texts([message]) == ["x &lt;script&gt;&amp; y", "&lt;!channel&gt; &amp;"]
    assert message.text == "x &lt;script&gt;&amp; y\n&lt;!channel&gt; &amp;"


def test_bold_spans_come_out_as_stars() -> None:
    rich: Rich = (Span("the "), Span("triumvirate", bold=True), Span(" model, "))
    rich += (Span("exact phrase", bold=True), Span(" & "), Span("<b>", bold=True))
    item = Item("1. Title", "", (Span("a "), Span("match", bold=True)))
    lines = Paragraph((Span("one\ntwo", bold=True),))  # Slack bold cannot span a line break
    reply = Reply(kind="x", blocks=(Paragraph(rich), item, lines))
    assert texts(valid(reply)) == [
        "the *triumvirate* model, *exact phrase* &amp; *&lt;b&gt;*",
        "*1. Title*\na *match*",
        "*one*\n*two*",
    ]


def test_item_meta_is_context_and_empty_meta_is_left_out() -> None:
    reply = Reply(kind="x", blocks=(Item("A", "by B"), Item("C")))
    blocks = valid(reply)[0].blocks
    assert [b["type"] for b in blocks] == ["section", "context", "section"]
    assert texts(valid(reply)) == ["*A*", "by B", "*C*"]


# Buttons


def test_button_with_too_long_value_is_left_out() -> None:
    keep = Button("Keep", "a.keep", "v" * 2000)
    drop = Button("Drop", "a.drop", "v" * 3000)
    reply = Reply(kind="x", blocks=(Note("n"),), buttons=(drop, keep))
    [element] = buttons_of(valid(reply))
    assert element["text"]["text"] == "Keep" and element["value"] == "v" * 2000
    assert action_name(element["action_id"]) == "a.keep"


def test_long_label_is_cut_at_a_word() -> None:
    label = " ".join(["Share"] * 30)
    reply = Reply(kind="x", blocks=(Note("n"),), buttons=(Button(label, "a"),))
    [element] = buttons_of(valid(reply))
    text = element["text"]["text"]
    assert len(text) <= 75 and text.endswith("…")
    assert text[:-1].split() == ["Share"] * len(text[:-1].split())
    assert label.startswith(text[:-1] + " ")


def test_action_ids_are_unique_and_invert() -> None:
    same = [Button("One", actions.SHARE_QUOTE, "q1"), Button("Two", actions.SHARE_QUOTE, "q2")]
    ids = [action_id(b, n) for n, b in enumerate(same)]
    assert len(set(ids)) == 2
    for n, b in enumerate([*same, Button("x", "odd:name:7")]):
        assert action_name(action_id(b, n)) == b.action
    assert [e["action_id"] for e in buttons_of(valid(Reply("x", (), buttons=tuple(same))))] == ids


def test_more_than_25_buttons_stay_valid() -> None:
    many = tuple(Button(f"B{n}", "a", str(n)) for n in range(30))
    messages = valid(Reply(kind="x", blocks=(Note("n"),), buttons=many))
    sent = sorted(p for e in buttons_of(messages) for p in pressed(e))
    assert sent == sorted((f"B{n}", "a", str(n)) for n in range(30))  # each once
    [menu] = overflows(messages)
    assert [o["text"]["text"] for o in menu["options"]] == ["B3", "B4", "B5", "B6", "B7"]


def test_empty_reply_is_still_a_valid_message() -> None:
    [message] = valid(Reply(kind="x", blocks=(Paragraph.of("  "), Heading(""))))
    assert message.blocks


# problems() itself


def section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button_json(text: str, action: str, value: str = "v") -> Json:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action,
        "value": value,
    }


def test_problems_names_every_broken_limit() -> None:
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}] * 11}
    buttons = [button_json("b" * 76, "a:0", "v" * 2001), button_json("ok", "a:0")]
    buttons.append(button_json("ok", "x" * 256))
    bad = SlackMessage(
        text=" ",
        blocks=[
            section("x" * 3001),
            section(""),
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            context,
            {"type": "actions", "elements": buttons * 9},
        ],
    )
    found = "\n".join(problems(bad))
    for words_of_problem in (
        "text is empty",
        "block 1 (section): section text is 3001",
        "block 2 (section): section has no text",
        "block 3 (header): header is 151",
        "block 4 (context): context block has 11 elements",
        "context element 11 is 3001",
        "block 5 (actions): actions block has 27 elements",
        "button 1 text is 76",
        "button 1 value is 2001",
        "button 3 action_id is 256",
        "action_id 'a:0' is used more than once",
    ):
        assert words_of_problem in found
    assert "51 blocks" in "\n".join(problems(SlackMessage("t", [section("x")] * 51)))
    assert "0 blocks" in "\n".join(problems(SlackMessage("t", [])))
    assert problems(SlackMessage("t", [section("x" * 3000)])) == []


def test_rendered_json_is_plain_data() -> None:
    reply = Reply(kind="x", blocks=(Paragraph.of("a"),), buttons=(Button("B", "a", "v"),))
    for message in valid(reply):
        assert json.loads(json.dumps(message.blocks)) == message.blocks


# At a glance: what to act on, links, the overflow menu (issue 22)

ARTICLE_URL = "https://example.org/articles/handover"


def open_button(url: str = ARTICLE_URL, secondary: bool = False) -> Button:
    return Button(say.BUTTON_OPEN_ARTICLE, actions.OPEN_ARTICLE, url=url, secondary=secondary)


def test_a_question_is_a_section_of_bold_text_escaped() -> None:
    reply = Reply(kind="x", blocks=(Note("Q2 of 3"), Question("What would <you> do & why?")))
    [message] = valid(reply)
    note, question = message.blocks
    assert note["type"] == "context"
    assert question == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*What would &lt;you&gt; do &amp; why?*"},
    }
    two_lines = valid(Reply(kind="x", blocks=(Question("First?\nSecond?"),)))
    assert texts(two_lines) == ["*First?*\n*Second?*"]  # Slack's bold stops at a line break


def test_a_long_question_is_bold_in_every_section() -> None:
    text = " ".join(words(800, seed=8))
    sections = texts(valid(Reply(kind="x", blocks=(Question(text),))), "section")
    assert len(sections) >= 2
    assert all(s.startswith("*") and s.endswith("*") and s.count("*") == 2 for s in sections)
    assert " ".join(s.strip("*") for s in sections).split() == text.split()


def test_a_quote_without_attribution_has_no_dash_line() -> None:
    blocks = valid(Reply(kind="x", blocks=(QuoteBlock("Ask the night team", ""),)))[0].blocks
    assert [b["type"] for b in blocks] == ["section"]
    with_one = valid(Reply(kind="x", blocks=(QuoteBlock("Ask", "A nurse"),)))
    assert texts(with_one, "context") == ["— A nurse"]


def test_a_link_button_carries_its_address_and_its_action() -> None:
    reply = Reply(kind="article", blocks=(Heading("A title"),), buttons=(open_button(),))
    [element] = buttons_of(valid(reply))
    assert element["url"] == ARTICLE_URL and "value" not in element
    assert pressed(element) == [(say.BUTTON_OPEN_ARTICLE, actions.OPEN_ARTICLE, "")]
    too_long = Reply(
        kind="x", blocks=(Note("n"),), buttons=(open_button("https://x.org/" + "a" * 3000),)
    )
    assert buttons_of(valid(too_long)) == []  # Slack refuses an address over 3,000 characters


def test_an_items_button_is_on_a_row_of_its_own_under_it() -> None:
    """Beside the text (an accessory) the button would squeeze the passage into a narrow
    column on a phone: it goes under the item's small print instead."""
    item = Item("1. Handover", "Jo Bloggs · 2024", (Span("the night "), Span("team", bold=True)))
    button = open_button()
    reply = Reply(
        kind="lookup",
        blocks=(Heading("Lookup"), replace(item, button=button), Item("2. Rota", "", key="r")),
        buttons=(Button(say.BUTTON_MORE, actions.MORE_RESULTS, "3:handover"),),
    )
    [message] = valid(reply)
    header, first, meta, under, second, row = message.blocks
    assert header["type"] == "header"
    assert first["text"]["text"] == "*1. Handover*\nthe night *team*"
    assert "accessory" not in first and meta["type"] == "context"
    [link] = under["elements"]
    assert under["type"] == "actions" and link["type"] == "button"
    assert link["url"] == ARTICLE_URL and link["text"]["text"] == say.BUTTON_OPEN_ARTICLE
    assert action_name(link["action_id"]) == actions.OPEN_ARTICLE
    assert second["text"]["text"].startswith("*2. Rota*")
    [more] = row["elements"]
    assert more["action_id"] != link["action_id"]


async def test_search_results_open_their_article_under_each_result(
    testbot: TestBot, library: Library
) -> None:
    reply = await testbot.send("lookup triumvirate")
    linked = [b for b in reply.blocks if isinstance(b, Item) and b.button is not None]
    assert linked, "no result with an address: the test needs one"
    links = [e for e in buttons_of(valid(reply)) if e.get("url")]
    assert [e["url"] for e in links] == [i.button.url for i in linked if i.button]
    assert all(library.articles[i.key].url for i in linked)


def test_more_than_three_buttons_put_the_secondary_ones_in_an_overflow_menu() -> None:
    main = [Button(f"Main {n}", f"a.main{n}", str(n)) for n in range(3)]
    extra = [Button("Export", "a.export", "e", secondary=True), open_button(secondary=True)]
    reply = Reply(kind="x", blocks=(Note("n"),), buttons=(main[0], extra[0], *main[1:], extra[1]))
    [row] = [b for b in valid(reply)[0].blocks if b["type"] == "actions"]
    *shown, menu = row["elements"]
    assert [e["type"] for e in shown] == ["button"] * 3 and menu["type"] == "overflow"
    assert [e["text"]["text"] for e in shown] == ["Main 0", "Main 1", "Main 2"]
    assert pressed(menu) == [
        ("Export", "a.export", "e"),
        (say.BUTTON_OPEN_ARTICLE, actions.OPEN_ARTICLE, ""),
    ]
    export, link = menu["options"]
    assert "url" not in export and link["url"] == ARTICLE_URL


def test_three_buttons_stay_buttons_even_when_secondary() -> None:
    three = (Button("A", "a", "1"), Button("B", "b", "2"), open_button(secondary=True))
    elements = buttons_of(valid(Reply(kind="x", blocks=(Note("n"),), buttons=three)))
    assert [e["type"] for e in elements] == ["button"] * 3


def test_a_lone_secondary_takes_the_last_primary_into_the_menu() -> None:
    """Slack's overflow menu needs two options: a quote's Another, Share, Discuss and Open
    article keep Another and Share as buttons."""
    quote = (
        Button(say.BUTTON_ANOTHER, actions.ANOTHER_QUOTE, "winter"),
        Button(say.BUTTON_SHARE, actions.SHARE_QUOTE, "q1"),
        Button(say.BUTTON_DISCUSS, actions.DISCUSS_QUOTE, "q1"),
        open_button(secondary=True),
    )
    elements = buttons_of(valid(Reply(kind="quote", blocks=(Note("n"),), buttons=quote)))
    assert [e["text"]["text"] for e in elements if e["type"] == "button"] == ["Another", "Share"]
    [menu] = [e for e in elements if e["type"] == "overflow"]
    assert pressed(menu) == [
        (say.BUTTON_DISCUSS, actions.DISCUSS_QUOTE, "q1"),
        (say.BUTTON_OPEN_ARTICLE, actions.OPEN_ARTICLE, ""),
    ]


def test_later_primary_buttons_go_in_the_menu_before_the_secondary_ones() -> None:
    five = tuple(Button(f"P{n}", "p", f"v{n}") for n in range(5))
    reply = Reply(kind="x", blocks=(Note("n"),), buttons=(*five, open_button(secondary=True)))
    elements = buttons_of(valid(reply))
    assert [e["text"]["text"] for e in elements if e["type"] == "button"] == ["P0", "P1", "P2"]
    [menu] = overflows([SlackMessage("t", [{"type": "actions", "elements": elements}])])
    assert [label for label, _, _ in pressed(menu)] == ["P3", "P4", say.BUTTON_OPEN_ARTICLE]


def test_a_button_whose_option_would_not_fit_stays_a_button() -> None:
    long_value = "v" * 150  # fits a button (2,000) but not an option (150 with the action)
    buttons = (*(Button(f"P{n}", "p", str(n)) for n in range(3)),)
    buttons += (Button("Long", "x.long", long_value, secondary=True), open_button(secondary=True))
    buttons += (Button("Short", "x.short", "s", secondary=True),)
    elements = buttons_of(valid(Reply(kind="x", blocks=(Note("n"),), buttons=buttons)))
    [menu] = [e for e in elements if e["type"] == "overflow"]
    assert [label for label, _, _ in pressed(menu)] == [say.BUTTON_OPEN_ARTICLE, "Short"]
    [long] = [e for e in elements if e.get("text", {}).get("text") == "Long"]
    assert long["type"] == "button" and long["value"] == long_value
    assert all(len(o["value"]) <= 150 for o in menu["options"])


def test_an_option_carries_a_value_with_spaces_and_colons_whole() -> None:
    value = "12:clinical leadership: “patient flow” & more"
    buttons = tuple(Button(f"P{n}", "p", str(n)) for n in range(3))
    buttons += (Button("More", actions.MORE_RESULTS, value), Button("Label " * 20, "y", "w"))
    [menu] = overflows(valid(Reply(kind="x", blocks=(Note("n"),), buttons=buttons)))
    (more, more_action, more_value), (label, _, _) = pressed(menu)
    assert (more, more_action, more_value) == ("More", actions.MORE_RESULTS, value)
    assert len(label) <= 75 and label.endswith("…")


def test_an_overflow_selection_reads_as_the_same_action_as_its_button() -> None:
    discuss = Button(say.BUTTON_DISCUSS, actions.DISCUSS_QUOTE, "q-dark-side-poor-relative")
    others = tuple(Button(f"P{n}", "p", str(n)) for n in range(2))
    as_button = buttons_of(valid(Reply(kind="x", blocks=(Note("n"),), buttons=(discuss,))))
    reply = Reply(
        kind="x", blocks=(Note("n"),), buttons=(*others, discuss, open_button(secondary=True))
    )
    [menu] = overflows(valid(reply))
    body = {
        "actions": [chose(menu, menu["options"][0])],
        "user": {"id": "U0BOB", "username": "bob"},
        "channel": {"id": "C0GENERAL"},
        "team": {"id": "T0TEST"},
    }
    from_menu = translate.action_event(body, *translate.pressed(body))
    pressed_body = {**body, "actions": as_button}
    from_button = translate.action_event(pressed_body, *translate.pressed(pressed_body))
    assert from_menu == from_button
    assert (from_menu.action, from_menu.value) == (discuss.action, discuss.value)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"actions": "x"},
        {"actions": [{"type": "overflow"}]},
        {"actions": [{"type": "overflow", "selected_option": "x"}]},
        {"actions": [{"type": "overflow", "selected_option": {"value": 7}}]},
        {"actions": [{"type": "button", "action_id": 3, "value": None}]},
    ],
)
def test_a_malformed_press_names_no_action(body: Json) -> None:
    assert translate.pressed(body) == ("", "")


# Commands typed as in Slack


CODE = re.compile(r"`([^`]+)`")


async def test_help_shows_commands_as_typed_after_the_slash_command(testbot: TestBot) -> None:
    spans = CODE.findall("\n".join(texts(valid(await testbot.send("help")))))
    commands = [s for s in spans if s.startswith(INVOKE)]
    assert f"{INVOKE}help lookup" in commands and f"{INVOKE}privacy" in commands
    assert len(commands) >= 10
    for span in spans:  # the rest are filters, never a bare command
        assert span.startswith(INVOKE) or span.endswith(":"), span


async def test_topic_slugs_and_article_ids_are_not_typed_as_commands(
    testbot: TestBot, library: Library
) -> None:
    topics = CODE.findall("\n".join(texts(valid(await testbot.send("topics")))))
    assert set(library.topics) <= set(topics)  # every slug as it is, without /rounds
    assert [s for s in topics if s.startswith(INVOKE)]  # the hints are commands
    articles = CODE.findall("\n".join(texts(valid(await testbot.send("articles")))))
    assert set(library.articles) <= set(articles)


def test_commands_are_typed_in_every_text_a_reply_has() -> None:
    reply = Reply(
        kind="x",
        blocks=(
            Paragraph((Span("Type "), Span("`reflect next`", bold=True))),
            Note("or `help`, not `winter-pressures`"),
            Item("1. A", "see `read 1`", (Span("or `quote`"),)),
        ),
        summary="Type `reflect close`",
    )
    [message] = valid(reply)
    assert texts([message]) == [
        "Type *`/rounds reflect next`*",
        "or `/rounds help`, not `winter-pressures`",
        "*1. A*\nor `/rounds quote`",
        "see `/rounds read 1`",
    ]
    assert message.text == "Type `/rounds reflect close`"
    [bare] = render(reply, invoke="")
    assert "/rounds" not in json.dumps(bare.blocks) + bare.text


def test_a_modal_shows_commands_as_typed() -> None:
    said = Reply(kind="x", blocks=(Paragraph.of("Posted. `reflect list` shows it."),))
    view = notice_view("Rounds", [said], "Close")
    assert "`/rounds reflect list`" in json.dumps(view["blocks"])


# Overflow menus and accessories in problems()


def overflow_json(count: int, text: str = "o", value: str = "a:0 v", url: str = "") -> Json:
    option: Json = {"text": {"type": "plain_text", "text": text}, "value": value}
    if url:
        option["url"] = url
    return {"type": "overflow", "action_id": "overflow", "options": [option] * count}


def test_problems_names_every_broken_overflow_and_accessory_limit() -> None:
    long = overflow_json(2, "t" * 76, "v" * 151, "https://x.org/" + "u" * 3000)
    accessory = {**section("x"), "accessory": {**button_json("b" * 76, "a:0"), "url": "u" * 3001}}
    bad = SlackMessage(
        "t",
        [
            {"type": "actions", "elements": [overflow_json(1)]},
            {"type": "actions", "elements": [overflow_json(6)]},
            {"type": "actions", "elements": [long]},
            accessory,
        ],
    )
    found = "\n".join(problems(bad))
    for words_of_problem in (
        "block 1 (actions): overflow 1 has 1 options (Slack allows 2 to 5)",
        "block 2 (actions): overflow 1 has 6 options",
        "overflow 1 option 1 text is 76",
        "overflow 1 option 2 value is 151",
        "overflow 1 option 1 url is 3014",
        "block 4 (section): accessory text is 76",
        "accessory url is 3001",
        "action_id 'overflow' is used more than once",
    ):
        assert words_of_problem in found
    twice = SlackMessage(
        "t", [accessory, {"type": "actions", "elements": [button_json("b", "a:0")]}]
    )
    assert "action_id 'a:0' is used more than once" in "\n".join(problems(twice))
    fine = SlackMessage("t", [{"type": "actions", "elements": [overflow_json(5)]}, section("x")])
    assert problems(fine) == []
