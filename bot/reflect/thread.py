"""What every part of a reflection thread uses: its short answers, where it is, its model
and topic, who may run it, the outbox it posts through, and the patient write that records
a post already made."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from bot.content.model import ReflectionModel, Topic
from bot.context import Context
from bot.events import Conversation, Person
from bot.identity import key_of
from bot.outbox import DeliveryError, Outbox
from bot.replies import Block, Failure, Heading, Item, Note, Paragraph, Reply
from bot.store import unreachable
from bot.store.reflections import Reflection

RECORD_SHARE = 0.8  # of the lease: how long a write recording a post waits for the database


def say(text: str, *notes: str, kind: str = "reflect", failed: Failure | None = None) -> Reply:
    blocks: tuple[Block, ...] = (Paragraph.of(text), *(Note(n) for n in notes))
    return Reply(kind=kind, blocks=blocks, summary=text, failed=failed)


def listing(kind: str, title: str, none: str, items: Sequence[Item]) -> Reply:
    """A channel's threads or series under `title`; `none` said when there are none."""
    if not items:
        return say(none)
    return Reply(kind=kind, blocks=(Heading(title), *items), summary="")


def not_posted(text: str) -> Reply:
    """What was asked for was not posted: the platform refused it (nothing is recorded as
    posted, so the scheduler asks again)."""
    return say(text, kind="error", failed=Failure.NOT_POSTED)


def where(reflection: Reflection) -> Conversation:
    """The reflection's thread (its channel, until the opening post is out)."""
    return Conversation(
        reflection.platform, reflection.channel, reflection.workspace, reflection.thread
    )


def model_of(ctx: Context, reflection: Reflection) -> ReflectionModel:
    """The thread's model; the first in the library if it has since been removed."""
    return ctx.library.models.get(reflection.model) or next(iter(ctx.library.models.values()))


def topic_of(ctx: Context, reflection: Reflection) -> Topic:
    found = ctx.library.topics.get(reflection.topic)
    return found or Topic(reflection.topic, reflection.topic, "")


def may_run(
    ctx: Context, reflection: Reflection, conversation: Conversation, person: Person
) -> bool:
    """The facilitator (the same person: platform, workspace and user id) or an admin. A
    thread whose facilitator asked to be forgotten is the admins' alone: with none set, no
    one runs it by hand, and it closes at its deadline."""
    if ctx.is_admin(conversation, person):
        return True
    who = key_of(conversation, person)
    return who is not None and who == reflection.facilitator


def outbox_for(ctx: Context, platform: str) -> Outbox:
    outbox = ctx.outbox(platform)
    if outbox is None:
        raise DeliveryError(f"{platform} is not connected", permanent=True)
    return outbox


async def record_done(ctx: Context, write: Callable[[], Awaitable[None]]) -> None:
    """A write that records something already done on the platform (a post): a database
    away for a moment is waited for, within the lease of a close
    (`ROUNDS_CLAIM_LEASE_SECONDS`)."""
    within = ctx.store.reflections.lease * RECORD_SHARE
    retrying = AsyncRetrying(
        retry=retry_if_exception(unreachable),
        wait=wait_exponential(multiplier=0.25, max=15),
        stop=stop_after_delay(within.total_seconds()),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            await write()
