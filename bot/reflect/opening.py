"""Opening a reflection thread and moving it on: the opening post, each next question, the
reminder before it closes. The store records each step first, then the post goes out
through the outbound port; a post that fails is taken back from the store."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot import actions
from bot import messages as m
from bot.content.model import ReflectionModel, Topic
from bot.context import Context
from bot.events import Conversation, Person
from bot.format import quote_block, when
from bot.identity import key_of
from bot.outbox import DeliveryError
from bot.reflect.thread import model_of, not_posted, outbox_for, say, topic_of, where
from bot.reflect.timing import following_step, timetable
from bot.replies import (
    Block,
    Button,
    Heading,
    Note,
    Paragraph,
    Question,
    QuoteBlock,
    Reply,
    Visibility,
)
from bot.store.reflections import NewReflection, Reflection

log = logging.getLogger("rounds.reflect")


@dataclass(frozen=True)
class Opening:
    topic: Topic
    model: ReflectionModel
    duration: dt.timedelta
    anonymous: bool


def anonymous_button(reflection: Reflection) -> Button:
    """The one button every reader of the thread may press."""
    return Button(m.BUTTON_ANONYMOUS, actions.REFLECT_ANONYMOUS, str(reflection.id))


def controls(ctx: Context, reflection: Reflection, text: str) -> Reply:
    """The facilitator's own message: what happened, and the buttons that run the thread
    (Next question while one is left, Close and sum up). Shown to them alone: a Slack
    ephemeral message, a Teams 1:1 chat; never in the channel."""
    model, value = model_of(ctx, reflection), str(reflection.id)
    more = reflection.step + 1 < len(model.steps)
    next_ = (Button(m.BUTTON_NEXT, actions.REFLECT_NEXT, value),) if more else ()
    blocks = (
        Heading(m.REFLECT_CONTROLS_TITLE.format(id=reflection.id)),
        Paragraph.of(text),
        Note(m.REFLECT_CONTROLS_TYPED.format(id=reflection.id)),
    )
    return Reply(
        kind="reflect",
        blocks=blocks,
        buttons=(*next_, Button(m.BUTTON_CLOSE, actions.REFLECT_CLOSE, value)),
        summary=text,
        discreet=True,
        subject=value,
    )


def question_text(model: ReflectionModel, step: int) -> str:
    item = model.steps[step]
    position = m.REFLECT_POSITION.format(number=step + 1, total=len(model.steps))
    if item.label == f"Q{step + 1}":  # a tweet chat's label is the number: "Q1 (of 5)"
        position = m.REFLECT_POSITION_OF.format(total=len(model.steps))
    return m.REFLECT_QUESTION.format(label=item.label, position=position, question=item.question)


def opening_reply(ctx: Context, reflection: Reflection) -> Reply:
    """The post that opens the thread, for everyone in the channel: the topic, one small
    line of what and until when, the framing quote, the first question (the thing to act
    on), the ground rules at full size, and only the button everyone may press."""
    topic, model = topic_of(ctx, reflection), model_of(ctx, reflection)
    title = m.REFLECT_TITLE.format(topic=topic.title)
    closes = when(reflection.closes_at, ctx.timezone)
    stored = m.REFLECT_STORED_ANONYMOUS if reflection.anonymous else m.REFLECT_STORED_NAMED
    days = m.plural(ctx.retention_days, "day")
    rules = m.REFLECT_GROUND_RULES.format(stored=stored, days=days)
    meta = Note(m.REFLECT_META.format(model=model.title, when=closes))
    blocks: list[Block] = [Heading(title), meta]
    framing = _framing(ctx, topic)
    if framing is not None:
        blocks.append(framing)
    if topic.introduction:
        blocks.append(Paragraph.of(topic.introduction))
    blocks += [Question(question_text(model, 0)), Paragraph.of(rules), Note(m.REFLECT_HOW)]
    if model.interval_minutes:
        every = m.plural(model.interval_minutes, "minute")
        blocks.append(Note(m.REFLECT_TIMED.format(minutes=every)))
    return Reply(
        kind="reflection",
        blocks=tuple(blocks),
        visibility=Visibility.CHANNEL,
        buttons=(anonymous_button(reflection),),
        summary=f"{title} · {question_text(model, 0)}",
        subject=str(reflection.id),
    )


def _framing(ctx: Context, topic: Topic) -> QuoteBlock | None:
    """The topic's framing quote, else its first quote: only one offered unasked today."""
    framing = ctx.library.quotes.get(topic.framing_quote or "")
    quotes = [framing] if framing else []
    quotes += ctx.library.quotes_for_topic(topic.slug)
    today = ctx.clock().date()
    first = next((q for q in quotes if ctx.library.offered(q, today)), None)
    return quote_block(ctx.library, first) if first else None


