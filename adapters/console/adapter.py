"""The console adapter: chat with the bot in a terminal or through a pipe."""

from __future__ import annotations

import asyncio
from typing import TextIO

from adapters.console.render import render, to_event
from bot.core import Bot
from bot.events import Conversation, Person
from bot.replies import Button

PROMPT = "you> "


class ConsoleAdapter:
    def __init__(self, bot: Bot, user: str, channel: str, out: TextIO) -> None:
        self.bot = bot
        self.person = Person(id=user, name=user)
        self.conversation = Conversation(platform="console", channel=channel, workspace="local")
        self.out = out
        self.buttons: list[Button] = []

    async def handle_line(self, line: str) -> None:
        event = to_event(line, self.person, self.conversation, self.buttons)
        if event is None:
            return
        for reply in await self.bot.handle(event):
            self.out.write(render(reply, self.conversation.channel) + "\n\n")
            if reply.buttons:
                self.buttons = list(reply.buttons)
        self.out.flush()

    async def run(self, stdin: TextIO, interactive: bool) -> None:
        """Read lines until end of input. Piped input is echoed so output reads as a
        transcript."""
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, _read, stdin, interactive)
            if line is None:
                return
            if not interactive and line.strip():
                self.out.write(f"{PROMPT}{line.strip()}\n")
            await self.handle_line(line)


def _read(stdin: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input(PROMPT)
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None
