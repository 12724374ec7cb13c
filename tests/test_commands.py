"""Every command of the core, driven through the in-memory test bot."""

from __future__ import annotations

from bot.commands import SPECS
from bot.content.model import Library, normalise_space
from bot.events import Command, Conversation, Person
from bot.format import credit, quoted_title
from bot.replies import Item, QuoteBlock, Reply, Visibility, rich_text
from bot.store import Store
from tests.conftest import TestBot, button, text_of


def quotes_in(reply: Reply) -> list[QuoteBlock]:
    return [b for b in reply.blocks if isinstance(b, QuoteBlock)]


def items_in(reply: Reply) -> list[Item]:
    return [b for b in reply.blocks if isinstance(b, Item)]


async def test_help_lists_every_command_with_an_example(testbot: TestBot) -> None:
    reply = await testbot.send("help")
    text = text_of(reply)
    for command in SPECS:
        assert command.usage in text and f"Example: `{command.example}`" in text
    assert "Example: `lookup triumvirate`" in text
    assert reply.visibility is Visibility.PRIVATE


async def test_help_for_one_command_and_its_aliases(testbot: TestBot) -> None:
    text = text_of(await testbot.send("help search"))
    assert "lookup <words>" in text and "find" in text


async def test_help_for_every_alias_is_its_commands_help(testbot: TestBot) -> None:
    for command in SPECS:
        for alias in command.aliases:
            text = text_of(await testbot.send(f"help {alias}"))
            assert command.usage in text and "Also: " + ", ".join(command.aliases) in text


async def test_every_alias_runs_its_command(testbot: TestBot) -> None:
    for command in SPECS:
        for alias in command.aliases:
            said = await testbot.send(f"{alias} x")
            assert said.kind == (await testbot.send(f"{command.name} x")).kind, alias


async def test_help_for_unknown_command_suggests(testbot: TestBot) -> None:
    text = text_of(await testbot.send("help qoute"))
    assert "no command called “qoute”" in text and "`quote`" in text


async def test_unknown_command_gets_did_you_mean(testbot: TestBot) -> None:
    reply = await testbot.send("qoute winter")
    assert reply.kind == "unknown"
    assert "Did you mean `quote`" in text_of(reply)


async def test_unknown_command_far_from_any_gets_help_hint(testbot: TestBot) -> None:
    text = text_of(await testbot.send("xyzzy"))
    assert "xyzzy" in text and "`help`" in text and "Did you mean" not in text


async def test_prefixes_and_case_are_accepted(testbot: TestBot) -> None:
    assert (await testbot.send("/rounds TOPICS")).kind == "topics"
    assert (await testbot.send("@Rounds topics")).kind == "topics"


async def test_empty_command_is_greeted(testbot: TestBot) -> None:
    assert "help" in text_of(await testbot.send("   "))


async def test_quote_is_verbatim_with_attribution(testbot: TestBot, library: Library) -> None:
    reply = await testbot.send("quote")
    [block] = quotes_in(reply)
    quote = library.quotes[reply.subject]
    article = library.articles[quote.article]
    assert block.text == quote.text
    assert normalise_space(quote.text) in normalise_space(article.body)
    assert block.attribution.startswith(credit(quote))
    assert f"in “{quoted_title(article.title)}”, " in block.attribution
    assert (str(article.date.year) if article.date else "undated") in block.attribution
    labels = [b.label for b in reply.buttons]
    assert labels[:3] == ["Another", "Share", "Discuss"]
    opens = [b for b in reply.buttons if b.url]
    assert [b.url for b in opens] == ([article.url] if article.url else [])
    assert all(b.secondary for b in opens)
    assert reply.visibility is Visibility.PRIVATE


async def test_quote_by_topic(testbot: TestBot, library: Library) -> None:
    for _ in range(5):
        reply = await testbot.send("quote winter")
        assert "winter-pressures" in library.quotes[reply.subject].topics


async def test_quote_by_speaker(testbot: TestBot, library: Library) -> None:
    reply = await testbot.send("quote vyas")
    assert library.quotes[reply.subject].speaker == "Rachna Vyas"


async def test_quote_by_words(testbot: TestBot, library: Library) -> None:
    reply = await testbot.send("quote darkest hour")
    assert "darkest hour" in library.quotes[reply.subject].text


