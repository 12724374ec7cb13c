"""Delivering due slots: the database decides what is due (`plan.decide` over schedules,
the ledger and now); each slot is claimed in the ledger before it is posted, through the
platform's outbox, and marked delivered with the message id after."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field, replace

from bot.context import Context
from bot.durations import GRACE
from bot.events import Conversation
from bot.outbox import DeliveryError, Outbox
from bot.scheduled import ROTATION, prompt_pool, prompt_reply, state_of
from bot.store import unreachable
from bot.store.schedules import Schedule
from bot.weekly import LOOKBACK, slot_id
from scheduler import reflections, series
from scheduler.plan import Decision, decide

log = logging.getLogger("rounds.scheduler")

SKIPPED = {
    "skip-missed": "skipped-missed",
    "skip-holiday": "skipped-holiday",
    "skip-requested": "skipped-requested",
}


def _fields(schedule: Schedule, ident: str, outcome: str) -> dict[str, object]:
    """The structured fields of a delivery's log line."""
    return {"platform": schedule.platform, "slot": ident, "outcome": outcome}


@dataclass
class Report:
    """What one pass did, for logs, metrics and tests."""

    posted: list[str] = field(default_factory=list)  # slot ids
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # permanent failures
    retrying: list[str] = field(default_factory=list)  # left for the next pass
    reflections: list[str] = field(default_factory=list)  # opened:3, closed:3, asked:3, reminded:3


