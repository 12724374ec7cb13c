"""The console side of the outbound port: scheduled posts are printed where you chat."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TextIO

from adapters.console.render import render
from bot.events import Conversation, Person
from bot.outbox import Delivered, File, Outbox
from bot.replies import Reply

DIRECT = "[sent privately to {person}]"


class ConsoleOutbox(Outbox):
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[Reply], None]] = []  # the chat learns new buttons
        self.numbered: Callable[[], int] = lambda: 1  # the chat's next button number

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        threaded = conversation.thread is not None
        self.out.write(render(reply, conversation.channel, threaded, self.numbered()) + "\n\n")
        self.out.flush()
        for listener in self.listeners:
            listener(reply)
        return f"console-{next(self._ids)}"

    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        await self.post(conversation, reply)

    async def send_direct(
        self, conversation: Conversation, person: Person, reply: Reply, file: File | None = None
    ) -> Delivered:
        """Printed where you chat: nothing is left anywhere to delete later."""
        said = render(reply, conversation.channel, first=self.numbered())
        lines = [DIRECT.format(person=person.display), said]
        if file is not None:
            lines += [f"--- {file.name} ---", file.text.rstrip(), "---"]
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        return Delivered()
