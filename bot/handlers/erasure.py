"""`forget-me`: erase what Rounds stores about the person asking: on their own platform,
in their own workspace (the same user id elsewhere is someone else)."""

from __future__ import annotations

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.identity import key_of
from bot.replies import Block, Heading, Note, Paragraph, Reply


async def forget_me(ctx: Context, event: Command, args: str) -> list[Reply]:
    person = key_of(event.conversation, event.person)
    if person is None:
        return [Reply(kind="forget-me", blocks=(Paragraph.of(m.FORGET_NOTHING),))]
    erased = await ctx.store.reflections.forget(person)
    schedules = await ctx.store.schedules.forget_creator(person)
    lines = [
        (erased.contributions, m.FORGET_CONTRIBUTIONS),
        (erased.facilitated, m.FORGET_FACILITATED),
        (schedules, m.FORGET_SCHEDULES),
    ]
    points = [Paragraph.of("• " + text.format(count=n)) for n, text in lines if n]
    blocks: list[Block] = [Heading(m.FORGET_TITLE)]
    blocks += points or [Paragraph.of(m.FORGET_NOTHING)]
    blocks.append(Note(m.FORGET_NOTE))
    summary = m.FORGET_TITLE if points else m.FORGET_NOTHING
    return [Reply(kind="forget-me", blocks=tuple(blocks), summary=summary)]
