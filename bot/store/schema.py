"""The database schema, as SQLAlchemy Core tables. Migrations in `migrations/` create it."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text

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

# How to reach a conversation the bot was added to, so it can post there later (Teams needs
# the service URL and ids it was given at install). Opaque JSON written by the adapter;
# removed when the bot is removed. Names no person.
conversation_refs = Table(
    "conversation_refs",
    metadata,
    Column("conversation", String(512), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("reference", Text(), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
