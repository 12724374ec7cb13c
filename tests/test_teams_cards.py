"""The Teams adapter's pure rendering: neutral replies into valid Adaptive Cards."""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.teams.cards import (
    CARD,
    MENTION,
    THUMBNAIL,
    Submit,
    TeamsMessage,
    attachment,
    dialog,
    dialog_text,
    form_again,
    read_submit,
    render,
    search_results,
    submit_data,
)
from adapters.teams.check import (
    NARROW_LABEL,
    NARROW_LABELS,
    OVERFLOW_LABEL,
    PRIMARY_ACTIONS,
    narrow_problems,
    problems,
)
from adapters.teams.fit import MAX_ACTIVITY_BYTES, MAX_RESULT_CARD_BYTES, size
from bot import actions
from bot import messages as say
from bot.content.model import Library
from bot.events import Action, Conversation, Person
from bot.replies import (
    Block,
    Button,
    Failure,
    Form,
    Heading,
    Item,
    Note,
    Paragraph,
    Question,
    QuoteBlock,
    Reply,
    Span,
    plain_text,
    rich_text,
)
from tests.conftest import COMMAND_LINES, TestBot, button
from tests.teams_harness import card_elements, card_texts, element_text

Json = dict[str, Any]


# Helpers


def valid(reply: Reply) -> list[TeamsMessage]:
    """Render, and insist every card is one Teams accepts, with the buttons on the last."""
    messages = render(reply)
    assert messages
    for message in messages:
        assert problems(message.card) == [], problems(message.card)
        assert size(message.card) + size(message.text) < MAX_ACTIVITY_BYTES
        assert message.text.strip() and len(message.text) <= 1000
        assert json.loads(json.dumps(message.card)) == message.card
    assert not any("actions" in m.card for m in messages[:-1])
    assert_buttons(reply, messages[-1].card)
    if "\\" not in plain_text(reply):  # no backslash escape is added to any text
        assert not any("\\" in t for m in messages for t in shown_texts(m.card))
    for message in render(reply, MENTION):  # as read in a channel
        assert problems(message.card) == [], problems(message.card)
    return messages


def assert_buttons(reply: Reply, card: Json) -> None:
    """Each button of the reply, in order: a link opens its address, any other sends its
    data back (the anonymous form's opens a dialog); the core's secondary ones, and any a
    phone would cut short, in the `…` menu."""
    pressed = card.get("actions", [])
    assert [a["title"] for a in pressed] == [b.label for b in reply.buttons]
    for action, b in zip(pressed, reply.buttons, strict=True):
        assert_button(action, b)
    assert narrow_problems(card) == []


def assert_button(action: Json, b: Button) -> None:
    if b.url:
        assert action["type"] == "Action.OpenUrl" and action["url"] == b.url
        assert "data" not in action
    else:
        assert action["type"] == "Action.Submit"
        sent = {k: v for k, v in action["data"].items() if k != "msteams"}
        assert sent == submit_data(b) and read_submit(sent) == Submit(b.action, b.value)
        opens = b.action == actions.REFLECT_ANONYMOUS  # only the anonymous form's
        assert action["data"].get("msteams") == ({"type": "task/fetch"} if opens else None)
    if b.secondary:
        assert action["mode"] == "secondary"


elements = card_elements
shown_texts = card_texts


def is_heading(element: Json) -> bool:
    """A heading's TextBlock, or a RichTextBlock of large bold runs."""
    if element["type"] == "TextBlock":
        return bool(element.get("style") == "heading" and element["size"] == "Large")
    runs = element.get("inlines", [])
    return bool(runs) and all(r.get("size") == "Large" and r.get("weight") for r in runs)


def normal(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def shown(messages: list[TeamsMessage]) -> str:
    return normal(" ".join(t for m in messages for t in shown_texts(m.card)))


def expected(block: Block) -> list[str]:
    match block:
        case Heading(text=text) | Note(text=text) | Question(text=text):
            return [text]
        case Paragraph(rich=rich):
            return [rich_text(rich)]
        case QuoteBlock(text=text, attribution=attribution):
            return [f"“{text}”", f"— {attribution}" if attribution else ""]
        case Item(title=title, meta=meta, body=body):
            return [title, meta, rich_text(body)]
    raise TypeError(block)


def assert_shows(reply: Reply, messages: list[TeamsMessage]) -> None:
    """Every text of the reply appears, whole and in order, in what Teams will show."""
    seen, at = shown(messages), 0
    for block in reply.blocks:
        for part in filter(None, map(normal, expected(block))):
            found = seen.find(part, at)
            assert found >= 0, f"{part!r} not shown after position {at} in {seen!r}"
            at = found + len(part)


def of_type(messages: list[TeamsMessage], kind: str) -> list[Json]:
    return [e for m in messages for e in elements(m.card) if e["type"] == kind]


def words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(1, 12))) + str(n) for n in range(count)]


def text_of_length(length: int, seed: int) -> str:
    text = ""
    for word in words(length, seed):
        text += word + " "
        if len(text) >= length:
            break
    return text[:length].rstrip()


# The real bot, every command


@pytest.mark.parametrize("command", COMMAND_LINES)
async def test_every_command_renders_valid_and_complete(testbot: TestBot, command: str) -> None:
    await testbot.send(command)
    assert testbot.last
    for reply in testbot.last:
        messages = valid(reply)
        assert_shows(reply, messages)
        assert len(messages) == 1
        assert messages[0].text == normal(reply.summary) or not reply.summary


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
        assert normal(article.title) in shown(messages)
        assert is_heading(messages[0].card["body"][0])


async def test_quote_is_an_emphasis_container_with_its_attribution(testbot: TestBot) -> None:
    reply = await testbot.send("quote winter")
    [quote] = [b for b in reply.blocks if isinstance(b, QuoteBlock)]
    [message] = valid(reply)
    [box] = [e for e in message.card["body"] if e["type"] == "Container"]
    assert box["style"] == "emphasis"
    said, credit = box["items"]
    assert said["type"] == credit["type"] == "RichTextBlock"
    assert element_text(said) == f"“{quote.text}”"
    assert all("size" not in r and "isSubtle" not in r for r in said["inlines"])  # body size
    assert element_text(credit) == f"— {quote.attribution}"
    assert all(r["isSubtle"] is True and r["size"] == "Small" for r in credit["inlines"])
    assert message.text == reply.summary


