"""Trust boundaries, over real HTTP: nothing acts without the platform's proof, and a button
or form acts only where it was shown.

- A Slack-only deployment has no Teams endpoint; emulator mode is loopback only.
- Teams: only `msteams` activities, from the allowed tenants, naming a Bot Connector host.
- Slack: only requests from the bot token's own workspace.
- A reflection's buttons and forms act only from the reflection's own channel.
- Connector clients and remembered conversations are bounded; /metrics can have its own port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from botframework.connector.auth import ClaimsIdentity

from adapters.slack.render import FORM_BLOCK, FORM_INPUT
from adapters.teams.connectors import CLIENTS_KEPT, ReusingAuthentication, TeamsConfig
from adapters.teams.gate import SERVICE_HOSTS, Gate, is_loopback, matches
from bot import actions
from bot import messages as m
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.store import Store
from bot.store.reflections import OPEN
from rounds.cli import parser
from rounds.server import ANY_TENANT, TEAMS_OFF, Options, Server
from rounds.settings import Settings, SettingsError, from_env
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    FORM,
    JSON,
    TEAM_ID,
    block_actions_payload,
    event_callback,
    interactive,
    message_event,
    slash_command,
    view_submission_payload,
)
from tests.fakes.teams_activities import (
    TENANT_ID,
    card_submit,
    channel_message,
    personal_message,
    task_fetch,
    task_submit,
)
from tests.slack_harness import Rounds, running, slack_settings, words
from tests.teams_harness import Teams
from tests.teams_harness import running as teams_running
from tests.test_slack_reflect import settle
from tests.test_slack_reflect import start as slack_start
from tests.test_teams_reflect import ANON, ask, box_of, errors_of, in_thread, submit
from tests.test_teams_reflect import start as teams_start

OTHER_CHANNEL = "19:0ther0ther0ther0ther0ther0ther@thread.tacv2"
OTHER_TENANT = "00000000-0000-0000-0000-0000000bad00"
APP_ID = "00000000-0000-0000-0000-000000000b07"


def store_of(server: Server) -> Store:
    return server.bot.ctx.store


async def table_counts(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with store.engine.connect() as conn:
        for table in ("contributions", "conversation_refs", "reflections", "schedules"):
            counts[table] = (
                await conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}")
            ).scalar_one()
    return counts


async def post_json(
    http: aiohttp.ClientSession, url: str, body: dict[str, Any], **headers: str
) -> int:
    async with http.post(url, json=body, headers=headers) as answer:
        await answer.read()
        return answer.status


# -- Teams is on only when configured -----------------------------------------------------------


async def test_a_slack_only_deployment_answers_404_at_the_teams_endpoint_and_touches_nothing(
    slack: Rounds,
) -> None:
    """The attack from the review: a bare POST, no token, a loopback serviceUrl, posting an
    anonymous contribution into a Slack reflection and running forget-me as its facilitator."""
    reflection, _opening = await slack_start(slack)
    store = store_of(slack.server)
    before = await table_counts(store)
    posts = len(slack.fake.calls_to("chat.postMessage"))
    assert TEAMS_OFF in slack.server.status and slack.server.teams is None
    local = f"{slack.server.url}/"  # any loopback service URL
    attacks = [
        card_submit(submit(str(reflection.id), "posted by nobody"), local),
        card_submit({"rounds": actions.REFLECT_CLOSE, "value": str(reflection.id)}, local),
        personal_message("forget-me", local, user="U0ALICE"),
    ]
    attacks[2]["from"]["aadObjectId"] = "U0ALICE"
    for attack in attacks:
        assert await post_json(slack.http, f"{slack.server.url}/api/messages", attack) == 404
    assert await table_counts(store) == before
    found = await store.reflections.get(reflection.id)
    assert found is not None and found.state == OPEN and found.facilitator == reflection.facilitator
    assert len(slack.fake.calls_to("chat.postMessage")) == posts


def serve_once(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`rounds serve` expected to stop at once (it would otherwise run until killed)."""
    environment = {
        **os.environ,
        "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "",
        "MicrosoftAppId": "",
        **env,
    }
    command = [sys.executable, "-m", "rounds.cli", "serve", "--port", "0", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)


