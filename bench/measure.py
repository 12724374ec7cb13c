"""What a server process costs, read from /proc (Linux): CPU, RSS and its peak, open fds and
sockets, the rest of the machine's CPU; when it is idle; how slowly it answers /healthz
while other work runs. Shared by the benchmarks."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

HEALTH_EVERY_S = 0.01
IDLE_NS = 300_000  # under this much CPU in IDLE_WINDOW_S and the server counts as idle
IDLE_WINDOW_S = 0.03


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


# -- CPU --------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ns(pid: int) -> int:
    """Nanoseconds every thread of the process has run (threads still alive)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # the thread ended as we looked
            continue
    return total


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot (not idle, not waiting for I/O)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


async def idle(pid: int, timeout: float = 120.0) -> None:  # noqa: ASYNC109
    """Until the server has done (almost) nothing for IDLE_WINDOW_S."""
    deadline = time.perf_counter() + timeout
    last = cpu_ns(pid)
    while time.perf_counter() < deadline:
        await asyncio.sleep(IDLE_WINDOW_S)
        now = cpu_ns(pid)
        if now - last < IDLE_NS:
            return
        last = now
    raise RuntimeError("the server never went idle")


# -- memory, fds ------------------------------------------------------------------------------


def _status_mib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {key} for process {pid}")


def rss_mib(pid: int) -> float:
    return _status_mib(pid, "VmRSS")


def peak_mib(pid: int) -> float:
    return _status_mib(pid, "VmHWM")


def reset_peak(pid: int) -> None:
    """VmHWM back to the present RSS (Linux: 5 > clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass
class Sample:
    rss_mib: float
    fds: int
    sockets: int
    cpu: float  # CPU seconds the server used so far
    others: float  # CPU seconds the rest of the machine used so far (not this bench)


def sample(pid: int) -> Sample:
    fds = Path(f"/proc/{pid}/fd")
    links = []
    for fd in os.listdir(fds):
        try:
            links.append(os.readlink(fds / fd))
        except FileNotFoundError:  # closed while we looked
            continue
    sockets = sum(link.startswith("socket:") for link in links)
    server = cpu_seconds(pid)
    others = machine_busy() - server - cpu_seconds(os.getpid())
    return Sample(rss_mib(pid), len(links), sockets, server, others)


# -- the event loop ---------------------------------------------------------------------------


class Health:
    """Asks GET /healthz every HEALTH_EVERY_S on its own connection; the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/healthz"
        self.worst = 0.0
        self.asked = 0

    async def run(self, stop: asyncio.Event, asks: int | None = None) -> None:
        """Until `stop` is set, or `asks` answers came."""
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
            while not stop.is_set() and (asks is None or self.asked < asks):
                began = time.perf_counter()
                async with http.get(self.url) as answer:
                    await answer.read()
                self.worst = max(self.worst, time.perf_counter() - began)
                self.asked += 1
                await asyncio.sleep(max(0.0, began + HEALTH_EVERY_S - time.perf_counter()))


async def while_asking(url: str, work: Awaitable[Any], health: Health | None = None) -> float:
    """Run `work` while asking /healthz; the slowest /healthz, in ms."""
    health, done = health or Health(url), asyncio.Event()
    asking = asyncio.create_task(health.run(done))
    try:
        await work
    finally:
        done.set()
        await asking
    return health.worst * 1000
