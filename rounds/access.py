"""The access log: one line per request (platform, kind, command or button name, latency,
outcome; never what anyone typed). Lines are built with one format call and written in
batches, at most FLUSH_EVERY seconds apart, instead of one `logging` record each: under
load the logging machinery alone cost a good part of a lookup (the README's measured figures).
The lines look like the other log lines, as text or JSON (`ROUNDS_LOG_FORMAT`)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TextIO

FLUSH_EVERY = 0.5  # seconds
LOGGER = "rounds.access"


class AccessLog:
    def __init__(self, stream: TextIO, as_json: bool = False) -> None:
        self.stream, self.as_json = stream, as_json
        self.lines: list[str] = []
        self.pending: asyncio.TimerHandle | None = None
        self._second = -1
        self._stamp = ""

    def record(self, platform: str, kind: str, name: str, ms: float, outcome: str) -> None:
        stamp = self.stamp(time.time())
        if self.as_json:
            message = f"{platform} {kind} {name} {ms:.2f}ms {outcome}"
            entry: dict[str, object] = {"time": stamp, "level": "info", "logger": LOGGER}
            entry["message"] = message
            entry |= {"platform": platform, "kind": kind, "command": name}
            entry |= {"latency_ms": ms, "outcome": outcome}
            line = json.dumps(entry)
        else:
            line = f"{stamp} INFO {LOGGER}: {platform} {kind} {name} {ms:.2f}ms {outcome}"
        self.lines.append(line)
        self._schedule()

    def stamp(self, now: float) -> str:
        """`2026-11-23 15:20:01,123`, as `logging` writes it; the second is reused."""
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((now - second) * 1000):03d}"

    def _schedule(self) -> None:
        if self.pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self.pending = loop.call_later(FLUSH_EVERY, self.flush)

    def flush(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None
        if not self.lines:
            return
        batch, self.lines = self.lines, []
        try:
            self.stream.write("\n".join(batch) + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            return  # the stream is gone (shutting down); nothing to do about it
