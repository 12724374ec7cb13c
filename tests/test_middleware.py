"""The error boundary: any exception becomes a polite reply and one log line."""

from __future__ import annotations

import logging

import pytest

from bot.core import error_boundary
from bot.events import Command, Conversation, Event, Person
from bot.replies import Reply
from tests.conftest import text_of

EVENT = Command(Conversation("console", "general"), Person("U1"), "quote secret words")


async def failing(event: Event) -> list[Reply]:
    raise RuntimeError("database exploded: password=hunter2")


async def test_exception_becomes_polite_reply(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="rounds.bot"):
        [reply] = await error_boundary(EVENT, failing)
    assert reply.kind == "error"
    text = text_of(reply)
    assert "Sorry" in text and "Traceback" not in text and "hunter2" not in text
    [record] = caplog.records
    ref = record.getMessage().split("ref=")[1].split()[0]
    assert ref in text
    assert "command=quote" in record.getMessage()
    assert "secret words" not in record.getMessage()


async def test_success_passes_through() -> None:
    async def ok(event: Event) -> list[Reply]:
        return [Reply(kind="x", blocks=())]

    assert (await error_boundary(EVENT, ok))[0].kind == "x"
