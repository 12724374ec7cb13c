"""A chart as a PNG image (Home's charts, shown in Slack as an image). matplotlib is
imported on first use, with the Agg backend (no display), so start-up does not pay for it;
drawing runs in the worker thread (`bot.reflect.worker.off_loop`), never on the event loop;
images are remembered by the chart's data within a byte budget."""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import dataclass
from typing import Any

from bot import limits
from bot.memo import ByteBudgetLRU
from bot.reflect.worker import off_loop
from bot.replies import Chart

CHART_CACHE_BYTES = 4 * limits.MIB  # PNGs of recent charts (a Home chart is about 20 KiB)
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 3.2, 100
BAR_COLOUR = "#005eb8"  # NHS blue

_PNGS: ByteBudgetLRU[Chart, bytes] = ByteBudgetLRU(
    "chart-png", CHART_CACHE_BYTES, lambda chart, png: len(png) + 64 * len(chart.bars)
)
_DRAWING = threading.Lock()  # pyplot's figure machinery is not thread-safe: one at a time


@dataclass
class Draws:
    """How many charts were drawn, and where (for the bench and the tests)."""

    count: int = 0
    on_loop: int = 0  # drawn in a thread running an event loop: never, by design
    thread: str = ""  # the thread that drew the last one


draws = Draws()


def _running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _pyplot() -> Any:
    import matplotlib  # imported on first use: it costs most of a second

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(chart: Chart) -> bytes:
    """The chart as a PNG: one bar per label, its value above it."""
    draws.count += 1
    draws.on_loop += _running_loop()
    draws.thread = threading.current_thread().name
    plt = _pyplot()
    with _DRAWING:
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        try:
            labels = [label for label, _ in chart.bars]
            values = [value for _, value in chart.bars]
            bars = axes.bar(range(len(values)), values, color=BAR_COLOUR)
            axes.bar_label(bars, labels=[str(v) for v in values], fontsize=8)
            axes.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0)
            axes.tick_params(axis="x", labelsize=8)
            axes.set_title(chart.title)
            axes.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
        finally:
            plt.close(figure)
    return out.getvalue()


def cached(chart: Chart) -> bytes | None:
    """The chart's PNG when it has been drawn recently."""
    return _PNGS.peek(chart)


async def png(chart: Chart) -> bytes:
    """The chart's PNG: remembered, else drawn in the worker thread."""
    found = _PNGS.peek(chart)
    if found is not None:
        return found
    made = await off_loop(draw, chart)
    _PNGS.put(chart, made)
    return made
