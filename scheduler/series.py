"""The series' part of a scheduler pass: each due slot of a reflection series is recorded
as skipped (a bank holiday, missed beyond the grace period) or claimed in the series'
ledger and its reflection opened. The claim's unique key makes each opening happen once
across replicas; the reflection's id, on the claimed row before its post goes out, makes a
pass after a crash finish the slot instead of opening another."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from bot import scheduled
from bot.context import Context
from bot.store import unreachable
from bot.store.reflections import Reflection
from bot.store.series import FAILED, OPENED, Series
from bot.weekly import LOOKBACK, slot_id

log = logging.getLogger("rounds.scheduler")

SKIPPED = {"skip-missed": "skipped-missed", "skip-holiday": "skipped-holiday"}


class Outcomes(Protocol):
    """Where a pass's outcomes go (`scheduler.service.Report`)."""

    skipped: list[str]
    failed: list[str]
    retrying: list[str]
    reflections: list[str]


async def run_due(ctx: Context, grace: dt.timedelta, report: Outcomes) -> None:
    """Every running series' due slots. One slot's trouble is logged and left for a later
    pass; in an outage the whole part waits for the next pass."""
    now = ctx.clock()
    try:
        recorded = await ctx.store.series.recorded(now - LOOKBACK)
        running = await ctx.store.series.running()
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("series: the database is away; the next pass tries again")
        return
    for series in running:
        done = recorded.get(series.id, set())
        for due in scheduled.due_openings(series, now, done, grace, LOOKBACK):
            ident = slot_id(f"series-{series.id}", due.slot)
            try:
                await _act(ctx, series, due, ident, report)
            except Exception as exc:
                level = logging.WARNING if unreachable(exc) else logging.ERROR
                log.log(level, "slot %s: %s; it will be retried", ident, type(exc).__name__)
                report.retrying.append(ident)


async def _act(
    ctx: Context, series: Series, due: scheduled.Due, ident: str, report: Outcomes
) -> None:
    store = ctx.store.series
    if due.verdict != "post":
        if await store.record(series.id, due.slot, SKIPPED[due.verdict]):
            log.info("slot %s %s", ident, SKIPPED[due.verdict])
            report.skipped.append(ident)
        return
    if ctx.outbox(series.platform) is None:
        await store.record(series.id, due.slot, FAILED, f"{series.platform} is not configured")
        report.failed.append(ident)
        return
    claim = await store.claim(series.id, due.slot)
    if claim is None:
        return  # opened, skipped, or being opened by another replica
    if claim.reflection is not None and await _opened_before(ctx, series, due, claim.reflection):
        report.reflections.append(f"opened:{claim.reflection}")
        return
    await _open(ctx, series, due, ident, report)


async def _opened_before(ctx: Context, series: Series, due: scheduled.Due, ident: int) -> bool:
    """A pass that crashed after storing the slot's reflection: when its post went out (the
    thread is recorded), the slot is finished; otherwise the reflection is taken back and
    opened again."""
    found = await ctx.store.reflections.get(ident)
    if found is not None and found.thread is not None:
        await ctx.store.series.finish(series.id, due.slot, OPENED)
        log.info("series %d: reflection %d was opened before a restart; recorded", series.id, ident)
        return True
    if found is not None:
        await ctx.store.reflections.discard(ident)
    return False


async def _open(
    ctx: Context, series: Series, due: scheduled.Due, ident: str, report: Outcomes
) -> None:
    async def stored(reflection: Reflection) -> None:
        await ctx.store.series.opening(series.id, due.slot, reflection.id)

    started = await scheduled.open_reflection(ctx, series, stored)
    if started is None:
        why = "its topic or model is no longer in the library"
        await ctx.store.series.finish(series.id, due.slot, FAILED, why)
        log.warning("slot %s not opened: %s", ident, why)
        report.failed.append(ident)
        return
    if started.failed is not None:  # the claim's lease runs out, then a pass tries again
        log.warning("slot %s not opened: the post failed; it will be retried", ident)
        report.retrying.append(ident)
        return
    await ctx.store.series.finish(series.id, due.slot, OPENED)
    log.info("slot %s opened reflection %s in %s", ident, started.subject, series.conversation)
    report.reflections.append(f"opened:{started.subject}")


async def purge(ctx: Context) -> int:
    """Retention: the ledger's rows for slots before the lookback, which no pass looks at
    again, go (their reflections go with the reflections' own retention)."""
    gone = await ctx.store.series.purge(ctx.clock() - LOOKBACK)
    if gone:
        log.info("retention: deleted %d series ledger rows older than the lookback", gone)
    return gone
