"""Running a reflection thread: open it, ask the next question, take contributions (named
or anonymous), remind, and close it with a summary. The thread's posts go out through the
outbound port; the store records each step first, so a failure loses nothing."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from bot import actions, limits
from bot import messages as m
from bot.content.model import ReflectionModel, Topic, join_names
from bot.context import Context
from bot.events import Conversation, Person
from bot.format import byline, long_date
from bot.guardrail import REDACTED_KINDS, Finding, find_identifiers
from bot.handlers.quotes import offered, quote_block
from bot.identity import key_of, user_of
from bot.lookup import LookupHit
from bot.outbox import Delivered, DeliveryError, File, Outbox
from bot.reflect import summary
from bot.reflect.timing import following_step, timetable
from bot.reflect.worker import off_loop
from bot.replies import (
    Block,
    Button,
    Failure,
    Form,
    Heading,
    Item,
    Note,
    Paragraph,
    QuoteBlock,
    Reply,
    Visibility,
)
from bot.store import unreachable
from bot.store.reflections import (
    CLOSE_GIVE_UP,
    LEASE,
    OPEN,
    NewReflection,
    Reflection,
    SentTranscript,
)

log = logging.getLogger("rounds.reflect")
SETTLE_WITHIN = LEASE * 0.8  # how long a close waits for the database to record it
# An anonymous contribution still unposted this long after it was stored was cut short
# (posts to a thread wait their turn, about one a second): the scheduler posts it.
UNPOSTED_WAIT = LEASE * 2
SENT_AGAIN = LEASE * 2  # the same anonymous words within this are the same form sent again
ANONYMOUS_DONE = "anonymous-done"  # the reply kind confirming an anonymous contribution


def say(text: str, *notes: str, kind: str = "reflect", failed: Failure | None = None) -> Reply:
    blocks: tuple[Block, ...] = (Paragraph.of(text), *(Note(n) for n in notes))
    return Reply(kind=kind, blocks=blocks, summary=text, failed=failed)


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


def when(moment: dt.datetime, timezone: str) -> str:
    """`Thursday 26 November, 14:00`, in the organisation's timezone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


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


# opening


def buttons(reflection: Reflection) -> tuple[Button, ...]:
    value = str(reflection.id)
    return (
        Button(m.BUTTON_ANONYMOUS, actions.REFLECT_ANONYMOUS, value),
        Button(m.BUTTON_NEXT, actions.REFLECT_NEXT, value),
        Button(m.BUTTON_CLOSE, actions.REFLECT_CLOSE, value),
    )


def question_text(model: ReflectionModel, step: int) -> str:
    position = m.REFLECT_POSITION.format(number=step + 1, total=len(model.steps))
    item = model.steps[step]
    return m.REFLECT_QUESTION.format(label=item.label, position=position, question=item.question)


def opening_reply(ctx: Context, reflection: Reflection) -> Reply:
    topic, model = topic_of(ctx, reflection), model_of(ctx, reflection)
    title = m.REFLECT_TITLE.format(
        topic=topic.title, model=model.title, when=when(reflection.closes_at, ctx.timezone)
    )
    stored = m.REFLECT_STORED_ANONYMOUS if reflection.anonymous else m.REFLECT_STORED_NAMED
    rules = m.REFLECT_GROUND_RULES.format(stored=stored, days=ctx.retention_days)
    blocks: list[Block] = [Heading(title)]
    framing = _framing(ctx, topic)
    if framing is not None:
        blocks.append(framing)
    if topic.introduction:
        blocks.append(Paragraph.of(topic.introduction))
    blocks += [Note(rules), Paragraph.of(question_text(model, 0)), Note(m.REFLECT_HOW)]
    if model.interval_minutes:
        blocks.append(Note(m.REFLECT_TIMED.format(minutes=model.interval_minutes)))
    return Reply(
        kind="reflection",
        blocks=tuple(blocks),
        visibility=Visibility.CHANNEL,
        buttons=buttons(reflection),
        summary=title,
        subject=str(reflection.id),
    )


def _framing(ctx: Context, topic: Topic) -> QuoteBlock | None:
    """The topic's framing quote, else its first quote: only one offered unasked today."""
    framing = ctx.library.quotes.get(topic.framing_quote or "")
    quotes = [framing] if framing else []
    quotes += ctx.library.quotes_for_topic(topic.slug)
    first = next((q for q in quotes if offered(ctx, q)), None)
    return quote_block(ctx, first) if first else None


