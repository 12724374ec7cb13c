"""Home over real HTTP: Slack's App Home tab (`app_home_opened` → `views.publish` for that
person, the chart uploaded as a PNG and shown by an image block) and Teams' `home` in the 1:1
chat (an Adaptive Card holding a native Chart.VerticalBar with a text fallback). The store is
seeded before Rounds starts: a thread the person facilitates, with three named people."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.teams.check import problems
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.store import Store
from bot.store.reflections import NewReflection
from tests.fakes.connector import FakeConnector, Sent
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import FORM, JSON, TEAM_ID, event_callback, slash_command
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    TENANT_ID,
    USER_ID,
    aad_object_id,
    channel_message,
    personal_conversation_id,
    personal_message,
)
from tests.slack_harness import Rounds, slack_settings
from tests.slack_harness import running as slack_running
from tests.teams_harness import card_elements
from tests.teams_harness import running as teams_running

FRAN = "U0FRAN"


async def seed(db: Path, platform: str, workspace: str, facilitator: str, people: int) -> None:
    """A thread `facilitator` runs, with one named reply from each of `people` people."""
    store = await Store.open(f"sqlite:///{db}")
    closes = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    new = NewReflection(
        f"{platform}:{workspace}:C1", platform, "C1", workspace, "manager-medic",
        "what-so-what-now-what", facilitator, False, closes, None, None,
    )  # fmt: skip
    found = await store.reflections.open(new)
    await store.reflections.set_thread(found.id, "1700000000.000100")
    for n in range(people):
        author = f"{platform}:{workspace}:U{n}"
        await store.reflections.contribute(found.id, 0, f"Reply {n}", author, f"P{n}", f"m{n}")
    await store.close()


def home_opened(user: str, tab: str = "home") -> bytes:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab}
    return event_callback({**event, "event_ts": "1700000001.000100"}, f"EvHome{tab}{user}")


@asynccontextmanager
async def slack_seeded(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path, people: int
) -> AsyncIterator[Rounds]:
    """Rounds on the fake Slack, FRAN facilitating a thread with `people` named people."""
    db = tmp_path / "r.db"
    await seed(db, "slack", TEAM_ID, f"slack:{TEAM_ID}:{FRAN}", people)
    async with slack_running(library, index, slack_settings(fake, db), fake) as rounds:
        yield rounds


async def opened(rounds: Rounds) -> dict[str, Any]:
    """FRAN opens the Home tab: the view published for them."""
    await rounds.send(home_opened(FRAN), JSON)
    [published] = await rounds.fake.wait_for("views.publish")
    assert published.params["user_id"] == FRAN
    return rounds.fake.homes[FRAN]


async def test_slack_app_home_opened_publishes_the_home_view_with_the_chart(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    async with slack_seeded(library, index, fake, tmp_path, people=3) as rounds:
        await rounds.send(home_opened(FRAN, tab="messages"), JSON)  # not the Home tab: nothing
        view = await opened(rounds)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    header = {"type": "header", "text": {"type": "plain_text", "text": "Your Rounds"}}
    assert view["blocks"][0] == header
    [image] = [b for b in view["blocks"] if b["type"] == "image"]
    upload = fake.uploads[image["slack_file"]["id"]]
    assert upload.content is not None and upload.content.startswith(b"\x89PNG")
    assert upload.channel == ""  # uploaded, shared nowhere: shown only in the Home tab
    assert "#1 Q1: 3" in image["alt_text"]
    assert "3 contributions from 3 people" in json.dumps(view)


async def test_slack_home_shows_text_bars_when_the_upload_fails(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    async with slack_seeded(library, index, fake, tmp_path, people=3) as rounds:
        fake.fail("files.getUploadURLExternal", 400)
        blocks = (await opened(rounds))["blocks"]
    assert not [b for b in blocks if b["type"] == "image"]
    assert "#1 Q1  " in json.dumps(blocks, ensure_ascii=False)  # the numbers, as text bars


async def test_slack_home_without_enough_people_has_no_chart(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    async with slack_seeded(library, index, fake, tmp_path, people=2) as rounds:
        text = json.dumps(await opened(rounds))
    assert "Fewer than three people" in text and '"image"' not in text
    assert fake.calls_to("files.getUploadURLExternal") == []


async def test_slack_rounds_home_answers_privately_with_text_bars(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    async with slack_seeded(library, index, fake, tmp_path, people=3) as rounds:
        body = slash_command("home", fake.response_url(), user=FRAN, user_name="fran")
        answer = await rounds.send(body, FORM)
    assert answer["response_type"] == "ephemeral"
    text = json.dumps(answer, ensure_ascii=False)
    assert "Your Rounds" in text and "#1 Q1  " in text and "3 contributions from 3 people" in text


def teams_key() -> str:
    return f"teams:{TENANT_ID}:{aad_object_id(USER_ID)}"


def chart_of(activity: dict[str, Any]) -> dict[str, Any]:
    [card] = [a["content"] for a in activity["attachments"]]
    assert problems(card) == []
    [chart] = [e for e in card_elements(card) if e.get("type") == "Chart.VerticalBar"]
    return chart


async def teams_answer(
    library: Library, index: LookupIndex, connector: FakeConnector, db: Path, text: str, where: Any
) -> list[Sent]:
    """What Rounds on the fake Bot Connector sends when the person (facilitating a thread
    with three named people) types `text` in the conversation `where` makes."""
    await seed(db, "teams", TENANT_ID, teams_key(), people=3)
    async with teams_running(library, index, db, connector) as teams:
        return await teams.send(where(text, connector.url))


async def test_teams_home_in_the_personal_chat_is_a_card_with_a_chart_and_a_fallback(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    sent = await teams_answer(
        library, index, connector, tmp_path / "t.db", "home", personal_message
    )
    [reply] = sent
    chart = chart_of(reply.activity)
    assert chart["data"][0] == {"x": "#1 Q1", "y": 3}
    fallback = json.dumps(chart["fallback"], ensure_ascii=False)
    assert chart["fallback"]["type"] == "Container" and "#1 Q1" in fallback and "3" in fallback


async def test_teams_home_asked_in_a_channel_goes_to_the_personal_chat(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    sent = await teams_answer(library, index, connector, tmp_path / "t.db", "home", channel_message)
    homes = [s for s in sent if s.activity.get("attachments")]
    assert [s.conversation_id for s in homes] == [personal_conversation_id(USER_ID)]
    assert not homes[0].conversation_id.startswith(CHANNEL_ID)
    chart_of(homes[0].activity)