def test_emulator_mode_refuses_to_start_on_a_public_address(tmp_path: Path) -> None:
    done = serve_once(tmp_path, "--host", "0.0.0.0", ROUNDS_TEAMS_EMULATOR="true")
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and "loopback" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "listening" not in done.stdout


def test_emulator_mode_with_an_app_id_is_refused_at_start(tmp_path: Path) -> None:
    done = serve_once(tmp_path, ROUNDS_TEAMS_EMULATOR="true", MicrosoftAppId=APP_ID)
    assert done.returncode == 2 and "ROUNDS_TEAMS_EMULATOR" in done.stderr, done


def test_serve_listens_on_this_machine_unless_told_otherwise() -> None:
    assert parser().parse_args(["serve"]).host == "127.0.0.1"
    assert Options().host == "127.0.0.1"


async def test_emulator_mode_on_loopback_answers(teams: Teams) -> None:
    [reply] = await teams.send(channel_message("help", teams.fake.url))
    assert reply.method == "reply_to_activity"


# -- Teams: channel, tenant, service URL --------------------------------------------------------


async def test_activities_from_another_channel_service_are_refused(teams: Teams) -> None:
    store = store_of(teams.server)
    for channel_id in ("webchat", "slack", "directline", None):
        activity = channel_message("help", teams.fake.url)
        activity["channelId"] = channel_id
        assert (await teams.post(activity)).status == 403, channel_id
    emulator = channel_message("help", teams.fake.url)
    emulator["channelId"] = "emulator"  # the Bot Framework Emulator's own, in emulator mode
    assert (await teams.post(emulator)).status in (200, 201)
    assert len(teams.fake.sent) == 1
    assert len(await store.references("teams")) == 1


def foreign(activity: dict[str, Any]) -> dict[str, Any]:
    activity["conversation"]["tenantId"] = OTHER_TENANT
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT
    return activity


