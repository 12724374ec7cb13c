"""Closing a reflection thread: its summary posted in the thread, the transcript sent to the
facilitator privately, and, with the thread's retention, the transcripts taken back."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import messages as m
from bot.content.model import Topic
from bot.context import Context
from bot.events import Conversation, Person
from bot.format import passage_item
from bot.identity import key_of, user_of
from bot.lookup import LookupHit
from bot.outbox import Delivered, DeliveryError, File
from bot.reflect import evaluation, follow_up, summary
from bot.reflect.thread import model_of, not_posted, outbox_for, record_done, say, topic_of, where
from bot.reflect.worker import off_loop
from bot.replies import Chart, Heading, Item, Reply
from bot.store import unreachable
from bot.store.keeping import SentTranscript
from bot.store.reflections import CLOSE_GIVE_UP, CLOSED, Contribution, Reflection

log = logging.getLogger("rounds.reflect")


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
    return [passage_item(ctx.library, h, h.document.title) for h in list(chosen.values())[:3]]


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
    # The summary is out, so the close must be recorded: were the lease to run out, the
    # thread would be closed (and summarised) again. Its actions first (once, however often
    # a close is finished), so that a closed thread always has them.
    named = await off_loop(follow_up.named_actions, model, found)
    await record_done(ctx, lambda: follow_up.record(ctx, claimed, named))
    await record_done(ctx, lambda: ctx.store.reflections.finish_close(claimed.id))
    log.info("reflection %d closed", claimed.id)
    await evaluation.offer(ctx, claimed)  # once; a failure is logged, the close stands
    done = await ctx.store.reflections.get(claimed.id) or claimed
    if done.facilitator is not None:
        await deliver_transcript(ctx, done, None)
    return say(m.REFLECT_CLOSE_DONE.format(id=claimed.id))


def given_up(ctx: Context, reflection: Reflection) -> bool:
    """A close that has failed for CLOSE_GIVE_UP is finished without its summary, rather
    than left closing (and unpurged) for ever."""
    since = reflection.closing_since
    return since is not None and ctx.clock() - since >= CLOSE_GIVE_UP


async def deliver_transcript(ctx: Context, reflection: Reflection, to: Person | None) -> Reply:
    """The Markdown transcript, privately, to `to` (the facilitator by default)."""
    facilitator = reflection.facilitator
    person = to or (Person(user_of(facilitator)) if facilitator else None)
    if person is None:
        return say(m.REFLECT_TRANSCRIPT_FAILED.format(reason="no facilitator"), kind="error")
    found = await ctx.store.reflections.contributions(reflection.id)
    topic, model = topic_of(ctx, reflection), model_of(ctx, reflection)
    names = await _names(ctx, reflection, found)
    named = await ctx.store.actions.of_reflection(reflection.id)
    updates = await ctx.store.actions.updates(reflection.id)
    text = await off_loop(
        summary.transcript, reflection, topic, model, found, ctx.timezone, names, named, updates
    )
    if reflection.state == CLOSED:  # its evaluation, from three answers on
        text += summary.evaluation_section(await ctx.store.evaluations.result(reflection.id))
    title = f"Transcript of reflection #{reflection.id}: {topic.title}"
    chart = await participation_chart(ctx, reflection)
    letter = Reply(kind="transcript", blocks=(Heading(title), *chart), summary=title)
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


async def participation_chart(ctx: Context, reflection: Reflection) -> tuple[Chart, ...]:
    """Named contributions per question reached, beside the transcript (a PNG in the
    console, a native chart in Teams): only when three or more named people took part."""
    named = (await ctx.store.reflections.named_counts([reflection.id])).get(reflection.id)
    if named is None or named.people < summary.SHOW_COUNTS_FROM:
        return ()
    steps = min(reflection.step + 1, len(model_of(ctx, reflection).steps))
    bars = tuple((f"Q{n + 1}", named.per_step.get(n, 0)) for n in range(steps))
    alt = ", ".join(f"{label}: {value}" for label, value in bars)
    return (Chart(m.TRANSCRIPT_CHART.format(id=reflection.id), bars, alt),)


async def _names(
    ctx: Context, reflection: Reflection, found: Sequence[Contribution]
) -> dict[str, str]:
    """The display names the platform gives the named contributions' authors (only theirs:
    an anonymous contribution has no one to ask about), for the transcript alone."""
    outbox = ctx.outbox(reflection.platform)
    people = summary.named_people(found)
    if outbox is None or not people:
        return {}
    return await outbox.names(where(reflection), people)


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
        await record_done(
            ctx,
            lambda: store.record_transcript(
                reflection.id,
                reflection.platform,
                recipient,
                delivered.conversation,
                delivered.message_ids,
                delivered.file_ids,
            ),
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
