"""Every sentence Rounds says, rendered with sample values and read for slips: doubled
punctuation ("?." ".."), a sentence that starts in lower case, a range of one ("1–1 of 1")
and "1 passages". The templates are in `bot/messages/`, the help in `bot/commands.py`."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator

import pytest

from bot import messages as m
from bot.commands import SPECS
from bot.content.loader import bundled_content_dir, load_library
from bot.handlers.info import help_reply
from bot.reflect.opening import question_text
from bot.replies import Heading, Item, Paragraph, Reply
from tests.conftest import text_of

MODEL_TITLES = ("Gibbs' reflective cycle", "What? So what? Now what?")
# words from outside Rounds' own code (the library, people): with and without their own stop
OUTSIDE = ("winter pressures", "Winter pressures.", "What? So what? Now what?")
CODE_MADE = ("Winter pressures",)  # lists, dates and reasons Rounds puts together itself
SAMPLES: dict[str, tuple[object, ...]] = {
    "name": ("Alice Smith", "you", "root"),  # a console user is often lower case
    "model": MODEL_TITLES,
    "title": OUTSIDE,
    "question": OUTSIDE,
    "typed": OUTSIDE,
    "used": OUTSIDE,
    "query": OUTSIDE,
    "words": OUTSIDE,
    "label": ("What?", "Q1", "Description"),
    "stored": (m.REFLECT_STORED_NAMED, m.REFLECT_STORED_ANONYMOUS),
    "what": tuple(m.IDENTIFIER_NAMES.values()),
    "days": (m.plural(1, "day"), m.plural(30, "day")),
    "minutes": (m.plural(1, "minute"), m.plural(15, "minute")),
    "passages": (m.plural(1, "passage"), m.plural(3, "passage")),
    "position": ("Q1 of 5", "of 5"),
}
NUMBER_FIELDS = {
    "count", "total", "first", "last", "number", "id", "seconds",
    "length", "limit", "read", "of", "contributions", "people",
}  # fmt: skip
# a number that is never 1 there: counts are shown only for three or more people
NEVER_ONE = {"SUMMARY_COUNTS"}
# [0] is said of several, [1] of one
PLURAL_PAIRS = {"RATE_LIMITED", "SUMMARY_COUNTS_ANONYMOUS"}
# not sentences: words shown inside others (a label, a list item, a credit line)
FRAGMENTS = {
    "ATTRIBUTION", "SPEAKER_ROLE", "REPORTED_BY", "AUTHOR_NOT_NAMED", "PUBLISHER_NOT_NAMED",
    "TOPICS_META", "TOPIC_ITEM", "ARTICLES_ITEM", "ARTICLES_ITEM_META", "ARTICLE_KINDS",
    "SCHEDULE_ALL_TOPICS", "IDENTIFIER_NAMES", "REFLECT_LAST_QUESTION", "REFLECT_POSITION_OF",
    "CONSOLE_BUSY",  # printed after "rounds: ", as the command line's errors are
    "ACTION_OWNER_YOURS", "ACTION_OWNER_NAMED", "ACTION_OWNER_ANONYMOUS",  # in ACTION_META
    "TRANSCRIPT_DONE", "TRANSCRIPT_OPEN",  # an action's status in the transcript
}  # fmt: skip
# filled only by a helper, which chooses among them: read as the helper renders them
PASSAGE_COUNTS = {"LOOKUP_COUNT", "LOOKUP_COUNT_ONE", "LOOKUP_COUNT_ALL"}
PAGES = ((1, 1, 1), (1, 3, 3), (1, 5, 14), (6, 10, 14), (11, 14, 14), (14, 14, 14))
# a template whose field names mean something else there
OVERRIDES: dict[tuple[str, str], tuple[object, ...]] = {
    ("SCHEDULE_NOT_A_PROMPT_DAY", "days"): ("Mondays", "Mondays and Thursdays"),
}


def fields(template: str) -> list[str]:
    return sorted({f for _, f, _, _ in string.Formatter().parse(template) if f})


def samples(name: str, field: str) -> tuple[object, ...]:
    if (name, field) in OVERRIDES:
        return OVERRIDES[name, field]
    if field in NUMBER_FIELDS:
        return (14,) if name in NEVER_ONE else (1, 14)
    return SAMPLES.get(field, CODE_MADE)


def renderings(name: str, template: str) -> Iterator[str]:
    names = fields(template)
    for values in itertools.product(*(samples(name, f) for f in names)):
        yield template.format(**dict(zip(names, values, strict=True)))


def templates() -> Iterator[tuple[str, str]]:
    for name, value in vars(m).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, tuple):
            yield from ((f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, str))
        elif isinstance(value, dict):
            yield from ((f"{name}[{k}]", v) for k, v in value.items() if isinstance(v, str))


def rendered_messages() -> Iterator[tuple[str, str]]:
    for name, template in templates():
        if name.split("[")[0] in PLURAL_PAIRS:
            several = name.endswith("[0]")
            for text in renderings(name, template):
                if several == (" 1 " not in f" {text} "):
                    yield name, text
            continue
        if name in PASSAGE_COUNTS:
            yield from ((name, m.passage_count(*page)) for page in PAGES)
        elif name.split("[")[0] not in FRAGMENTS:
            yield from ((name, text) for text in renderings(name, template))


def prose(reply: Reply) -> Iterator[str]:
    """A help reply's sentences: a heading and an item's title and example are commands."""
    for block in reply.blocks:
        if isinstance(block, Item):
            yield text_of(Reply(kind="help", blocks=(Paragraph(block.body),)))
        elif not isinstance(block, Heading):
            yield text_of(Reply(kind="help", blocks=(block,)))


def rendered_help() -> Iterator[tuple[str, str]]:
    yield from (("help", text) for text in prose(help_reply(SPECS, "")))
    for spec in SPECS:
        yield from ((f"help {spec.name}", text) for text in prose(help_reply(SPECS, spec.name)))
        menu = spec.menu
        for line in (menu.channel, menu.group, menu.direct) if menu else ():
            if line:
                yield f"{spec.name} menu", line


QUOTED = re.compile(r"“[^”]*”|`[^`]*`|\"[^\"]*\"")
DOUBLED = re.compile(r"[.?!:;,][.?!:;,]")
SENTENCE_START = re.compile(r"(?:^|[.?!]\s+)([a-z])", re.MULTILINE)
RANGE = re.compile(r"\b(\d+)–(\d+) of (\d+)\b")
ONE_PLURAL = re.compile(r"\b1 (?:[a-z]+ )?(passages|articles|prompts|quotes|minutes|days)\b")


def slips(text: str, menu: bool = False) -> list[str]:
    """What reads wrong: quoted words and code are the person's or the library's own, so they
    are read as one word."""
    plain = QUOTED.sub("“x”", text)
    found = [f"doubled {d!r}" for d in DOUBLED.findall(plain)]
    if not menu:  # a menu line ends with an example command, typed as is: "help lookup"
        found += [f"sentence starts {c!r}" for c in SENTENCE_START.findall(plain)]
    found += [f"range {'–'.join(r[:2])}" for r in RANGE.findall(plain) if r[0] == r[1]]
    found += [f"one {w}" for w in ONE_PLURAL.findall(plain)]
    return found


def test_the_scanner_finds_the_slips_people_reported() -> None:
    assert slips("That was the last question of What? So what? Now what?.") == ["doubled '?.'"]
    assert slips("you would like to discuss this.") == ["sentence starts 'y'"]
    assert slips("1–1 of 1 passages") == ["range 1–1", "one passages"]
    assert slips("Type `read 2`. “that one”. 1–3 of 14 passages, 1 passage.") == []


def test_every_message_template_reads_cleanly() -> None:
    found = [
        f"{name}: {text!r}: {slips(text)}" for name, text in rendered_messages() if slips(text)
    ]
    assert found == []


def test_the_help_reads_cleanly() -> None:
    found = [
        f"{name}: {text!r}: {slips(text, menu)}"
        for name, text in rendered_help()
        if slips(text, menu := name.endswith(" menu"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("first", "last", "total", "expected"),
    [
        (1, 1, 1, "1 passage"),
        (1, 3, 3, "3 passages"),
        (1, 3, 14, "1–3 of 14 passages"),
        (14, 14, 14, "14 of 14 passages"),
        (13, 14, 14, "13–14 of 14 passages"),
    ],
)
def test_the_count_of_passages_never_shows_a_range_of_one(
    first: int, last: int, total: int, expected: str
) -> None:
    assert m.passage_count(first, last, total) == expected


@pytest.mark.parametrize("text", ["Now what?", "Done.", "Wait!", "And then…"])
def test_a_sentence_keeps_its_own_closing_punctuation(text: str) -> None:
    assert m.sentence(text) == text


def test_a_sentence_without_closing_punctuation_gets_a_full_stop() -> None:
    assert m.sentence("Gibbs' reflective cycle") == "Gibbs' reflective cycle."


def test_no_question_repeats_its_number() -> None:
    library = load_library([bundled_content_dir()]).library
    texts = [
        question_text(model, i)
        for model in library.models.values()
        for i in range(len(model.steps))
    ]
    assert texts and not [t for t in texts if re.search(r"\b(Q\d+) \(\1\b", t)]
    tweet = [t for t in texts if t.startswith("Q1 ")]
    assert tweet and all(t.startswith("Q1 (of ") for t in tweet), tweet
