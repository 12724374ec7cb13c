"""The console adapter: chat with the bot in a terminal or through a pipe."""

from __future__ import annotations

from typing import TextIO

from adapters.console.render import (
    button_number,
    cancels,
    no_button,
    pressable,
    render,
    to_event,
)
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
        # the buttons a number presses: those shown in the last turn, numbered on from one
        # reply to the next (a reflection's opening, then its facilitator's controls)
        self.buttons: list[Button] = []
        self.fresh = True  # no button shown yet in this turn: the next ones start at [1]
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
        self.fresh = True
        for reply in await self.bot.handle(event):
            self.write(render(reply, self.conversation.channel, first=self.first_number()))
            self.saw(reply)
        self.fresh = True  # a post between turns (a scheduled prompt) starts again at [1]

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

    def first_number(self) -> int:
        """The number of the next button shown."""
        return 1 if self.fresh else len(self.buttons) + 1

    def saw(self, reply: Reply) -> None:
        """Buttons of the replies and posts shown in this turn, and a form waiting for its
        answer."""
        shown = pressable(reply.buttons)
        if shown:
            self.buttons = shown if self.fresh else [*self.buttons, *shown]
            self.fresh = False
        if reply.form is not None:
            self.form = reply
