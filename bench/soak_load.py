"""The soak benchmark's load: the mix of requests (MIX) sent at RATE a second on a fixed
timetable, what each request is, how an answer is judged, and the setup it needs (the
reflections it replies in, Rounds' caches primed). Also used by worst_bench for its requests
in reflection threads."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp

from bench.slack_bench import candidates, popular
from bot import messages as m
from bot.content.loader import bundled_content_dir, load_library
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    block_actions,
    event_callback,
    message_event,
    sign,
    slack_json,
    slash_command,
    view_submission_payload,
)
from tests.fakes.teams_activities import channel_message

RATE = 60  # requests a second, Slack and Teams together
WARMUP_S = 10
MEASURE_S = 60
MIX = {  # share of the requests
    "slack lookup": 0.20,
    "slack quote": 0.10,
    "slack prompt": 0.075,
    "slack reply": 0.10,
    "slack anonymous": 0.05,
    "teams lookup": 0.20,
    "teams quote": 0.10,
    "teams prompt": 0.075,
    "teams reply": 0.10,
}
CONTRIBUTIONS = ("slack reply", "slack anonymous", "teams reply")
THREADS = 6  # reflections open on each platform; each of the Slack ones gets about 0.5
# anonymous contributions a second, under the pace of one post a second per channel
OPEN = "reflect start manager-medic closes 7d"
PRIME_QUOTES = 700  # per platform: the rendered-reply memos hold 1,024 replies each
ERROR_MARKS = (m.ERROR_TITLE, m.DATABASE_AWAY[:40])
USERS = ("U0ALICE", "U0BOB", "U0CAROL", "U0DAN")
SLACK_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


@dataclass
class Stat:
    sent: int = 0
    errors: int = 0
    times: list[float] = field(default_factory=list)


@dataclass
class Run:
    """What the load needs to know, and what it found."""

    slack_url: str
    teams_url: str
    slack: FakeSlack
    teams: FakeConnector
    # the reflections: Slack (channel, thread ts, the anonymous form), Teams (channel, root)
    slack_threads: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    teams_threads: list[tuple[str, str]] = field(default_factory=list)
    queries: Iterator[str] = field(default_factory=lambda: popular(random.Random(1)))
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    quote_topics: list[str] = field(default_factory=list)
    prompt_topics: list[str] = field(default_factory=list)
    serial: int = 0
    anonymous: int = 0
    stats: dict[str, Stat] = field(default_factory=dict)
    warmup: Stat = field(default_factory=Stat)
    whose: dict[str, str] = field(default_factory=dict)  # response path, message id -> kind
    contributed: dict[str, str] = field(default_factory=dict)  # text -> kind
    failures: list[str] = field(default_factory=list)  # the first few, to show

    def stat(self, kind: str) -> Stat:
        return self.stats.setdefault(kind, Stat())

    def fail(self, kind: str, why: str, stat: Stat | None = None) -> None:
        (stat or self.stat(kind)).errors += 1
        if len(self.failures) < 5:
            self.failures.append(f"{kind}: {why}")


Request = tuple[str, bytes, dict[str, str]]


# -- requests ---------------------------------------------------------------------------------


def slack_post(run: Run, body: bytes, headers: dict[str, str] = SLACK_FORM) -> Request:
    return f"{run.slack_url}/slack/events", body, {**headers, **sign(body)}


def slack_command(run: Run, kind: str, text: str) -> Request:
    url = run.slack.response_url()
    run.whose[urlsplit(url).path] = kind
    user = run.rng.choice(USERS)
    return slack_post(run, slash_command(text, url, user=user, user_name=user.lower()))


def teams_post(run: Run, kind: str, activity: dict[str, Any]) -> Request:
    run.whose[activity["id"]] = kind
    return f"{run.teams_url}/api/messages", json.dumps(activity).encode(), JSON


def said(run: Run, kind: str) -> str:
    """A contribution's text, different every time (and free of anything like an NHS number)."""
    run.serial += 1
    text = f"{kind} {run.serial}: we met before the ward round"
    run.contributed[text] = kind
    return text


