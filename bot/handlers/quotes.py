"""`quote [topic, person or words] ["phrase"] [author:name] [topic:slug]` and its buttons:
Another, Share in channel, Discuss."""

from __future__ import annotations

from dataclasses import replace

from bot import actions
from bot import messages as m
from bot.content.model import Article, Quote
from bot.context import Context
from bot.events import Action, Command
from bot.format import credit, open_article, quote_block, topic_list
from bot.replies import Button, Heading, Note, Paragraph, Reply, Visibility, with_notes
from bot.resolve import QuoteSearch, find_quotes, topic_notes

ROTATION = "quote"


def quote_pool(ctx: Context, words: str) -> list[Quote]:
    """The quotes that match what was asked for: a speaker, a topic, words in them, and
    `lookup`'s filters (see `find_quotes`)."""
    return quote_search(ctx, words).quotes


def quote_search(ctx: Context, words: str) -> QuoteSearch:
    """`quote_pool`, with the topic it was narrowed to (or the `topic:` that named none)."""
    if not words.strip():  # a quote of the day: only what may be offered unasked
        return QuoteSearch([q for q in ctx.library.quotes.values() if offered(ctx, q)])
    return find_quotes(ctx.library, words)


def offered(ctx: Context, quote: Quote) -> bool:
    """Whether the quote may be offered unasked today (not promotional, not an expired
    advert's): a quote of the day, a prompt's grounding, a reflection's opener."""
    return ctx.library.offered(quote, ctx.clock().date())


def quote_heading(ctx: Context, quote: Quote) -> Heading:
    """`A quote on Manager–medic collaboration`: the quote's first topic."""
    topic = next((ctx.library.topics[t] for t in quote.topics if t in ctx.library.topics), None)
    return Heading(m.QUOTE_TITLE.format(topic=topic.title) if topic else m.QUOTE_TITLE_NO_TOPIC)


def _article_of(ctx: Context, quote: Quote) -> Article:
    return ctx.library.articles[quote.article]


def quote_reply(ctx: Context, quote: Quote, words: str) -> Reply:
    return Reply(
        kind="quote",
        blocks=(quote_heading(ctx, quote), quote_block(ctx.library, quote)),
        buttons=(
            Button(m.BUTTON_ANOTHER, actions.ANOTHER_QUOTE, words),
            Button(m.BUTTON_SHARE, actions.SHARE_QUOTE, quote.id),
            Button(m.BUTTON_DISCUSS, actions.DISCUSS_QUOTE, quote.id),
            *open_article(_article_of(ctx, quote), secondary=True),
        ),
        summary=f"“{quote.text}” — {credit(quote)}",
        subject=quote.id,
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


def unknown_topic(ctx: Context, typed: str) -> Reply:
    text = m.LOOKUP_UNKNOWN_TOPIC.format(topic=typed, topics=topic_list(ctx.library))
    return Reply(kind="quote", blocks=(Paragraph.of(text),), summary=text)


async def quote(ctx: Context, event: Command | Action, words: str) -> list[Reply]:
    found = quote_search(ctx, words)
    if found.unknown_topic is not None:
        return [unknown_topic(ctx, found.unknown_topic)]
    if not found.quotes:
        return [nothing_found(ctx, words)]
    ids = sorted(q.id for q in found.quotes)
    chosen = await ctx.store.rotate(event.conversation.key, ROTATION, ids, ctx.rng)
    reply = quote_reply(ctx, ctx.library.quotes[chosen], words)
    return [with_notes(reply, topic_notes(found.topic))]


async def another(ctx: Context, event: Action) -> list[Reply]:
    return await quote(ctx, event, event.value)


def public_quote(ctx: Context, quote: Quote, note: str) -> Reply:
    return Reply(
        kind="quote",
        blocks=(quote_heading(ctx, quote), quote_block(ctx.library, quote), Note(note)),
        visibility=Visibility.CHANNEL,
        buttons=open_article(_article_of(ctx, quote)),
        summary=f"“{quote.text}” — {credit(quote)}",
        subject=quote.id,
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
