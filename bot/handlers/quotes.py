"""`quote [topic, author or words]` and its buttons: Another, Share in channel, Discuss."""

from __future__ import annotations

from dataclasses import replace

from bot import actions
from bot import messages as m
from bot.content.model import Quote
from bot.context import Context
from bot.events import Action, Command
from bot.format import attribution, topic_list
from bot.replies import Button, Note, Paragraph, QuoteBlock, Reply, Visibility
from bot.resolve import find_topic, quotes_by_person, quotes_with_words

ROTATION = "quote"


def quote_pool(ctx: Context, words: str) -> list[Quote]:
    """The quotes that match what was asked for: a speaker, a topic, or words in them."""
    if not words.strip():
        return list(ctx.library.quotes.values())
    people = quotes_by_person(ctx.library, words)
    if people:
        return people
    topic = find_topic(ctx.library, words)
    if topic is not None:
        return ctx.library.quotes_for_topic(topic.slug)
    return quotes_with_words(ctx.library, words)


def quote_block(ctx: Context, quote: Quote) -> QuoteBlock:
    article = ctx.library.articles[quote.article]
    return QuoteBlock(quote.text, attribution(quote, article))


def quote_reply(ctx: Context, quote: Quote, words: str) -> Reply:
    return Reply(
        kind="quote",
        blocks=(quote_block(ctx, quote),),
        buttons=(
            Button(m.BUTTON_ANOTHER, actions.ANOTHER_QUOTE, words),
            Button(m.BUTTON_SHARE, actions.SHARE_QUOTE, quote.id),
            Button(m.BUTTON_DISCUSS, actions.DISCUSS_QUOTE, quote.id),
        ),
        summary=f"“{quote.text}” — {quote.speaker}",
        data={"quote": quote.id},
    )


def nothing_found(ctx: Context, words: str) -> Reply:
    topics = topic_list(ctx.library)
    return Reply(
        kind="quote",
        blocks=(
            Paragraph.of(m.QUOTE_NOTHING.format(words=words)),
            Note(m.QUOTE_TRY_TOPICS.format(topics=topics)),
        ),
        summary=m.QUOTE_NOTHING.format(words=words),
    )


async def quote(ctx: Context, event: Command | Action, words: str) -> list[Reply]:
    pool = quote_pool(ctx, words)
    if not pool:
        return [nothing_found(ctx, words)]
    ids = sorted(q.id for q in pool)
    chosen = await ctx.store.rotate(event.conversation.key, ROTATION, ids, ctx.rng)
    return [quote_reply(ctx, ctx.library.quotes[chosen], words)]


async def another(ctx: Context, event: Action) -> list[Reply]:
    return await quote(ctx, event, event.value)


def public_quote(ctx: Context, quote: Quote, note: str) -> Reply:
    return Reply(
        kind="quote",
        blocks=(quote_block(ctx, quote), Note(note)),
        visibility=Visibility.CHANNEL,
        summary=f"“{quote.text}” — {quote.speaker}",
        data={"quote": quote.id},
    )


def _find(ctx: Context, quote_id: str) -> Quote | None:
    return ctx.library.quotes.get(quote_id)


async def share(ctx: Context, event: Action) -> list[Reply]:
    found = _find(ctx, event.value)
    if found is None:
        return [gone()]
    return [public_quote(ctx, found, m.SHARED_BY.format(name=event.person.display))]


async def discuss(ctx: Context, event: Action) -> list[Reply]:
    """The quote in the channel, then a first reply under it that opens the thread."""
    found = _find(ctx, event.value)
    if found is None:
        return [gone()]
    shared = public_quote(ctx, found, m.DISCUSS_STARTED.format(name=event.person.display))
    invite = Reply(
        kind="discussion",
        blocks=(Paragraph.of(m.DISCUSS_INVITE.format(name=event.person.display)),),
        visibility=Visibility.CHANNEL,
        summary=m.DISCUSS_INVITE.format(name=event.person.display),
        in_thread=True,
    )
    return [replace(shared, kind="discussion"), invite]


def gone() -> Reply:
    return Reply(kind="error", blocks=(Paragraph.of(m.QUOTE_GONE),), summary=m.QUOTE_GONE)
