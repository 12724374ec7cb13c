"""The store: everything Rounds remembers, through SQLAlchemy (SQLite or PostgreSQL)."""

from bot.store.store import Store, async_url, choose_next, unreachable

__all__ = ["Store", "async_url", "choose_next", "unreachable"]
