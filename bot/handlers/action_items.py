"""`action done <n> [#id]` and the Done button beside an action in `reflect actions`:
mark one of a closed reflection's actions done. Its owner, the thread's facilitator or an
admin may; anyone else is told there is no such action."""

from __future__ import annotations

from bot import messages as m
from bot.context import Context
from bot.events import Action, Command
from bot.handlers.reflect import latest_of, target
from bot.reflect import follow_up
from bot.reflect.thread import say
from bot.replies import Reply


async def action(ctx: Context, event: Command, args: str) -> list[Reply]:
    words = args.split()
    if len(words) < 2 or words[0].lower() != "done" or not words[1].isdigit():
        return [say(m.ACTION_USAGE, kind="error")]
    number, named = int(words[1]), words[2:3]
    if named:  # `#id`: from anywhere in its workspace (the owner's own chat with Rounds)
        return [await _done(ctx, event, named[0].lstrip("#"), number)]
    if not event.conversation.thread:
        named = await latest_of(ctx, event)
    found = await target(ctx, event, named, runs=False, open_only=False)
    if isinstance(found, Reply):
        return [found]
    return [await follow_up.mark_done(ctx, found, number, event.conversation, event.person)]


async def pressed_done(ctx: Context, event: Action) -> list[Reply]:
    """The Done button, its value `<reflection id>:<n>`."""
    ident, _, typed = event.value.partition(":")
    return [await _done(ctx, event, ident, int(typed) if typed.isdigit() else 0)]


async def _done(ctx: Context, event: Command | Action, ident: str, number: int) -> Reply:
    """Mark action `number` of reflection `ident` done. The id is the client's to choose:
    the reflection must be on the person's platform and in their workspace, and they must
    be allowed to mark it (`mark_done` asks); otherwise there is no such action."""
    found = await ctx.store.reflections.get(int(ident)) if ident.isdigit() else None
    where = event.conversation
    if found is None or (found.platform, found.workspace) != (where.platform, where.workspace):
        shown = ident if ident.isdigit() else "?"
        return say(m.ACTION_NOT_FOUND.format(number=number, id=shown), kind="error")
    return await follow_up.mark_done(ctx, found, number, where, event.person)
