"""What Rounds keeps of reflection threads, and for how long: retention (`purge`), the
transcripts sent privately (recorded so that retention and erasure reach them), and erasure
of one person (`about`, `forget`). `ReflectionStore` takes these from `Keeping`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Delete, Select, Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.store.schema import (
    CLOSED,
    CLOSING,
    action_follow_ups,
    action_updates,
    actions,
    contributions,
    evaluation_answers,
    evaluations,
    reflections,
    sent_transcripts,
)

UNPOSTED_AGE = dt.timedelta(days=1)  # a thread still without its opening post after this


@dataclass(frozen=True)
class Erased:
    """What `forget` removed or unlinked (or, before it runs, would)."""

    contributions: int
    facilitated: int
    schedules: int = 0
    transcripts: int = 0  # sent to the person, deleted from their direct messages
    transcripts_later: int = 0  # could not be deleted now: unlinked, deleted at retention
    references: int = 0  # how to reach their Teams 1:1 chat
    actions: int = 0  # actions they own, kept without an owner
    series: int = 0  # reflection series they set up: stopped, without their name

    @property
    def anything(self) -> bool:
        return any(self.__dict__.values())


@dataclass(frozen=True)
class SentTranscript:
    """One message or file of a transcript sent privately, and the thread it came from."""

    id: int
    reflection_id: int
    platform: str
    channel: str  # the thread's channel and workspace: how the platform is reached
    workspace: str
    conversation: str  # the DM or 1:1 chat it is in
    message_id: str | None
    file_id: str | None


@dataclass(frozen=True)
class Purged:
    """What a retention run removed."""

    threads: int = 0
    contributions: int = 0
    unposted: int = 0  # anonymous contributions whose post never went out
    actions: int = 0  # named at a close, and the replies to their follow-up
    transcripts: int = 0  # withdrawn from the platform (or found gone already)
    transcripts_kept: int = 0  # to try again at the next run


class Keeping:
    """Retention, transcripts and erasure, over the reflection store's engine and clock."""

    engine: AsyncEngine
    clock: Callable[[], dt.datetime]

    def _expired(self, closed_before: dt.datetime) -> ColumnElement[bool]:
        """Threads past retention: closed before `closed_before`, or stuck closing since
        before it, and threads whose opening post never went out (a day on)."""
        c = reflections.c
        closed = (c.state == CLOSED) & (c.closed_at < closed_before)
        since = func.coalesce(c.closing_since, c.closes_at)  # NULL: claimed by older code
        stuck = (c.state == CLOSING) & (since < closed_before)
        unposted = c.thread.is_(None) & (c.opened_at < self.clock() - UNPOSTED_AGE)
        return closed | stuck | unposted

    async def purge(self, closed_before: dt.datetime) -> Purged:
        """Delete the contributions of threads past retention (`_expired`) and anonymous
        contributions whose post never went out a day on; then the threads, except those
        with a transcript not yet withdrawn from the platform (the caller withdraws them
        first, `expired_transcripts`): those go at a later run."""
        old = select(reflections.c.id).where(self._expired(closed_before))
        c, t = contributions.c, sent_transcripts.c
        cut_short = c.pending & (c.created_at < self.clock() - UNPOSTED_AGE)
        waiting = select(t.reflection_id).where(t.reflection_id.in_(old))
        empty = reflections.c.id.in_(old) & reflections.c.id.not_in(waiting)
        async with self.engine.begin() as conn:
            removed = await deleted(conn, delete(contributions).where(c.reflection_id.in_(old)))
            unposted = await deleted(conn, delete(contributions).where(cut_short))
            for table in (evaluation_answers, evaluations):  # the evaluation goes with it
                await conn.execute(delete(table).where(table.c.reflection_id.in_(old)))
            followed = await _purge_actions(conn, old)
            threads = await deleted(conn, delete(reflections).where(empty))
        return Purged(threads=threads, contributions=removed, unposted=unposted, actions=followed)

    # transcripts sent privately

    async def record_transcript(
        self,
        ident: int,
        platform: str,
        recipient: str | None,
        conversation: str,
        messages: Sequence[str] = (),
        files: Sequence[str] = (),
    ) -> None:
        """Remember what a transcript left in someone's direct messages (one row a message
        or file; nothing when the platform left nothing to remove, as the console)."""
        base = {"reflection_id": ident, "platform": platform, "conversation": conversation}
        base |= {"recipient": recipient, "created_at": self.clock()}
        rows = [{**base, "message_id": m, "file_id": None} for m in messages]
        rows += [{**base, "message_id": None, "file_id": f} for f in files]
        if rows:
            async with self.engine.begin() as conn:
                await conn.execute(insert(sent_transcripts), rows)

    async def expired_transcripts(self, closed_before: dt.datetime) -> list[SentTranscript]:
        """Transcripts of the threads `purge` deletes: to withdraw before it runs."""
        return await self._transcripts(self._expired(closed_before))

    async def transcripts_to(self, person: str) -> list[SentTranscript]:
        return await self._transcripts(sent_transcripts.c.recipient == person)

    async def _transcripts(self, where: ColumnElement[bool]) -> list[SentTranscript]:
        t, r = sent_transcripts.c, reflections.c
        columns = (t.id, t.reflection_id, t.platform, r.channel, r.workspace, t.conversation)
        query = select(*columns, t.message_id, t.file_id).join(reflections, t.reflection_id == r.id)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query.where(where).order_by(t.id))
            return [SentTranscript(*row) for row in rows]

    async def drop_transcripts(self, ids: Sequence[int]) -> None:
        """Forget transcripts withdrawn from the platform (or gone from it already)."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(sent_transcripts).where(sent_transcripts.c.id.in_(ids)))

    async def unlink_transcripts(self, ids: Sequence[int]) -> None:
        """Transcripts that could not be withdrawn for someone being forgotten: kept, without
        their recipient, for the retention job to withdraw with their thread."""
        where = sent_transcripts.c.id.in_(ids)
        async with self.engine.begin() as conn:
            await conn.execute(update(sent_transcripts).where(where).values(recipient=None))

    # erasure

    async def about(self, person: str) -> Erased:
        """What `forget` (and the transcripts sent to them) would erase, erasing nothing."""
        async with self.engine.connect() as conn:
            named = await count(conn, contributions, contributions.c.author == person)
            led = await count(conn, reflections, reflections.c.facilitator == person)
            sent = await count(conn, sent_transcripts, sent_transcripts.c.recipient == person)
        return Erased(contributions=named, facilitated=led, transcripts=sent)

    async def forget(self, person: str) -> Erased:
        """Erase a person's named contributions and their name as facilitator. `person` is
        their identity key: the same user id on another platform or workspace is another
        person, and is left alone. (A reply in an anonymous thread has no author: it cannot
        be found.)"""
        async with self.engine.begin() as conn:
            mine = contributions.c.author == person
            removed = await deleted(conn, delete(contributions).where(mine))
            led = reflections.c.facilitator == person
            stmt = update(reflections).where(led).values(facilitator=None)
            unlinked = (await conn.execute(stmt)).rowcount or 0
        return Erased(contributions=removed, facilitated=unlinked)


async def _purge_actions(conn: AsyncConnection, old: Select[tuple[int]]) -> int:
    """The actions of threads past retention, their follow-up and its updates."""
    follow_ups, updates = action_follow_ups.c, action_updates.c
    await conn.execute(delete(action_follow_ups).where(follow_ups.reflection_id.in_(old)))
    named = await deleted(conn, delete(actions).where(actions.c.reflection_id.in_(old)))
    said = await deleted(conn, delete(action_updates).where(updates.reflection_id.in_(old)))
    return named + said


async def deleted(conn: AsyncConnection, statement: Delete) -> int:
    return (await conn.execute(statement)).rowcount or 0


async def count(conn: AsyncConnection, table: Table, where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(table).where(where)
    return int((await conn.execute(query)).scalar_one())