@dataclass(frozen=True)
class Opening:
    topic: Topic
    model: ReflectionModel
    duration: dt.timedelta
    anonymous: bool


async def start(ctx: Context, conversation: Conversation, person: Person, o: Opening) -> Reply:
    """Store the thread, post its opening in the channel, then remember the post's id as the
    thread. If the post fails the stored thread is removed again; if the post's id cannot be
    stored, the post is removed (the row, without a thread, is never used and is purged)."""
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
    return say(m.REFLECT_STARTED.format(id=reflection.id, when=closes))


async def _withdraw(ctx: Context, conversation: Conversation, posted: str) -> None:
    try:
        await outbox_for(ctx, conversation.platform).withdraw(conversation, posted)
    except Exception as exc:  # reported; the first failure is the one raised
        log.warning("could not remove an opening post: %s", type(exc).__name__)


# questions and reminders


def question_reply(reflection: Reflection, model: ReflectionModel, step: int) -> Reply:
    text = question_text(model, step)
    anonymous = Button(m.BUTTON_ANONYMOUS, actions.REFLECT_ANONYMOUS, str(reflection.id))
    return Reply(
        kind="reflection-question",
        blocks=(Paragraph.of(text),),
        visibility=Visibility.CHANNEL,
        buttons=(anonymous,),
        summary=text,
        subject=str(reflection.id),
    )


async def ask_next(ctx: Context, reflection: Reflection) -> Reply:
    """Post the next question. Two presses at once, or a press racing the timer: the
    store lets one through."""
    model = model_of(ctx, reflection)
    step = reflection.step + 1
    if step >= len(model.steps):
        return say(m.REFLECT_LAST_QUESTION.format(model=model.title))
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
    return say(m.REFLECT_NEXT_DONE.format(position=position, id=reflection.id))


async def remind(ctx: Context, reflection: Reflection) -> bool:
    if not await ctx.store.reflections.claim_reminder(reflection.id):
        return False
    text = m.REFLECT_REMINDER.format(when=when(reflection.closes_at, ctx.timezone))
    anonymous = Button(m.BUTTON_ANONYMOUS, actions.REFLECT_ANONYMOUS, str(reflection.id))
    reply = Reply(
        kind="reflection-reminder",
        blocks=(Paragraph.of(text),),
        visibility=Visibility.CHANNEL,
        buttons=(anonymous,),
        summary=text,
    )
    try:
        await outbox_for(ctx, reflection.platform).post(where(reflection), reply)
    except DeliveryError as exc:
        if not exc.permanent:
            await ctx.store.reflections.retry_reminder(reflection.id, ctx.clock())
        raise
    return True


# closing


def passages(ctx: Context, topic: Topic, themes: Sequence[str]) -> list[Item]:
    """Up to three passages, one per article, related to what people wrote (its themes, a
    few words: two quick look-ups whatever the thread's size): from the topic's own
    articles first, then from any. Only articles offered unasked: no promotional material,
    no advert."""
    words = summary.related_query(themes)
    if not words:
        return []
    hits = ctx.index.search(f"topic:{topic.slug} {words}", 0, 6).hits
    hits += ctx.index.search(words, 0, 6).hits
    today = ctx.clock().date()
    chosen: dict[str, LookupHit] = {}
    for hit in hits:
        if ctx.library.article_offered(hit.document.article_id, today):
            chosen.setdefault(hit.document.article_id, hit)
    return [_passage(hit) for hit in list(chosen.values())[:3]]


def _passage(hit: LookupHit) -> Item:
    doc = hit.document
    meta = f"{byline(doc.authors)} · {long_date(doc.date)}"
    return Item(title=doc.title, meta=meta, body=hit.snippet, key=doc.article_id)