def test_a_quote_without_attribution_has_no_credit_line() -> None:
    reply = Reply(kind="quote", blocks=(QuoteBlock("Said *so*", ""),))
    [message] = valid(reply)
    [box] = message.card["body"]
    [said] = box["items"]
    assert element_text(said) == "“Said *so*”"


async def test_quote_buttons_press_and_render(testbot: TestBot) -> None:
    first = await testbot.send("quote manager-medic")
    pressable = [b for b in first.buttons if not b.url]
    assert [b.action for b in pressable] == [
        actions.ANOTHER_QUOTE,
        actions.SHARE_QUOTE,
        actions.DISCUSS_QUOTE,
    ]
    for b in pressable:
        [pressed] = [a for a in valid(first)[0].card["actions"] if a["title"] == b.label]
        assert read_submit(pressed["data"]) == Submit(b.action, b.value)
        await testbot.press(b, user="bob")
        assert len(testbot.last) == (2 if b.action == actions.DISCUSS_QUOTE else 1)
        for reply in testbot.last:
            assert_shows(reply, valid(reply))
        if b.action != actions.ANOTHER_QUOTE:
            assert "bob" in shown([m for r in testbot.last for m in render(r)])
    discuss = testbot.last[1]
    assert normal(say.DISCUSS_INVITE.format(name="bob")) in shown(render(discuss))


async def test_lookup_more_results_and_share(testbot: TestBot) -> None:
    reply = await testbot.send("lookup leadership")
    seen = {b.title for b in reply.blocks if isinstance(b, Item)}
    for _ in range(3):
        [more] = [a for a in valid(reply)[-1].card["actions"] if a["title"] == say.BUTTON_MORE]
        assert read_submit(more["data"]) == Submit(
            actions.MORE_RESULTS,
            button(reply, say.BUTTON_MORE).value,
        )
        reply = await testbot.press(button(reply, say.BUTTON_MORE))
        messages = valid(reply)
        assert_shows(reply, messages)
        titles = {b.title for b in reply.blocks if isinstance(b, Item)}
        assert titles and not titles & seen
        assert all(normal(title) in shown(messages) for title in titles)
        seen |= titles
    shared = await testbot.press(button(reply, say.BUTTON_SHARE), user="bob")
    assert_shows(shared, valid(shared))
    assert say.SHARED_BY.format(name="bob") in shown(render(shared))


async def test_lookup_results_have_bold_matches_numbers_as_typed_and_open_buttons(
    testbot: TestBot,
) -> None:
    reply = await testbot.send("lookup triumverate")
    messages = valid(reply)
    assert "triumvirate" in shown(messages) and "triumverate" in shown(messages)
    items = [b for b in reply.blocks if isinstance(b, Item)]
    boxes = [e for e in messages[0].card["body"] if e["type"] == "Container"]
    assert len(boxes) == len(items) >= 1
    bold: list[str] = []
    for box, item in zip(boxes, items, strict=True):
        title, meta, body, *links = box["items"]
        # a title such as "1. …" is a TextRun, never read as a numbered list: no escape
        assert title["inlines"] == [{"type": "TextRun", "text": item.title, "weight": "Bolder"}]
        assert element_text(meta) == item.meta and meta["spacing"] == "None"
        assert all(r["isSubtle"] is True and r["size"] == "Small" for r in meta["inlines"])
        assert element_text(body) == rich_text(item.body)
        bold += [r["text"] for r in body["inlines"] if r.get("weight") == "Bolder"]
        opens = item.button
        assert (
            links == []
            if opens is None
            else [
                {
                    "type": "ActionSet",
                    "actions": [{"type": "Action.OpenUrl", "title": opens.label, "url": opens.url}],
                }
            ]
        )
    assert bold and all(text.lower().startswith("triumvirate") for text in bold)
    assert any(item.button for item in items)  # an article on the web opens from its result


async def test_command_names_in_backticks_show_as_monospace_runs(testbot: TestBot) -> None:
    reply = await testbot.send("xyzzy")
    [message] = valid(reply)
    assert say.TRY_HELP.replace("`", "") in shown_texts(message.card)
    helps = [r for r in of_type([message], "TextRun") if r["text"] == "help"]
    assert helps and all(r["fontType"] == "Monospace" for r in helps)
    assert "`" not in json.dumps(message.card) and "`" not in message.text
    intro = of_type(valid(await testbot.send("help")), "TextRun")
    assert {"type": "TextRun", "text": "help <command>", "fontType": "Monospace"} in intro


# Long replies


def test_30000_character_paragraph_splits_into_valid_cards_at_words() -> None:
    start, bold, end = (text_of_length(10_000, seed) for seed in (1, 2, 3))
    rich = (Span(start + " "), Span(bold, bold=True), Span(" " + end))
    buttons = (Button("Another", actions.ANOTHER_QUOTE, "x"),)
    reply = Reply(kind="x", blocks=(Heading("Long"), Paragraph(rich)), buttons=buttons)
    messages = valid(reply)
    assert len(messages) >= 2
    assert all(size(m.card) < MAX_ACTIVITY_BYTES for m in messages)
    blocks = of_type(messages, "RichTextBlock")
    assert len(blocks) >= len(messages)
    said = [w for b in blocks for w in "".join(r["text"] for r in b["inlines"]).split()]
    assert said == f"{start} {bold} {end}".split()  # no word lost, split or merged
    bolded = [w for r in of_type(messages, "TextRun") if r.get("weight") for w in r["text"].split()]
    assert bolded == bold.split()
    assert "actions" in messages[-1].card and len(messages[-1].card["actions"]) == 1


