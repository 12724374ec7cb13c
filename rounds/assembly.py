"""Assembly: settings in, Rounds out. Each part is built once, in order, and handed to the
next: the content, the store, the outboxes, the context, the bot, the scheduler and its
timer. Nothing is patched in afterwards. `rounds serve` and `rounds console` (and the tests
that run Rounds as they do) differ only in the `Parts` they bring."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.content.loader import LoadResult, load_library
from bot.content.model import Library
from bot.context import Context, utc_now
from bot.core import DEFAULT_MIDDLEWARE, Bot, Layer
from bot.lookup import LookupIndex
from bot.notices import Organisation
from bot.outbox import Outbox
from bot.store import Store
from rounds.settings import Settings
from scheduler.service import Report, Scheduler
from scheduler.timer import Timer

log = logging.getLogger("rounds")

Connect = Callable[[Store], Mapping[str, Outbox]]  # platform → outbox, given the store


def no_platforms(store: Store) -> Mapping[str, Outbox]:
    return {}


@dataclass(frozen=True)
class Parts:
    """What the command (or a test) chooses beyond the settings."""

    outboxes: Connect = no_platforms  # how to reach each platform
    middleware: Sequence[Layer] = DEFAULT_MIDDLEWARE
    fair: bool = True  # False: no fairness limits (the console: one person at the keyboard)
    library: Library | None = None  # None: loaded from the settings' folders
    index: LookupIndex | None = None  # None: built from the library (the tests share one)
    rng: random.Random | None = None
    clock: Callable[[], dt.datetime] = utc_now
    on_report: Callable[[Report], None] | None = None  # told of each scheduler pass


@dataclass(frozen=True)
class Assembly:
    """Rounds put together. The timer is started by the command that runs it; `close`
    releases what `assemble` opened."""

    settings: Settings
    bot: Bot
    timer: Timer

    async def close(self) -> None:
        await self.timer.stop()
        for outbox in self.bot.ctx.outboxes.values():
            await outbox.close()
        await self.bot.ctx.store.close()


def load_content(settings: Settings) -> LoadResult:
    """Load the bundled library (unless ROUNDS_BUNDLED_CONTENT is off) and the organisation's
    folders; report bad content, never crash on it. No folder at all is a SettingsError."""
    result = load_library(settings.library_dirs())
    for problem in result.problems:
        log.warning("content problem, entry skipped: %s", problem)
    for warning in result.warnings:
        log.warning("content warning: %s", warning)
    return result


async def assemble(settings: Settings, parts: Parts) -> Assembly:
    library = parts.library or load_content(settings).library
    index = parts.index or LookupIndex.from_library(library)
    store = await Store.open(settings.database_url, parts.clock, lease=settings.lease)
    try:
        outboxes = parts.outboxes(store)
    except BaseException:
        await store.close()
        raise
    ctx = Context(
        library=library,
        index=index,
        store=store,
        rng=parts.rng or random.Random(),
        clock=parts.clock,
        timezone=settings.timezone,
        admins=settings.admins,
        retention_days=settings.retention.days,
        follow_up_days=settings.follow_up.days,
        organisation=Organisation(settings.organisation, settings.privacy_contact),
        outboxes=outboxes,
        rate_per_minute=settings.rate_per_minute if parts.fair else None,
        anonymous_per_minute=settings.anonymous_per_minute if parts.fair else None,
    )
    bot = Bot(ctx, parts.middleware)
    timer = Timer(Scheduler(ctx, settings.grace), settings.scheduler_pass, parts.on_report)
    return Assembly(settings, bot, timer)
