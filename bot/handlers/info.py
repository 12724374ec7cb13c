"""`help [command]` and `privacy`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import messages as m
from bot import notices
from bot.context import Context
from bot.events import Command
from bot.parser import suggest
from bot.replies import Block, Heading, Item, Note, Paragraph, Reply, Visibility, plain

if TYPE_CHECKING:  # bot.commands declares every command, this handler among them
    from bot.commands import CommandSpec


def _item(command: CommandSpec) -> Item:
    example = m.HELP_EXAMPLE.format(example=command.example)
    return Item(title=command.usage, meta=example, body=plain(command.summary))


def help_reply(commands: Sequence[CommandSpec], args: str) -> Reply:
    """`help`: every command with an example; `help <command or alias>`: that one."""
    wanted = args.strip().lower().split(" ", 1)[0]
    if wanted:
        return _help_one(commands, wanted)
    blocks: tuple[Block, ...] = (
        Heading(m.HELP_TITLE),
        Paragraph.of(m.HELP_INTRO),
        *map(_item, commands),
    )
    return Reply(kind="help", blocks=blocks, summary=m.HELP_TITLE)


def _help_one(commands: Sequence[CommandSpec], wanted: str) -> Reply:
    by_name = {c.name: c for c in commands} | {a: c for c in commands for a in c.aliases}
    command = by_name.get(wanted)
    if command is None:
        text = m.HELP_UNKNOWN.format(name=wanted)
        options = suggest(wanted, by_name)
        hint = m.DID_YOU_MEAN.format(options=m.or_list(options)) if options else m.TRY_HELP
        return Reply(kind="help", blocks=(Paragraph.of(text), Note(hint)), summary=text)
    blocks: list[Block] = [Heading(command.usage), Paragraph.of(command.summary)]
    blocks.append(Note(m.HELP_EXAMPLE.format(example=command.example)))
    if command.aliases:
        blocks.append(Note("Also: " + ", ".join(command.aliases)))
    return Reply(kind="help", blocks=tuple(blocks), summary=command.summary)


async def privacy(ctx: Context, event: Command, args: str) -> list[Reply]:
    """The privacy notice (bot/notices.py), each paragraph a point: the /privacy page says
    the same under its section headings."""
    notice = notices.privacy(ctx.retention_days, ctx.organisation)
    points = tuple(Paragraph.of("• " + paragraph) for paragraph in notice.paragraphs)
    title = notices.PRIVACY_TITLE
    return [Reply(kind="privacy", blocks=(Heading(title), *points), summary=title)]


def welcome() -> Reply:
    """What Rounds says in a conversation it has just been added to."""
    return Reply(
        kind="welcome",
        blocks=(Heading(m.HELP_TITLE), Paragraph.of(m.WELCOME)),
        visibility=Visibility.CHANNEL,
        summary=m.HELP_TITLE,
    )
