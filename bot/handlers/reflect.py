"""`reflect …`: facilitated reflection threads, and their buttons. Parsing, which thread
is meant and who may act on it live here; `bot.reflect` posts and stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

from bot import messages as m
from bot.content.model import ReflectionModel
from bot.context import Context
from bot.events import Action, Command, Conversation, Deletion, Message
from bot.format import topic_list, when
from bot.handlers import series
from bot.reflect import closing, contributions, evaluation, follow_up, opening
from bot.reflect.opening import Opening
from bot.reflect.thread import listing, may_run, model_of, say, topic_of
from bot.reflect.timing import LONGEST, SHORTEST, default_duration, describe, parse_duration
from bot.replies import Item, Reply, with_notes
from bot.resolve import match_topic, topic_notes
from bot.store.reflections import CLOSED, OPEN, Reflection

Verb = Callable[[Context, Command, list[str]], Awaitable[Reply]]
MODEL_ALIASES = {
    "rolfe": "what-so-what-now-what",
    "what": "what-so-what-now-what",
    "wsn": "what-so-what-now-what",
    "tweet": "tweet-chat",
    "tweetchat": "tweet-chat",
    "chat": "tweet-chat",
}


async def reflect(ctx: Context, event: Command, args: str) -> list[Reply]:
    words = args.split()
    verb = words[0].lower() if words else ""
    run = VERBS.get(verb)
    if run is None:
        text = m.REFLECT_UNKNOWN if verb else m.REFLECT_USAGE
        return [say(text, m.REFLECT_USAGE, kind="error") if verb else say(text)]
    return [await run(ctx, event, words[1:])]


# start


def find_model(ctx: Context, typed: str) -> ReflectionModel | None:
    key = typed.lower().strip("'’")
    key = MODEL_ALIASES.get(key, key)
    models = ctx.library.models
    if key in models:
        return models[key]
    for model in models.values():
        if key == model.slug.split("-")[0] or key == model.title.lower().rstrip("?"):
            return model
    return None


def _options(words: list[str]) -> tuple[bool, dt.timedelta | None, list[str], str]:
    """`anonymous` and `closes <duration>` taken out of the words (or what is wrong)."""
    anonymous = any(w.lower() == "anonymous" for w in words)
    words = [w for w in words if w.lower() != "anonymous"]
    duration, words, problem = _closes(words)
    return anonymous, duration, words, problem


def parse_start(ctx: Context, words: list[str]) -> Opening | str:
    """`<topic> [model] [closes <duration>] [anonymous]`, or what is wrong with it."""
    anonymous, duration, words, problem = _options(words)
    if problem:
        return problem
    if not words:
        return m.REFLECT_NO_TOPIC.format(topics=topic_list(ctx.library))
    found = match_topic(ctx.library, words[0])
    if found is None:
        return m.REFLECT_BAD_TOPIC.format(typed=words[0], topics=topic_list(ctx.library))
    topic = found.topic
    model = next(iter(ctx.library.models.values()), None)
    if len(words) > 1:
        model = find_model(ctx, "-".join(words[1:]))
        if model is None:
            names = ", ".join(f"`{slug}`" for slug in ctx.library.models)
            return m.REFLECT_BAD_MODEL.format(typed=" ".join(words[1:]), models=names)
    if model is None:
        return m.REFLECT_BAD_MODEL.format(typed="", models="—")
    return Opening(topic, model, duration or default_duration(model), anonymous)


def _closes(words: list[str]) -> tuple[dt.timedelta | None, list[str], str]:
    """Take `closes <duration>` (also `closes 3 days`) out of the words."""
    lowered = [w.lower() for w in words]
    if "closes" not in lowered:
        return None, words, ""
    at = lowered.index("closes")
    rest = words[at + 1 :]
    for taken in (2, 1):
        duration = parse_duration(" ".join(rest[:taken])) if len(rest) >= taken else None
        if duration is not None:
            return duration, words[:at] + rest[taken:], ""
    typed = " ".join(rest[:2]) or "closes"
    bounds = {"least": describe(SHORTEST), "most": describe(LONGEST)}
    return None, words, m.REFLECT_BAD_DURATION.format(typed=typed, **bounds)


async def start(ctx: Context, event: Command, words: list[str]) -> Reply:
    parsed = parse_start(ctx, words)
    if isinstance(parsed, str):
        return say(parsed, m.REFLECT_USAGE, kind="error")
    started = await opening.start(ctx, event.conversation, event.person, parsed)
    typed = _options(words)[2][0]  # the topic as typed: parse_start has found it
    return with_notes(started, topic_notes(match_topic(ctx.library, typed)))


# which reflection


async def target(
    ctx: Context,
    event: Command | Action,
    words: Sequence[str] = (),
    *,
    runs: bool = True,
    open_only: bool = True,
) -> Reflection | Reply:
    """The reflection a command or button is about, or the reply saying why there is none:
    none found (or a button's not shown here), this person may not run it (when the action
    `runs` it), or it has closed (when the action needs it `open_only`)."""
    if isinstance(event, Action):
        found = await _pressed(ctx, event, runs)
    else:
        found = await _named(ctx, event, words, runs)
    if isinstance(found, str):
        return say(found, kind="error")
    if runs and not may_run(ctx, found, event.conversation, event.person):
        return say(_refusal(found), kind="error")
    if open_only and found.state != OPEN:
        return say(m.REFLECT_CLOSED_ALREADY.format(id=found.id))
    return found


async def _named(
    ctx: Context, event: Command | Message, words: Sequence[str], runs: bool = False
) -> Reflection | str:
    """The thread named by `#id` (typed where it is, or by someone who runs it anywhere in
    its workspace: their 1:1 chat), else the one the command was typed in, else the newest
    open one in the channel."""
    store, where = ctx.store.reflections, event.conversation
    if words:
        ident = words[0].lstrip("#")
        found = await store.get(int(ident)) if ident.isdigit() else None
        here = found is not None and found.conversation == where.key
        if found is None or not (here or _runs_from_elsewhere(ctx, found, event, runs)):
            return m.REFLECT_NOT_FOUND.format(id=ident)
        return found
    if where.thread:
        found = await store.by_thread(where.key, where.thread)
        if found is not None:
            return found
    newest = await store.in_channel(where.key)
    return newest[0] if newest else m.REFLECT_NONE_OPEN


def shown_here(found: Reflection, where: Conversation) -> bool:
    """Whether a button or form naming `found` came from where its thread is: the same
    platform, workspace or tenant and channel. The platform vouches for where a press came
    from; the reflection id in it is the client's to choose, so it is checked here."""
    return (found.platform, found.workspace, found.channel) == (
        where.platform,
        where.workspace,
        where.channel,
    )


