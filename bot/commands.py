"""Every command, declared once: what runs it, its names, its help and its menu entries.

To add a command, add one `CommandSpec` to `SPECS`. The dispatch tables in `bot/core.py`
(`COMMANDS`, `ALIASES`, `NAMES`, `IN_MEMORY`), `help` and `help <command>`, the "did you mean"
suggestions and the Teams command menu (`rounds teams-package`) are read from it; tests hold
the Slack manifests' usage hint and the README's command table to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.handlers import (
    action_items,
    erasure,
    home,
    info,
    library,
    lookup,
    prompts,
    quotes,
    reflect,
    schedules,
)
from bot.replies import Reply

CommandHandler = Callable[[Context, Command, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Menu:
    """A command's line in a platform's command menu, by the kind of conversation it is
    offered in (None: not offered there). Teams shows up to 10 lines of 128 characters."""

    channel: str | None
    group: str | None
    direct: str | None


def everywhere(description: str) -> Menu:
    return Menu(channel=description, group=description, direct=description)


@dataclass(frozen=True)
class CommandSpec:
    """One command. `usage`, `example` and `summary` are its help; `in_memory` says it is
        answered from memory alone (the library and the lookup index, never the database or
        the network), so adapters may answer it inline; `hint` is its short form in the Slack
        slash command's usage hint (None: not listed there); `title` heads any answer of the
    command's that has no heading of its own (a short confirmation, a refusal)."""

    name: str
    handler: CommandHandler
    usage: str
    example: str
    summary: str
    aliases: tuple[str, ...] = ()
    in_memory: bool = False
    menu: Menu | None = None
    hint: str | None = None
    title: str = ""  # the heading of an answer that has none of its own


async def _help(ctx: Context, event: Command, args: str) -> list[Reply]:
    return [info.help_reply(SPECS, args)]


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "help",
        _help,
        "help [command]",
        "help lookup",
        "What Rounds can do, with examples.",
        aliases=("?",),
        in_memory=True,
        menu=everywhere("What Rounds can do, with examples. help lookup for one command"),
        hint="help",
        title="Help",
    ),
    CommandSpec(
        "quote",
        quotes.quote,
        'quote [topic, person or words] ["exact phrase"] [author:name] [topic:slug]',
        "quote Challans-Rasool",
        "A quote from the articles, word for word, with who said it. Name a topic, a person "
        "(any part of their name) or words in the quote; `author:`, `topic:` and "
        '"exact phrase" narrow it as in `lookup`.',
        menu=everywhere(
            "A quote, word for word, with who said it: by topic, part of a name, words, or an "
            "author: or topic: filter. quote Challans-Rasool"
        ),
        hint="quote [topic]",
        title="Quote",
    ),
    CommandSpec(
        "lookup",
        lookup.lookup,
        'lookup <words> ["exact phrase"] [author:name] [topic:slug]',
        "lookup triumvirate",
        "The best passages from the articles for your words. Typos are fine.",
        aliases=("search", "find"),
        in_memory=True,
        menu=everywhere(
            "The best passages from the articles for your words. Typos are fine. lookup triumvirate"
        ),
        hint="lookup <words>",
        title="Lookup",
    ),
    CommandSpec(
        "topics",
        library.topics,
        "topics",
        "topics",
        "The topics, each with its slug (to type in other commands), a description and how "
        "many articles and prompts it has.",
        in_memory=True,
        menu=everywhere(
            "The topics, each with its slug for other commands and how many articles and "
            "prompts it has"
        ),
        hint="topics",
        title="Topics",
    ),
    CommandSpec(
        "articles",
        library.articles,
        "articles [topic]",
        "articles manager-medic",
        "The articles in the library, newest first, each with its number and id for `read`.",
        in_memory=True,
        menu=everywhere(
            "The articles, newest first, each with its number and id for read. "
            "articles manager-medic"
        ),
        title="Articles",
    ),
    CommandSpec(
        "schedule",
        schedules.schedule,
        "schedule [weekly <day> <HH:MM> [timezone] [topics…] | pause | resume | skip [date] "
        "| unskip [date] | stop | holidays [on [nation]|off]]",
        "schedule weekly monday 09:00",
        "The channel's weekly discussion prompt: see it, set it, pause it, or skip dates "
        "(14 Dec, 14/12 or 2026-12-14). GMT, BST or UK time mean Europe/London.",
        title="Weekly prompt",
    ),
    CommandSpec(
        "read",
        library.read,
        "read <number, id or title words>",
        "read dark side",
        "One article: its summary, source and key quotes. Give its number or id from "
        "`articles`, or words from its title; when several titles match, they are listed.",
        aliases=("article",),
        in_memory=True,
        menu=everywhere(
            "One article: summary, source and key quotes, by its number, id or title words. "
            "read 3, read dark side"
        ),
        title="Article",
    ),
    CommandSpec(
        "prompt",
        prompts.prompt,
        "prompt [topic]",
        "prompt wellbeing",
        "Posts a discussion prompt in this channel now.",
        menu=Menu(
            channel="Posts a discussion prompt in this channel now. prompt wellbeing",
            group="Posts a discussion prompt in this chat now. prompt wellbeing",
            direct="A discussion prompt, grounded in a quote. prompt wellbeing",
        ),
        hint="prompt [topic]",
        title="Discussion prompt",
    ),
    CommandSpec(
        "reflect",
        reflect.reflect,
        "reflect start <topic> [model] [closes <duration>] [anonymous] | next | close | list "
        "| export [id] | actions [id] | every <n>w <day> <HH:MM> <topic> [model] "
        "[closes <duration>] [times HH:MM,HH:MM…] [anonymous] [holidays <nation>] "
        "| series [stop <id>]",
        "reflect start manager-medic gibbs closes 3d",
        "A facilitated reflection thread: a framing quote, a question at a time, a summary; "
        "or a series of them, every few weeks.",
        aliases=("reflection",),
        menu=Menu(
            channel="A facilitated reflection thread, a question at a time. "
            "reflect start manager-medic",
            group=None,
            direct=None,
        ),
        hint="reflect start <topic>",
        title="Reflection",
    ),
    CommandSpec(
        "home",
        home.home,
        "home",
        "home",
        "What you run, at a glance: your reflections (open and closed, with their actions), "
        "the weekly prompts you set, and charts of how they went. Shown to you alone.",
        menu=Menu(
            channel=None,
            group=None,
            direct="Your reflections, weekly prompts and charts of how they went",
        ),
        hint="home",
        title=m.HOME_TITLE,
    ),
    CommandSpec(
        "action",
        action_items.action,
        "action done <number> [id]",
        "action done 2 #5",
        "Marks one of a closed reflection's actions done (`reflect actions` lists them): its "
        "owner, the facilitator or an admin can.",
        title="Actions",
    ),
    CommandSpec(
        "forget-me",
        erasure.forget_me,
        "forget-me [confirm]",
        "forget-me",
        "Lists what Rounds stores about you on this platform; `forget-me confirm` erases it.",
        aliases=("forgetme", "forget"),
        title="What Rounds holds about you",
    ),
    CommandSpec(
        "privacy",
        info.privacy,
        "privacy",
        "privacy",
        "What Rounds stores, for how long, and who can see it.",
        in_memory=True,
        menu=everywhere("What Rounds stores, for how long, and who can see it"),
        title="Privacy",
    ),
)
