"""`topics`, `articles [topic]` and `read <number, id or title words>`."""

from __future__ import annotations

from bot import messages as m
from bot.content.model import Article, Library
from bot.context import Context
from bot.events import Command
from bot.format import article_meta, credit, long_date, open_article, publisher, topic_list
from bot.replies import Block, Heading, Item, Note, Paragraph, QuoteBlock, Reply, plain
from bot.resolve import (
    article_numbers,
    find_articles,
    match_topic,
    numbered_articles,
    topic_notes,
    typed_number,
)

KEY_QUOTES = 3


def _count(library: Library, slug: str) -> str:
    articles = m.plural(len(library.articles_for_topic(slug)), "article")
    prompts = m.plural(len(library.prompts_for_topic(slug)), "prompt")
    return m.TOPICS_META.format(articles=articles, prompts=prompts)


async def topics(ctx: Context, event: Command, args: str) -> list[Reply]:
    library = ctx.library
    items = tuple(
        Item(
            title=m.TOPIC_ITEM.format(title=t.title, slug=t.slug),
            meta=_count(library, t.slug),
            body=plain(t.description),
            key=t.slug,
        )
        for t in library.topics.values()
    )
    blocks: tuple[Block, ...] = (Heading(m.TOPICS_TITLE), *items, Note(m.TOPICS_HINT))
    return [Reply(kind="topics", blocks=blocks, summary=f"{len(items)} topics")]


Numbered = list[tuple[int, Article]]


def _article_item(number: int, article: Article) -> Item:
    kind = m.ARTICLE_KINDS.get(article.kind)
    shown = f"{article_meta(article)} · {kind}" if kind else article_meta(article)
    meta = m.ARTICLES_ITEM_META.format(meta=shown, id=article.id)
    title = m.ARTICLES_ITEM.format(number=number, title=article.title)
    return Item(title=title, meta=meta, key=article.id)


def _numbered(ctx: Context, chosen: list[Article] | None = None) -> Numbered:
    """Articles with their numbers in the whole library's list (all of them by default)."""
    if chosen is None:
        return list(enumerate(numbered_articles(ctx.library), start=1))
    numbers = article_numbers(ctx.library)
    return sorted((numbers[a.id], a) for a in chosen)


async def articles(ctx: Context, event: Command, args: str) -> list[Reply]:
    numbered = _numbered(ctx)
    title = m.ARTICLES_TITLE
    notes: tuple[str, ...] = ()
    if args.strip():
        found = match_topic(ctx.library, args)
        if found is None:
            return [_unknown_topic(ctx, args)]
        numbered = [(n, a) for n, a in numbered if found.topic.slug in a.topics]
        title = m.ARTICLES_TITLE_TOPIC.format(topic=found.topic.title)
        notes = topic_notes(found)
    if not numbered:
        text = m.ARTICLES_NONE.format(topic=args)
        said: tuple[Block, ...] = (Paragraph.of(text), *map(Note, notes))
        return [Reply(kind="articles", blocks=said, summary=text)]
    first, article = numbered[0]
    hint = Note(m.ARTICLES_HINT.format(number=first, example=article.id))
    items = (_article_item(n, a) for n, a in numbered)
    blocks: tuple[Block, ...] = (Heading(title), *map(Note, notes), *items, hint)
    return [Reply(kind="articles", blocks=blocks, summary=f"{title}: {len(numbered)}")]


def _unknown_topic(ctx: Context, typed: str) -> Reply:
    text = m.LOOKUP_UNKNOWN_TOPIC.format(topic=typed, topics=topic_list(ctx.library))
    return Reply(kind="error", blocks=(Paragraph.of(text),), summary=text)


def _kind_note(article: Article) -> str:
    """What an advert or promotional piece is, said before its summary ("" for an article)."""
    note = m.READ_KIND.get(article.kind, "")
    if note and article.expires is not None:
        note += " " + m.READ_EXPIRES.format(day=long_date(article.expires))
    return note


def article_blocks(ctx: Context, article: Article) -> tuple[Block, ...]:
    quotes = [q for q in ctx.library.quotes.values() if q.article == article.id]
    topic_titles = [ctx.library.topics[s].title for s in article.topics if s in ctx.library.topics]
    by_publisher = list(article.authors) == [article.source]  # its byline is the publisher
    meta = (
        article_meta(article) if by_publisher else f"{article_meta(article)} · {publisher(article)}"
    )
    blocks: list[Block] = [Heading(article.title), Note(meta)]
    kind = _kind_note(article)
    if kind:
        blocks.append(Note(kind))
    blocks.append(Paragraph.of(article.summary))
    if quotes:  # the article is named once, above: each quote names only its speaker
        blocks.append(Heading(m.READ_KEY_QUOTES))
        blocks.extend(QuoteBlock(q.text, credit(q)) for q in quotes[:KEY_QUOTES])
    blocks.append(Note(m.READ_TOPICS.format(topics=", ".join(topic_titles))))
    return tuple(blocks)


async def read(ctx: Context, event: Command, args: str) -> list[Reply]:
    if not args.strip():
        return [Reply(kind="article", blocks=(Paragraph.of(m.READ_USAGE),), summary=m.READ_USAGE)]
    found = find_articles(ctx.library, args)
    if not found:
        return [_not_found(ctx, args)]
    if len(found) > 1:
        return [_several(ctx, args, found)]
    [article] = found
    summary = f"{article.title} — {article_meta(article)}"
    blocks, buttons = article_blocks(ctx, article), open_article(article)
    return [Reply(kind="article", blocks=blocks, buttons=buttons, summary=summary)]


def _not_found(ctx: Context, typed: str) -> Reply:
    number = typed_number(typed)
    if number is None:
        text = m.READ_NOT_FOUND.format(name=typed.strip())
    else:
        text = m.READ_NO_NUMBER.format(number=number, count=len(ctx.library.articles))
    blocks = (Paragraph.of(text), Note(m.READ_USAGE))
    return Reply(kind="error", blocks=blocks, summary=text)


def _several(ctx: Context, typed: str, found: list[Article]) -> Reply:
    """The articles that match equally well, to choose from by number."""
    numbered = _numbered(ctx, found)
    heading = m.READ_SEVERAL.format(name=typed.strip())
    choose = Note(m.READ_CHOOSE.format(number=numbered[0][0]))
    items = (_article_item(n, a) for n, a in numbered)
    blocks: tuple[Block, ...] = (Heading(heading), *items, choose)
    return Reply(kind="articles", blocks=blocks, summary=f"{heading}: {len(numbered)}")
