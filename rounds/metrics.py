"""Prometheus metrics, as a middleware layer around the bot (the core stays free of them)."""

from __future__ import annotations

import functools
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from bot.core import Next, event_name
from bot.events import Action, Event
from bot.replies import Reply
from scheduler.service import Report

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


DELIVERIES = Counter(
    "rounds_deliveries",
    "Scheduled prompt slots by outcome: posted, skipped, failed (for good), retrying",
    ["outcome"],
)


def count_deliveries(report: Report) -> None:
    for outcome, slots in (
        ("posted", report.posted),
        ("skipped", report.skipped),
        ("failed", report.failed),
        ("retrying", report.retrying),
    ):
        if slots:
            DELIVERIES.labels(outcome).inc(len(slots))


async def measure(event: Event, call_next: Next) -> list[Reply]:
    started = time.perf_counter()
    replies = await call_next(event)
    kind = "action" if isinstance(event, Action) else "command"
    labels = (event.conversation.platform, kind, event_name(event))
    outcome = "error" if any(r.kind == "error" for r in replies) else "ok"
    handled, latency = _series(labels, outcome)
    handled.inc()
    latency.observe(time.perf_counter() - started)
    return replies


@functools.cache
def _series(labels: tuple[str, str, str], outcome: str) -> tuple[Counter, Histogram]:
    """The labelled series, looked up once (labels are a small closed set: platform, kind,
    and a known command or button name — never free text)."""
    return HANDLED.labels(*labels, outcome), LATENCY.labels(*labels)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