@dataclass
class Scheduler:
    """Posts through the context's outboxes; `grace`: `ROUNDS_GRACE_HOURS`."""

    ctx: Context
    grace: dt.timedelta = GRACE
    concurrency: int = 64

    async def tick(self) -> Report:
        """One pass over every schedule: record skips, deliver what is due."""
        report, now = Report(), self.ctx.clock()
        gate = asyncio.Semaphore(self.concurrency)
        recorded = await self.ctx.store.schedules.recorded(now - LOOKBACK)
        work = []
        for schedule in await self.ctx.store.schedules.all():
            done = recorded.get(schedule.id, set())
            for decision in decide(state_of(schedule), now, done, self.grace, LOOKBACK):
                work.append(self._guarded(schedule, decision, report, gate))
        await asyncio.gather(*work)
        await series.run_due(self.ctx, self.grace, report)
        report.reflections += await self._reflections()
        return report

    async def _reflections(self) -> list[str]:
        """Reflection threads' timed work; in an outage it waits for the next pass (the
        slots' outcome is still reported)."""
        try:
            return await reflections.run_due(self.ctx)
        except Exception as exc:
            if not unreachable(exc):
                raise
            log.warning("reflections: the database is away; the next pass tries again")
            return []

    async def _guarded(
        self, schedule: Schedule, decision: Decision, report: Report, gate: asyncio.Semaphore
    ) -> None:
        """One channel's trouble is logged and retried later; it never stops the others."""
        try:
            await self._act(schedule, decision, report, gate)
        except Exception as exc:
            ident = slot_id(str(schedule.id), decision.slot)
            if unreachable(exc):  # expected in an outage: no traceback
                log.warning("slot %s: the database is away; it will be retried", ident)
            else:
                log.exception("slot %s hit an unexpected error; it will be retried", ident)
            report.retrying.append(ident)

    async def _act(
        self, schedule: Schedule, decision: Decision, report: Report, gate: asyncio.Semaphore
    ) -> None:
        ident = slot_id(str(schedule.id), decision.slot)
        if decision.action != "post":
            state = SKIPPED[decision.action]
            if await self.ctx.store.schedules.record(schedule.id, decision.slot, state):
                log.info("slot %s %s", ident, state, extra=_fields(schedule, ident, state))
                report.skipped.append(ident)
            return
        async with gate:
            await self._deliver(schedule, decision.slot, ident, report)

    async def _deliver(
        self, schedule: Schedule, slot: dt.datetime, ident: str, report: Report
    ) -> None:
        pool = prompt_pool(self.ctx, schedule.topics)
        outbox = self.ctx.outbox(schedule.platform)
        if not pool or outbox is None:
            why = "no prompts" if not pool else f"{schedule.platform} is not configured"
            await self.ctx.store.schedules.record(schedule.id, slot, "failed", why)
            log.warning(
                "slot %s not posted: %s", ident, why, extra=_fields(schedule, ident, "failed")
            )
            report.failed.append(ident)
            return
        choice = await self.ctx.store.peek(schedule.conversation, ROTATION, pool)
        claim = await self.ctx.store.schedules.claim(schedule.id, slot, choice)
        if claim is None:
            return  # delivered, skipped, or being delivered by another replica
        prompt_id = claim.prompt if claim.prompt in self.ctx.library.prompts else choice
        if claim.retry:
            posted = await self._already_posted(schedule, slot, ident, outbox, report)
            if posted:
                await self._mark_seen(schedule, prompt_id)
            if posted is not False:  # found, or not known yet: either way not posted now
                return
        await self._post(schedule, slot, ident, prompt_id, outbox, report)

    async def _mark_seen(self, schedule: Schedule, prompt_id: str) -> None:
        pool = prompt_pool(self.ctx, schedule.topics)
        await self.ctx.store.mark_seen(schedule.conversation, ROTATION, prompt_id, pool)

    async def _already_posted(
        self, schedule: Schedule, slot: dt.datetime, ident: str, outbox: Outbox, report: Report
    ) -> bool | None:
        """After a crash or an outage the post may have gone out before the ledger heard of
        it: ask the platform (Slack keeps the slot id in the message's metadata). None when
        it cannot be asked just now: a later pass asks again (posting without knowing could
        post the slot twice)."""
        where = Conversation(schedule.platform, schedule.channel, schedule.workspace)
        try:
            found = await outbox.find_posted(where, ident)
        except DeliveryError as exc:
            log.warning("could not check %s for slot %s: %s", schedule.conversation, ident, exc)
            if exc.permanent:
                return False  # the post will say whether the channel can be reached at all
            report.retrying.append(ident)
            return None
        if found is None:
            return False
        await self.ctx.store.schedules.finish(schedule.id, slot, "delivered", found)
        log.info("slot %s was already posted before a restart; recorded", ident)
        report.posted.append(ident)
        return True

    async def _post(
        self,
        schedule: Schedule,
        slot: dt.datetime,
        ident: str,
        prompt_id: str,
        outbox: Outbox,
        report: Report,
    ) -> None:
        where = Conversation(schedule.platform, schedule.channel, schedule.workspace)
        prompt = prompt_reply(self.ctx, self.ctx.library.prompts[prompt_id])
        reply = replace(prompt, marker=ident)  # the post says which slot it is
        try:
            message_id = await outbox.post(where, reply)
        except DeliveryError as exc:
            await self._failed(schedule, slot, ident, exc, report)
            return
        await self._mark_seen(schedule, prompt_id)
        await self.ctx.store.schedules.finish(schedule.id, slot, "delivered", message_id)
        fields = _fields(schedule, ident, "posted")
        log.info("slot %s posted to %s", ident, schedule.conversation, extra=fields)
        report.posted.append(ident)

    async def _failed(
        self, schedule: Schedule, slot: dt.datetime, ident: str, exc: DeliveryError, report: Report
    ) -> None:
        if exc.permanent:
            await self.ctx.store.schedules.finish(schedule.id, slot, "failed", detail=exc.reason)
            where, fields = schedule.conversation, _fields(schedule, ident, "failed")
            log.warning("slot %s failed for good in %s: %s", ident, where, exc, extra=fields)
            report.failed.append(ident)
            return
        fields = _fields(schedule, ident, "retrying")
        log.warning("slot %s will be retried (%s)", ident, exc.reason, extra=fields)
        report.retrying.append(ident)  # the claim's lease runs out, then a pass retries it