def _runs_from_elsewhere(
    ctx: Context, found: Reflection, event: Command | Action | Message, runs: bool
) -> bool:
    """A facilitator's control used away from the thread: the buttons in their private
    message (a Teams 1:1 chat), or `reflect next #id` typed there. Only for running the
    thread, by someone who may run it, on its platform and in its workspace or tenant;
    anyone else is told there is no such reflection, as for an id that does not exist."""
    where = event.conversation
    same_place = (found.platform, found.workspace) == (where.platform, where.workspace)
    return runs and same_place and may_run(ctx, found, where, event.person)


async def _pressed(ctx: Context, event: Action, runs: bool) -> Reflection | str:
    ident = event.value.lstrip("#")
    found = await ctx.store.reflections.get(int(ident)) if ident.isdigit() else None
    if found is None or not (
        shown_here(found, event.conversation) or _runs_from_elsewhere(ctx, found, event, runs)
    ):
        return m.REFLECT_NOT_FOUND.format(id=ident)
    return found


def _refusal(found: Reflection) -> str:
    """Why not: a thread whose facilitator was forgotten is the admins' alone."""
    if found.facilitator is None:
        return m.REFLECT_NOT_ALLOWED_ORPHAN.format(id=found.id)
    return m.REFLECT_NOT_ALLOWED


# the facilitator's commands (and their buttons)


async def next_(ctx: Context, event: Command | Action, words: list[str]) -> Reply:
    found = await target(ctx, event, words)
    if isinstance(found, Reply):
        return found
    return await opening.ask_next(ctx, found)


async def close(ctx: Context, event: Command | Action, words: list[str]) -> Reply:
    found = await target(ctx, event, words)
    if isinstance(found, Reply):
        return found
    return await closing.close(ctx, found)


async def export(ctx: Context, event: Command, words: list[str]) -> Reply:
    if not words and not event.conversation.thread:
        words = await latest_of(ctx, event)
    found = await target(ctx, event, words, open_only=False)
    if isinstance(found, Reply):
        return found
    return await closing.deliver_transcript(ctx, found, event.person)


async def actions_(ctx: Context, event: Command, words: list[str]) -> Reply:
    """`reflect actions [#id]`: a closed thread's actions (the channel's newest by default)."""
    if not words and not event.conversation.thread:
        words = await latest_of(ctx, event)
    found = await target(ctx, event, words, runs=False, open_only=False)
    if isinstance(found, Reply):
        return found
    return await follow_up.listing(ctx, found, event.conversation, event.person)


async def latest_of(ctx: Context, event: Command) -> list[str]:
    """`#id` of the channel's newest thread this person runs (else its newest), closed
    ones too; none when the channel has none."""
    every = await ctx.store.reflections.in_channel(event.conversation.key, open_only=False)
    mine = [r for r in every if may_run(ctx, r, event.conversation, event.person)]
    newest = (mine or every)[:1]
    return [str(r.id) for r in newest]


async def list_(ctx: Context, event: Command, words: list[str]) -> Reply:
    found = await ctx.store.reflections.in_channel(event.conversation.key)
    items = [_listed(ctx, r) for r in found]
    return listing("reflect", m.REFLECT_LIST_TITLE, m.REFLECT_LIST_NONE, items)


