"""Contributions to a reflection thread: named replies (stored with patient identifiers
removed, their author warned privately) and anonymous ones (checked, stored, then posted by
Rounds; nothing about who sent them is kept)."""

from __future__ import annotations

import datetime as dt
import logging

from bot import actions, limits
from bot import messages as m
from bot.content.model import join_names
from bot.context import Context
from bot.events import Person
from bot.guardrail import REDACTED_KINDS, Finding, find_identifiers
from bot.identity import key_of
from bot.outbox import DeliveryError
from bot.reflect.thread import outbox_for, record_done, say, where
from bot.replies import (
    ANONYMOUS_DONE,
    Block,
    Form,
    Heading,
    Paragraph,
    QuoteBlock,
    Reply,
    Visibility,
)
from bot.store import unreachable
from bot.store.reflections import OPEN, Reflection

log = logging.getLogger("rounds.reflect")
# An anonymous contribution still unposted this long after it was stored was cut short
# (posts to a thread wait their turn, about one a second): the scheduler posts it.
# in leases (`ROUNDS_CLAIM_LEASE_SECONDS`): how long an anonymous post cut short waits for
# its sender to send the form again before the scheduler posts it; and the same words sent
# within that time are the same form sent again
LEASES_TO_WAIT = 2


# named


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


# anonymous


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
    for contribution, reflection in await store.unposted(now - store.lease * LEASES_TO_WAIT):
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
    two leases are the same form sent again after a failure: a post cut short is posted
    now; one already posted (only its answer was lost) is None, and not posted twice.
    (Two people writing exactly the same words within minutes count once.)"""
    store = ctx.store.reflections
    found = await store.sent_again(reflection.id, text, ctx.clock() - store.lease * LEASES_TO_WAIT)
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
        await record_done(ctx, lambda: ctx.store.reflections.set_message(contribution, posted))
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("contribution %d posted; the database did not hear of it", contribution)
