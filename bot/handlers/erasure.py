"""`forget-me`: erase what Rounds stores about the person asking: on their own platform,
in their own workspace (the same user id elsewhere is someone else). It asks first:
`forget-me` says what would go, `forget-me confirm` (or its Erase button) erases it. The
button erases whoever pressed it, never anyone named in it; and only when it was shown to
them (in a Teams channel everyone sees it): anyone else pressing it is shown their own
list first."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot import actions
from bot import messages as m
from bot.context import Context
from bot.events import Action, Command, Conversation, Person
from bot.identity import key_of
from bot.reflect import closing
from bot.replies import Block, Button, Heading, Note, Paragraph, Reply
from bot.store.keeping import Erased

CONFIRM = "confirm"


async def forget_me(ctx: Context, event: Command, args: str) -> list[Reply]:
    if args.strip().lower() == CONFIRM:
        return [await erase(ctx, event.conversation, event.person)]
    return [await preview(ctx, event.conversation, event.person)]


async def pressed_erase(ctx: Context, event: Action) -> list[Reply]:
    """The Erase button: the person who pressed it, where they pressed it."""
    who = key_of(event.conversation, event.person)
    if who is None or event.value != shown_to(who):
        return [await preview(ctx, event.conversation, event.person)]
    return [await erase(ctx, event.conversation, event.person)]


def shown_to(who: str) -> str:
    """Marks whose list the Erase button is on, without naming them."""
    return hashlib.sha256(f"forget-me:{who}".encode()).hexdigest()[:16]


async def preview(ctx: Context, conversation: Conversation, person: Person) -> Reply:
    """What `forget-me confirm` would erase, erasing nothing."""
    who = key_of(conversation, person)
    if who is None:
        return nothing()
    found = await ctx.store.reflections.about(who)
    owned, wrote = await ctx.store.actions.about(who)
    found = replace(
        found,
        contributions=found.contributions + wrote,
        schedules=await ctx.store.schedules.created_by(who),
        series=await ctx.store.series.created_by(who),
        references=await ctx.store.personal_references(who),
        actions=owned,
    )
    if not found.anything:
        return nothing()
    blocks: list[Block] = [Heading(m.FORGET_PREVIEW_TITLE), *points(found)]
    blocks += [Paragraph.of(m.FORGET_CONFIRM_HOW), Note(m.FORGET_NOTE)]
    erase_button = Button(m.BUTTON_ERASE, actions.FORGET_CONFIRM, shown_to(who))
    return Reply(
        kind="forget-me",
        discreet=True,
        blocks=tuple(blocks),
        buttons=(erase_button,),
        summary=m.FORGET_PREVIEW_TITLE,
    )


async def erase(ctx: Context, conversation: Conversation, person: Person) -> Reply:
    who = key_of(conversation, person)
    if who is None:
        return nothing()
    store = ctx.store
    sent = await store.reflections.transcripts_to(who)
    withdrawn = set(await closing.withdraw_transcripts(ctx, sent))
    later = [item.id for item in sent if item.id not in withdrawn]
    await store.reflections.unlink_transcripts(later)
    owned, wrote = await store.actions.forget(who)  # their updates count as contributions
    forgotten = await store.reflections.forget(who)
    erased = replace(
        forgotten,
        contributions=forgotten.contributions + wrote,
        actions=owned,
        schedules=await store.schedules.forget_creator(who),
        series=await store.series.forget_creator(who),
        transcripts=len(withdrawn),
        transcripts_later=len(later),
        references=await store.forget_personal_references(who),
    )
    if not erased.anything:
        return nothing()
    blocks: list[Block] = [Heading(m.FORGET_TITLE), *points(erased), Note(m.FORGET_NOTE)]
    return Reply(kind="forget-me", blocks=tuple(blocks), summary=m.FORGET_TITLE, discreet=True)


def points(found: Erased) -> list[Block]:
    lines = [
        (found.contributions, m.FORGET_CONTRIBUTIONS),
        (found.facilitated, m.FORGET_FACILITATED),
        (found.schedules, m.FORGET_SCHEDULES),
        (found.series, m.FORGET_SERIES),
        (found.transcripts, m.FORGET_TRANSCRIPTS),
        (found.transcripts_later, m.FORGET_TRANSCRIPTS_LATER),
        (found.references, m.FORGET_REFERENCES),
        (found.actions, m.FORGET_ACTIONS),
    ]
    return [Paragraph.of("• " + text.format(count=n)) for n, text in lines if n]


def nothing() -> Reply:
    blocks = (Paragraph.of(m.FORGET_NOTHING), Note(m.FORGET_NOTE))
    return Reply(kind="forget-me", blocks=blocks, summary=m.FORGET_NOTHING, discreet=True)