async def test_a_tenant_not_on_the_list_gets_nothing(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    tenants = {"teams_tenants": frozenset({TENANT_ID})}
    async with teams_running(library, index, tmp_path / "t.db", connector, **tenants) as teams:
        store = store_of(teams.server)
        for activity in (
            channel_message("reflect start manager-medic", connector.url),
            personal_message("forget-me", connector.url),
            channel_message("quote", connector.url),
        ):
            assert (await teams.post(foreign(activity))).status == 403
        assert connector.sent == []
        assert await table_counts(store) == dict.fromkeys(await table_counts(store), 0)
        [answer] = await teams.send(channel_message("help", connector.url))  # our own tenant
        assert answer.method == "reply_to_activity"


@pytest.mark.parametrize(
    ("service_url", "status"),
    [
        ("https://attacker.example/", 403),
        ("https://smba.trafficmanager.net.attacker.example/", 403),
        ("http://smba.trafficmanager.net/emea/", 403),  # not https
        ("https://127.0.0.1:9/", 403),  # loopback is not a Bot Connector with an app id
        ("https://smba.trafficmanager.net/emea/", 401),  # passes the gate; the token fails
        ("https://europe.webchat.botframework.com/", 401),
    ],
)
async def test_with_an_app_id_the_service_url_must_be_a_bot_connector(
    library: Library,
    index: LookupIndex,
    connector: FakeConnector,
    tmp_path: Path,
    service_url: str,
    status: int,
) -> None:
    ids = {"microsoft_app_id": APP_ID, "teams_tenants": frozenset({TENANT_ID})}
    async with teams_running(library, index, tmp_path / "t.db", connector, **ids) as teams:
        activity = channel_message("help", service_url)
        response = await teams.post(activity, Authorization="Bearer not-a-real-token")
        assert response.status == status
        assert ANY_TENANT not in teams.server.status
        assert await table_counts(store_of(teams.server)) == dict.fromkeys(
            ("contributions", "conversation_refs", "reflections", "schedules"), 0
        )


async def test_a_multitenant_bot_with_no_tenant_list_is_warned_about(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    async with teams_running(
        library, index, tmp_path / "t.db", connector, microsoft_app_id=APP_ID
    ) as teams:
        assert ANY_TENANT in teams.server.status
        # the emulator's channel is not accepted once tokens are checked
        activity = channel_message("help", "https://smba.trafficmanager.net/emea/")
        activity["channelId"] = "emulator"
        assert (await teams.post(activity)).status == 403


# -- buttons and forms act only where they were shown -------------------------------------------


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"channel": OTHER_CHANNEL},  # a channel where the reflection is not
        {"personal": True},  # someone's 1:1 chat with Rounds
    ],
)
async def test_a_teams_dialog_replayed_from_another_conversation_posts_nothing(
    teams: Teams, elsewhere: dict[str, Any]
) -> None:
    reflection, _opening = await teams_start(teams)
    root, form = str(reflection.thread), submit(str(reflection.id), "words for a private thread")
    before, chats = len(teams.fake.sent), dict(teams.fake.chats)  # the facilitator's 1:1
    answer = await ask(teams, task_submit(form, teams.fake.url, root, ANON, **elsewhere))
    assert answer.status == 200 and answer.sent == []  # refused in the dialog
    assert m.REFLECT_NOT_FOUND.format(id=reflection.id) in "".join(errors_of(answer.form))
    assert box_of(answer.form)["value"] == "words for a private thread"
    store = store_of(teams.server)
    assert await contribution_rows(store) == 0  # not even a pending row
    assert in_thread(teams.fake.sent[before:], root) == [] and teams.fake.chats == chats
    pressed = {**submit(str(reflection.id), ""), "rounds": actions.REFLECT_ANONYMOUS}
    opened = await ask(teams, task_fetch(pressed, teams.fake.url, root, ANON, **elsewhere))
    assert m.REFLECT_NOT_FOUND.format(id=reflection.id) in opened.message  # no form to fill
    # the same form from the reflection's own thread is posted
    await ask(
        teams, task_submit(submit(str(reflection.id), "words for here"), teams.fake.url, root)
    )
    [stored] = await store.reflections.contributions(reflection.id)
    assert stored.text == "words for here"


async def test_an_older_cards_inline_form_from_another_channel_posts_nothing(
    teams: Teams,
) -> None:
    """The inline form of a card posted before the dialog is bound to its channel too."""
    reflection, _opening = await teams_start(teams)
    form = submit(str(reflection.id), "words for a private thread")
    chats = dict(teams.fake.chats)  # the facilitator's 1:1, with their controls
    sent = await teams.post(card_submit(form, teams.fake.url, channel=OTHER_CHANNEL, user=ANON))
    assert sent.status in (200, 201) and teams.fake.chats == chats
    assert await contribution_rows(store_of(teams.server)) == 0


async def contribution_rows(store: Store) -> int:
    async with store.engine.connect() as conn:
        rows = await conn.exec_driver_sql("SELECT COUNT(*) FROM contributions")
        return int(rows.scalar_one())


async def test_a_teams_close_pressed_in_another_channel_does_nothing(teams: Teams) -> None:
    """Close names its thread by an id the client chooses: away from the thread, only its
    facilitator (their 1:1 chat) or an admin may use it; anyone else changes nothing."""
    reflection, _opening = await teams_start(teams)
    close = {"rounds": actions.REFLECT_CLOSE, "value": str(reflection.id)}
    forged = card_submit(
        close, teams.fake.url, channel=OTHER_CHANNEL, user="29:eve", user_name="Eve"
    )
    await teams.post(forged)
    found = await store_of(teams.server).reflections.get(reflection.id)
    assert found is not None and found.state == OPEN


