"""`prompt [topic]`: post a discussion prompt in the channel now."""

from __future__ import annotations

from bot import messages as m
from bot.content.model import Prompt
from bot.context import Context
from bot.events import Action, Command
from bot.format import open_article, quote_block, topic_list
from bot.handlers.quotes import offered
from bot.replies import Heading, Note, Paragraph, Question, Reply, Visibility
from bot.resolve import TopicMatch, match_topic, topic_notes

ROTATION = "prompt"


def prompt_reply(ctx: Context, prompt: Prompt) -> Reply:
    topic = ctx.library.topics[prompt.topic]
    quote = ctx.library.quotes[prompt.quote]
    return Reply(
        kind="prompt",
        blocks=(
            Heading(m.PROMPT_TITLE.format(topic=topic.title)),
            Question(prompt.text),
            quote_block(ctx.library, quote),
            Note(m.PROMPT_INVITE),
        ),
        visibility=Visibility.CHANNEL,
        buttons=open_article(ctx.library.articles[quote.article]),
        summary=prompt.text,
        subject=prompt.id,
    )


def grounded(ctx: Context, prompt: Prompt) -> bool:
    """Whether the prompt's quote may be offered unasked today (see `offered`)."""
    quote = ctx.library.quotes.get(prompt.quote)
    return quote is not None and offered(ctx, quote)


async def prompt(ctx: Context, event: Command | Action, args: str) -> list[Reply]:
    pool = list(ctx.library.prompts.values())
    found = None
    if args.strip():
        found = match_topic(ctx.library, args)
        if found is None:
            return [_unknown_topic(ctx, args)]
        pool = ctx.library.prompts_for_topic(found.topic.slug)
    pool = [p for p in pool if grounded(ctx, p)]
    if not pool:
        return [Reply(kind="error", blocks=(Paragraph.of(m.PROMPT_NONE),), summary=m.PROMPT_NONE)]
    ids = sorted(p.id for p in pool)
    chosen = await ctx.store.rotate(event.conversation.key, ROTATION, ids, ctx.rng)
    return [prompt_reply(ctx, ctx.library.prompts[chosen]), *_corrected(found)]


def _corrected(found: TopicMatch | None) -> list[Reply]:
    """A private word when the topic was guessed from a typo: the prompt itself is public."""
    return [Reply(kind="note", blocks=(Note(text),), summary=text) for text in topic_notes(found)]


def _unknown_topic(ctx: Context, typed: str) -> Reply:
    text = m.PROMPT_UNKNOWN_TOPIC.format(topic=typed)
    blocks = (Paragraph.of(text), Note(m.QUOTE_TRY_TOPICS.format(topics=topic_list(ctx.library))))
    return Reply(kind="error", blocks=blocks, summary=text)