def test_200_items_split_into_several_cards_with_buttons_on_the_last() -> None:
    items = tuple(
        Item(f"Title {n:03}", f"meta {n}", (Span("body "), Span(f"m{n}", True))) for n in range(200)
    )
    more = Button("More results", actions.MORE_RESULTS, "200:leadership")
    reply = Reply(kind="lookup", blocks=(Heading("Results"), *items), buttons=(more,), summary="s")
    messages = valid(reply)
    assert len(messages) >= 2
    assert all(size(m.card) < MAX_ACTIVITY_BYTES and m.text == "s" for m in messages)
    boxes = [e for m in messages for e in m.card["body"] if e["type"] == "Container"]
    assert [element_text(box["items"][0]) for box in boxes] == [i.title for i in items]
    assert all(len(box["items"]) == 3 for box in boxes)  # an item stays together
    assert [a["title"] for a in messages[-1].card["actions"]] == ["More results"]
    assert_shows(reply, messages)


def test_a_heading_moves_to_the_next_card_with_what_follows_it() -> None:
    blocks: list[Block] = []
    for n in range(60):
        body = (Span(text_of_length(1_500, n)),)
        blocks += [Heading(f"Section {n}"), Item(f"Item {n}", body=body)]
    messages = valid(Reply(kind="x", blocks=tuple(blocks)))
    assert len(messages) >= 3
    for message in messages:
        body = message.card["body"]
        assert body[-1]["type"] == "Container"  # never a heading left at the end
        for element, after in itertools.pairwise(body):
            if is_heading(element):
                title = str(element_text(element)).replace("Section", "Item")
                assert element_text(after["items"][0]) == title


def test_long_heading_note_and_word_stay_valid() -> None:
    heading, note, word = text_of_length(9_000, 4), text_of_length(50_000, 5), "x" * 12_000
    reply = Reply(kind="x", blocks=(Heading(heading), Note(note), Paragraph.of(f"a {word} b")))
    messages = valid(reply)
    headings = [e for e in of_type(messages, "TextBlock") if is_heading(e)]
    assert len(headings) >= 2 and all(h["weight"] == "Bolder" for h in headings)
    assert " ".join(map(str, map(element_text, headings))).split() == heading.split()
    rich = of_type(messages, "RichTextBlock")
    small = [b for b in rich if b["inlines"][0].get("size") == "Small"]
    assert len(small) >= 2 and all(r["isSubtle"] for b in small for r in b["inlines"])
    assert " ".join(map(str, map(element_text, small))).split() == note.split()
    runs = "".join(str(element_text(b)) for b in rich if b not in small)
    assert runs.replace(" ", "") == f"a{word}b"


def test_non_ascii_text_fits_however_it_is_serialised() -> None:
    text = " ".join(["“café” — naïve…", "😀👍🏽"] * 3000)
    messages = valid(Reply(kind="x", blocks=(Paragraph.of(text), QuoteBlock(text, "Zoë"))))
    for message in messages:
        as_sent = json.dumps({"text": message.text, "attachments": [attachment(message.card)]})
        assert len(as_sent) < MAX_ACTIVITY_BYTES - 2_000  # ASCII-escaped, default separators
    assert_shows(Reply(kind="x", blocks=(Paragraph.of(text),)), messages)


def test_text_fallback_is_the_plain_text_cut_at_a_word() -> None:
    text = text_of_length(5_000, 6)
    [message] = valid(Reply(kind="x", blocks=(Heading("Title"), Note(text))))
    assert len(message.text) <= 1000 and message.text.endswith("…")
    assert f"Title\n{text}".startswith(message.text[:-1] + " ")
    [short] = valid(Reply(kind="x", blocks=(Heading("Title"), Paragraph.of("a `b` c"))))
    assert short.text == "Title\na b c"


def test_empty_reply_is_still_a_valid_card() -> None:
    [message] = valid(Reply(kind="x", blocks=(Paragraph.of("  "), Heading(""), Note(" "))))
    assert message.card["body"] == [{"type": "TextBlock", "text": "…", "wrap": True}]
    assert message.text == "…"


# Markdown


MARKED = (
    Heading("# Not a heading"),
    Heading("1. First steps"),
    Note("*a* _b_ [c](http://d) \\e <f> &amp; R&D ~~s~~ |t|"),
    Item("1. First", "- meta *m*", (Span("*raw* _run_ [x]"),)),
    QuoteBlock("> q *said*", "_x_ [1]"),
    Question("2) What [would] you *do*?"),
    Paragraph.of("# h\n> quoted\n+ plus\n  2) two\n= under"),
    Note("line\n> quoted\n10. ten"),
)


def test_no_text_is_escaped_and_markdown_shows_as_written() -> None:
    """Every text is in TextRuns, which Teams never reads as Markdown: shown exactly as
    written, with no backslash added (Teams mobile shows backslashes), and no TextBlock."""
    [message] = valid(Reply(kind="x", blocks=MARKED))
    assert of_type([message], "TextBlock") == []
    assert shown_texts(message.card) == [
        "# Not a heading",
        "1. First steps",
        "*a* _b_ [c](http://d) \\e <f> &amp; R&D ~~s~~ |t|",
        "1. First",
        "- meta *m*",
        "*raw* _run_ [x]",
        "“> q *said*”",
        "— _x_ [1]",
        "2) What [would] you *do*?",
        "# h\n> quoted\n+ plus\n  2) two\n= under",
        "line\n> quoted\n10. ten",
    ]
    assert json.dumps(message.card).count("\\\\") == 1  # the one the note was written with
    headings = message.card["body"][:2]
    assert all(is_heading(h) and h["type"] == "RichTextBlock" for h in headings)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="*_[]()#>+=-1.)\\<&;~| ab\n", min_size=1, max_size=40))
def test_every_text_is_shown_as_written(text: str) -> None:
    said = text.strip()
    blocks = (
        Heading(text),
        Paragraph.of(text),
        Question(text),
        Note(text),
        QuoteBlock(text, text),
        Item(text, text, (Span(text),)),
    )
    [message] = valid(Reply(kind="x", blocks=blocks, summary="s"))
    quoted = [f"“{said}”", f"— {said}"] if said else []
    written = [said, text, said, said, *quoted, said, said, text]
    assert shown_texts(message.card) == ([t for t in written if t.strip()] or ["…"])
    for block in of_type([message], "TextBlock"):  # only a heading Markdown would not read
        assert not read_as_markdown(block["text"])