async def test_a_slack_button_from_another_channel_does_nothing(slack: Rounds) -> None:
    """A Close forged in another channel by someone who does not run the thread: told there
    is no such reflection, nothing changed."""
    reflection, _opening = await slack_start(slack)
    action_id, value = f"{actions.REFLECT_CLOSE}:1", str(reflection.id)
    payload = block_actions_payload(
        action_id,
        value,
        slack.fake.response_url(),
        user="U0EVE",
        user_name="eve",
        channel="C0OTHER",
        ephemeral=False,
    )
    assert await slack.send(interactive(payload)) == {}
    await settle(slack)
    found = await store_of(slack.server).reflections.get(reflection.id)
    assert found is not None and found.state == OPEN
    [answer] = [c.params for c in slack.fake.calls_to("response_url")]
    assert m.REFLECT_NOT_FOUND.format(id=reflection.id) in words(answer)


async def test_a_slack_form_naming_another_channel_stores_nothing(slack: Rounds) -> None:
    reflection, _opening = await slack_start(slack)
    metadata = json.dumps({"channel": "C0OTHER", "team": TEAM_ID, "value": str(reflection.id)})
    values = {FORM_BLOCK: {FORM_INPUT: {"type": "plain_text_input", "value": "not here"}}}
    payload = view_submission_payload(actions.ANONYMOUS_SUBMIT, metadata, values)
    await slack.send(interactive(payload))
    await settle(slack)
    assert await store_of(slack.server).reflections.contributions(reflection.id) == []


# -- Slack: one workspace -----------------------------------------------------------------------


async def test_a_request_from_another_slack_workspace_is_refused(slack: Rounds) -> None:
    reflection, _opening = await slack_start(slack)
    store = store_of(slack.server)
    before = await table_counts(store)
    calls = len(slack.fake.calls)
    command = slash_command(
        "reflect close", slack.fake.response_url(), user="U0ALICE", team="T0OTHER"
    )
    assert (await slack.post(command, FORM)).status == 403
    reply = message_event("from elsewhere", ts="1700000100.000001", thread_ts=reflection.thread)
    assert (await slack.post(event_callback(reply, "EvOther", team="T0OTHER"), JSON)).status == 403
    await settle(slack)
    assert await table_counts(store) == before
    found = await store.reflections.get(reflection.id)
    assert found is not None and found.state == OPEN
    assert [c.method for c in slack.fake.calls[calls:]] == []


# -- bounded ------------------------------------------------------------------------------------


async def test_connector_clients_are_bounded() -> None:
    auth = ReusingAuthentication(TeamsConfig(APP_TYPE="MultiTenant"))
    try:
        factory = auth.create_connector_factory(ClaimsIdentity({}, True))
        first = await factory.create("http://127.0.0.1:1/", None)
        for port in range(2, CLIENTS_KEPT * 3):
            await factory.create(f"http://127.0.0.1:{port}/", None)
        assert len(auth.clients) == CLIENTS_KEPT
        again = await factory.create("http://127.0.0.1:1/", None)
        assert again is not first  # the oldest was forgotten, and is made again
        recent = f"http://127.0.0.1:{CLIENTS_KEPT * 3 - 1}/"
        assert await factory.create(recent, None) is await factory.create(recent, None)
    finally:
        await auth.close()


