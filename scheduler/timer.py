"""APScheduler as the timer, and only the timer: a cron job per schedule in the schedule's
own timezone wakes the scheduler on time, and a regular pass catches anything a timer
missed (restarts, daylight-saving gaps, expired claims, schedules changed on another
replica). Every job runs the same `Scheduler.tick`, which asks the database what is due."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.durations import SCHEDULER_PASS
from bot.store import unreachable
from bot.store.schedules import Schedule
from bot.store.series import Series
from scheduler import reflections
from scheduler.service import Report, Scheduler

log = logging.getLogger("rounds.scheduler")

STOP_WAIT = dt.timedelta(seconds=30)  # the longest `stop` waits for a pass under way
PURGE_AT = {"hour": 3, "minute": 30}  # the daily retention job, UTC


def failed(error: Exception, what: str) -> None:
    """A pass that failed: a database outage is expected now and then (one line); anything
    else is a bug (with its traceback)."""
    if unreachable(error):
        log.warning("%s (the database is away)", what)
    else:
        log.error(what, exc_info=error)


class Timer:
    def __init__(
        self,
        service: Scheduler,
        every: dt.timedelta = SCHEDULER_PASS,  # `ROUNDS_SCHEDULER_PASS_SECONDS`
        on_report: Callable[[Report], None] | None = None,
    ) -> None:
        self.service, self.every, self.on_report = service, every, on_report
        self.aps = AsyncIOScheduler(timezone=dt.UTC)
        self.rules: dict[str, tuple[int, str, str]] = {}  # job id -> the rule it fires for
        self.lock = asyncio.Lock()
        self.stopped = False
        self.running: set[asyncio.Task[object]] = set()  # jobs under way

    def start(self) -> None:
        trigger = IntervalTrigger(seconds=self.every.total_seconds(), timezone=dt.UTC)
        first = dt.datetime.now(dt.UTC)  # at once: slots missed while the bot was down
        self.aps.add_job(self.regular_pass, trigger, id="pass", next_run_time=first)
        daily = CronTrigger(timezone=dt.UTC, **PURGE_AT)
        self.aps.add_job(self.purge, daily, id="retention", next_run_time=first)
        self.aps.start()

    async def stop(self) -> None:
        """No new passes; passes under way finish before this returns. (APScheduler's own
        shutdown cancels running jobs, which could stop a delivery half-way, so it comes
        last, once nothing is running.)"""
        self.stopped = True
        if self.aps.running:
            self.aps.pause()
        running = self.running - {asyncio.current_task()}
        if running:
            await asyncio.wait(running, timeout=STOP_WAIT.total_seconds())
        if self.aps.running:
            self.aps.shutdown(wait=False)

    @contextlib.contextmanager
    def _job(self) -> Iterator[None]:
        """Marks the current task as a running job, for `stop` to wait for."""
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            yield
        finally:
            self.running.discard(task)

    async def regular_pass(self) -> None:
        with self._job():
            async with self.lock:
                if self.stopped:
                    return
                try:
                    store = self.service.ctx.store
                    await self.sync(await store.schedules.all(), await store.series.running())
                except Exception as exc:
                    failed(exc, "could not read schedules; the next pass tries again")
                    return
            await self.tick()

    async def purge(self) -> None:
        """Retention: once at start and daily after."""
        with self._job():
            if self.stopped:
                return
            try:
                await reflections.purge(self.service.ctx)
            except Exception as exc:
                failed(exc, "retention purge failed; it runs again tomorrow and at the next start")

    async def tick(self) -> Report | None:
        with self._job():
            return await self._tick()

    async def _tick(self) -> Report | None:
        """One pass at a time per process; replicas are kept apart by the ledger."""
        async with self.lock:
            if self.stopped:
                return None
            try:
                report = await self.service.tick()
            except Exception as exc:
                failed(exc, "scheduler pass failed; the next pass tries again")
                return None
        if self.on_report is not None:
            self.on_report(report)
        if report.posted or report.failed or report.skipped or report.reflections:
            log.info(
                "scheduler pass: %d posted, %d skipped, %d failed, %d to retry; reflections: %s",
                len(report.posted),
                len(report.skipped),
                len(report.failed),
                len(report.retrying),
                " ".join(report.reflections) or "-",
            )
        return report

    async def sync(self, schedules: list[Schedule], series: Sequence[Series] = ()) -> None:
        """One cron job per schedule, and one per wall time of each running reflection
        series (weekly: a pass in a week with no opening finds nothing due), replaced when
        its rule changes."""
        wanted = {f"schedule-{s.id}": (s.weekday, s.at, s.timezone) for s in schedules}
        wanted |= {
            f"series-{s.id}-{at}": (s.weekday, at, s.timezone) for s in series for at in s.times
        }
        for job_id in set(self.rules) - set(wanted):
            self.aps.remove_job(job_id)
            del self.rules[job_id]
        for job_id, rule in wanted.items():
            if self.rules.get(job_id) != rule:
                self._add(job_id, rule)

    def _add(self, job_id: str, rule: tuple[int, str, str]) -> None:
        weekday, at, timezone = rule
        hour, minute = at.split(":")
        trigger = CronTrigger(
            day_of_week=weekday, hour=int(hour), minute=int(minute), timezone=timezone
        )
        self.aps.add_job(self.tick, trigger, id=job_id, replace_existing=True)
        self.rules[job_id] = rule