def read_as_markdown(text: str) -> bool:
    """Whether a TextBlock would show the text otherwise than written: an inline mark, an
    HTML tag or entity, a line break, or a line starting a list, quote or heading."""
    marks = set(text) & set("*_`[]#>\\<~|\n")
    return bool(marks or re.match(r"\s*(\d+[.)]|[-+=])", text) or re.search(r"&#?\w+;", text))


def test_a_heading_is_announced_as_one_when_it_can_be() -> None:
    [message] = valid(Reply(kind="x", blocks=(Heading("Lookup: “patient flow”"),)))
    assert message.card["body"] == [
        {
            "type": "TextBlock",
            "text": "Lookup: “patient flow”",
            "wrap": True,
            "size": "Large",
            "weight": "Bolder",
            "style": "heading",
        }
    ]
    [marked] = valid(Reply(kind="x", blocks=(Heading("Q1 *of* 3"),)))
    assert marked.card["body"] == [
        {
            "type": "RichTextBlock",
            "inlines": [
                {"type": "TextRun", "text": "Q1 *of* 3", "size": "Large", "weight": "Bolder"}
            ],
        }
    ]


def test_a_question_is_medium_and_bolder_and_the_rest_body_size() -> None:
    blocks = (Heading("Reflection"), Question("What `went` well?"), Paragraph.of("Ground rules"))
    [message] = valid(Reply(kind="x", blocks=blocks))
    _heading, question, rules = message.card["body"]
    assert question["inlines"] == [
        {"type": "TextRun", "text": "What ", "size": "Medium", "weight": "Bolder"},
        {
            "type": "TextRun",
            "text": "went",
            "size": "Medium",
            "weight": "Bolder",
            "fontType": "Monospace",
        },
        {"type": "TextRun", "text": " well?", "size": "Medium", "weight": "Bolder"},
    ]
    assert rules["inlines"] == [{"type": "TextRun", "text": "Ground rules"}]


def test_bold_spans_are_bolder_runs() -> None:
    rich = (Span("the "), Span("triumvirate", bold=True), Span(" model"))
    [message] = valid(Reply(kind="x", blocks=(Paragraph(rich),)))
    assert message.card["body"] == [
        {
            "type": "RichTextBlock",
            "inlines": [
                {"type": "TextRun", "text": "the "},
                {"type": "TextRun", "text": "triumvirate", "weight": "Bolder"},
                {"type": "TextRun", "text": " model"},
            ],
        }
    ]


# Buttons and submit data


def test_submit_data_round_trips() -> None:
    buttons = [
        Button("Another", actions.ANOTHER_QUOTE, "winter"),
        Button("Share", actions.SHARE_QUOTE, "q-1"),
        Button("More", actions.MORE_RESULTS, "3:“patient flow” author:vyas"),
        Button("Plain", "odd:name:7"),
    ]
    for b in buttons:
        assert submit_data(b) == {"rounds": b.action, "value": b.value}
        assert read_submit(submit_data(b)) == Submit(b.action, b.value)
        assert read_submit(json.loads(json.dumps(submit_data(b)))) == Submit(b.action, b.value)
    assert read_submit({**submit_data(buttons[0]), "msteams": {"x": 1}}) == Submit(
        "quote.another",
        "winter",
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        [],
        {},
        5,
        "quote.another",
        {"rounds": 5},
        {"value": "x"},
        {"rounds": None, "value": "x"},
        {"rounds": "", "value": "x"},
        {"rounds": "a b", "value": "x"},
        {"rounds": "quote.another", "value": 7},
        {"rounds": "quote.another", "value": ["x"]},
        {"rounds": ["quote.another"], "value": "x"},
        {"rounds": {"rounds": "quote.another"}, "value": {"value": "x"}},
        {"rounds": "quote.another", "value": "v" * 2001},
        [{"rounds": "quote.another", "value": "x"}],
    ],
)
def test_read_submit_refuses_what_is_not_ours(value: Any) -> None:
    assert read_submit(value) is None


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner) | st.dictionaries(st.sampled_from(["rounds", "value", "x"]), inner)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_read_submit_never_raises(value: Any) -> None:
    result = read_submit(value)
    assert result is None or (isinstance(result, tuple) and all(isinstance(p, str) for p in result))


def test_long_labels_are_cut_and_unreadable_buttons_left_out() -> None:
    label = " ".join(["Share"] * 30)
    keep = Button(label, "a.keep", "v")
    bad = [Button("Bad", "has space"), Button("Big", "a.big", "v" * 5000), Button("Empty", "")]
    [message] = render(Reply(kind="x", blocks=(Note("n"),), buttons=(*bad, keep)))
    assert problems(message.card) == []
    [action] = message.card["actions"]
    assert len(action["title"]) <= 75 and action["title"].endswith("…")
    assert label.startswith(action["title"][:-1] + " ")
    assert read_submit(action["data"]) == Submit("a.keep", "v")


def test_attachment_wraps_the_card() -> None:
    card = render(Reply(kind="x", blocks=(Note("n"),)))[0].card
    assert attachment(card) == {"contentType": CARD, "content": card}
    assert CARD == "application/vnd.microsoft.card.adaptive"


# Buttons that show whole on a phone


def primary(card: Json) -> list[str]:
    return [a["title"] for a in card.get("actions", []) if a.get("mode") != "secondary"]


def menu(card: Json) -> list[str]:
    return [a["title"] for a in card.get("actions", []) if a.get("mode") == "secondary"]


def card_of(*buttons: Button) -> Json:
    [message] = valid(Reply(kind="x", blocks=(Note("n"),), buttons=buttons))
    return message.card