async def test_quote_nothing_found_suggests_topics(testbot: TestBot) -> None:
    reply = await testbot.send("quote zzqx wqpz")
    assert "couldn't find a quote" in text_of(reply) and "`manager-medic`" in text_of(reply)


async def test_quotes_do_not_repeat_in_a_channel_until_pool_used(
    testbot: TestBot, library: Library
) -> None:
    pool = {q.id for q in library.quotes_for_topic("winter-pressures")}
    seen = [(await testbot.send("quote winter")).subject for _ in pool]
    assert sorted(seen) == sorted(pool)
    again = (await testbot.send("quote winter")).subject
    assert again in pool  # a new round starts


async def test_rotation_is_per_channel(testbot: TestBot, library: Library) -> None:
    pool = {q.id for q in library.quotes_for_topic("wellbeing")}
    first = [(await testbot.send("quote wellbeing", channel="a")).subject for _ in pool]
    other = [(await testbot.send("quote wellbeing", channel="b")).subject for _ in pool]
    assert set(first) == set(other) == pool


async def test_another_share_and_discuss_buttons(testbot: TestBot) -> None:
    first = await testbot.send("quote manager-medic")
    second = await testbot.press(button(first, "Another"))
    assert second.kind == "quote" and second.subject != first.subject
    shared = await testbot.press(button(second, "Share"), user="bob")
    assert shared.visibility is Visibility.CHANNEL
    assert shared.subject == second.subject
    assert "Shared by bob" in text_of(shared)
    discussion = await testbot.press(button(second, "Discuss"))
    assert discussion.kind == "discussion" and discussion.visibility is Visibility.CHANNEL
    assert discussion.subject == second.subject and not discussion.in_thread
    assert "Discussion started by alice" in text_of(discussion)
    starter = testbot.last[1]
    assert starter.in_thread and starter.visibility is Visibility.CHANNEL
    assert "Reply in this thread" in text_of(starter)


async def test_lookup_corrects_typos_and_says_so(testbot: TestBot) -> None:
    reply = await testbot.send("lookup triumverate")
    text = text_of(reply)
    assert "Showing results for “triumvirate” (you typed “triumverate”)" in text
    first = items_in(reply)[0]
    assert first.key == "dark-side-managers"
    assert any(s.bold and s.text.lower().startswith("triumvirate") for s in first.body)


async def test_lookup_aliases_and_pages(testbot: TestBot) -> None:
    reply = await testbot.send("search managers")
    assert reply.kind == "lookup" and len(items_in(reply)) == 3
    assert "1–3 of" in text_of(reply)
    more = await testbot.press(button(reply, "More results"))
    assert "4–6 of" in text_of(more)
    assert {i.title for i in items_in(more)}.isdisjoint({i.title for i in items_in(reply)})
    found = await testbot.send("find managers")
    assert [i.title for i in items_in(found)] == [i.title for i in items_in(reply)]


async def test_lookup_result_shows_title_author_date(testbot: TestBot, library: Library) -> None:
    item = items_in(await testbot.send('lookup "patient flow"'))[0]
    article = library.articles[item.key]
    assert article.title in item.title
    assert article.date and str(article.date.year) in item.meta
    assert "patient flow" in rich_text(item.body).lower()


async def test_lookup_share_posts_in_channel(testbot: TestBot) -> None:
    reply = await testbot.send("lookup wellbeing")
    shared = await testbot.press(button(reply, "Share"), user="carol")
    assert shared.visibility is Visibility.CHANNEL and "Shared by carol" in text_of(shared)
    assert [i.title for i in items_in(shared)] == [i.title for i in items_in(reply)]


async def test_lookup_nothing_found_suggests_topics(testbot: TestBot) -> None:
    text = text_of(await testbot.send("lookup qqqqzzzz"))
    assert "Nothing in the articles matches" in text and "`winter-pressures`" in text


async def test_lookup_without_words_explains(testbot: TestBot) -> None:
    assert "Tell me what to look for" in text_of(await testbot.send("lookup"))


async def test_lookup_hostile_query_is_answered(testbot: TestBot) -> None:
    for query in ('AND OR NOT "', "NEAR(a b", "*", "-managers", "😀", 'author:"', "topic:"):
        reply = await testbot.send(f"lookup {query}")
        assert reply.kind in {"lookup", "lookup-none"}, query  # answered, never an error


