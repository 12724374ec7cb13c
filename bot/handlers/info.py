"""`help [command]` and `privacy`."""

from __future__ import annotations

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.parser import suggest
from bot.replies import Block, Heading, Item, Note, Paragraph, Reply, Visibility, plain

BY_NAME = {c.name: c for c in m.COMMANDS} | {a: c for c in m.COMMANDS for a in c.aliases}


def _item(command: m.CommandHelp) -> Item:
    return Item(title=command.usage, meta=f"e.g. {command.example}", body=plain(command.summary))


async def help_(ctx: Context, event: Command, args: str) -> list[Reply]:
    wanted = args.strip().lower().split(" ", 1)[0]
    if wanted:
        return [_help_one(wanted)]
    blocks: tuple[Block, ...] = (
        Heading(m.HELP_TITLE),
        Paragraph.of(m.HELP_INTRO),
        *map(_item, m.COMMANDS),
    )
    return [Reply(kind="help", blocks=blocks, summary=m.HELP_TITLE)]


def _help_one(wanted: str) -> Reply:
    command = BY_NAME.get(wanted)
    if command is None:
        text = m.HELP_UNKNOWN.format(name=wanted)
        options = suggest(wanted, BY_NAME)
        hint = m.DID_YOU_MEAN.format(options=m.or_list(options)) if options else m.TRY_HELP
        return Reply(kind="help", blocks=(Paragraph.of(text), Note(hint)), summary=text)
    blocks: list[Block] = [Heading(command.usage), Paragraph.of(command.summary)]
    blocks.append(Note(f"Example: {command.example}"))
    if command.aliases:
        blocks.append(Note("Also: " + ", ".join(command.aliases)))
    return Reply(kind="help", blocks=tuple(blocks), summary=command.summary)


async def privacy(ctx: Context, event: Command, args: str) -> list[Reply]:
    points = tuple(
        Paragraph.of("• " + point.format(days=ctx.retention_days)) for point in m.PRIVACY_POINTS
    )
    return [
        Reply(kind="privacy", blocks=(Heading(m.PRIVACY_TITLE), *points), summary=m.PRIVACY_TITLE)
    ]


def welcome() -> Reply:
    """What Rounds says in a conversation it has just been added to."""
    return Reply(
        kind="welcome",
        blocks=(Heading(m.HELP_TITLE), Paragraph.of(m.WELCOME)),
        visibility=Visibility.CHANNEL,
        summary=m.HELP_TITLE,
    )
