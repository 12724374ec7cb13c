"""`topics`, `articles [topic]` and `read <article>`."""

from __future__ import annotations

import datetime as dt

from bot import messages as m
from bot.content.model import Article, Library
from bot.context import Context
from bot.events import Command
from bot.format import article_meta, topic_list
from bot.handlers.quotes import quote_block
from bot.replies import Block, Heading, Item, Note, Paragraph, Reply, plain
from bot.resolve import find_article, find_topic

KEY_QUOTES = 3


def _count(library: Library, slug: str) -> str:
    articles = m.plural(len(library.articles_for_topic(slug)), "article")
    prompts = m.plural(len(library.prompts_for_topic(slug)), "prompt")
    return m.TOPICS_META.format(articles=articles, prompts=prompts)


async def topics(ctx: Context, event: Command, args: str) -> list[Reply]:
    library = ctx.library
    items = tuple(
        Item(title=t.title, meta=_count(library, t.slug), body=plain(t.description), key=t.slug)
        for t in library.topics.values()
    )
    blocks: tuple[Block, ...] = (Heading(m.TOPICS_TITLE), *items, Note(m.TOPICS_HINT))
    return [Reply(kind="topics", blocks=blocks, summary=f"{len(items)} topics")]


def _article_item(article: Article) -> Item:
    return Item(title=article.title, meta=article_meta(article), key=article.id)


async def articles(ctx: Context, event: Command, args: str) -> list[Reply]:
    chosen = list(ctx.library.articles.values())
    title = m.ARTICLES_TITLE
    if args.strip():
        topic = find_topic(ctx.library, args)
        if topic is None:
            return [_unknown_topic(ctx, args)]
        chosen = ctx.library.articles_for_topic(topic.slug)
        title = m.ARTICLES_TITLE_TOPIC.format(topic=topic.title)
    chosen.sort(key=lambda a: a.date or dt.date.min, reverse=True)
    if not chosen:
        text = m.ARTICLES_NONE.format(topic=args)
        return [Reply(kind="articles", blocks=(Paragraph.of(text),), summary=text)]
    hint = Note(m.ARTICLES_HINT.format(example=chosen[0].id))
    blocks: tuple[Block, ...] = (Heading(title), *map(_article_item, chosen), hint)
    return [Reply(kind="articles", blocks=blocks, summary=f"{title}: {len(chosen)}")]


def _unknown_topic(ctx: Context, typed: str) -> Reply:
    text = m.LOOKUP_UNKNOWN_TOPIC.format(topic=typed, topics=topic_list(ctx.library))
    return Reply(kind="error", blocks=(Paragraph.of(text),), summary=text)


def article_blocks(ctx: Context, article: Article) -> tuple[Block, ...]:
    quotes = [q for q in ctx.library.quotes.values() if q.article == article.id]
    topic_titles = [ctx.library.topics[s].title for s in article.topics if s in ctx.library.topics]
    source = article.source + (f" — {article.url}" if article.url else "")
    blocks: list[Block] = [
        Heading(article.title),
        Note(article_meta(article)),
        Paragraph.of(article.summary),
        Note(m.READ_SOURCE.format(source=source)),
    ]
    if quotes:
        blocks.append(Heading(m.READ_KEY_QUOTES))
        blocks.extend(quote_block(ctx, q) for q in quotes[:KEY_QUOTES])
    blocks.append(Note(m.READ_TOPICS.format(topics=", ".join(topic_titles))))
    return tuple(blocks)


async def read(ctx: Context, event: Command, args: str) -> list[Reply]:
    if not args.strip():
        return [Reply(kind="article", blocks=(Paragraph.of(m.READ_USAGE),), summary=m.READ_USAGE)]
    article = find_article(ctx.library, args)
    if article is None:
        text = m.READ_NOT_FOUND.format(name=args)
        blocks = (Paragraph.of(text), Note(m.READ_USAGE))
        return [Reply(kind="error", blocks=blocks, summary=text)]
    summary = f"{article.title} — {article_meta(article)}"
    return [Reply(kind="article", blocks=article_blocks(ctx, article), summary=summary)]