def test_a_button_with_an_address_opens_it() -> None:
    opens = Button("Open article", actions.OPEN_ARTICLE, url="https://example.org/a?b=1")
    card = card_of(Button("Another", actions.ANOTHER_QUOTE, "w"), opens)
    assert card["actions"][1] == {
        "type": "Action.OpenUrl",
        "title": "Open article",
        "url": "https://example.org/a?b=1",
    }
    odd = ("javascript:alert(1)", "https://example.org/a b", "https://" + "a" * 2_000)
    for url in odd:  # never a button that opens something other than a web address
        [message] = render(Reply("x", (Note("n"),), buttons=(Button("Open", "a.b", url=url),)))
        assert "actions" not in message.card


def test_secondary_buttons_go_in_the_overflow_menu() -> None:
    card = card_of(
        Button("Another", actions.ANOTHER_QUOTE, "w"),
        Button("Open article", actions.OPEN_ARTICLE, url="https://x.org/", secondary=True),
        Button("Discuss", actions.DISCUSS_QUOTE, "q", secondary=True),
    )
    assert primary(card) == ["Another"] and menu(card) == ["Open article", "Discuss"]
    assert card["actions"][1]["type"] == "Action.OpenUrl"


def test_more_than_three_buttons_the_later_ones_go_in_the_menu() -> None:
    labels = ["One", "Two", "Six", "Ten", "Why"]
    card = card_of(*(Button(label, f"a.{n}", "v") for n, label in enumerate(labels)))
    assert primary(card) == labels[:PRIMARY_ACTIONS] and menu(card) == labels[PRIMARY_ACTIONS:]
    assert [a["title"] for a in card["actions"]] == labels  # the core's order kept


def test_labels_too_long_together_go_in_the_menu_in_the_cores_order() -> None:
    """`Contribute anonymously` (22) and `Next question` (13) do not fit side by side in
    30 characters: the second goes in the menu, and so does every one after it, even one
    short enough (nothing less important is shown before something more)."""
    card = card_of(
        Button(say.BUTTON_ANONYMOUS, actions.REFLECT_ANONYMOUS, "4"),
        Button(say.BUTTON_NEXT, actions.REFLECT_NEXT, "4"),
        Button("Go", "a.go", "4"),
    )
    assert primary(card) == [say.BUTTON_ANONYMOUS]
    assert menu(card) == [say.BUTTON_NEXT, "Go"]
    assert sum(map(len, primary(card_of(*(Button("abcdefghij", "a.b") for _ in range(3)))))) == 30
    wide = card_of(Button("A label of twenty-three", "a.b"), Button("Short", "a.c"))
    assert primary(wide) == [] and menu(wide) == ["A label of twenty-three", "Short"]


# Rows of buttons drawn by the Adaptive Cards renderer with Teams' light host config at
# 320 px (`make cards`, build/cards/truncation.json): the labels, whether a `…` menu button
# was beside them, and whether every label showed whole.
MEASURED = [
    (("Another", "Share", "Discuss"), False, True),
    (("Another", "Share", "Discuss"), True, True),
    (("More results", "Share", "Open article"), False, True),
    (("More results", "Share", "Open article"), True, False),
    (("More results", "Share"), True, True),
    (("Pause", "Skip next", "Another"), False, True),
    (("Next question", "Close"), True, True),
    (("Contribute anonymously", "Close"), False, True),
    (("Contribute anonymously",), True, True),
    (("Close and post summary",), True, True),
    (("Next question", "Close and post summary"), False, False),
    (("Contribute anonymously", "Next question"), False, False),
    (("Contribute anonymously", "Close and post summary"), False, False),
    (("Contribute anonymously", "Next question", "Close"), False, False),
    (("Next question", "Close and post summary", "Pause"), False, False),
]


@pytest.mark.parametrize(("labels", "menu", "whole"), MEASURED)
def test_the_check_agrees_with_what_was_measured(
    labels: tuple[str, ...], menu: bool, whole: bool
) -> None:
    buttons = [{"type": "Action.Submit", "title": t, "data": {"rounds": "a"}} for t in labels]
    if menu:
        buttons.append({**buttons[0], "title": "Later", "mode": "secondary"})
    assert (narrow_problems({"body": [], "actions": buttons}) == []) is whole


def test_the_menus_button_takes_room_from_those_beside_it() -> None:
    """Three buttons that fit alone do not beside the `…`: the last of them joins the menu."""
    three = [Button("More results", "a.m"), Button("Share", "a.s"), Button("Open article", "a.o")]
    assert menu(card_of(*three)) == []
    later = Button("Open article", actions.OPEN_ARTICLE, url="https://x.org/", secondary=True)
    assert menu(card_of(*three, later)) == ["Open article", "Open article"]
    assert primary(card_of(*three, later)) == ["More results", "Share"]
    many = [
        Button(label, f"a.{n}") for n, label in enumerate(["Another", "Share", "Discuss", "Go"])
    ]
    assert primary(card_of(*many)) == ["Another", "Share", "Discuss"]  # 19 + 6 for the `…`


def test_the_check_names_buttons_a_phone_would_cut_short() -> None:
    def card(*titles: str, secondary: int = 0) -> Json:
        buttons = [{"type": "Action.Submit", "title": t, "data": {"rounds": "a"}} for t in titles]
        for action in buttons[len(buttons) - secondary :] if secondary else []:
            action["mode"] = "secondary"
        return {"type": "AdaptiveCard", "body": [], "actions": buttons}

    assert narrow_problems(card("Another", "Share", "Discuss")) == []
    assert narrow_problems(card("A", "B", "C", "D")) == [
        f"actions: 4 buttons side by side (max {PRIMARY_ACTIONS})"
    ]
    assert narrow_problems(card("A", "B", "C", "D", secondary=1)) == []
    long = "x" * (NARROW_LABEL + 1)
    assert narrow_problems(card(long)) == [
        f"actions: {long!r} is over {NARROW_LABEL} characters beside other buttons"
    ]
    assert narrow_problems(card("Contribute anonymously", "Next question")) == [
        f"actions: labels side by side are 35 characters (max {NARROW_LABELS})"
    ]
    assert narrow_problems(card("More results", "Share", "Open article", "x", secondary=1)) == [
        f"actions: labels side by side are 35 characters with the {OVERFLOW_LABEL} of the"
        f" menu's `…` (max {NARROW_LABELS})"
    ]
    buttons = {"type": "ActionSet", "actions": card("A", "B", "C", "D")["actions"]}
    inside = {"type": "AdaptiveCard", "body": [{"type": "Container", "items": [buttons]}]}
    assert narrow_problems(inside) == ["ActionSet 2: 4 buttons side by side (max 3)"]
    assert any("4 buttons side by side" in p for p in problems({**good_card(), **card(*"ABCD")}))


