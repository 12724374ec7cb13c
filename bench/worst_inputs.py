"""worst_bench's inputs: for each endpoint and command, the costliest request within Rounds'
limits (`bot/limits.py`; MAX_BODY; MAX_DEPTH and MAX_VALUES in `adapters/nesting.py`), and a
few over them that must be refused cheaply. CASES names each and how to make a fresh copy
(distinct each time, so no cache answers it)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters import nesting
from adapters.nesting import MAX_DEPTH, MAX_VALUES
from bench.slack_bench import library_words
from bench.soak_load import Run, anonymous_submission
from bot import limits
from rounds.server import MAX_BODY
from tests.fakes.slack_requests import (
    app_mention,
    event_callback,
    message_event,
    sign,
    slack_json,
    slash_command,
)
from tests.fakes.teams_activities import channel_message, compose_query

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
SLACK, TEAMS = "/slack/events", "/api/messages"
LETTERS = "abcdefghijklmnopqrstuvwxyz"

Request = tuple[str, bytes, dict[str, str]]  # path, body, headers


# -- inputs -----------------------------------------------------------------------------------


def fill(words: list[str], chars: int, prefix: str = "") -> str:
    """`prefix` then words, separated by spaces, up to `chars` characters in all."""
    text, i = prefix, 0
    while len(text) + len(words[i % len(words)]) + 1 <= chars:
        text += (" " if text else "") + words[i % len(words)]
        i += 1
    return text


def typos(word: str, rng: random.Random, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        word = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
    return word


def near_words(rng: random.Random, length: int, count: int) -> list[str]:
    """Words two letters off library words of `length` letters (longer library words cut,
    shorter ones run together), so each takes the slow, two-edit correction."""
    pool = library_words()
    found: list[str] = []
    while len(found) < count:
        word = ""
        while len(word) < length:
            word += rng.choice(pool)
        found.append(typos(word[:length], rng, 2))
    return found


def densest_length() -> int:
    """The length with the most library words: the two-edit scan's longest window."""
    lengths = [len(w) for w in library_words()]
    return max(set(lengths), key=lambda n: sum(abs(m - n) <= 2 for m in lengths))


