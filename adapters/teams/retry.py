"""Retries for calls to the Bot Connector: 429, 412, 502 and 504 are retried with
exponential backoff and jitter (or the service's Retry-After), a bounded number of times.
Anything else fails at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from adapters import observe

RETRY_STATUSES = frozenset({412, 429, 502, 504})
ATTEMPTS = 5
MAX_WAIT = 30.0

T = TypeVar("T")
_backoff = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5)


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a connector error. msrest puts the transport's own response on
    the exception: `status_code` for requests, `status` for aiohttp."""
    response = getattr(error, "response", None)
    for name in ("status_code", "status"):
        status = getattr(response, name, None)
        if isinstance(status, int):
            return status
    return None


def retry_after(error: BaseException | None) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return min(float(value), MAX_WAIT) if value is not None else None
    except (TypeError, ValueError):
        return None


def _retryable(error: BaseException) -> bool:
    return status_of(error) in RETRY_STATUSES


def _counted(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    status = status_of(error) if error is not None else None
    observe.retried("teams", str(status) if status else type(error).__name__)


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    told = retry_after(error)
    return told if told is not None else float(_backoff(state))


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    retrying = AsyncRetrying(
        retry=retry_if_exception(_retryable),
        wait=_wait,
        stop=stop_after_attempt(attempts),
        before_sleep=_counted,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity re-raises the last error")