def test_an_items_own_button_is_beside_it() -> None:
    opens = Button("Open article", actions.OPEN_ARTICLE, url="https://example.org/a")
    read = Button("Read", actions.MORE_RESULTS, "1:x")
    items = (Item("1. A", "m", (Span("b"),), button=opens), Item("2. B", button=read), Item("C"))
    [message] = valid(Reply(kind="x", blocks=items))
    first, second, third = message.card["body"]
    assert first["items"][-1] == {
        "type": "ActionSet",
        "actions": [{"type": "Action.OpenUrl", "title": "Open article", "url": opens.url}],
    }
    [submit] = second["items"][-1]["actions"]
    assert submit["type"] == "Action.Submit" and read_submit(submit["data"]) == Submit(
        actions.MORE_RESULTS, "1:x"
    )
    assert [e["type"] for e in third["items"]] == ["RichTextBlock"]
    assert "actions" not in message.card


# Commands as they must be typed


def test_commands_get_the_mention_in_a_channel_and_not_in_a_1_1_chat() -> None:
    blocks = (
        Paragraph.of("Type `help lookup` or `reflect next`; the topic is `wellbeing`."),
        Note("`help`"),
        Item("1. A", "`read 4`"),
    )
    reply = Reply(kind="x", blocks=blocks, summary="Try `help`.")
    [channel] = render(reply, MENTION)
    [personal] = render(reply)
    mono = [r["text"] for r in elements(channel.card) if r.get("fontType") == "Monospace"]
    typed = ["@Rounds help lookup", "@Rounds reflect next", "wellbeing", "@Rounds help"]
    assert mono == [*typed, "@Rounds read 4"]
    assert channel.text == "Try @Rounds help."
    alone = [r["text"] for r in elements(personal.card) if r.get("fontType") == "Monospace"]
    assert alone == ["help lookup", "reflect next", "wellbeing", "help", "read 4"]
    assert personal.text == "Try help."


def test_a_dialog_shows_commands_as_typed_where_it_was_opened() -> None:
    said = Reply("x", (Paragraph.of("Closed. Type `help` for more."),))
    assert dialog_text(said, MENTION) == "Closed. Type @Rounds help for more."
    assert dialog_text(said) == "Closed. Type help for more."
    form = anonymous_form(error="Try `help`.")  # the error is also a paragraph of the form
    card = dialog(form, MENTION)["card"]["content"]
    assert errors_in(card) == ["Try @Rounds help."]  # shown once, as typed in a channel
    assert card_texts(card).count("Try @Rounds help.") == 1
    assert "Try help." in card_texts(dialog(form)["card"]["content"])


def test_a_dialogs_message_leaves_out_the_heading_unless_it_says_what_failed() -> None:
    """The dialog has a title of its own; a failure's heading is what went wrong."""
    done = Reply("x", (Heading("Reflection"), Paragraph.of("Posted."), Note("Thanks.")))
    assert dialog_text(done) == "Posted.\nThanks."
    failed = Reply("error", (Heading("Sorry."), Paragraph.of("Ref 1.")), failed=Failure.ERROR)
    assert dialog_text(failed) == "Sorry.\nRef 1."
    assert dialog_text(Reply("x", (Heading("Only this"),))) == "Only this"


# Message-extension results


def hit(snippet: str, title: str = "A title") -> tuple[Reply, str, str]:
    """A compose-box result as the core makes one: the article's title, the passage, its
    attribution and the article's address."""
    blocks = (
        Heading(title),
        Paragraph((Span(snippet), Span("match", bold=True))),
        Note("Someone · 1 May 2023"),
    )
    opens = Button(say.BUTTON_OPEN_ARTICLE, actions.OPEN_ARTICLE, url="https://example.org/a")
    reply = Reply(kind="lookup.hit", blocks=blocks, buttons=(opens,))
    return reply, title, snippet


def test_search_results_shape_and_previews() -> None:
    result = search_results([hit("short snippet "), hit("another one ")])
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    first, second = result["attachments"]
    assert first["contentType"] == CARD and problems(first["content"]) == []
    assert first["preview"] == {
        "contentType": THUMBNAIL,
        "content": {"title": "A title", "text": "short snippet"},
    }
    assert shown_texts(first["content"]) == [
        "A title",
        "short snippet match",
        "Someone · 1 May 2023",
    ]
    assert first["content"]["actions"] == [
        {"type": "Action.OpenUrl", "title": say.BUTTON_OPEN_ARTICLE, "url": "https://example.org/a"}
    ]
    assert shown_texts(second["content"])[1] == "another one match"
    assert search_results([]) == {"type": "result", "attachmentLayout": "list", "attachments": []}


def test_a_result_preview_is_its_title_on_one_line_and_the_passage_cut_at_a_word() -> None:
    """Nothing is added to the title (no rank number); a long one is cut to one line."""
    title = "Why are managers so often seen to be on the\n“dark side”, and who puts them there?"
    passage = text_of_length(1_000, 8)
    [long, short] = search_results([hit(passage, title), hit("Just this.", "7 habits")])[
        "attachments"
    ]
    preview = long["preview"]["content"]
    assert len(preview["title"]) <= 80 and "\n" not in preview["title"]
    assert preview["title"].endswith("…")
    assert " ".join(title.split()).startswith(preview["title"][:-1] + " ")
    assert len(preview["text"]) <= 160 and passage.startswith(preview["text"][:-1] + " ")
    assert short["preview"]["content"] == {"title": "7 habits", "text": "Just this."}
    assert shown_texts(short["content"])[0] == "7 habits"  # as the core titled it


