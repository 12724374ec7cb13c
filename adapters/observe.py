"""What the adapters do that is worth counting but no reply shows: outbound retries. The
composition layer subscribes (rounds/metrics.py); adapters only call `retried`."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, str], None]  # (platform, reason)
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def retried(platform: str, reason: str) -> None:
    """An outbound call is about to be tried again (`reason`: a status or error name)."""
    for listener in _listeners:
        listener(platform, reason)
