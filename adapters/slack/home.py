"""The App Home tab: when a person opens it, the bot's `home` answer is published there
(`views.publish`), each chart as an uploaded PNG in an image block. A chart is drawn off the
event loop and uploaded once for its data (the file ids are remembered by the chart, within
a byte budget); a chart that cannot be uploaded, or a view Slack refuses with its images,
is shown as text bars instead."""

from __future__ import annotations

import logging

from adapters.slack.outbox import SlackOutbox
from adapters.slack.render import home_view
from bot.core import Bot
from bot.events import Command
from bot.memo import ByteBudgetLRU
from bot.outbox import DeliveryError
from bot.replies import Chart, Reply

log = logging.getLogger("rounds.slack")
FILE_IDS_BYTES = 256 * 1024  # chart → its uploaded file's id
ALT_TEXT = 1000  # files.upload's alt text
CHART_FILE = "rounds-chart.png"


class HomeTab:
    def __init__(self, bot: Bot, outbox: SlackOutbox) -> None:
        self.bot, self.outbox = bot, outbox
        self.files: ByteBudgetLRU[Chart, str] = ByteBudgetLRU("slack-chart-files", FILE_IDS_BYTES)

    async def publish(self, asked: Command) -> None:
        """Publish the person's Home tab; text bars when Slack refuses the images."""
        replies = await self.bot.handle(asked)
        if not replies:
            return
        reply, user = replies[0], asked.person.id
        images = await self.uploaded(reply)
        try:
            await self.outbox.publish_home(user, home_view(reply, images))
        except DeliveryError as exc:
            if not images:
                raise
            log.warning("home tab refused with its charts (%s); publishing text", exc.reason)
            await self.outbox.publish_home(user, home_view(reply))

    async def uploaded(self, reply: Reply) -> dict[Chart, str]:
        """Each chart of the reply with its uploaded file's id (none when it failed)."""
        found: dict[Chart, str] = {}
        for block in reply.blocks:
            if isinstance(block, Chart) and (file_id := await self._file(block)):
                found[block] = file_id
        return found

    async def _file(self, chart: Chart) -> str | None:
        known = self.files.peek(chart)
        if known is not None:
            return known
        png = await self.bot.chart_png(chart)  # drawn in the worker thread
        alt = f"{chart.title}: {chart.alt}"[:ALT_TEXT]
        try:
            file_id = await self.outbox.upload_image(CHART_FILE, png, alt)
        except DeliveryError as exc:
            log.warning("could not upload a chart: %s", exc.reason)
            return None
        self.files.put(chart, file_id)
        return file_id