def slack_reply(run: Run, kind: str) -> Request:
    text, user = said(run, kind), run.rng.choice(USERS)
    channel, thread, _ = run.rng.choice(run.slack_threads)
    ts = f"1700000100.{run.serial:06d}"
    event = message_event(text, user=user, channel=channel, ts=ts, thread_ts=thread)
    return slack_post(run, event_callback(event, f"EvSoak{run.serial}"), JSON)


def slack_anonymous(run: Run, kind: str) -> Request:
    run.anonymous += 1
    form = run.slack_threads[run.anonymous % len(run.slack_threads)][2]  # in turn: paced evenly
    return slack_post(run, anonymous_submission(form, said(run, kind), "U0HIDDEN"))


def anonymous_submission(form: dict[str, Any], text: str, user: str) -> bytes:
    """The body of a submission of a reflection's anonymous form (a view), saying `text`."""
    [box] = [block for block in form["blocks"] if block.get("type") == "input"]
    values = {
        box["block_id"]: {box["element"]["action_id"]: {"type": "plain_text_input", "value": text}}
    }
    payload = view_submission_payload(
        form["callback_id"], form["private_metadata"], values, user=user
    )
    return urlencode({"payload": slack_json(payload).decode()}).encode()


def teams_message(run: Run, kind: str, text: str) -> Request:
    user = run.rng.choice(USERS).replace("U0", "29:").lower()
    return teams_post(run, kind, channel_message(text, run.teams.url, user=user))


def teams_reply(run: Run, kind: str) -> Request:
    user = run.rng.choice(USERS).replace("U0", "29:").lower()
    channel, root = run.rng.choice(run.teams_threads)
    activity = channel_message(
        said(run, kind), run.teams.url, user, mention=False, reply_to_id=root, channel=channel
    )
    return teams_post(run, kind, activity)


def command_text(run: Run, verb: str) -> str:
    if verb == "lookup":
        return f"lookup {next(run.queries)}"
    topics = run.quote_topics if verb == "quote" else run.prompt_topics
    return verb if run.rng.random() < 0.5 else f"{verb} {run.rng.choice(topics)}"


def build(run: Run, kind: str) -> Request:
    platform, verb = kind.split()
    if verb == "reply":
        return slack_reply(run, kind) if platform == "slack" else teams_reply(run, kind)
    if verb == "anonymous":
        return slack_anonymous(run, kind)
    return command(run, kind, command_text(run, verb))


def command(run: Run, kind: str, text: str) -> Request:
    if kind.startswith("slack"):
        return slack_command(run, kind, text)
    return teams_message(run, kind, text)


# -- sending ----------------------------------------------------------------------------------


def problem(kind: str, status: int, body: str) -> str | None:
    """What is wrong with an answer, or None."""
    if not 200 <= status < 300:
        return f"HTTP {status} {body[:120]}"
    if any(mark in body for mark in ERROR_MARKS):
        return f"error reply {body[:120]}"
    if kind == "slack anonymous" and json.loads(body or "{}").get("response_action") != "update":
        return f"form not accepted {body[:200]}"
    return None


async def send(http: aiohttp.ClientSession, run: Run, kind: str, due: float, warm: bool) -> None:
    stat = run.warmup if warm else run.stat(kind)
    stat.sent += 1
    url, body, headers = build(run, kind)
    try:
        async with http.post(url, data=body, headers=headers) as response:
            text = (await response.read()).decode(errors="replace")
            wrong = problem(kind, response.status, text)
    except (aiohttp.ClientError, TimeoutError) as exc:
        wrong = f"{type(exc).__name__} {exc}"
    if wrong is not None:
        run.fail(kind, wrong, stat)
    elif not warm:
        stat.times.append(time.perf_counter() - due)


