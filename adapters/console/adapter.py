"""The console adapter: chat with the bot in a terminal or through a pipe."""

from __future__ import annotations

import asyncio
from typing import TextIO

from adapters.console.render import render, to_event
from bot.core import Bot
from bot.events import Conversation, Message, Person
from bot.replies import Button, Reply

PROMPT = "you> "
REPLIED = "[your reply is in the reflection thread in #{channel}]"


class ConsoleAdapter:
    def __init__(self, bot: Bot, user: str, channel: str, out: TextIO) -> None:
        self.bot = bot
        self.person = Person(id=user, name=user)
        self.conversation = Conversation(platform="console", channel=channel, workspace="local")
        self.out = out
        self.buttons: list[Button] = []
        self.form: Reply | None = None  # a form waiting for its answer on the next line

    async def handle_line(self, line: str) -> None:
        event = to_event(line, self.person, self.conversation, self.buttons, self.form)
        self.form = None
        if event is None:
            return
        replies = await self.bot.handle(event)
        for reply in replies:
            self.out.write(render(reply, self.conversation.channel) + "\n\n")
            self.saw(reply)
        if isinstance(event, Message) and not replies:
            self.out.write(REPLIED.format(channel=self.conversation.channel) + "\n\n")
        self.out.flush()

    def saw(self, reply: Reply) -> None:
        """Buttons of the last reply or post shown, and a form waiting for its answer."""
        if reply.buttons:
            self.buttons = list(reply.buttons)
        if reply.form is not None:
            self.form = reply

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
