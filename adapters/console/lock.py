"""One console per database file. Each console runs the scheduler, so two on one file
would share its work and split what it prints (reminders, closes, transcripts) between
their windows; the second is refused instead, with a way to open one of its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from bot import messages as m

if sys.platform != "win32":
    import fcntl

SUFFIX = ".console-lock"  # beside the database: rounds.db.console-lock


class DatabaseBusy(Exception):
    """Another console holds the database file."""


def database_file(database_url: str) -> Path | None:
    """The SQLite file a URL names; None for PostgreSQL and in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


@contextmanager
def console_lock(database_url: str) -> Iterator[None]:
    """Held while the console runs; released by the system however the process ends."""
    database = database_file(database_url)
    handle = _opened(database)
    if handle is None:
        yield
        return
    with handle:
        if not _locked(handle):
            raise DatabaseBusy(m.CONSOLE_BUSY.format(path=database))
        yield


def _opened(database: Path | None) -> TextIO | None:
    if database is None or sys.platform == "win32":
        return None  # nothing to lock (the Windows console goes unlocked)
    try:
        return open(f"{database}{SUFFIX}", "a", encoding="utf-8")
    except OSError:
        return None  # no such folder: opening the database says so


def _locked(handle: TextIO) -> bool:
    if sys.platform == "win32":
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
