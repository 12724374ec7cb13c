"""Actions that come back (issue 18). At a close, the answers to the model's last question
become the thread's numbered actions, each owned by its named author (an anonymous one, or
any in an anonymous thread, by no one). `ROUNDS_FOLLOW_UP_DAYS` later Rounds posts one
follow-up in the thread listing those still open; replies to it are stored as updates."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from bot import actions, limits
from bot import messages as m
from bot.content.model import ReflectionModel
from bot.context import Context
from bot.events import Conversation, Message, Person
from bot.format import when
from bot.guardrail import find_identifiers
from bot.identity import key_of
from bot.outbox import DeliveryError
from bot.reflect import summary
from bot.reflect.contributions import identifier_warning, redact
from bot.reflect.thread import may_run, outbox_for, record_done, say, topic_of, where
from bot.replies import Block, Button, Heading, Item, Note, Paragraph, Reply, Visibility
from bot.store.actions import FAILED, POSTED, SKIPPED, ActionItem, NewAction
from bot.store.reflections import CLOSED, Contribution, Reflection

log = logging.getLogger("rounds.reflect")
RETRY_AFTER = dt.timedelta(minutes=10)  # a follow-up that failed for now is tried again


def named_actions(model: ReflectionModel, found: Sequence[Contribution]) -> list[NewAction]:
    """The thread's actions: its answers to the last question, cleaned as the summary's
    are, each owned by its named author (None: anonymous, nothing kept about who)."""
    return [
        NewAction(" ".join(text.split()), c.author)
        for c, text in summary.last_answers(model, found)
    ]


def follow_up_at(ctx: Context, closed: dt.datetime) -> dt.datetime | None:
    """When the thread's follow-up is due; None when retention would delete the thread
    first (or on the day)."""
    if ctx.follow_up_days >= ctx.retention_days:
        return None
    return closed + dt.timedelta(days=ctx.follow_up_days)


async def record(ctx: Context, reflection: Reflection, named: Sequence[NewAction]) -> None:
    """Store a closing thread's actions and, when it has any, its follow-up (once)."""
    now = ctx.clock()
    anonymous = reflection.anonymous
    owned = [NewAction(a.text, None if anonymous else a.owner) for a in named]
    await ctx.store.actions.record(reflection.id, owned, follow_up_at(ctx, now), now)


# the follow-up


def follow_up_reply(
    ctx: Context, reflection: Reflection, still_open: Sequence[ActionItem]
) -> Reply:
    title = m.FOLLOW_UP_TITLE.format(topic=topic_of(ctx, reflection).title)
    closed = reflection.closed_at or ctx.clock()
    days = max((ctx.clock() - closed).days, 1)
    listed = [_numbered(a) for a in still_open]
    blocks: tuple[Block, ...] = (
        Heading(title),
        Paragraph.of(m.FOLLOW_UP_INTRO.format(days=m.plural(days, "day"))),
        *listed,
        Note(m.FOLLOW_UP_NOTE),
    )
    return Reply(
        kind="follow-up",
        blocks=blocks,
        visibility=Visibility.CHANNEL,
        summary=title,
        subject=str(reflection.id),
    )


def _numbered(action: ActionItem) -> Paragraph:
    return Paragraph.of(
        m.ACTION_ITEM.format(number=action.number, text=summary.shorten(action.text))
    )


async def post_due(ctx: Context, now: dt.datetime) -> list[str]:
    """Post the follow-ups that are due (`followed-up:3`), each claimed in the database
    first, so one replica posts it, once. One's trouble is logged; the others go on."""
    done: list[str] = []
    store = ctx.store.actions
    for ident in await store.due_follow_ups(now):
        if not await store.claim_follow_up(ident, now):
            continue  # another replica took it
        try:
            done += await _follow_up(ctx, ident, now)
        except Exception as exc:  # the claim runs out, and a later pass tries again
            log.warning("reflection %d: follow-up failed (%s)", ident, type(exc).__name__)
    return done


async def _follow_up(ctx: Context, ident: int, now: dt.datetime) -> list[str]:
    store = ctx.store.actions
    reflection = await ctx.store.reflections.get(ident)
    still_open = [a for a in await store.of_reflection(ident) if not a.done]
    if reflection is None or not _postable(ctx, reflection, now) or not still_open:
        await store.follow_up_done(ident, SKIPPED, now)
        return []
    reply = follow_up_reply(ctx, reflection, still_open)
    try:
        posted = await outbox_for(ctx, reflection.platform).post(where(reflection), reply)
    except DeliveryError as exc:
        again = not exc.permanent and await store.retry_follow_up(ident, now + RETRY_AFTER, now)
        if exc.permanent:
            await store.follow_up_done(ident, FAILED, now)
        log.warning(
            "reflection %d: follow-up not posted (%s)%s",
            ident,
            exc.reason,
            "; tried again later" if again else "; given up",
        )
        return []
    await record_done(ctx, lambda: store.follow_up_done(ident, POSTED, now, posted))
    log.info("reflection %d: follow-up posted", ident)
    return [f"followed-up:{ident}"]


