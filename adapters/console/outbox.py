"""The console side of the outbound port: scheduled posts are printed where you chat."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from adapters.console.render import render
from bot.events import Conversation, Person
from bot.outbox import Delivered, File, Outbox
from bot.replies import Chart, Reply

DIRECT = "[sent privately to {person}]"
CHART_SAVED = "[chart saved to {path}]"


class ConsoleOutbox(Outbox):
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[Reply], None]] = []  # the chat learns new buttons
        self.numbered: Callable[[], int] = lambda: 1  # the chat's next button number
        # how a chart beside a transcript becomes a PNG (the bot's, once it is made), and
        # where the PNG is written
        self.draw: Callable[[Chart], Awaitable[bytes]] | None = None
        self.charts = Path(tempfile.gettempdir()) / "rounds-charts"

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
            lines += [CHART_SAVED.format(path=p) for p in await self._pictures(reply, file)]
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
        return Delivered()

    async def _pictures(self, reply: Reply, file: File) -> list[Path]:
        """The reply's charts as PNGs beside where the transcript is printed: in the temp
        folder, named after the transcript (counts only, from three people on)."""
        charts = [block for block in reply.blocks if isinstance(block, Chart)]
        if self.draw is None or not charts:
            return []
        self.charts.mkdir(parents=True, exist_ok=True)
        stem = Path(file.name).stem
        saved = []
        for n, chart in enumerate(charts, 1):
            path = self.charts / f"{stem}-chart-{n}.png"
            path.write_bytes(await self.draw(chart))
            saved.append(path)
        return saved
