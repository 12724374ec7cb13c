"""`lookup <words>` (also `search`, `find`) and its buttons: More results, Share."""

from __future__ import annotations

from bot import actions, limits
from bot import messages as m
from bot.context import Context
from bot.events import Action, Command
from bot.format import passage_item, topic_list
from bot.guardrail import find_identifiers
from bot.lookup import LookupHit, LookupResult
from bot.memo import IdentityMemo
from bot.replies import Block, Button, Heading, Item, Note, Paragraph, Reply, Visibility, rich_text
from bot.resolve import TopicMatch, topic_notes

PAGE = 3


def encode(offset: int, query: str) -> str:
    return f"{offset}:{query}"


def decode(value: str) -> tuple[int, str]:
    offset, _sep, query = value.partition(":")
    return (int(offset), query) if offset.isdigit() else (0, value)


def _item(ctx: Context, number: int, hit: LookupHit) -> Item:
    return passage_item(ctx.library, hit, f"{number}. {hit.document.title}")


def _searched(query: str) -> str:
    """The words searched for as a heading repeats them: a command's worth, at most."""
    return " ".join(query[: limits.COMMAND_CHARS].split()[: limits.QUERY_WORDS])


def _title(query: str) -> Heading:
    """`Lookup: “patient flow”`; words holding a patient identifier are not repeated (in a
    Teams channel the answer is seen by everyone)."""
    words = _searched(query)
    return Heading(
        m.LOOKUP_UNNAMED if find_identifiers(words) else m.LOOKUP_TITLE.format(query=words)
    )


def _showing(result: LookupResult) -> str | None:
    """The "showing results for …" note: the query as corrected, and the related words."""
    used, typed, related = result.searched_for, result.query, ", ".join(result.related)
    if result.corrected and result.widened:
        return m.LOOKUP_CORRECTED_WIDENED.format(used=used, typed=typed, related=related)
    if result.widened:
        return m.LOOKUP_WIDENED.format(used=used, related=related)
    if result.corrected:
        return m.LOOKUP_CORRECTED.format(used=used, typed=typed)
    return None


def _topic_guessed(ctx: Context, result: LookupResult) -> tuple[str, ...]:
    """`topic:welbeing`: say which topic was used for the typo (nothing for a topic named
    by its slug, title or an alias)."""
    topic = ctx.library.topics.get(result.topic or "")
    if result.topic_typed is None or topic is None:
        return ()
    return topic_notes(TopicMatch(topic, result.topic_typed, exact=False))


def _header(ctx: Context, result: LookupResult) -> list[Block]:
    notes: list[Block] = [Note(note) for note in _topic_guessed(ctx, result)]
    showing = _showing(result)
    if showing is not None:
        notes.append(Note(showing))
    if result.broadened:
        notes.append(Note(m.LOOKUP_BROADENED))
    first, last = result.offset + 1, result.offset + len(result.hits)
    notes.append(Note(m.passage_count(first, last, result.total)))
    return notes


def _reply_bytes(result: LookupResult, reply: Reply) -> int:
    """A page of results as a reply (the result itself is counted by the index's memory):
    a few passages' words and the query."""
    hits = limits.LOOKUP_HIT_BYTES * len(result.hits)
    return limits.LOOKUP_REPLY_BYTES + hits + 8 * len(result.query)


_REPLIES: IdentityMemo[LookupResult, Reply] = IdentityMemo(
    "lookup-replies", limits.REPLY_MEMO_BYTES, _reply_bytes
)


def results_reply(ctx: Context, result: LookupResult) -> Reply:
    """The reply for one page of results (the index hands out the same result object for a
    repeated search, and the reply is built from it once)."""
    return _REPLIES.get(result, lambda r: _results_reply(ctx, r))