def test_a_result_card_shows_commands_with_the_mention() -> None:
    """A chosen result is dropped into any chat, where a command needs `@Rounds`."""
    reply = Reply(kind="lookup.hit", blocks=(Note("Type `read 4` for the whole article."),))
    [entry] = search_results([(reply, "t", "x")])["attachments"]
    runs = [r for r in elements(entry["content"]) if r["type"] == "TextRun"]
    assert [r["text"] for r in runs] == ["Type ", f"{MENTION}read 4", " for the whole article."]
    assert runs[1]["fontType"] == "Monospace"


def test_search_result_with_a_huge_snippet_is_cut_at_a_word() -> None:
    snippet = text_of_length(100_000, 7)
    long, normal_hit = search_results([hit(snippet), hit("fine ")])["attachments"]
    for entry in (long, normal_hit):
        assert size(entry["content"]) < MAX_RESULT_CARD_BYTES
        assert problems(entry["content"]) == []
    title, *chunks, meta = shown_texts(long["content"])
    body = " ".join(chunks)
    assert (title, meta) == ("A title", "Someone · 1 May 2023")  # short texts are kept whole
    assert body.endswith("…") and len(body) > 10_000
    assert snippet.startswith(body[:-1] + " ")
    assert size(long["content"]) > MAX_RESULT_CARD_BYTES // 2  # cut no more than it must
    assert long["preview"]["content"]["text"].endswith("…")
    assert len(long["preview"]["content"]["text"]) <= 160
    assert shown_texts(normal_hit["content"])[1] == "fine match"


def test_search_result_with_many_blocks_still_fits() -> None:
    blocks = tuple(Note(text_of_length(400, n)) for n in range(400))
    [entry] = search_results([(Reply(kind="x", blocks=blocks), "t", "x")])["attachments"]
    assert size(entry["content"]) < MAX_RESULT_CARD_BYTES and problems(entry["content"]) == []


# size() and problems()


def test_size_is_compact_utf8() -> None:
    assert size({"a": "…", "b": [1, 2]}) == len('{"a":"…","b":[1,2]}'.encode())
    assert size("é") == 4


def good_card() -> Json:
    reply = Reply(kind="x", blocks=(Heading("H"), Paragraph.of("p")), buttons=(Button("B", "a.b"),))
    return render(reply)[0].card