async def start(
    ctx: Context,
    conversation: Conversation,
    person: Person,
    o: Opening,
    stored: Callable[[Reflection], Awaitable[None]] | None = None,
) -> Reply:
    """Store the thread, post its opening in the channel, then remember the post's id as the
    thread. If the post fails the stored thread is removed again; if the post's id cannot be
    stored, the post is removed (the row, without a thread, is never used and is purged).
    `stored` is told of the thread before its post goes out (a series' ledger)."""
    plan = timetable(o.model, ctx.clock(), o.duration)
    new = NewReflection(
        conversation.key,
        conversation.platform,
        conversation.channel,
        conversation.workspace,
        o.topic.slug,
        o.model.slug,
        key_of(conversation, person),
        o.anonymous,
        plan.closes_at,
        plan.remind_at,
        plan.next_step_at,
    )
    reflection = await ctx.store.reflections.open(new)
    if stored is not None:
        await stored(reflection)
    try:
        posted = await outbox_for(ctx, conversation.platform).post(
            replace(conversation, thread=None), opening_reply(ctx, reflection)
        )
    except DeliveryError as exc:
        await ctx.store.reflections.discard(reflection.id)
        return not_posted(m.REFLECT_POST_FAILED.format(reason=exc.reason))
    try:
        await ctx.store.reflections.set_thread(reflection.id, posted)
    except Exception:  # the database went away after the post: take the post back
        await _withdraw(ctx, conversation, posted)
        raise
    log.info("reflection %d opened (%s, %s)", reflection.id, o.topic.slug, o.model.slug)
    closes = when(plan.closes_at, ctx.timezone)
    started = m.REFLECT_STARTED.format(id=reflection.id, topic=o.topic.title, when=closes)
    return controls(ctx, reflection, started)


async def _withdraw(ctx: Context, conversation: Conversation, posted: str) -> None:
    try:
        await outbox_for(ctx, conversation.platform).withdraw(conversation, posted)
    except Exception as exc:  # reported; the first failure is the one raised
        log.warning("could not remove an opening post: %s", type(exc).__name__)


def _in_thread(reflection: Reflection, kind: str, blocks: tuple[Block, ...], summary: str) -> Reply:
    """A post in the thread, with the button to contribute anonymously."""
    return Reply(
        kind=kind,
        blocks=blocks,
        visibility=Visibility.CHANNEL,
        buttons=(anonymous_button(reflection),),
        summary=summary,
        subject=str(reflection.id),
    )


def question_reply(reflection: Reflection, model: ReflectionModel, step: int) -> Reply:
    text = question_text(model, step)
    blocks = (Heading(m.REFLECT_QUESTION_TITLE), Question(text))
    return _in_thread(reflection, "reflection-question", blocks, text)


async def ask_next(ctx: Context, reflection: Reflection) -> Reply:
    """Post the next question. Two presses at once, or a press racing the timer: the
    store lets one through."""
    model = model_of(ctx, reflection)
    step = reflection.step + 1
    if step >= len(model.steps):
        last = m.sentence(m.REFLECT_LAST_QUESTION.format(model=model.title))
        return controls(ctx, reflection, f"{last} {m.REFLECT_CLOSE_HOW}")
    later = following_step(model, ctx.clock(), step)
    if not await ctx.store.reflections.advance(reflection.id, reflection.step, later):
        return say(m.REFLECT_CLOSED_ALREADY.format(id=reflection.id))
    try:
        await outbox_for(ctx, reflection.platform).post(
            where(reflection), question_reply(reflection, model, step)
        )
    except DeliveryError as exc:
        await ctx.store.reflections.step_back(reflection.id, reflection.step, ctx.clock())
        return not_posted(m.REFLECT_NEXT_FAILED.format(reason=exc.reason))
    position = m.REFLECT_POSITION.format(number=step + 1, total=len(model.steps))
    done = m.REFLECT_NEXT_DONE.format(position=position, id=reflection.id)
    return controls(ctx, replace(reflection, step=step), done)


async def remind(ctx: Context, reflection: Reflection) -> bool:
    if not await ctx.store.reflections.claim_reminder(reflection.id):
        return False
    text = m.REFLECT_REMINDER.format(when=when(reflection.closes_at, ctx.timezone))
    blocks = (Heading(m.REFLECT_REMINDER_TITLE), Paragraph.of(text))
    reply = _in_thread(reflection, "reflection-reminder", blocks, text)
    try:
        await outbox_for(ctx, reflection.platform).post(where(reflection), reply)
    except DeliveryError as exc:
        if not exc.permanent:
            await ctx.store.reflections.retry_reminder(reflection.id, ctx.clock())
        raise
    return True