async def close(ctx: Context, reflection: Reflection) -> Reply:
    """Post the summary, mark the thread closed, send the facilitator the transcript (a
    thread whose facilitator was forgotten sends it to no one, and its summary says so).
    Only one caller closes a thread; a close cut short by a crash is finished later, and
    one whose summary cannot be posted for CLOSE_GIVE_UP is finished without it."""
    claimed = await ctx.store.reflections.claim_close(reflection.id)
    if claimed is None:
        return say(m.REFLECT_CLOSE_BUSY.format(id=reflection.id))
    found = await ctx.store.reflections.contributions(claimed.id)
    topic, model = topic_of(ctx, claimed), model_of(ctx, claimed)
    made = await off_loop(summary.digest, model, found)
    related = passages(ctx, topic, made.themes)
    reply = summary.summary_reply(claimed, topic, model, found, made, related, ctx.retention_days)
    try:
        await outbox_for(ctx, claimed.platform).post(where(claimed), reply)
    except DeliveryError as exc:
        if not exc.permanent and not given_up(ctx, claimed):
            raise  # the claim's lease runs out and the scheduler closes it again
        log.warning("reflection %d: summary not posted (%s)", claimed.id, exc.reason)
    await _finish_close(ctx, claimed.id)
    log.info("reflection %d closed", claimed.id)
    done = await ctx.store.reflections.get(claimed.id) or claimed
    if done.facilitator is not None:
        await deliver_transcript(ctx, done, None)
    return say(m.REFLECT_CLOSE_DONE.format(id=claimed.id))


def given_up(ctx: Context, reflection: Reflection) -> bool:
    """A close that has failed for CLOSE_GIVE_UP is finished without its summary, rather
    than left closing (and unpurged) for ever."""
    since = reflection.closing_since
    return since is not None and ctx.clock() - since >= CLOSE_GIVE_UP


