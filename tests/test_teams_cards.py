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
from adapters.teams.check import problems
from adapters.teams.fit import MAX_ACTIVITY_BYTES, MAX_RESULT_CARD_BYTES, size
from bot import actions
from bot import messages as say
from bot.content.model import Library
from bot.events import Action, Conversation, Person
from bot.replies import (
    Block,
    Button,
    Form,
    Heading,
    Item,
    Note,
    Paragraph,
    QuoteBlock,
    Reply,
    Span,
    rich_text,
)
from tests.conftest import COMMAND_LINES, TestBot, button

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
    return messages


def assert_buttons(reply: Reply, card: Json) -> None:
    pressed = card.get("actions", [])
    assert [a["title"] for a in pressed] == [b.label for b in reply.buttons]
    assert {a["type"] for a in pressed} <= {"Action.Submit"}
    sent = [{k: v for k, v in a["data"].items() if k != "msteams"} for a in pressed]
    assert sent == [submit_data(b) for b in reply.buttons]
    dialogs = [a["data"].get("msteams") for a in pressed]  # only the anonymous form's
    opens = [b.action == actions.REFLECT_ANONYMOUS for b in reply.buttons]
    assert dialogs == [{"type": "task/fetch"} if o else None for o in opens]
    assert [read_submit(d) for d in sent] == [Submit(b.action, b.value) for b in reply.buttons]


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def elements(card: Json) -> list[Json]:
    """Every element of the card, depth first, in reading order."""
    out: list[Json] = []

    def walk(items: list[Json]) -> None:
        for element in items:
            out.append(element)
            walk(element.get("items", []) + element.get("inlines", []))

    walk(card["body"])
    return out


def shown_texts(card: Json) -> list[str]:
    """What a reader sees: TextBlocks unescaped, each RichTextBlock's runs joined."""
    texts: list[str] = []
    for element in elements(card):
        if element["type"] == "TextBlock":
            texts.append(unescape(element["text"]))
        elif element["type"] == "RichTextBlock":
            texts.append("".join(run["text"] for run in element["inlines"]))
    return texts


def normal(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def shown(messages: list[TeamsMessage]) -> str:
    return normal(" ".join(t for m in messages for t in shown_texts(m.card)))


def expected(block: Block) -> list[str]:
    match block:
        case Heading(text=text) | Note(text=text):
            return [text]
        case Paragraph(rich=rich):
            return [rich_text(rich)]
        case QuoteBlock(text=text, attribution=attribution):
            return [f"“{text}”", f"— {attribution}"]
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
        assert of_type(messages, "TextBlock")[0]["size"] == "Large"


async def test_quote_is_an_emphasis_container_with_its_attribution(testbot: TestBot) -> None:
    reply = await testbot.send("quote winter")
    [quote] = [b for b in reply.blocks if isinstance(b, QuoteBlock)]
    [message] = valid(reply)
    [box] = message.card["body"]
    assert box["type"] == "Container" and box["style"] == "emphasis"
    said, credit = box["items"]
    assert unescape(said["text"]) == f"“{quote.text}”" and said["wrap"] is True
    assert unescape(credit["text"]) == f"— {quote.attribution}"
    assert credit["isSubtle"] is True and credit["size"] == "Small" and credit["wrap"] is True
    assert message.text == reply.summary
    assert [a["title"] for a in message.card["actions"]] == [
        "Another",
        "Share in channel",
        "Discuss",
    ]


async def test_quote_buttons_press_and_render(testbot: TestBot) -> None:
    first = await testbot.send("quote manager-medic")
    for label in ("Another", "Share in channel", "Discuss"):
        [pressed] = [a for a in valid(first)[0].card["actions"] if a["title"] == label]
        assert read_submit(pressed["data"]) == Submit(
            button(first, label).action,
            button(first, label).value,
        )
        await testbot.press(button(first, label), user="bob")
        assert len(testbot.last) == (2 if label == "Discuss" else 1)
        for reply in testbot.last:
            assert_shows(reply, valid(reply))
        if label != "Another":
            assert "bob" in shown([m for r in testbot.last for m in render(r)])
    discuss = testbot.last[1]
    assert normal(say.DISCUSS_INVITE.format(name="bob")) in shown(render(discuss))


async def test_lookup_more_results_and_share(testbot: TestBot) -> None:
    reply = await testbot.send("lookup leadership")
    seen = {b.title for b in reply.blocks if isinstance(b, Item)}
    for _ in range(3):
        [more] = [a for a in valid(reply)[-1].card["actions"] if a["title"] == "More results"]
        assert read_submit(more["data"]) == Submit(
            actions.MORE_RESULTS,
            button(reply, "More results").value,
        )
        reply = await testbot.press(button(reply, "More results"))
        messages = valid(reply)
        assert_shows(reply, messages)
        titles = {b.title for b in reply.blocks if isinstance(b, Item)}
        assert titles and not titles & seen
        assert all(normal(title) in shown(messages) for title in titles)
        seen |= titles
    shared = await testbot.press(button(reply, "Share in channel"), user="bob")
    assert_shows(shared, valid(shared))
    assert say.SHARED_BY.format(name="bob") in shown(render(shared))


async def test_lookup_results_have_bold_matches_and_escaped_numbers(testbot: TestBot) -> None:
    reply = await testbot.send("lookup triumverate")
    messages = valid(reply)
    assert "triumvirate" in shown(messages) and "triumverate" in shown(messages)
    bold = [r["text"] for r in of_type(messages, "TextRun") if r.get("weight") == "Bolder"]
    assert bold and all(text.lower().startswith("triumvirate") for text in bold)
    items = [b for b in reply.blocks if isinstance(b, Item)]
    boxes = [e for e in messages[0].card["body"] if e["type"] == "Container"]
    assert len(boxes) == len(items) >= 1
    for box, item in zip(boxes, items, strict=True):
        title, meta, body = box["items"]
        assert title["text"].startswith(item.title.split(".")[0] + "\\.")  # not a numbered list
        assert unescape(title["text"]) == item.title and title["weight"] == "Bolder"
        assert unescape(meta["text"]) == item.meta and meta["isSubtle"] is True
        assert "".join(r["text"] for r in body["inlines"]) == rich_text(item.body)


async def test_command_names_in_backticks_show_as_plain_words(testbot: TestBot) -> None:
    reply = await testbot.send("xyzzy")
    [message] = valid(reply)
    notes = [unescape(t["text"]) for t in of_type([message], "TextBlock")]
    assert say.TRY_HELP.replace("`", "") in notes
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
    assert [unescape(box["items"][0]["text"]) for box in boxes] == [i.title for i in items]
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
            if element.get("style") == "heading":
                title = unescape(element["text"]).replace("Section", "Item")
                assert unescape(after["items"][0]["text"]) == title


def test_long_heading_note_and_word_stay_valid() -> None:
    heading, note, word = text_of_length(9_000, 4), text_of_length(50_000, 5), "x" * 12_000
    reply = Reply(kind="x", blocks=(Heading(heading), Note(note), Paragraph.of(f"a {word} b")))
    messages = valid(reply)
    texts = [unescape(t["text"]) for t in of_type(messages, "TextBlock")]
    headings = [t for t in of_type(messages, "TextBlock") if t.get("size") == "Large"]
    assert len(headings) >= 2 and all(h["weight"] == "Bolder" for h in headings)
    assert " ".join(texts).split() == [*heading.split(), *note.split()]
    runs = "".join(r["text"] for r in of_type(messages, "TextRun"))
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


def test_markdown_in_content_is_escaped_in_text_blocks() -> None:
    blocks = (
        Heading("# Not a heading"),
        Note("*a* _b_ [c](http://d) \\e <f> &amp; R&D"),
        Item("1. First", "- meta", (Span("*raw* _run_"),)),
        QuoteBlock("> q", "x"),
        Note("line\n> quoted\n+ plus\n  2) two\n= under"),
    )
    messages = valid(Reply(kind="x", blocks=blocks))
    assert [t["text"] for t in of_type(messages, "TextBlock")] == [
        "\\# Not a heading",
        "\\*a\\* \\_b\\_ \\[c\\](http://d) \\\\e \\<f> \\&amp; R&D",
        "1\\. First",
        "\\- meta",
        "“> q”",
        "— x",
        "line\n\n\\> quoted\n\n\\+ plus\n\n2\\) two\n\n\\= under",
    ]
    assert [r["text"] for r in of_type(messages, "TextRun")] == ["*raw* _run_"]  # not Markdown
    assert_shows(Reply(kind="x", blocks=blocks[:4]), messages)


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


# Message-extension results


def hit(snippet: str) -> tuple[Reply, str, str]:
    item = Item("1. A title", "Someone · 1 May 2023", (Span(snippet), Span("match", bold=True)))
    reply = Reply(
        kind="lookup", blocks=(item,), buttons=(Button("Share", actions.SHARE_RESULTS, "0:x"),)
    )
    return reply, "A title", snippet


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
        "1. A title",
        "Someone · 1 May 2023",
        "short snippet match",
    ]
    assert shown_texts(second["content"])[-1] == "another one match"
    assert search_results([]) == {"type": "result", "attachmentLayout": "list", "attachments": []}