async def drive(http: aiohttp.ClientSession, run: Run, start_at: float) -> None:
    """Every request on its timetable, however long the earlier ones take."""
    total, warm = RATE * (WARMUP_S + MEASURE_S), RATE * WARMUP_S
    kinds = random.Random(7).choices(list(MIX), list(MIX.values()), k=total)
    tasks = []
    for i, kind in enumerate(kinds):
        due = start_at + i / RATE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(send(http, run, kind, due, i < warm)))
    await asyncio.gather(*tasks)


# -- setup ------------------------------------------------------------------------------------


async def post(http: aiohttp.ClientSession, request: Request) -> str:
    """A request of the setup, which must go right."""
    url, body, headers = request
    async with http.post(url, data=body, headers=headers) as response:
        text = await response.text()
        wrong = problem("setup", response.status, text)
        if wrong is not None:
            raise RuntimeError(f"setup: {wrong}")
        return text


def anonymous_button(opening: dict[str, Any]) -> tuple[str, str]:
    for block in opening.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element["text"]["text"] == m.BUTTON_ANONYMOUS:
                return str(element["action_id"]), str(element.get("value", ""))
    raise RuntimeError("setup: the Slack opening has no Contribute anonymously button")


async def open_slack(http: aiohttp.ClientSession, run: Run, channel: str) -> None:
    """A reflection in a Slack channel; its thread, and the anonymous form its button opens."""
    start = slash_command(OPEN, run.slack.response_url(), channel=channel)
    answer = await post(http, slack_post(run, start))
    if "is open and closes" not in answer:
        raise RuntimeError(f"setup: reflect start in Slack said {answer[:300]}")
    thread = run.slack.history[channel][-1]["ts"]
    action_id, value = anonymous_button(run.slack.history[channel][-1])
    url = run.slack.response_url()
    press = block_actions(
        action_id, value, url, channel=channel, ephemeral=False, message_ts=thread
    )
    await post(http, slack_post(run, press))
    opened = await run.slack.wait_for("views.open", len(run.slack_threads) + 1)
    run.slack_threads.append((channel, thread, opened[-1].params["view"]))


async def open_teams(http: aiohttp.ClientSession, run: Run, channel: str) -> None:
    activity = channel_message(OPEN, run.teams.url, channel=channel)
    await post(http, teams_post(run, "setup", activity))
    created = [s for s in run.teams.sent_to("create_conversation") if s.conversation_id == channel]
    if not created:
        raise RuntimeError("setup: reflect start in Teams posted no opening")
    run.teams_threads.append((channel, str(created[-1].response["activityId"])))


async def open_reflections(http: aiohttp.ClientSession, run: Run) -> None:
    for n in range(THREADS):
        await open_slack(http, run, f"C0SOAK{n}")
        await open_teams(http, run, f"19:soak{n}@thread.tacv2")


async def prime(http: aiohttp.ClientSession, run: Run) -> None:
    """Fill Rounds' bounded caches before the clock starts: every search of the mix once on
    each platform (answers, and their rendered replies), then PRIME_QUOTES quotes on each
    (the rest of the rendered-reply memos). What grows after this is not a cache filling."""
    gate = asyncio.Semaphore(8)

    async def ask(kind: str, text: str) -> None:
        async with gate:
            await post(http, command(run, kind, text))

    queries = candidates(random.Random(1))  # the pool `popular(random.Random(1))` draws on
    texts = [f"lookup {q}" for q in queries]
    texts += [command_text(run, "quote") for _ in range(PRIME_QUOTES)]
    await asyncio.gather(*(ask(f"{p} prime", t) for t in texts for p in ("slack", "teams")))


def topics(run: Run) -> None:
    library = load_library([bundled_content_dir()]).library
    run.quote_topics = sorted(s for s in library.topics if library.quotes_for_topic(s))
    run.prompt_topics = sorted(s for s in library.topics if library.prompts_for_topic(s))