async def _settled(write: Callable[[], Awaitable[None]]) -> None:
    """A write that records something already done on the platform (a post): a database
    away for a moment is waited for, within the lease of a close."""
    retrying = AsyncRetrying(
        retry=retry_if_exception(unreachable),
        wait=wait_exponential(multiplier=0.25, max=15),
        stop=stop_after_delay(SETTLE_WITHIN.total_seconds()),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            await write()


async def _finish_close(ctx: Context, ident: int) -> None:
    """The summary is out, so the close must be recorded: were the lease to run out, the
    thread would be closed (and summarised) again."""
    await _settled(lambda: ctx.store.reflections.finish_close(ident))


async def deliver_transcript(ctx: Context, reflection: Reflection, to: Person | None) -> Reply:
    """The Markdown transcript, privately, to `to` (the facilitator by default)."""
    facilitator = reflection.facilitator
    person = to or (Person(user_of(facilitator)) if facilitator else None)
    if person is None:
        return say(m.REFLECT_TRANSCRIPT_FAILED.format(reason="no facilitator"), kind="error")
    found = await ctx.store.reflections.contributions(reflection.id)
    topic, model = topic_of(ctx, reflection), model_of(ctx, reflection)
    text = await off_loop(summary.transcript, reflection, topic, model, found)
    title = f"Transcript of reflection #{reflection.id}: {topic.title}"
    letter = Reply(kind="transcript", blocks=(Heading(title),), summary=title)
    file = File(f"reflection-{reflection.id}-{topic.slug}.md", text)
    try:
        delivered = await outbox_for(ctx, reflection.platform).send_direct(
            where(reflection), person, letter, file
        )
    except DeliveryError as exc:
        log.warning("reflection %d: transcript not sent (%s)", reflection.id, exc.reason)
        return not_posted(m.REFLECT_TRANSCRIPT_FAILED.format(reason=exc.reason))
    await _record_transcript(ctx, reflection, key_of(where(reflection), person), delivered)
    return say(m.REFLECT_TRANSCRIPT_SENT.format(id=reflection.id))


async def _record_transcript(
    ctx: Context, reflection: Reflection, recipient: str | None, delivered: Delivered
) -> None:
    """The transcript is out: remember where, so it is deleted with its thread (and with
    its recipient, by `forget-me`). A database away for a moment is waited for; past that
    the transcript stays where it was sent, and the log says so."""
    if not delivered.message_ids and not delivered.file_ids:
        return  # nothing the platform could remove (the console prints it)
    store = ctx.store.reflections
    try:
        await _settled(
            lambda: store.record_transcript(
                reflection.id,
                reflection.platform,
                recipient,
                delivered.conversation,
                delivered.message_ids,
                delivered.file_ids,
            )
        )
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("reflection %d: transcript sent but not recorded for deletion", reflection.id)


async def withdraw_transcripts(ctx: Context, sent: Sequence[SentTranscript]) -> list[int]:
    """Delete transcripts from the direct messages they were sent to, and forget them. The
    ids done with: deleted, gone already, or never deletable (logged). One that failed for
    now, or whose platform is not connected, is kept for the next try."""
    done = [item.id for item in sent if await _withdrawn(ctx, item)]
    if done:
        await ctx.store.reflections.drop_transcripts(done)
    return done


async def _withdrawn(ctx: Context, item: SentTranscript) -> bool:
    outbox = ctx.outbox(item.platform)
    if outbox is None:
        return False
    messages = (item.message_id,) if item.message_id else ()
    files = (item.file_id,) if item.file_id else ()
    delivered = Delivered(item.conversation, messages, files)
    try:
        await outbox.withdraw_direct(
            Conversation(item.platform, item.channel, item.workspace), delivered
        )
    except DeliveryError as exc:
        later = "" if exc.permanent else "; tried again later"
        log.warning(
            "a transcript of reflection %d not deleted (%s)%s",
            item.reflection_id,
            exc.reason,
            later,
        )
        return exc.permanent
    return True


# contributions


def named(findings: list[Finding]) -> str:
    kinds = dict.fromkeys(m.IDENTIFIER_NAMES.get(f.kind, f.kind) for f in findings)
    return join_names(list(kinds))


def redact(text: str, findings: list[Finding]) -> str:
    """The text as stored: numbers, dates of birth and postcodes replaced; names kept (they
    never reach anything derived from it: bot/reflect/summary.py)."""
    for found in sorted(findings, key=lambda f: f.start, reverse=True):
        if found.kind in REDACTED_KINDS:
            text = text[: found.start] + m.REDACTED + text[found.end :]
    return text


def identifier_warning(reflection: Reflection, findings: list[Finding]) -> str:
    """What the author of a named reply is told, privately: what was found, what was removed
    from the stored copy, and that a name is kept there but never posted."""
    removed = [f for f in findings if f.kind in REDACTED_KINDS]
    parts = [m.REFLECT_IDENTIFIER_NAMED.format(id=reflection.id, what=named(findings))]
    if removed:
        parts.append(m.REFLECT_IDENTIFIER_REMOVED.format(what=named(removed)))
    if len(removed) < len(findings):
        parts.append(m.REFLECT_IDENTIFIER_NAME_KEPT)
    return " ".join(parts)


async def contribute(
    ctx: Context, reflection: Reflection, person: Person, text: str, message_id: str
) -> Reply | None:
    """Record a reply in the thread. One with a patient identifier is stored with it
    removed (a suspected name is kept, and left out of the summary), and its author is
    warned privately (once, however often the platform sends the reply). Nothing is said
    when all is well."""
    if reflection.state != OPEN:
        return say(m.REFLECT_REPLY_CLOSED.format(id=reflection.id))
    if len(text) > limits.CONTRIBUTION_CHARS:
        limit = limits.CONTRIBUTION_CHARS
        return say(m.REFLECT_REPLY_TOO_LONG.format(id=reflection.id, length=len(text), limit=limit))
    findings = find_identifiers(text)
    author = None if reflection.anonymous else key_of(where(reflection), person)
    stored = await ctx.store.reflections.contribute(
        reflection.id,
        reflection.step,
        redact(text, findings),
        author,
        person.name or None,
        message_id or None,
    )
    if findings and stored is not None:  # a platform's retry of a stored reply: warned once
        return say(identifier_warning(reflection, findings))
    return None


def anonymous_form(reflection: Reflection, initial: str = "", error: str = "") -> Reply:
    """The form for an anonymous contribution; shown again, with the text, when it has to
    be changed."""
    return form_for(str(reflection.id), initial, error)


def form_for(reflection: str, initial: str = "", error: str = "") -> Reply:
    """The anonymous form for the reflection with id `reflection`."""
    blocks: list[Block] = [Heading(m.ANONYMOUS_FORM_TITLE), Paragraph.of(m.ANONYMOUS_FORM_INTRO)]
    if error:
        blocks.append(Paragraph.of(error))
    if initial:
        blocks.append(QuoteBlock(initial, m.ANONYMOUS_FORM_LABEL))
    form = Form(
        submit=actions.ANONYMOUS_SUBMIT,
        value=reflection,
        title=m.ANONYMOUS_FORM_TITLE,
        label=m.ANONYMOUS_FORM_LABEL,
        button=m.ANONYMOUS_FORM_SUBMIT,
        initial=initial,
        error=error,
    )
    return Reply(kind="form", blocks=tuple(blocks), summary=error or form.title, form=form)


def anonymous_post(reflection: Reflection, text: str) -> Reply:
    return Reply(
        kind="anonymous",
        blocks=(Heading(m.ANONYMOUS_HEADING), Paragraph.of(text)),
        visibility=Visibility.CHANNEL,
        summary=f"{m.ANONYMOUS_HEADING}: {text}",
        subject=str(reflection.id),
    )


async def post_anonymous(ctx: Context, reflection: Reflection, typed: str) -> Reply:
    """Check, store, post. Any identifier, a suspected name too, sends the form back with
    the reason, and nothing is posted. Nothing about who sent it is passed in, so nothing
    can be kept."""
    text = typed.strip()
    if not text:
        return anonymous_form(reflection, error=m.ANONYMOUS_EMPTY)
    if len(text) > limits.CONTRIBUTION_CHARS:  # more than the form's box takes: not shown again
        error = m.ANONYMOUS_TOO_LONG.format(length=len(text), limit=limits.CONTRIBUTION_CHARS)
        return anonymous_form(reflection, error=error)
    findings = find_identifiers(text)
    if findings:
        error = m.REFLECT_IDENTIFIER_ANONYMOUS.format(what=named(findings))
        return anonymous_form(reflection, text, error)
    stored = await _pending_row(ctx, reflection, text)
    if stored is None:  # posted already; only the answer was lost
        return say(m.ANONYMOUS_DONE.format(id=reflection.id), kind=ANONYMOUS_DONE)
    try:
        posted = await outbox_for(ctx, reflection.platform).post(
            where(reflection), anonymous_post(reflection, text)
        )
    except DeliveryError as exc:
        await ctx.store.reflections.withdraw(stored)
        failed = m.ANONYMOUS_FAILED.format(reason=exc.reason)
        return anonymous_form(reflection, text, failed)
    await _remember_post(ctx, stored, posted)
    return say(m.ANONYMOUS_DONE.format(id=reflection.id), kind=ANONYMOUS_DONE)


async def post_unposted(ctx: Context, now: dt.datetime) -> list[str]:
    """Post anonymous contributions whose post was cut short (a crash, or a shutdown while
    they waited their turn) and that nobody sent again. One replica takes each."""
    store, done = ctx.store.reflections, []
    for contribution, reflection in await store.unposted(now - UNPOSTED_WAIT):
        if not await store.take_unposted(contribution.id, contribution.created_at):
            continue
        reply = anonymous_post(reflection, contribution.text)
        try:
            posted = await outbox_for(ctx, reflection.platform).post(where(reflection), reply)
        except DeliveryError as exc:
            log.warning("contribution %d: post failed again (%s)", contribution.id, exc.reason)
            if exc.permanent:  # it can never be shown: not kept either
                await store.withdraw(contribution.id)
            continue
        await _remember_post(ctx, contribution.id, posted)
        done.append(f"posted:{contribution.id}")
    return done


async def _pending_row(ctx: Context, reflection: Reflection, text: str) -> int | None:
    """The row to post: stored, pending until posted. The same words sent again within
    SENT_AGAIN are the same form sent again after a failure: a post cut short is posted
    now; one already posted (only its answer was lost) is None, and not posted twice.
    (Two people writing exactly the same words within minutes count once.)"""
    store = ctx.store.reflections
    found = await store.sent_again(reflection.id, text, ctx.clock() - SENT_AGAIN)
    if found is not None:
        ident, pending = found
        return ident if pending else None
    stored = await store.contribute(reflection.id, reflection.step, text, pending=True)
    assert stored is not None  # no message id: nothing to collide with
    return stored


async def _remember_post(ctx: Context, contribution: int, posted: str) -> None:
    """The post is out: record it, so the contribution counts (and its deletion can be
    followed). A database away for a moment is waited for; past that the person is still
    told it was posted (it was), and the row stays pending: a later pass posts it again
    (rather than lose it)."""
    try:
        await _settled(lambda: ctx.store.reflections.set_message(contribution, posted))
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("contribution %d posted; the database did not hear of it", contribution)
