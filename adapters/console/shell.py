"""The console's shell: the terminal is read in the main thread, where Ctrl-C arrives and
readline edits the line, while Rounds' event loop (its replies and its scheduler) runs in a
thread of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TextIO, TypeVar

from adapters.console.adapter import PROMPT, ConsoleAdapter

T = TypeVar("T")


class BackgroundLoop:
    """An event loop in a daemon thread; `run` waits for a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="rounds", daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(work, self.loop)
        try:
            return future.result()
        except KeyboardInterrupt:  # Ctrl-C while Rounds was busy: that work stops too
            future.cancel()
            raise

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def converse(chat: ConsoleAdapter, loop: BackgroundLoop, stdin: TextIO, interactive: bool) -> None:
    """Read lines until the end of input (Ctrl-D). Piped input is echoed so the output reads
    as a transcript; at a terminal, the line can be edited and earlier lines recalled."""
    if interactive:
        import readline  # noqa: F401  (imported for its effect: input() edits and recalls)
    while (line := read_line(stdin, interactive)) is not None:
        if not interactive and (line.strip() or chat.form is not None):
            chat.out.write(f"{PROMPT}{line.strip()}\n")
        loop.run(chat.handle_line(line))


def read_line(stdin: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input(PROMPT)
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None
