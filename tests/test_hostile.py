"""Hostile input at both endpoints, sent over real HTTP: bodies over the limit, wrong
content types, broken JSON, forms with fields missing, enormous and strange text, valid
signatures on unexpected payloads, unknown activity types. None may crash the server or get
a 5xx; each gets a 4xx or a polite answer, and nothing is stored from a rejected request."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from adapters.nesting import MAX_DEPTH, MAX_VALUES, TOO_DEEP, TOO_MANY
from bot import messages as m
from bot.store import Store
from bot.store.schema import metadata
from rounds.server import MAX_BODY
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_requests import (
    FORM,
    JSON,
    SIGNING_SECRET,
    TEAM_ID,
    app_mention,
    block_actions_payload,
    event_callback,
    post_signed,
    slack_json,
    slash_command,
)
from tests.fakes.teams_activities import channel_message
from tests.slack_harness import Rounds, buttons
from tests.teams_harness import Teams
from tests.test_nesting import depth

STRANGE = "\u202equote\u200d \u200f😀\x00 \ufeffwinter\u2060"  # RTL, joiners, emoji, NUL


async def rows(store: Store) -> dict[str, int]:
    """How many rows each table holds."""
    counted = {}
    async with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            counted[table.name] = int((await conn.execute(query)).scalar_one())
    return counted


async def raw(
    rounds: Rounds, body: bytes, content_type: str, signed: bool = True
) -> tuple[int, str]:
    secret = SIGNING_SECRET if signed else None
    return await post_signed(rounds.http, rounds.server.url, body, content_type, secret=secret)


# Slack


async def test_a_body_over_the_limit_gets_413_and_nothing_is_read_further(
    slack: Rounds,
) -> None:
    before = await rows(slack.server.bot.ctx.store)
    body = slash_command("lookup " + "x" * MAX_BODY, slack.fake.response_url())
    status, _text = await raw(slack, body, FORM)
    assert status == 413
    assert await rows(slack.server.bot.ctx.store) == before


REJECTED_SLACK: dict[str, tuple[bytes, str]] = {
    "truncated JSON": (b'{"type": "event_callback", "event": {"type": "app_men', JSON),
    "not JSON at all": (b"\x00\x01 garbage", JSON),
    "JSON that is a list": (b"[1, 2, 3]", JSON),
    "an unknown payload type": (
        json.dumps({"type": "something_new", "team_id": TEAM_ID}).encode(),
        JSON,
    ),
    "an event of an unknown type": (
        json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM_ID,
                "event_id": "EvOdd",
                "event": {"type": "tokens_revoked_maybe"},
            }
        ).encode(),
        JSON,
    ),
    "a form with no fields": (b"", FORM),
    "a form naming no command": (urlencode({"text": "quote"}).encode(), FORM),
    "an interactive payload that is not JSON": (urlencode({"payload": "{nope"}).encode(), FORM),
    "an interactive payload of an unknown type": (
        urlencode({"payload": json.dumps({"type": "odd", "team": {"id": TEAM_ID}})}).encode(),
        FORM,
    ),
    "plain text": (b"command=/rounds&text=quote", "text/plain"),
    # bolt reads any body starting with `{` as JSON, and a form's last `payload` field
    "a form that is broken JSON": (b"{nope", FORM),
    "a form with a bare payload field": (b"command=/rounds&payload", FORM),
    "a form whose last payload is not JSON": (
        urlencode([("payload", '{"type":"block_actions"}'), ("payload", "[")]).encode(),
        FORM,
    ),
}


@pytest.mark.parametrize("kind", sorted(REJECTED_SLACK))
async def test_malformed_slack_requests_get_4xx_or_nothing_and_store_nothing(
    slack: Rounds, kind: str
) -> None:
    store = slack.server.bot.ctx.store
    before = await rows(store)
    body, content_type = REJECTED_SLACK[kind]
    status, _text = await raw(slack, body, content_type)
    assert status < 500, (kind, status)
    assert await rows(store) == before, kind
    # and the server still answers
    answer = await slack.send(slash_command("help", slack.fake.response_url()))
    assert "Rounds" in json.dumps(answer)


@pytest.mark.parametrize("signed", [False, True])
async def test_garbage_is_refused_before_the_signature_matters(slack: Rounds, signed: bool) -> None:
    status, _text = await raw(slack, b"\x00" * 100, "application/octet-stream", signed)
    assert 400 <= status < 500


@pytest.mark.parametrize(
    "text",
    [
        STRANGE,
        "lookup " + "triumvirate " * 20_000,  # about 240 KB, under the body limit
        "quote " + "\U0001f600" * 5_000,
        "\x00\x00\x00",
        "reflect start " + "\u202e" * 1000,
    ],
)
async def test_strange_and_enormous_command_text_gets_a_polite_answer(
    slack: Rounds, text: str
) -> None:
    answer = await slack.send(slash_command(text, slack.fake.response_url()))
    said = json.dumps(answer)
    assert answer.get("response_type") == "ephemeral" or answer.get("text"), said
    assert "Traceback" not in said and "Sorry, something went wrong" not in said


# Teams


async def post_teams(teams: Teams, body: bytes, content_type: str = JSON) -> int:
    async with teams.http.post(
        teams.url, data=body, headers={"Content-Type": content_type}
    ) as answer:
        await answer.read()
        return answer.status


def activity(connector: FakeConnector, **changes: Any) -> dict[str, Any]:
    base = channel_message("help", connector.url)
    base.update(changes)
    return base


async def test_a_teams_body_over_the_limit_gets_413(teams: Teams) -> None:
    before = await rows(teams.server.bot.ctx.store)
    huge = activity(teams.fake, text="x" * MAX_BODY)
    assert await post_teams(teams, json.dumps(huge).encode()) == 413
    assert await rows(teams.server.bot.ctx.store) == before


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"type": "message", "text": "he', JSON, 400),
        (b"[]", JSON, 400),
        (b'{"type": 7}', JSON, 400),
        (b"type=message", FORM, 415),
        (b"\xff\xfe\x00", JSON, 400),
    ],
)
async def test_malformed_teams_requests_get_4xx_and_store_nothing(
    teams: Teams, body: bytes, content_type: str, expected: int
) -> None:
    before = await rows(teams.server.bot.ctx.store)
    assert await post_teams(teams, body, content_type) == expected
    assert await rows(teams.server.bot.ctx.store) == before


@pytest.mark.parametrize(
    "kind", ["somethingNew", "typing", "event", "endOfConversation", "installationUpdate"]
)
async def test_unknown_teams_activity_types_are_acknowledged_and_change_nothing(
    teams: Teams, kind: str
) -> None:
    before = await rows(teams.server.bot.ctx.store)
    sent_before = len(teams.fake.sent)
    response = await teams.post(activity(teams.fake, type=kind))
    assert response.status < 500
    assert await rows(teams.server.bot.ctx.store) == before
    assert len(teams.fake.sent) == sent_before


@pytest.mark.parametrize("text", [STRANGE, "lookup " + "manager " * 20_000, "\x00", "\u202e" * 500])
async def test_strange_and_enormous_teams_text_gets_a_polite_answer(
    teams: Teams, text: str
) -> None:
    sent = await teams.send(activity(teams.fake, text=f"<at>Rounds</at> {text}"))
    said = json.dumps([s.activity for s in sent])
    assert sent and "Traceback" not in said and "Sorry, something went wrong" not in said


@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_a_slack_body_that_is_not_utf8_gets_4xx(slack: Rounds, content_type: str) -> None:
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": "1700000000"}
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    body = b"\xff\xfe{}"
    async with slack.http.post(slack.events_url, data=body, headers=headers) as answer:
        assert 400 <= answer.status < 500


# Nesting: bolt and botbuilder parse bodies themselves, and Python's json raises
# RecursionError (a 500) past about a thousand levels. MAX_DEPTH is refused before.


def deepened(doc: dict[str, Any], levels: int) -> str:
    """`doc` with one more field, arrays nested so that the whole text nests `levels` deep
    (compact and with `/` escaped, as Slack writes JSON)."""
    marker = "DEEP-MARKER"
    text = slack_json({**doc, "deep": marker}).decode()
    text = text.replace(f'"{marker}"', "[" * (levels - 1) + "]" * (levels - 1))
    assert levels > 500 or depth(json.loads(text)) == levels  # deeper: json gives up
    return text


async def test_deep_json_is_refused_with_400_and_nothing_is_touched(slack: Rounds) -> None:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), event_id="EvDeep"))
    body = deepened(event, MAX_DEPTH + 1).encode()
    before = await rows(slack.server.bot.ctx.store)
    assert await raw(slack, body, JSON) == (400, json.dumps({"error": TOO_DEEP}))
    assert await rows(slack.server.bot.ctx.store) == before  # the event id was not claimed
    abyss = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"  # json itself would give up
    assert (await raw(slack, abyss, JSON))[0] == 400
    assert (await raw(slack, abyss, FORM))[0] == 400  # bolt reads `{…` as JSON whatever
    assert slack.fake.calls == []
    # the same event nested to the limit is answered
    body = deepened(event, MAX_DEPTH).encode()
    assert (await raw(slack, body, JSON))[0] == 200
    [answer] = await slack.fake.wait_for("chat.postEphemeral")
    assert "lookup" in json.dumps(answer.params)


@pytest.mark.parametrize("levels", [MAX_DEPTH, MAX_DEPTH + 1])
async def test_a_button_payload_nested_past_the_limit_gets_400(slack: Rounds, levels: int) -> None:
    quote = await slack.send(slash_command("quote winter", slack.fake.response_url()))
    action_id, value = buttons(quote)[m.BUTTON_ANOTHER]
    url = slack.fake.response_url()
    payload = deepened(block_actions_payload(action_id, value, url), levels)
    called = len(slack.fake.calls)
    status, text = await raw(slack, urlencode({"payload": payload}).encode(), FORM)
    if levels > MAX_DEPTH:
        assert (status, json.loads(text)) == (400, {"error": TOO_DEEP})
        await asyncio.sleep(0.2)
        assert slack.fake.calls[called:] == []
    else:
        assert status == 200
        [another] = await slack.fake.wait_for("response_url")
        assert another.params["replace_original"] is True and another.params["blocks"]


@pytest.mark.parametrize("levels", [MAX_DEPTH, MAX_DEPTH + 1, 100_000])
async def test_a_teams_activity_nested_past_the_limit_gets_400(teams: Teams, levels: int) -> None:
    before = await rows(teams.server.bot.ctx.store)
    body = deepened(activity(teams.fake), levels).encode()
    status = await post_teams(teams, body)
    if levels > MAX_DEPTH:
        assert status == 400
        assert teams.fake.sent == [] and await rows(teams.server.bot.ctx.store) == before
    else:
        assert status in (200, 201)
        await teams.fake.wait_for(1)
        assert "lookup" in json.dumps(teams.fake.sent[0].activity)


async def test_a_teams_body_in_another_charset_gets_415(teams: Teams) -> None:
    body = json.dumps(activity(teams.fake)).encode()
    assert await post_teams(teams, body, "application/json; charset=bogus") == 415
    assert await post_teams(teams, body, "application/json; charset=UTF-8") in (200, 201)


async def test_a_teams_activity_of_a_million_values_is_refused_at_once(teams: Teams) -> None:
    """botbuilder turns each value of `value` into objects one by one: a megabyte of numbers
    took it 1.6 s of CPU before anyone checked a token."""
    before = await rows(teams.server.bot.ctx.store)
    body = json.dumps(activity(teams.fake, value=[0] * 300_000)).encode()
    began = time.perf_counter()
    async with teams.http.post(teams.url, data=body, headers={"Content-Type": JSON}) as answer:
        assert (answer.status, await answer.json()) == (400, {"error": TOO_MANY})
    assert time.perf_counter() - began < 0.5
    assert teams.fake.sent == [] and await rows(teams.server.bot.ctx.store) == before
    small = activity(teams.fake, value=[0] * (MAX_VALUES // 2))
    assert await post_teams(teams, json.dumps(small).encode()) in (200, 201)


async def test_a_slack_body_of_too_many_values_gets_400(slack: Rounds) -> None:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), event_id="EvMany"))
    body = slack_json({**event, "many": [0] * MAX_VALUES})
    assert await raw(slack, body, JSON) == (400, json.dumps({"error": TOO_MANY}))
    payload = urlencode({"payload": json.dumps({"type": "block_actions", "x": [[]] * MAX_VALUES})})
    assert await raw(slack, payload.encode(), FORM) == (400, json.dumps({"error": TOO_MANY}))