async def test_topics_show_counts(testbot: TestBot, library: Library) -> None:
    reply = await testbot.send("topics")
    items = items_in(reply)
    assert len(items) == len(library.topics)
    flagship = next(i for i in items if i.key == "manager-medic")
    articles = len(library.articles_for_topic("manager-medic"))
    prompts = len(library.prompts_for_topic("manager-medic"))
    assert flagship.meta == f"{articles} articles · {prompts} prompts"


async def test_articles_list_and_filter(testbot: TestBot, library: Library) -> None:
    assert len(items_in(await testbot.send("articles"))) == len(library.articles)
    filtered = items_in(await testbot.send("articles winter pressures"))
    assert filtered and all("winter-pressures" in library.articles[i.key].topics for i in filtered)
    assert "no topic" in text_of(await testbot.send("articles zzzz")).lower()


async def test_read_an_article(testbot: TestBot, library: Library) -> None:
    reply = await testbot.send("read dark-side-managers")
    article = library.articles["dark-side-managers"]
    text = text_of(reply)
    assert article.title in text and article.summary in text and article.source in text
    assert quotes_in(reply), "key quotes"
    fuzzy = await testbot.send("read why are managers seen on the dark side")
    assert article.title in text_of(fuzzy)
    assert "couldn't find an article" in text_of(await testbot.send("read zzzzzz qqqq"))


async def test_prompt_is_posted_in_channel_with_grounding_quote(
    testbot: TestBot, library: Library
) -> None:
    reply = await testbot.send("prompt manager-medic")
    prompt = library.prompts[reply.subject]
    assert prompt.topic == "manager-medic"
    assert reply.visibility is Visibility.CHANNEL
    [block] = quotes_in(reply)
    assert block.text == library.quotes[prompt.quote].text
    assert prompt.text in text_of(reply) and "Reply in the thread" in text_of(reply)


async def test_prompts_rotate_without_repeats(testbot: TestBot, library: Library) -> None:
    pool = {p.id for p in library.prompts_for_topic("wellbeing")}
    seen = [(await testbot.send("prompt wellbeing")).subject for _ in pool]
    assert sorted(seen) == sorted(pool)


async def test_prompt_unknown_topic(testbot: TestBot) -> None:
    reply = await testbot.send("prompt zzzqqq")
    assert reply.kind == "error" and "`wellbeing`" in text_of(reply)


async def test_privacy_says_what_is_stored(testbot: TestBot) -> None:
    text = text_of(await testbot.send("privacy"))
    assert "own servers" in text and "never a person" in text


async def test_unknown_button_is_answered(testbot: TestBot) -> None:
    from bot.replies import Button

    reply = await testbot.press(Button("Old", "no.such.action", "x"))
    assert reply.kind == "error" and "no longer" in text_of(reply)


async def test_in_memory_commands_answer_without_the_database(testbot: TestBot) -> None:
    """The commands the Slack adapter answers inline must never wait on the store: with
    the database gone they still answer in full."""
    from bot.core import IN_MEMORY

    store = testbot.bot.ctx.store
    await store.close()
    gone = await Store.open("sqlite:////nonexistent/rounds.db", upgrade=False)  # as served
    store.engine = gone.engine  # closed with the store
    lines = {"help": "quote", "lookup triumvirate": "triumvirate", "topics": "Manager"}
    lines |= {"articles": "read", "read no-more-silos": "silos", "privacy": "stores"}
    assert {line.split()[0] for line in lines} == IN_MEMORY
    for line, expected in lines.items():
        reply = await testbot.send(line)
        assert testbot.bot.in_memory(command_of(line))
        assert reply.kind != "error" and expected.lower() in text_of(reply).lower(), line
    assert not testbot.bot.in_memory(command_of("quote"))
    assert not testbot.bot.in_memory(command_of("prompt"))
    away = await testbot.send("quote")  # the database really is gone
    assert away.kind == "error" and "can't reach its database" in text_of(away)
    assert "try again" in text_of(away)


def command_of(text: str) -> Command:
    return Command(Conversation("console", "general"), Person("U1"), text)
