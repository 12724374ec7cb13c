"""The anonymous evaluation a closed reflection offers: one question posted in its thread,
a score from 1 to 5 from anyone in it (one per person, kept under a one-way digest), an
optional comment through the anonymous form, and the result for the facilitator alone from
three answers on (`bot.store.evaluations`)."""

from __future__ import annotations

import datetime as dt
import logging

from bot import actions, limits
from bot import messages as m
from bot.context import Context
from bot.events import Person
from bot.guardrail import find_identifiers
from bot.identity import key_of
from bot.outbox import DeliveryError
from bot.reflect.contributions import named
from bot.reflect.thread import outbox_for, say, topic_of, where
from bot.replies import Block, Button, Form, Heading, Note, Paragraph, Question, Reply, Visibility
from bot.store import unreachable
from bot.store.evaluations import SCORES
from bot.store.reflections import CLOSED, Reflection

log = logging.getLogger("rounds.reflect")


def evaluation_post(ctx: Context, reflection: Reflection) -> Reply:
    """The question posted in the thread, for everyone in it: five buttons, 1 to 5."""
    heading = m.EVALUATION_HEADING.format(topic=topic_of(ctx, reflection).title)
    blocks = (
        Heading(heading),
        Question(m.EVALUATION_QUESTION),
        Note(m.EVALUATION_SCALE),
        Note(m.EVALUATION_NOTE),
    )
    buttons = tuple(
        Button(str(score), actions.EVALUATE_SCORE, f"{reflection.id}:{score}") for score in SCORES
    )
    summary = m.EVALUATION_SUMMARY.format(id=reflection.id)
    return Reply(
        kind="evaluation",
        blocks=blocks,
        visibility=Visibility.CHANNEL,
        buttons=buttons,
        summary=summary,
        subject=str(reflection.id),
    )


async def offer(ctx: Context, reflection: Reflection) -> None:
    """Post the evaluation in the thread of a reflection that has just closed, once (a
    close finished again does not post it again). A failure is logged, never raised: the
    thread is closed whatever becomes of it."""
    try:
        if await ctx.store.evaluations.open(reflection.id):
            await outbox_for(ctx, reflection.platform).post(
                where(reflection), evaluation_post(ctx, reflection)
            )
    except DeliveryError as exc:
        log.warning("reflection %d: evaluation not posted (%s)", reflection.id, exc.reason)
    except Exception as exc:  # the close is recorded already: it must not fail for this
        if not unreachable(exc):
            log.exception("reflection %d: evaluation not offered", reflection.id)
            return
        log.warning("reflection %d: evaluation not offered (database away)", reflection.id)


def open_for_answers(ctx: Context, reflection: Reflection) -> bool:
    """Whether the thread takes answers: closed, and not yet past retention."""
    closed = reflection.closed_at
    if reflection.state != CLOSED or closed is None:
        return False
    return ctx.clock() < closed + dt.timedelta(days=ctx.retention_days)


def split_value(value: str) -> tuple[int, str] | None:
    """`<reflection id>:<rest>` as its parts, or None."""
    ident, sep, rest = value.partition(":")
    return (int(ident), rest) if sep and ident.isdigit() and rest else None


def comment_form(
    reflection: Reflection, token: str, lead: str, initial: str = "", error: str = ""
) -> Reply:
    """The thanks and the optional comment form; sent back with the `error` when the
    comment cannot be kept."""
    blocks: list[Block] = [Heading(m.EVALUATION_FORM_TITLE), Paragraph.of(lead)]
    blocks.append(Paragraph.of(m.EVALUATION_FORM_INTRO))
    form = Form(
        submit=actions.EVALUATE_COMMENT,
        value=f"{reflection.id}:{token}",
        title=m.EVALUATION_FORM_TITLE,
        label=m.EVALUATION_FORM_LABEL,
        button=m.EVALUATION_FORM_SUBMIT,
        initial=initial,
        error=error,
    )
    return Reply(kind="form", blocks=tuple(blocks), summary=error or lead, form=form)


async def score(ctx: Context, reflection: Reflection, person: Person, pressed: str) -> Reply:
    """Keep the person's score (replacing any earlier one), then thank them privately and
    offer the comment form. Who they are makes the digest and is then dropped."""
    ident = key_of(where(reflection), person)
    chosen = int(pressed) if pressed.isdigit() else 0
    token = None
    if ident is not None and open_for_answers(ctx, reflection):
        token = await ctx.store.evaluations.answer(reflection.id, ident, chosen)
    if token is None:
        return say(m.EVALUATION_NOT_OPEN.format(id=reflection.id), kind="error")
    thanks = m.EVALUATION_THANKS.format(id=reflection.id, score=chosen)
    return comment_form(reflection, token, thanks)


async def comment(ctx: Context, reflection: Reflection, token: str, typed: str) -> Reply:
    """Keep the comment with its answer. One with a patient identifier (a suspected name
    too) is refused, the form sent back with the reason; nothing names who sent it."""
    text, lead = typed.strip(), m.EVALUATION_FORM_AGAIN
    if not open_for_answers(ctx, reflection):
        return say(m.EVALUATION_NOT_OPEN.format(id=reflection.id), kind="error")
    if not text:
        return comment_form(reflection, token, lead, error=m.EVALUATION_COMMENT_EMPTY)
    if len(text) > limits.CONTRIBUTION_CHARS:
        error = m.EVALUATION_COMMENT_TOO_LONG.format(
            length=len(text), limit=limits.CONTRIBUTION_CHARS
        )
        return comment_form(reflection, token, lead, text[: limits.CONTRIBUTION_CHARS], error)
    findings = find_identifiers(text)
    if findings:
        error = m.EVALUATION_COMMENT_IDENTIFIER.format(what=named(findings))
        return comment_form(reflection, token, lead, text, error)
    if not await ctx.store.evaluations.comment(reflection.id, token, text):
        return say(m.EVALUATION_NOT_OPEN.format(id=reflection.id), kind="error")
    return say(m.EVALUATION_COMMENT_DONE.format(id=reflection.id))
