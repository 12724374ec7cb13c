"""Prometheus metrics and the access log, as a middleware layer around the bot (the core
stays free of them), plus listeners for what happens below it: outbound retries (from the
adapters) and errors (any ERROR log record of Rounds' own loggers)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adapters import observe
from bot import fairness, memo
from bot.core import Next, event_name
from bot.events import Event
from bot.replies import Reply
from rounds import access
from scheduler.service import Report

ACCESS = logging.getLogger(access.LOGGER)  # its level turns the access log on or off
ACCESS_LOG: access.AccessLog | None = None  # set by `install`

HANDLED = Counter(
    "rounds_commands",
    "Commands and button presses handled, by platform, name and outcome",
    ["platform", "kind", "name", "outcome"],
)
LATENCY = Histogram(
    "rounds_command_seconds",
    "Time to answer a command or button press inside the bot",
    ["platform", "kind", "name"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


LOOKUPS = Counter(
    "rounds_lookups",
    "Keyword lookups answered, by platform and whether any passage was found",
    ["platform", "outcome"],
)
ERRORS = Counter(
    "rounds_errors",
    "Unexpected errors (logged at ERROR or above), by the part of Rounds that logged them",
    ["component"],
)
LIMITED = Counter(
    "rounds_limited",
    "Commands and button presses refused by the fairness limit (ROUNDS_RATE_PER_MINUTE, "
    "ROUNDS_ANONYMOUS_PER_MINUTE), by platform, kind and name",
    ["platform", "kind", "name"],
)
RETRIES = Counter(
    "rounds_outbound_retries",
    "Calls to Slack or the Bot Connector tried again, by platform and reason",
    ["platform", "reason"],
)
REFLECTIONS = Counter(
    "rounds_reflection_jobs",
    "Scheduled reflection work done: closed, asked (a timed question), reminded",
    ["job"],
)

DELIVERIES = Counter(
    "rounds_deliveries",
    "Scheduled prompt slots by outcome: posted, skipped, failed (for good), retrying",
    ["outcome"],
)


class CacheSizes(Collector):
    """`rounds_cache_bytes` and `rounds_cache_budget_bytes` by cache, read from the caches
    themselves (bot/memo.py) when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        held = GaugeMetricFamily(
            "rounds_cache_bytes", "Estimated bytes held by each memory cache", labels=["cache"]
        )
        budget = GaugeMetricFamily(
            "rounds_cache_budget_bytes", "The most each memory cache may hold", labels=["cache"]
        )
        for name, (used, most) in sorted(memo.sizes().items()):
            held.add_metric([name], used)
            budget.add_metric([name], most)
        yield held
        yield budget


REGISTRY.register(CacheSizes())


def count_deliveries(report: Report) -> None:
    for outcome, slots in (
        ("posted", report.posted),
        ("skipped", report.skipped),
        ("failed", report.failed),
        ("retrying", report.retrying),
    ):
        if slots:
            DELIVERIES.labels(outcome).inc(len(slots))
    for done in report.reflections:
        REFLECTIONS.labels(done.partition(":")[0]).inc()


async def measure(event: Event, call_next: Next) -> list[Reply]:
    """Count and time every event, and write its access-log line: platform, kind, command
    or button name, latency and outcome. Never its text."""
    started = time.perf_counter()
    replies = await call_next(event)
    elapsed = time.perf_counter() - started
    platform, kind, name = labels = (
        event.conversation.platform,
        _kind(type(event)),
        event_name(event),
    )
    kinds = {r.kind for r in replies}
    outcome = "limited" if fairness.LIMITED in kinds else "error" if "error" in kinds else "ok"
    handled, latency = _series(labels, outcome)
    handled.inc()
    latency.observe(elapsed)
    if name == "lookup" and replies and outcome != "limited":  # none: refused, said once
        _lookups(platform, "found" if "lookup" in kinds else "none").inc()
    if ACCESS_LOG is not None and ACCESS.isEnabledFor(logging.INFO):
        ACCESS_LOG.record(platform, kind, name, round(elapsed * 1000, 2), outcome)
    return replies


def _kind(event_type: type[Event]) -> str:
    """`command`, `action`, `message`: an event's kind, as the labels and the log name it."""
    kind = _KINDS.get(event_type)
    if kind is None:
        kind = _KINDS[event_type] = event_type.__name__.lower()
    return kind


_KINDS: dict[type[Event], str] = {}


@functools.cache
def _series(labels: tuple[str, str, str], outcome: str) -> tuple[Counter, Histogram]:
    """The labelled series, looked up once (labels are a small closed set: platform, kind,
    and a known command or button name — never free text)."""
    return HANDLED.labels(*labels, outcome), LATENCY.labels(*labels)


class ErrorCounter(logging.Handler):
    """Counts ERROR records of Rounds' loggers by component (`rounds.slack` → slack)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        parts = record.name.split(".")
        if parts[0] == "rounds":
            ERRORS.labels(parts[1] if len(parts) > 1 else "rounds").inc()


def count_limited(event: Event) -> None:
    LIMITED.labels(
        event.conversation.platform, type(event).__name__.lower(), event_name(event)
    ).inc()


def count_retry(platform: str, reason: str) -> None:
    RETRIES.labels(platform, reason).inc()


def install(log: access.AccessLog | None = None) -> None:
    """Start counting errors and retries, and writing the access log (once per process)."""
    global ACCESS_LOG
    ACCESS_LOG = log
    root = logging.getLogger()
    if not any(isinstance(h, ErrorCounter) for h in root.handlers):
        root.addHandler(ErrorCounter())
    observe.subscribe(count_retry)
    fairness.subscribe(count_limited)


@functools.cache
def _lookups(platform: str, outcome: str) -> Counter:
    return LOOKUPS.labels(platform, outcome)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