def lookup_text(rng: random.Random, length: int) -> str:
    words = near_words(rng, length, limits.COMMAND_CHARS // (length + 1))
    return fill(words, limits.COMMAND_CHARS, "lookup")


def hostile_prose(rng: random.Random, chars: int) -> str:
    """Text for the guardrail and the summary: library words, with capitalised words and
    digit groups among them (what names and NHS numbers look like, without being either)."""
    words = [rng.choice(library_words()) for _ in range(chars // 4)]
    words[::5] = [word.capitalize() for word in words[::5]]
    words[3::7] = [str(rng.randrange(100, 999)) for _ in words[3::7]]
    return fill(words, chars)


def prose(rng: random.Random, chars: int) -> str:
    return fill([rng.choice(library_words()) for _ in range(chars // 4)], chars)


def fullest(doc: dict[str, Any], key: str, size: int) -> bytes:
    """`doc` with `key` holding the most structure the limits let through: MAX_DEPTH-deep
    arrays, as many as MAX_VALUES allows, then a string to make the body `size` bytes."""
    chain = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    count = MAX_VALUES // (MAX_DEPTH - 1)
    while True:
        text = slack_json({**doc, key: "MARK"}).decode()
        pad = "x" * (size - len(text) - count * (len(chain) + 1) - 8)
        text = text.replace('"MARK"', "[" + ",".join([chain] * count) + f',"{pad}"]')
        if nesting.refusal(text) is None:
            return text.encode()
        count -= 1


@dataclass
class Bench:
    run: Run
    rounds_url: str
    rounds_pid: int
    bare: dict[str, tuple[str, int]]  # platform path -> (url, pid) of the bare library
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    serial: int = 0
    health_cpu_ms: float = 0.0  # the server's CPU for one GET /healthz

    def next(self) -> int:
        self.serial += 1
        return self.serial


def slack_form(body: bytes) -> Request:
    return SLACK, body, {**FORM, **sign(body)}


def slack_event(body: bytes) -> Request:
    return SLACK, body, {**JSON, **sign(body)}


def teams(activity: dict[str, Any]) -> Request:
    return TEAMS, json.dumps(activity).encode(), JSON


def slash(b: Bench, text: str) -> Request:
    user = f"U0W{b.next():06d}"
    return slack_form(slash_command(text, b.run.slack.response_url(), user=user, user_name=user))


def teams_said(b: Bench, text: str, mention: bool = True) -> Request:
    user = f"29:w{b.next():06d}"
    return teams(channel_message(text, b.run.teams.url, user=user, mention=mention))


def slack_reply(b: Bench, text: str) -> Request:
    channel, thread, _form = b.run.slack_threads[0]
    n = b.next()
    event = message_event(
        text, user=f"U0R{n % 50:04d}", channel=channel, ts=f"1700000200.{n:06d}", thread_ts=thread
    )
    return slack_event(event_callback(event, f"EvWorst{n}"))


def slack_anonymous(b: Bench, text: str) -> Request:
    _channel, _thread, form = b.run.slack_threads[0]
    return slack_form(anonymous_submission(form, text, f"U0A{b.next():05d}"))


def teams_reply(b: Bench, text: str) -> Request:
    channel, root = b.run.teams_threads[0]
    user = f"29:r{b.next() % 50:04d}"
    activity = channel_message(
        text, b.run.teams.url, user, mention=False, reply_to_id=root, channel=channel
    )
    return teams(activity)


def mention_markup(b: Bench) -> Request:
    """A mention whose text is the most markup the adapter cleans: user mentions, channel
    links and URLs with labels, `&amp;` entities."""
    pieces = [
        "<@U0BOT>",
        "<@U0ALICE|alice>",
        "<#C0GENERAL|general>",
        "<https://example.nhs.uk/a?b=c|link>",
        "&amp;&lt;&gt;",
    ]
    text = fill([*pieces, str(b.next())], limits.RAW_CHARS, "<@U0BOT> lookup")
    return slack_event(event_callback(app_mention(text), f"EvMention{b.next()}"))


def at_tags(b: Bench) -> Request:
    tags = fill([f"<at>Rounds{b.next()}</at>", "<at>Rounds</at>"], limits.RAW_CHARS, "lookup")
    return teams_said(b, tags, mention=False)


Maker = Callable[[Bench], Request]
CASES: dict[str, Maker] = {}


def case(name: str) -> Callable[[Maker], Maker]:
    def register(make: Maker) -> Maker:
        CASES[name] = make
        return make

    return register


@case("slack lookup, 40-letter near-words")
def _(b: Bench) -> Request:
    return slash(b, lookup_text(b.rng, limits.LONGEST_CORRECTED))


@case("slack lookup, densest-length near-words")
def _(b: Bench) -> Request:
    return slash(b, lookup_text(b.rng, densest_length()))


@case("slack quote, 4,000 chars")
def _(b: Bench) -> Request:
    return slash(b, fill(near_words(b.rng, densest_length(), 500), limits.COMMAND_CHARS, "quote"))


@case("slack unknown command, 4,000 chars")
def _(b: Bench) -> Request:
    return slash(b, fill(near_words(b.rng, 12, 400), limits.COMMAND_CHARS))


@case("slack mention, 16,000 chars of markup")
def _(b: Bench) -> Request:
    return mention_markup(b)


@case("slack thread reply, 3,000 chars")
def _(b: Bench) -> Request:
    return slack_reply(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("slack anonymous form, 3,000 chars")
def _(b: Bench) -> Request:
    return slack_anonymous(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("slack JSON at the limits, 1 MiB")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    return slack_event(fullest(event, "deep", MAX_BODY - 1024))


@case("slack JSON 65 deep (refused)")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    return slack_event(slack_json({**event, "deep": "MARK"}).replace(b'"MARK"', deep.encode()))


@case("slack JSON of a million values (refused)")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    return slack_event(slack_json({**event, "many": [b.next() % 10] * 330_000}))


@case("teams lookup, densest-length near-words")
def _(b: Bench) -> Request:
    return teams_said(b, lookup_text(b.rng, densest_length()))


@case("teams message, 16,000 chars of <at>")
def _(b: Bench) -> Request:
    return at_tags(b)


@case("teams search, 4,000 chars")
def _(b: Bench) -> Request:
    query = fill(near_words(b.rng, densest_length(), 500), limits.COMMAND_CHARS)
    return teams(compose_query(query, b.run.teams.url, user=f"29:s{b.next()}"))


@case("teams thread reply, 3,000 chars")
def _(b: Bench) -> Request:
    return teams_reply(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("teams JSON at the limits in value, 1 MiB")
def _(b: Bench) -> Request:
    activity = channel_message("help", b.run.teams.url, user=f"29:d{b.next()}")
    return TEAMS, fullest(activity, "value", MAX_BODY - 1024), JSON


@case("teams value of a million values (refused)")
def _(b: Bench) -> Request:
    activity = channel_message("help", b.run.teams.url, user=f"29:d{b.next()}")
    return teams({**activity, "value": [b.next() % 10] * 330_000})