BLANK: Json = {"type": "TextBlock", "text": " "}
BAD_CARD: Json = {
    "type": "Card",
    "version": "1.2",
    "body": [
        BLANK,
        {"type": "Image", "url": "x"},
        {"type": "Container", "items": []},
        {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": ""}, BLANK]},
        {"type": "ColumnSet", "columns": [{"type": "Column", "items": [BLANK]}]},
        {"type": "FactSet", "facts": [{"title": "t"}]},
        {"type": "TextRun", "text": "x"},
        {"type": "TextBlock", "text": "1. *read* as Markdown"},
        {"type": "ActionSet", "actions": []},
        {
            "type": "ActionSet",
            "actions": [{"type": "Action.OpenUrl", "title": "x", "url": "ftp://x"}],
        },
    ],
    "actions": [
        {"type": "Action.OpenUrl", "title": "x", "url": "http://x", "data": {"rounds": "a"}},
        {"type": "Action.Submit", "title": "t" * 76, "data": {"rounds": "a"}},
        {"type": "Action.Submit", "title": "ok", "data": {"value": "x"}},
        {"type": "Action.Submit", "data": "a"},
        {"type": "Action.ShowCard", "title": "Inline", "card": {}, "mode": "tertiary"},
    ],
}
BAD_CARD_PROBLEMS = [
    "type is 'Card'",
    "version is '1.2'",
    "$schema is None",
    "body[1] (TextBlock): TextBlock has no text",
    "body[2] (Image): not an element allowed here",
    "body[3] (Container): items is not a non-empty list",
    "body[4] (RichTextBlock).inlines[1] (TextRun): TextRun has no text",
    "body[4] (RichTextBlock).inlines[2] (TextBlock): not an element allowed here",
    "body[5] (ColumnSet).columns[1] (Column).items[1] (TextBlock): TextBlock has no text",
    "body[6] (FactSet): facts is not",
    "body[7] (TextRun): not an element allowed here",
    "body[8] (TextBlock): TextBlock text would be read as Markdown",
    "body[9] (ActionSet): actions is not a non-empty list",
    "body[10] (ActionSet): action 1 url is not an http or https address",
    "action 1 a link has data",
    "action 2 title is not 1 to 75",
    "action 3 data is not submit data",
    "action 4 title",
    "action 4 data",
    "action 5 is not an Action.Submit or Action.OpenUrl",
    "action 5 mode is 'tertiary'",
    f"actions: {'t' * 76!r} is over 22",
    "actions: 5 buttons side by side (max 3)",
    "actions: labels side by side are 85 characters (max 30)",
]


def test_problems_accepts_a_rendered_card_and_names_every_broken_rule() -> None:
    assert problems(good_card()) == []
    found = problems(BAD_CARD)
    assert len(found) == len(BAD_CARD_PROBLEMS)
    for expected_problem, problem in zip(BAD_CARD_PROBLEMS, found, strict=True):
        assert expected_problem in problem
    assert "body is not a non-empty list" in "\n".join(problems({**good_card(), "body": []}))
    assert problems([]) == ["the card is not a JSON object"]  # type: ignore[arg-type]


def test_problems_checks_size() -> None:
    big = {**good_card(), "body": [{"type": "TextBlock", "text": "x" * MAX_ACTIVITY_BYTES}]}
    assert any("bytes (max 40000)" in p for p in problems(big))
    assert any("not JSON" in p for p in problems({**good_card(), "extra": {1, 2}}))
    assert problems({**good_card(), "actions": "x"}) == ["actions is not a list"]


# Forms


def reflection_post() -> Reply:
    buttons = (
        Button("Contribute anonymously", actions.REFLECT_ANONYMOUS, "4"),
        Button("Next question", actions.REFLECT_NEXT, "4"),
    )
    return Reply(kind="reflection", blocks=(Paragraph.of("Q1"),), buttons=buttons)


def test_the_anonymous_button_opens_a_dialog() -> None:
    [message] = valid(reflection_post())
    opens, plain = message.card["actions"]
    assert opens["type"] == plain["type"] == "Action.Submit"
    assert opens["data"] == {
        "msteams": {"type": "task/fetch"},  # Teams sends invoke task/fetch, not a message
        "rounds": actions.REFLECT_ANONYMOUS,
        "value": "4",
    }
    assert read_submit(opens["data"]) == Submit(actions.REFLECT_ANONYMOUS, "4")
    assert "msteams" not in plain["data"]


def errors_in(card: Json) -> list[str]:
    """The texts shown bold in the Attention colour: a form's error, in words."""
    return [
        str(element_text(e))
        for e in card["body"]
        if e["type"] == "RichTextBlock"
        and all(r.get("color") == "Attention" and r.get("weight") for r in e["inlines"])
    ]


def anonymous_form(error: str = "", initial: str = "") -> Reply:
    """The core's anonymous form (`flow.anonymous_form`), as a reply."""
    data = {
        "submit": actions.ANONYMOUS_SUBMIT,
        "value": "4",
        "title": say.ANONYMOUS_FORM_TITLE,
        "label": say.ANONYMOUS_FORM_LABEL,
        "button": say.ANONYMOUS_FORM_SUBMIT,
        "initial": initial,
        "error": error,
    }
    blocks: tuple[Block, ...] = (
        Heading(say.ANONYMOUS_FORM_TITLE),
        Paragraph.of(say.ANONYMOUS_FORM_INTRO),
        *((Paragraph.of(error),) if error else ()),
        *((QuoteBlock(initial, say.ANONYMOUS_FORM_LABEL),) if initial else ()),
    )
    return Reply(kind="form", blocks=blocks, summary=error or data["title"], form=Form(**data))


def test_the_dialog_holds_the_form_in_a_valid_card_under_its_title() -> None:
    info = dialog(anonymous_form())
    assert set(info) == {"title", "height", "width", "card"}
    assert info["title"] == say.ANONYMOUS_FORM_TITLE and info["card"]["contentType"] == CARD
    card = info["card"]["content"]
    assert problems(card) == []
    texts = shown_texts(card)
    assert say.ANONYMOUS_FORM_TITLE not in texts  # the dialog shows the title itself
    assert normal(say.ANONYMOUS_FORM_INTRO) in normal(" ".join(texts))
    [box] = [e for e in card["body"] if e["type"] == "Input.Text"]
    assert box["label"] == say.ANONYMOUS_FORM_LABEL and "value" not in box
    [send] = card["actions"]
    typed = {**send["data"], "text": "what I typed"}  # Teams adds the inputs to the data
    assert read_submit(typed) == Submit(actions.ANONYMOUS_SUBMIT, "4", "what I typed")
    assert read_submit({**typed, "text": "x" * 3001}) is None


def test_a_refusal_without_a_form_brings_the_form_back_with_the_reason_and_the_text() -> None:
    sent = Action(
        Conversation("teams", "19:c", "t"), Person(""), actions.ANONYMOUS_SUBMIT, "4", "Mine"
    )
    reason = "Reflection #4 has already closed."
    card = dialog(form_again(sent, reason))["card"]["content"]
    assert problems(card) == []
    assert errors_in(card) == [reason]
    [box] = [e for e in card["body"] if e["type"] == "Input.Text"]
    assert box["value"] == "Mine"
    assert card["actions"][0]["data"] == {"rounds": actions.ANONYMOUS_SUBMIT, "value": "4"}
    said = Reply("error", (Paragraph.of("Something `went` wrong."), Note("Try again (ref x).")))
    assert dialog_text(said) == "Something went wrong.\nTry again (ref x)."


def test_problems_names_a_broken_form() -> None:
    card = json.loads(json.dumps(dialog(anonymous_form())["card"]["content"]))
    card["body"][-1].update(label="", maxLength=10, id="other")
    card["body"].append(dict(card["body"][-1]))
    card["actions"].append({"type": "Action.ShowCard", "title": "Inline", "card": {}})
    card["actions"][0]["data"]["msteams"] = {"type": "messageBack"}
    found = "\n".join(problems(card))
    for expected_problem in (
        "text box id is not 'text'",
        "text box has no label",
        "maxLength is not 3000",
        "body has more than one text box",
        "action 1 data.msteams is not a dialog's",
        "action 2 is not an Action.Submit",  # forms are in dialogs, never inline
    ):
        assert expected_problem in found


def test_a_form_reply_shows_the_error_in_words_and_keeps_the_text() -> None:
    data = {
        "submit": actions.ANONYMOUS_SUBMIT,
        "value": "4",
        "title": "Contribute anonymously",
        "label": "Your contribution",
        "button": "Post anonymously",
        "initial": "Bed 4 *was* moved",
        "error": "It looks like it contains an NHS number.",
    }
    blocks = (
        Heading("Contribute anonymously"),
        Paragraph.of("Your words are posted without your name."),
        Paragraph.of(data["error"]),
        QuoteBlock(data["initial"], data["label"]),
    )
    form = Form(**data)
    [message] = render(Reply(kind="form", blocks=blocks, summary=form.error, form=form))
    assert problems(message.card) == []
    texts = shown_texts(message.card)
    assert texts.count(data["error"]) == 1 and data["initial"] not in texts
    assert errors_in(message.card) == [data["error"]]
    [box] = [e for e in message.card["body"] if e["type"] == "Input.Text"]
    assert box["value"] == data["initial"] and box["label"] == "Your contribution"
    [send] = message.card["actions"]
    assert send["title"] == "Post anonymously"
    assert send["data"] == {"rounds": actions.ANONYMOUS_SUBMIT, "value": "4"}
