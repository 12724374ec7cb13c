"""The anonymous evaluation a reflection offers when it closes (issue 18): posted once in
the thread, one answer per person kept under a one-way digest (a second press replaces the
first), nothing about who answered stored or logged, a press from elsewhere refused, a
comment with a patient identifier refused, the result for the facilitator only from three
answers on, and everything gone with the thread at retention. Through the core with an
injected clock, then over HTTP in Slack and in Teams."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from adapters.teams.check import problems
from bot import actions
from bot import messages as m
from bot.content.model import Library
from bot.core import Bot
from bot.events import Action, Conversation, Person
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError
from bot.reflect import evaluation
from bot.replies import Reply, Visibility
from bot.store import Store
from bot.store.evaluations import EvaluationResult
from bot.store.reflections import CLOSED
from bot.store.schema import evaluation_answers, evaluations
from scheduler import reflections as due
from tests import test_slack_reflect as on_slack
from tests import test_teams_reflect as on_teams
from tests.conftest import text_of
from tests.fakes.teams_activities import channel_message, task_fetch
from tests.slack_harness import Rounds as SlackRounds
from tests.slack_harness import buttons, valid, words
from tests.teams_harness import Teams
from tests.test_reflect import (
    CHANNEL,
    VALID_NHS,
    FlakyOutbox,
    World,
    everything_stored,
    make_world,
    person,
)
from tests.test_teams_reflect import ANON, ANON_NAME, BOB, BOB_NAME

PEOPLE = ("sam", "robin", "kim")


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


async def closed(world: World) -> int:
    """Fran opens a reflection, Sam replies, Fran closes it: its id."""
    await world.say("reflect start manager-medic")
    await world.reply("We agreed the discharge plan together.")
    assert "is closed" in text_of(await world.say("reflect close"))
    return (await world.latest()).id


def evaluations_posted(world: World) -> list[Reply]:
    return [s.reply for s in world.posts() if s.reply.kind == "evaluation"]


async def score(world: World, ident: int, value: int, user: str) -> Reply:
    return await world.press(actions.EVALUATE_SCORE, f"{ident}:{value}", user=user)


async def comment(world: World, thanks: Reply, text: str) -> Reply:
    assert thanks.form is not None and thanks.form.submit == actions.EVALUATE_COMMENT
    sent = Action(CHANNEL, Person(""), thanks.form.submit, thanks.form.value, text)
    [reply] = await world.bot.handle(sent)
    return reply


async def answers(store: Store) -> int:
    async with store.engine.connect() as conn:
        query = select(func.count()).select_from(evaluation_answers)
        return int((await conn.execute(query)).scalar_one())


async def transcript(world: World) -> str:
    before = len(world.direct())
    await world.say("reflect export")
    [letter] = world.direct()[before:]
    assert letter.file is not None
    return letter.file.text


# posted once, after the summary


async def test_closing_posts_the_evaluation_once_after_the_summary(world: World) -> None:
    ident = await closed(world)
    thread = await world.thread()
    posted = [s.reply for s in world.posts() if s.conversation.thread == thread]
    assert [r.kind for r in posted[-2:]] == ["reflection-summary", "evaluation"]
    [post] = evaluations_posted(world)
    assert post.visibility is Visibility.CHANNEL  # every reader may answer
    assert [b.label for b in post.buttons] == ["1", "2", "3", "4", "5"]
    assert {b.action for b in post.buttons} == {actions.EVALUATE_SCORE}
    assert [b.value for b in post.buttons] == [f"{ident}:{n}" for n in range(1, 6)]
    words = text_of(post)
    assert m.EVALUATION_QUESTION in words and m.EVALUATION_SCALE in words
    assert "anonymous" in words and "three answers" in words
    await world.say(f"reflect close #{ident}")  # closed already: nothing posted again
    found = await world.store.reflections.get(ident)
    assert found is not None
    await evaluation.offer(world.bot.ctx, found)  # a close finished again: not again either
    assert len(evaluations_posted(world)) == 1


class NoEvaluation(FlakyOutbox):
    """Posts everything but the evaluation."""

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        if reply.kind == "evaluation":
            raise DeliveryError("channel_not_found", permanent=True)
        return await super().post(conversation, reply)


async def test_an_evaluation_that_cannot_be_posted_leaves_the_close_done(
    library: Library, index: LookupIndex, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    world = await make_world(library, index, store)
    outbox = NoEvaluation()
    world.bot = Bot(replace(world.bot.ctx, outboxes={"console": outbox}))
    world.outbox = outbox
    with caplog.at_level(logging.WARNING):
        ident = await closed(world)
    found = await store.reflections.get(ident)
    assert found is not None and found.state == CLOSED
    assert evaluations_posted(world) == [] and len(world.direct()) == 1  # the transcript
    assert "evaluation not posted (channel_not_found)" in caplog.text


# one answer a person, and nothing about who


async def test_a_second_press_replaces_the_first(world: World) -> None:
    ident = await closed(world)
    thanks = await score(world, ident, 2, "sam")
    assert thanks.form is not None and thanks.visibility is Visibility.PRIVATE
    assert m.EVALUATION_THANKS.format(id=ident, score=2) in text_of(thanks)
    await score(world, ident, 5, "sam")
    assert await answers(world.store) == 1
    await score(world, ident, 4, "robin")
    await score(world, ident, 4, "kim")
    result = await world.store.evaluations.result(ident)
    assert result == EvaluationResult(3, 13 / 3, {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}, [])


async def test_nothing_stored_or_logged_names_who_answered(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    ident = await closed(world)
    with caplog.at_level(logging.DEBUG):
        for n, user in enumerate(PEOPLE, 1):
            thanks = await score(world, ident, n, user)
            await comment(world, thanks, f"Comment number {n}.")
    stored = await everything_stored(world.store)
    assert "Comment number 3." in stored  # the scan reads the evaluation
    for user in PEOPLE[1:]:  # Sam also replied in the thread, with his name
        for trace in (person(user).id, person(user).name, user):
            assert trace not in stored and trace not in caplog.text
    digests = [line for line in stored.splitlines() if len(line) == 64]
    assert len(digests) >= 3  # the answers' digests, and the thread's key


async def test_comments_replace_each_other_and_come_with_the_result(world: World) -> None:
    ident = await closed(world)
    thanks = await score(world, ident, 3, "sam")
    done = await comment(world, thanks, "First thought.")
    assert m.EVALUATION_COMMENT_DONE.format(id=ident) in text_of(done)
    await comment(world, thanks, "Second thought.")
    for user in PEOPLE[1:]:
        await score(world, ident, 5, user)
    result = await world.store.evaluations.result(ident)
    assert result is not None and result.comments == ["Second thought."]


# the facilitator sees it, from three answers on


async def test_the_export_shows_the_evaluation_only_from_three_answers(world: World) -> None:
    ident = await closed(world)
    assert m.EVALUATION_TRANSCRIPT_HIDDEN in world.direct()[-1].file.text  # type: ignore[union-attr]
    for user, value in (("sam", 4), ("robin", 2)):
        await comment(world, await score(world, ident, value, user), f"{user} would change it.")
    assert await world.store.evaluations.result(ident) is None  # not even the count
    text = await transcript(world)
    assert "## Evaluation" in text and m.EVALUATION_TRANSCRIPT_HIDDEN in text
    assert "Mean" not in text and "would change it" not in text
    await score(world, ident, 3, "kim")
    text = await transcript(world)
    assert m.EVALUATION_TRANSCRIPT_HIDDEN not in text
    assert "- Answers: 3" in text and "- Mean: 3.0 out of 5" in text
    assert "- Scores: 1: 0, 2: 1, 3: 1, 4: 1, 5: 0" in text
    assert "sam would change it." in text and "robin would change it." in text


# refusals


async def test_a_forged_press_from_another_channel_is_refused_and_stores_nothing(
    world: World,
) -> None:
    ident = await closed(world)
    for elsewhere in (
        Conversation("console", "elsewhere", "T1"),
        Conversation("console", "ops", "T2"),
        Conversation("slack", "ops", "T1"),
    ):
        press = Action(elsewhere, person("eve"), actions.EVALUATE_SCORE, f"{ident}:1")
        [refused] = await world.bot.handle(press)
        assert refused.form is None
        assert m.REFLECT_NOT_FOUND.format(id=ident) in text_of(refused)
    assert await answers(world.store) == 0
    thanks = await score(world, ident, 4, "sam")
    assert thanks.form is not None
    forged = Action(CHANNEL, Person(""), actions.EVALUATE_COMMENT, f"{ident}:{'0' * 64}", "Hi")
    [refused] = await world.bot.handle(forged)
    assert m.EVALUATION_NOT_OPEN.format(id=ident) in text_of(refused)
    for bad in (f"{ident}:9", f"{ident}:x", "x:1", ""):
        [refused] = await world.bot.handle(
            Action(CHANNEL, person("eve"), actions.EVALUATE_SCORE, bad)
        )
        assert refused.form is None
    assert await answers(world.store) == 1


async def test_an_open_reflection_takes_no_evaluation(world: World) -> None:
    await world.say("reflect start manager-medic")
    ident = (await world.latest()).id
    refused = await score(world, ident, 5, "sam")
    assert refused.form is None and m.EVALUATION_NOT_OPEN.format(id=ident) in text_of(refused)
    assert await answers(world.store) == 0


async def test_a_comment_with_an_nhs_number_is_refused(world: World) -> None:
    ident = await closed(world)
    thanks = await score(world, ident, 2, "sam")
    typed = f"The patient {VALID_NHS} waited too long."
    refused = await comment(world, thanks, typed)
    assert refused.form is not None and refused.form.initial == typed  # the form again
    assert "an NHS number" in refused.form.error
    assert VALID_NHS not in await everything_stored(world.store)
    empty = await comment(world, thanks, "   ")
    assert empty.form is not None and empty.form.error == m.EVALUATION_COMMENT_EMPTY


# retention


async def test_the_evaluation_goes_with_its_thread_at_retention(world: World) -> None:
    ident = await closed(world)
    for user in PEOPLE:
        await comment(world, await score(world, ident, 5, user), "Keep it.")
    world.clock.advance(dt.timedelta(days=31))
    late = await score(world, ident, 1, "sam")  # past retention: no longer taken
    assert late.form is None and m.EVALUATION_NOT_OPEN.format(id=ident) in text_of(late)
    await due.purge(world.bot.ctx)
    assert await answers(world.store) == 0
    async with world.store.engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(evaluations))).scalar_one()
    assert left == 0 and await world.store.reflections.get(ident) is None


async def test_answers_replace_and_go_on_each_database(
    library: Library, index: LookupIndex, any_store: Store
) -> None:
    world = await make_world(library, index, any_store)
    ident = await closed(world)
    for user, value in (("sam", 1), ("sam", 4), ("robin", 4), ("kim", 1)):
        thanks = await score(world, ident, value, user)
    await comment(world, thanks, "Fewer questions.")
    await comment(world, thanks, "Fewer, shorter questions.")
    result = await any_store.evaluations.result(ident)
    assert result == EvaluationResult(
        3, 3.0, {1: 1, 2: 0, 3: 0, 4: 2, 5: 0}, ["Fewer, shorter questions."]
    )
    world.clock.advance(days=31)
    await due.purge(world.bot.ctx)
    assert await answers(any_store) == 0


def test_a_result_needs_three_answers() -> None:
    from bot.store.evaluations import result_of

    assert result_of([5, 5], ["x"]) is None
    assert result_of([1, 2, 3], []) == EvaluationResult(3, 2.0, {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}, [])


# over HTTP: Slack


async def test_in_slack_the_evaluation_follows_the_summary_and_presses_are_kept(
    rounds: SlackRounds, caplog: pytest.LogCaptureFixture
) -> None:
    reflection, _ = await on_slack.start(rounds)
    await on_slack.reply(rounds, reflection, "Handover is where we lose each other", 1, "U0BOB")
    await on_slack.command(rounds, "reflect close")
    _opening, summary, post, _letter = rounds.fake.calls_to("chat.postMessage")
    assert summary.params["thread_ts"] == post.params["thread_ts"] == reflection.thread
    valid(post.params)
    assert list(buttons(post.params)) == ["1", "2", "3", "4", "5"]  # none in a menu
    assert m.EVALUATION_QUESTION in words(post.params)
    with caplog.at_level(logging.DEBUG):
        await on_slack.press(rounds, post.params, "4", on_slack.HIDDEN_ID, on_slack.HIDDEN_USERNAME)
        [opened] = rounds.fake.calls_to("views.open")
        view = opened.params["view"]
        assert isinstance(view, dict)
        on_slack.valid_view(view)
        assert m.EVALUATION_THANKS.format(id=reflection.id, score=4) in words(view)
        refused = await on_slack.submit(rounds, view, f"Patient {VALID_NHS} again")
        assert refused["response_action"] == "errors"  # the modal stays open, with the reason
        answer = await on_slack.submit(rounds, view, "More time for the last question.")
        assert m.EVALUATION_COMMENT_DONE.format(id=reflection.id) in words(answer["view"])
        await on_slack.press(rounds, post.params, "2", on_slack.HIDDEN_ID, on_slack.HIDDEN_USERNAME)
    store = on_slack.store(rounds)
    assert await answers(store) == 1  # pressed twice: one answer, now a 2
    stored = await on_slack.everything_stored(store)
    assert "More time for the last question." in stored and VALID_NHS not in stored
    for secret in (on_slack.HIDDEN_ID, on_slack.HIDDEN_USERNAME, on_slack.HIDDEN_NAME):
        assert secret not in stored and secret not in caplog.text


# over HTTP: Teams


async def test_in_teams_the_evaluation_follows_the_summary_and_presses_are_kept(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    reflection, _ = await on_teams.start(teams)
    root = str(reflection.thread)
    said = channel_message("Handover was rushed", teams.fake.url, BOB, BOB_NAME, False, root)
    await on_teams.deliver(teams, said)
    close = channel_message("reflect close", teams.fake.url, reply_to_id=root)
    _summary, post = on_teams.in_thread(await on_teams.deliver(teams, close), root)
    [card] = on_teams.cards(post)
    assert problems(card) == []
    scores = card["actions"]
    assert [a["title"] for a in scores] == ["1", "2", "3", "4", "5"]
    assert all("mode" not in a and a["data"]["msteams"] == {"type": "task/fetch"} for a in scores)
    with caplog.at_level(logging.DEBUG):
        fetch = task_fetch(scores[4]["data"], teams.fake.url, root, ANON, ANON_NAME)
        thanks = await on_teams.ask(teams, fetch)
        assert thanks.sent == []  # answered in the dialog alone: nothing in any chat
        assert m.EVALUATION_THANKS.format(id=reflection.id, score=5) in json.dumps(
            thanks.form, ensure_ascii=False
        )
        refused = await on_teams.sent_in(teams, reflection, thanks.form, f"NHS {VALID_NHS}")
        assert on_teams.errors_of(refused.form)  # the form again, with the reason
        done = await on_teams.sent_in(teams, reflection, thanks.form, "Shorter questions.")
        assert done.message == m.EVALUATION_COMMENT_DONE.format(id=reflection.id)
        again = task_fetch(scores[1]["data"], teams.fake.url, root, ANON, ANON_NAME)
        assert (await on_teams.ask(teams, again)).status == 200
    store = on_teams.store_of(teams)
    assert await answers(store) == 1
    stored = await on_teams.database_text(store)
    assert "Shorter questions." in stored and VALID_NHS not in stored
    assert on_teams.identity_in(stored) == []
    assert on_teams.identity_in(on_teams.logged(caplog)) == []
    elsewhere = "19:other@thread.tacv2"
    forged = task_fetch(scores[0]["data"], teams.fake.url, root, ANON, ANON_NAME, elsewhere)
    refused = await on_teams.ask(teams, forged)  # the same press from another channel
    assert refused.message == m.REFLECT_NOT_FOUND.format(id=reflection.id)
    assert await answers(store) == 1