def _listed(ctx: Context, found: Reflection) -> Item:
    model = model_of(ctx, found)
    position = m.REFLECT_POSITION.format(number=found.step + 1, total=len(model.steps))
    meta = m.REFLECT_LIST_META.format(
        model=model.title, position=position, when=when(found.closes_at, ctx.timezone)
    )
    title = m.REFLECT_LIST_ITEM.format(id=found.id, topic=topic_of(ctx, found).title)
    return Item(title=title, meta=meta, key=str(found.id))


VERBS: dict[str, Verb] = {
    "start": start,
    "open": start,
    "next": next_,
    "close": close,
    "end": close,
    "list": list_,
    "export": export,
    "transcript": export,
    "actions": actions_,
    "every": series.every,
    "series": series.series,
}


# buttons and thread messages


async def pressed_next(ctx: Context, event: Action) -> list[Reply]:
    return [await next_(ctx, event, [])]


async def pressed_close(ctx: Context, event: Action) -> list[Reply]:
    return [await close(ctx, event, [])]


async def pressed_anonymous(ctx: Context, event: Action) -> list[Reply]:
    found = await target(ctx, event, runs=False)
    if isinstance(found, Reply):
        return [found]
    return [contributions.anonymous_form(found)]


async def submitted_anonymous(ctx: Context, event: Action) -> list[Reply]:
    """The form's text. Whoever sent it is not looked at."""
    found = await target(ctx, event, runs=False)
    if isinstance(found, Reply):
        return [found]
    return [await contributions.post_anonymous(ctx, found, event.text)]


async def pressed_score(ctx: Context, event: Action) -> list[Reply]:
    """A score on the evaluation posted at close: kept once per person, anonymously."""
    found = await _evaluated(ctx, event)
    if isinstance(found, Reply):
        return [found]
    reflection, score = found
    return [await evaluation.score(ctx, reflection, event.person, score)]


async def submitted_comment(ctx: Context, event: Action) -> list[Reply]:
    """The evaluation's comment form. Whoever sent it is not looked at: the form carries
    back the digest its answer is stored under."""
    found = await _evaluated(ctx, event)
    if isinstance(found, Reply):
        return [found]
    reflection, digest = found
    return [await evaluation.comment(ctx, reflection, digest, event.text)]


async def _evaluated(ctx: Context, event: Action) -> tuple[Reflection, str] | Reply:
    """The reflection an evaluation press or form names, and the rest of its value; only
    when it came from where the thread is (the id is the client's to choose)."""
    parts = evaluation.split_value(event.value)
    found = await ctx.store.reflections.get(parts[0]) if parts else None
    if parts is None or found is None or not shown_here(found, event.conversation):
        ident = event.value.partition(":")[0][:12]
        return say(m.REFLECT_NOT_FOUND.format(id=ident), kind="error")
    return found, parts[1]


async def in_reflection(ctx: Context, where: Conversation) -> bool:
    """Whether a thread is a reflection's (an unknown command there is a contribution)."""
    if not where.thread:
        return False
    return await ctx.store.reflections.by_thread(where.key, where.thread) is not None


async def message(ctx: Context, event: Message) -> list[Reply]:
    """A message in a thread: a contribution when the thread is a reflection. Outside any
    thread (the console) it goes to the reflection named by number, else to the channel's
    newest open one, and the answer says which."""
    where = event.conversation
    if where.thread:
        found = await ctx.store.reflections.by_thread(where.key, where.thread)
        return [] if found is None else await _contribution(ctx, found, event)
    named = [str(event.reflection)] if event.reflection is not None else []
    chosen = await _named(ctx, event, named)
    if isinstance(chosen, str):
        return [say(chosen)]
    if chosen.state != OPEN and not await ctx.store.actions.followed_up(chosen.id):
        return [say(m.REFLECT_CLOSED_ALREADY.format(id=chosen.id))]
    said = await _contribution(ctx, chosen, event)
    added = m.REFLECT_REPLY_ADDED.format(id=chosen.id, topic=topic_of(ctx, chosen).title)
    return said or [say(added)]


async def _contribution(ctx: Context, found: Reflection, event: Message) -> list[Reply]:
    if not event.text.strip():  # nothing to keep: said so, never confirmed as stored
        return [say(m.REFLECT_EMPTY_REPLY)]
    if found.state == CLOSED and await ctx.store.actions.followed_up(found.id):
        return [await follow_up.store_update(ctx, found, event)]
    warning = await contributions.contribute(ctx, found, event.person, event.text, event.message_id)
    return [warning] if warning else []


async def deleted(ctx: Context, event: Deletion) -> list[Reply]:
    """A reply deleted on the platform is deleted from the store too."""
    where = event.conversation
    if not where.thread or not event.message_id:
        return []
    found = await ctx.store.reflections.by_thread(where.key, where.thread)
    if found is not None:
        await ctx.store.reflections.remove_message(found.id, event.message_id)
    return []
