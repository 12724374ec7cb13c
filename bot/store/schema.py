"""The database schema, as SQLAlchemy Core tables. Migrations in `migrations/` create it."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table

metadata = MetaData()

# Which quotes and prompts a channel has already seen, so they don't repeat until the
# pool is used up. Keyed by channel, never by person.
rotation_seen = Table(
    "rotation_seen",
    metadata,
    Column("conversation", String(255), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("item", String(128), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Platform event ids seen recently (Slack `event_id`), kept for a short time so that a
# retried delivery is acknowledged but not processed twice, across restarts and replicas.
seen_events = Table(
    "seen_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)
