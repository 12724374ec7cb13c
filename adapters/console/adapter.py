"""The console adapter: chat with the bot in a terminal or through a pipe."""

from __future__ import annotations

from typing import TextIO

from adapters.console.render import button_number, cancels, no_button, render, to_event
from bot import messages as m
from bot.core import Bot
from bot.events import Conversation, Person
from bot.replies import Button, Reply

PROMPT = "you> "


class ConsoleAdapter:
    def __init__(self, bot: Bot, user: str, channel: str, out: TextIO) -> None:
        self.bot = bot
        self.person = Person(id=user, name=user)
        self.conversation = Conversation(platform="console", channel=channel, workspace="local")
        self.out = out
        self.buttons: list[Button] = []  # of the newest reply or post shown with buttons
        self.form: Reply | None = None  # a form waiting for its answer on the next line

    async def handle_line(self, line: str) -> None:
        said = self.answer_here(line)
        here = self.conversation
        event = None if said else to_event(line, self.person, here, self.buttons, self.form)
        self.form = None
        if said:
            self.write(said)
        if event is None:
            return
        for reply in await self.bot.handle(event):
            self.write(render(reply, self.conversation.channel))
            self.saw(reply)

    def answer_here(self, line: str) -> str:
        """What the console answers itself: a cancelled form, a number with no button."""
        if self.form is not None:
            return m.CONSOLE_FORM_CANCELLED if cancels(line) else ""
        number = button_number(line)
        if number is not None and not 1 <= number <= len(self.buttons):
            return no_button(number, self.buttons)
        return ""

    def write(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()

    def saw(self, reply: Reply) -> None:
        """Buttons of the last reply or post shown, and a form waiting for its answer."""
        if reply.buttons:
            self.buttons = list(reply.buttons)
        if reply.form is not None:
            self.form = reply
