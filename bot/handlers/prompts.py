"""`prompt [topic]`: post a discussion prompt in the channel now."""

from __future__ import annotations

from bot import messages as m
from bot.content.model import Prompt
from bot.context import Context
from bot.events import Action, Command
from bot.format import topic_list
from bot.handlers.quotes import quote_block
from bot.replies import Heading, Note, Paragraph, Reply, Visibility
from bot.resolve import find_topic

ROTATION = "prompt"


def prompt_reply(ctx: Context, prompt: Prompt) -> Reply:
    topic = ctx.library.topics[prompt.topic]
    quote = ctx.library.quotes[prompt.quote]
    return Reply(
        kind="prompt",
        blocks=(
            Heading(m.PROMPT_TITLE.format(topic=topic.title)),
            Paragraph.of(prompt.text),
            quote_block(ctx, quote),
            Note(m.PROMPT_INVITE),
        ),
        visibility=Visibility.CHANNEL,
        summary=prompt.text,
        data={"prompt": prompt.id, "topic": topic.slug},
    )


async def prompt(ctx: Context, event: Command | Action, args: str) -> list[Reply]:
    pool = list(ctx.library.prompts.values())
    if args.strip():
        topic = find_topic(ctx.library, args)
        if topic is None:
            return [_unknown_topic(ctx, args)]
        pool = ctx.library.prompts_for_topic(topic.slug)
    if not pool:
        return [Reply(kind="error", blocks=(Paragraph.of(m.PROMPT_NONE),), summary=m.PROMPT_NONE)]
    ids = sorted(p.id for p in pool)
    chosen = await ctx.store.rotate(event.conversation.key, ROTATION, ids, ctx.rng)
    return [prompt_reply(ctx, ctx.library.prompts[chosen])]


def _unknown_topic(ctx: Context, typed: str) -> Reply:
    text = m.PROMPT_UNKNOWN_TOPIC.format(topic=typed)
    blocks = (Paragraph.of(text), Note(m.QUOTE_TRY_TOPICS.format(topics=topic_list(ctx.library))))
    return Reply(kind="error", blocks=blocks, summary=text)