async def test_remembered_conversations_are_bounded(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = teams.server.teams
    assert adapter is not None
    monkeypatch.setattr("adapters.teams.adapter.SAVED_KEEP", 3)
    for n in range(6):
        await teams.send(channel_message("help", teams.fake.url, channel=f"19:c{n}@thread.tacv2"))
    assert len(adapter.saved) == 3
    assert len(await store_of(teams.server).references("teams")) == 6  # all are kept in the store


# -- metrics on a port of their own -------------------------------------------------------------


async def test_metrics_can_move_to_their_own_port(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = replace(slack_settings(fake, tmp_path / "r.db"), metrics_port=0)
    async with running(library, index, settings, fake, scheduler=False) as rounds:
        runner = rounds.server.metrics_runner
        assert runner is not None
        port = runner.addresses[0][1]
        async with rounds.http.get(f"{rounds.server.url}/metrics") as answer:
            assert answer.status == 404
        async with rounds.http.get(f"http://127.0.0.1:{port}/metrics") as answer:
            assert answer.status == 200 and "rounds_" in await answer.text()
        async with rounds.http.get(f"http://127.0.0.1:{port}/readyz") as answer:
            assert answer.status == 404  # only the metrics there
        async with rounds.http.get(f"{rounds.server.url}/readyz") as answer:
            assert answer.status == 200


# -- settings and the gate's pure decisions -----------------------------------------------------


def test_teams_settings_are_read_and_checked() -> None:
    assert not from_env({}).teams and from_env({"MicrosoftAppId": APP_ID}).teams
    emulated = from_env({"ROUNDS_TEAMS_EMULATOR": "true"})
    assert emulated.teams and emulated.emulated
    tenant = from_env({"MicrosoftAppTenantId": TENANT_ID.upper()})
    assert tenant.teams_tenants == {TENANT_ID}  # the bot's own tenant by default
    listed = from_env({"ROUNDS_TEAMS_TENANTS": f" {OTHER_TENANT}, {TENANT_ID} ,"})
    assert listed.teams_tenants == {OTHER_TENANT, TENANT_ID}
    hosts = from_env({"ROUNDS_TEAMS_SERVICE_HOSTS": "smba.example.net, *.gov.example"})
    assert hosts.teams_service_hosts == ("smba.example.net", "*.gov.example")
    assert from_env({"ROUNDS_METRICS_PORT": "9100"}).metrics_port == 9100
    assert Settings().metrics_port is None and not Settings().emulated


@pytest.mark.parametrize(
    "env",
    [
        {"ROUNDS_TEAMS_EMULATOR": "maybe"},
        {"ROUNDS_TEAMS_EMULATOR": "true", "MicrosoftAppId": APP_ID},
        {"ROUNDS_TEAMS_SERVICE_HOSTS": "https://smba.example.net/"},
        {"ROUNDS_METRICS_PORT": "70000"},
        {"ROUNDS_METRICS_PORT": "metrics"},
    ],
)
def test_bad_teams_settings_name_the_setting(env: dict[str, str]) -> None:
    name = next(k for k in env if k.startswith("ROUNDS_"))
    with pytest.raises(SettingsError, match=name):
        from_env(env)


@pytest.mark.parametrize(
    ("host", "pattern", "expected"),
    [
        ("smba.trafficmanager.net", "smba.trafficmanager.net", True),
        ("x.smba.trafficmanager.net", "smba.trafficmanager.net", False),
        ("europe.webchat.botframework.com", "*.botframework.com", True),
        ("botframework.com", "*.botframework.com", False),
        ("evilbotframework.com", "*.botframework.com", False),
    ],
)
def test_service_host_patterns(host: str, pattern: str, expected: bool) -> None:
    assert matches(host, pattern) is expected


def test_the_gate_reads_hostile_bodies_without_failing() -> None:
    gate = Gate(tenants=frozenset({TENANT_ID}), service_hosts=SERVICE_HOSTS)
    for body in (
        {},
        {"channelId": "msteams", "serviceUrl": 7},
        {"channelId": "msteams", "serviceUrl": "https://[::1"},
        {
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/",
            "conversation": 1,
        },
        {"channelId": ["msteams"]},
    ):
        assert gate.refusal(body) is not None
    assert is_loopback("localhost") and is_loopback("::1") and not is_loopback("0.0.0.0")
