"""Composition: settings in, a ready bot out."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import sys
from collections.abc import Sequence

from bot.content.loader import LoadResult, content_dirs, load_library
from bot.context import Context
from bot.core import DEFAULT_MIDDLEWARE, Bot, Layer
from bot.lookup import LookupIndex
from bot.store import Store
from rounds.settings import Settings

log = logging.getLogger("rounds")


FIELDS = ("platform", "slot", "outcome")  # what delivery lines carry (`extra=`)


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a delivery's fields become keys. (The access log writes its
    own lines, in the same shape: `rounds/access.py`.)"""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {name: record.__dict__[name] for name in FIELDS if name in record.__dict__}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def setup_logging(settings: Settings, level: int = logging.WARNING) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def load_content(settings: Settings) -> LoadResult:
    """Load the bundled library and the organisation's folders; report, never crash."""
    result = load_library(content_dirs(settings.content_dirs))
    for problem in result.problems:
        log.warning("content problem, entry skipped: %s", problem)
    for warning in result.warnings:
        log.warning("content warning: %s", warning)
    return result


async def build_bot(
    settings: Settings,
    rng: random.Random | None = None,
    middleware: Sequence[Layer] = DEFAULT_MIDDLEWARE,
    fair: bool = True,
) -> Bot:
    """The bot; `fair=False` (the console: one person) sets no fairness limits."""
    library = load_content(settings).library
    store = await Store.open(settings.database_url)
    store.schedules.lease = dt.timedelta(seconds=settings.claim_lease_seconds)
    index = LookupIndex.from_library(library)
    ctx = Context(
        library=library,
        index=index,
        store=store,
        rng=rng or random.Random(),
        timezone=settings.timezone,
        admins=settings.admins,
        retention_days=settings.retention_days,
        rate_per_minute=settings.rate_per_minute if fair else None,
        anonymous_per_minute=settings.anonymous_per_minute if fair else None,
    )
    return Bot(ctx, middleware)