def _postable(ctx: Context, reflection: Reflection, now: dt.datetime) -> bool:
    """A closed thread, still posted, that retention has not reached."""
    if reflection.state != CLOSED or reflection.thread is None or reflection.closed_at is None:
        return False
    return now < reflection.closed_at + dt.timedelta(days=ctx.retention_days)


# updates: replies to the follow-up


async def store_update(ctx: Context, reflection: Reflection, event: Message) -> Reply:
    """A reply in the thread after its follow-up: stored as an update, as a named reply is
    (identifiers removed, its author warned privately; no author in an anonymous thread),
    and confirmed privately."""
    text = event.text
    if len(text) > limits.CONTRIBUTION_CHARS:
        limit = limits.CONTRIBUTION_CHARS
        return say(m.REFLECT_REPLY_TOO_LONG.format(id=reflection.id, length=len(text), limit=limit))
    findings = find_identifiers(text)
    author = None if reflection.anonymous else key_of(where(reflection), event.person)
    stored = await ctx.store.actions.add_update(
        reflection.id, redact(text, findings), author, event.message_id or None, ctx.clock()
    )
    confirmed = m.FOLLOW_UP_UPDATE_STORED.format(id=reflection.id)
    if findings and stored is not None:
        return say(confirmed, identifier_warning(reflection, findings))
    return say(confirmed)


# listing and marking done


def owner_label(owner: str | None, viewer: str | None) -> str:
    """Whose an action is, as the viewer may be told: theirs, or only whether someone
    named owns it (never who)."""
    if owner is None:
        return m.ACTION_OWNER_ANONYMOUS
    return m.ACTION_OWNER_YOURS if owner == viewer else m.ACTION_OWNER_NAMED


def may_mark(
    ctx: Context,
    reflection: Reflection,
    action: ActionItem,
    conversation: Conversation,
    person: Person,
) -> bool:
    """An action's owner, the thread's facilitator or an admin may mark it done."""
    who = key_of(conversation, person)
    owns = who is not None and action.owner == who
    return owns or may_run(ctx, reflection, conversation, person)


async def listing(
    ctx: Context, reflection: Reflection, conversation: Conversation, person: Person
) -> Reply:
    """`reflect actions`: the thread's actions, each with its status and whose it is; a
    Done button on each open one the asker may mark."""
    if reflection.state != CLOSED:
        return say(m.ACTIONS_NOT_YET.format(id=reflection.id))
    found = await ctx.store.actions.of_reflection(reflection.id)
    if not found:
        return say(m.ACTIONS_NONE.format(id=reflection.id))
    viewer = key_of(conversation, person)
    items = [
        _listed(ctx, reflection, a, viewer, may_mark(ctx, reflection, a, conversation, person))
        for a in found
    ]
    title = m.ACTIONS_TITLE.format(id=reflection.id, topic=topic_of(ctx, reflection).title)
    blocks: tuple[Block, ...] = (
        Heading(title),
        *items,
        Note(m.ACTIONS_HOW.format(id=reflection.id)),
    )
    return Reply(kind="actions", blocks=blocks, summary=title, subject=str(reflection.id))


def _listed(
    ctx: Context, reflection: Reflection, action: ActionItem, viewer: str | None, marks: bool
) -> Item:
    status = m.ACTION_STATUS_OPEN
    if action.done:
        status = m.ACTION_STATUS_DONE.format(when=_when(ctx, action.done_at))
    meta = m.ACTION_META.format(status=status, owner=owner_label(action.owner, viewer))
    value = f"{reflection.id}:{action.number}"
    button = None
    if marks and not action.done:
        button = Button(m.ACTION_BUTTON_DONE, actions.ACTION_DONE, value)
    title = m.ACTION_ITEM.format(number=action.number, text=summary.shorten(action.text))
    return Item(title=title, meta=meta, key=str(action.number), button=button)


def _when(ctx: Context, moment: dt.datetime | None) -> str:
    return when(moment, ctx.timezone) if moment else "—"


async def mark_done(
    ctx: Context, reflection: Reflection, number: int, conversation: Conversation, person: Person
) -> Reply:
    """Mark action `number` done, for its owner, the facilitator or an admin; anyone else
    is told there is no such action (as for one that does not exist)."""
    found = {a.number: a for a in await ctx.store.actions.of_reflection(reflection.id)}
    action = found.get(number)
    said = {"number": number, "id": reflection.id}
    if action is None or not may_mark(ctx, reflection, action, conversation, person):
        return say(m.ACTION_NOT_FOUND.format(**said), kind="error")
    if action.done or not await ctx.store.actions.mark_done(reflection.id, number, ctx.clock()):
        return say(m.ACTION_DONE_ALREADY.format(**said))
    return say(m.ACTION_MARKED.format(**said))
