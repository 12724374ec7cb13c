"""The console side of the outbound port: scheduled posts are printed where you chat."""

from __future__ import annotations

import itertools
from typing import TextIO

from adapters.console.render import render
from bot.events import Conversation, Person
from bot.outbox import Outbox
from bot.replies import Reply


class ConsoleOutbox(Outbox):
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._ids = itertools.count(1)

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        self.out.write(render(reply, conversation.channel) + "\n\n")
        self.out.flush()
        return f"console-{next(self._ids)}"

    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        await self.post(conversation, reply)