def _results_reply(ctx: Context, result: LookupResult) -> Reply:
    if result.problem is not None or not result.hits:
        return _no_results(ctx, result)
    items = [_item(ctx, result.offset + i + 1, hit) for i, hit in enumerate(result.hits)]
    page_value = encode(result.offset, result.query)
    buttons = [Button(m.BUTTON_SHARE, actions.SHARE_RESULTS, page_value)]
    end = result.offset + len(result.hits)
    if end < result.total:
        buttons.insert(0, Button(m.BUTTON_MORE, actions.MORE_RESULTS, encode(end, result.query)))
    summary = m.passage_count(result.offset + 1, end, result.total)
    return Reply(
        kind="lookup",
        blocks=(_title(result.searched_for or result.query), *_header(ctx, result), *items),
        buttons=tuple(buttons),
        summary=f"{result.searched_for}: {summary}",
    )


def _no_results(ctx: Context, result: LookupResult) -> Reply:
    if not result.query.strip():
        text, hint = m.LOOKUP_USAGE, ""
    elif result.problem is not None:
        text = m.LOOKUP_PROBLEM.format(problem=result.problem)
        hint = m.LOOKUP_NONE_HINT.format(topics=topic_list(ctx.library))
    elif result.offset > 0:
        text, hint = m.LOOKUP_END, ""
    else:
        text = m.LOOKUP_NONE.format(query=result.query)
        hint = m.LOOKUP_NONE_HINT.format(topics=topic_list(ctx.library))
    blocks: list[Block] = [Paragraph.of(text)]
    if hint:
        blocks.append(Note(hint))
    if result.query.strip():
        blocks.insert(0, _title(result.query))
    return Reply(kind="lookup-none", blocks=tuple(blocks), summary=text)


async def lookup(ctx: Context, event: Command, args: str) -> list[Reply]:
    return [results_reply(ctx, ctx.index.search(args, offset=0, limit=PAGE))]


async def more(ctx: Context, event: Action) -> list[Reply]:
    offset, query = decode(event.value)
    return [results_reply(ctx, ctx.index.search(query, offset=offset, limit=PAGE))]


async def share(ctx: Context, event: Action) -> list[Reply]:
    """The page posted in the channel, headed by what was searched. Words holding an NHS
    number, a date of birth, a postcode or a name are not repeated there, in the heading or
    in the page's own notes (nothing Rounds posts carries a patient identifier)."""
    offset, query = decode(event.value)
    result = ctx.index.search(query, offset=offset, limit=PAGE)
    reply = results_reply(ctx, result)
    words = _searched(query)
    blocks, heading = reply.blocks[1:], m.SHARED_SEARCH.format(query=words)  # its own heading
    if find_identifiers(words):
        typed = {Note(n) for n in (*_topic_guessed(ctx, result), _showing(result)) if n}
        blocks, heading = tuple(b for b in blocks if b not in typed), m.SHARED_SEARCH_UNNAMED
    shared = Note(m.SHARED_BY.format(name=event.person.display))
    return [
        Reply(
            kind=reply.kind,
            blocks=(Heading(heading), *blocks, shared),
            visibility=Visibility.CHANNEL,
            summary=heading,  # the page's own summary names the query
        )
    ]


def hit_replies(ctx: Context, query: str, offset: int, limit: int) -> list[tuple[Reply, str, str]]:
    """One card per passage, for a compose-box search, each whole on its own when dropped
    into a chat: the article's title, the passage, who wrote it and when, Open article; with
    the title and the passage's words for the result list. No rank number."""
    result = ctx.index.search(query, offset=offset, limit=limit)
    found = []
    for hit in result.hits:
        title = hit.document.title
        item = passage_item(ctx.library, hit, title)
        blocks = (Heading(title), Paragraph(hit.snippet), Note(item.meta))
        buttons = (item.button,) if item.button else ()
        reply = Reply(kind="lookup.hit", blocks=blocks, buttons=buttons, summary=title)
        found.append((reply, title, rich_text(hit.snippet)))
    return found