def test_search_result_with_a_huge_snippet_is_cut_at_a_word() -> None:
    snippet = text_of_length(100_000, 7)
    long, normal_hit = search_results([hit(snippet), hit("fine ")])["attachments"]
    for entry in (long, normal_hit):
        assert size(entry["content"]) < MAX_RESULT_CARD_BYTES
        assert problems(entry["content"]) == []
    title, meta, *chunks = shown_texts(long["content"])
    body = " ".join(chunks)
    assert (title, meta) == ("1. A title", "Someone · 1 May 2023")  # short texts are kept whole
    assert body.endswith("…") and len(body) > 10_000
    assert snippet.startswith(body[:-1] + " ")
    assert size(long["content"]) > MAX_RESULT_CARD_BYTES // 2  # cut no more than it must
    assert long["preview"]["content"]["text"].endswith("…")
    assert len(long["preview"]["content"]["text"]) <= 1000
    assert shown_texts(normal_hit["content"])[-1] == "fine match"


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
    ],
    "actions": [
        {"type": "Action.OpenUrl", "title": "x", "url": "http://x"},
        {"type": "Action.Submit", "title": "t" * 76, "data": {"rounds": "a"}},
        {"type": "Action.Submit", "title": "ok", "data": {"value": "x"}},
        {"type": "Action.Submit", "data": "a"},
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
    "action 1 is not an Action.Submit",
    "action 2 title is not 1 to 75",
    "action 3 data is not submit data",
    "action 4 title",
    "action 4 data",
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
    [error] = [e for e in card["body"] if e.get("color") == "Attention"]
    assert unescape(error["text"]) == reason
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
    [error] = [e for e in message.card["body"] if e.get("color") == "Attention"]
    assert unescape(error["text"]) == data["error"]
    [box] = [e for e in message.card["body"] if e["type"] == "Input.Text"]
    assert box["value"] == data["initial"] and box["label"] == "Your contribution"
    [send] = message.card["actions"]
    assert send["title"] == "Post anonymously"
    assert send["data"] == {"rounds": actions.ANONYMOUS_SUBMIT, "value": "4"}
