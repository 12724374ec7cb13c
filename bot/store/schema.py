"""The database schema, as SQLAlchemy Core tables. Migrations in `migrations/` create it."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

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
# removed when the bot is removed. A channel's names no person; a 1:1 chat is one person's,
# and `person` (their identity key) says whose, so that `forget-me` removes it.
conversation_refs = Table(
    "conversation_refs",
    metadata,
    Column("conversation", String(512), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("reference", Text(), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("person", String(255), nullable=True, index=True),  # set for a 1:1 chat only
)

# One weekly prompt schedule per channel. The database is the source of truth; timers only
# wake the scheduler. Names the channel, never a person.
schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation", String(512), nullable=False, unique=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(512), nullable=False),
    Column("workspace", String(255), nullable=False),
    Column("weekday", Integer, nullable=False),
    Column("at", String(5), nullable=False),  # local wall time, HH:MM
    Column("timezone", String(64), nullable=False),
    Column("topics", String(1024), nullable=False),  # comma-separated slugs; "" for all
    Column("paused", Boolean, nullable=False),
    Column("holidays", String(32), nullable=True),  # a nation, when bank holidays are skipped
    Column("since", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=True),  # who set it; erased by forget-me
)

# The dates a channel asked to skip, each in its schedule's timezone: as many as it likes.
schedule_skips = Table(
    "schedule_skips",
    metadata,
    Column("schedule_id", Integer, ForeignKey("schedules.id"), primary_key=True),
    Column("day", Date, primary_key=True),
)

# The delivery ledger: one row per (schedule, slot). The unique key is what makes a slot
# post once, across restarts and replicas: a slot is claimed here before posting.
deliveries = Table(
    "deliveries",
    metadata,
    Column("schedule_id", Integer, primary_key=True),
    Column("slot", DateTime(timezone=True), primary_key=True, index=True),
    Column("state", String(32), nullable=False),  # claimed, delivered, skipped-…, failed
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("prompt", String(128), nullable=True),
    Column("message_id", String(255), nullable=True),
    Column("detail", String(255), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A facilitated reflection thread. `thread` is the platform's id of the opening post (Slack
# ts, Teams message id); `step` is the question the thread is on. `state` moves from open
# to closing (claimed by one replica, with a lease) to closed.
reflections = Table(
    "reflections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation", String(512), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("channel", String(512), nullable=False),
    Column("workspace", String(255), nullable=False),
    Column("thread", String(512), nullable=True),
    Column("topic", String(128), nullable=False),
    Column("model", String(128), nullable=False),
    Column("facilitator", String(255), nullable=True),  # None once erased
    Column("anonymous", Boolean, nullable=False),
    Column("step", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    Column("remind_at", DateTime(timezone=True), nullable=True),  # None once reminded
    Column("next_step_at", DateTime(timezone=True), nullable=True),  # timed models only
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    # when a close was first claimed: a close failing for a day is finished without its
    # summary, and one stuck in `closing` is purged with the closed threads
    Column("closing_since", DateTime(timezone=True), nullable=True),
    # anonymous threads only: the random salt of the digest stored for their replies'
    # platform message ids (`bot.store.reflections.digest`)
    Column("salt", String(64), nullable=True),
)

# What people said in a thread. `author` is None for anonymous contributions (and in
# anonymous threads): then nothing in the row links it to a person.
contributions = Table(
    "contributions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reflection_id", Integer, ForeignKey("reflections.id", ondelete="CASCADE")),
    Column("step", Integer, nullable=False),
    Column("author", String(255), nullable=True),
    Column("author_name", String(255), nullable=True),
    Column("text", Text(), nullable=False),
    Column("message_id", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # an anonymous contribution not yet posted: not counted or shown until it is
    Column("pending", Boolean(), nullable=False, server_default=false()),
    UniqueConstraint("reflection_id", "message_id", name="contributions_message"),
)

# The transcripts Rounds sent privately (a Slack DM with a file, a Teams 1:1 chat's
# messages), one row per message or file, so that the retention job deletes them from the
# platform with their thread (and `forget-me` with their recipient). `conversation` is the
# DM or 1:1 chat; `recipient` the identity key of who was sent it. No cascade: the purge
# withdraws them first, then deletes these rows, then the thread.
sent_transcripts = Table(
    "sent_transcripts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reflection_id", Integer, ForeignKey("reflections.id"), nullable=False, index=True),
    Column("platform", String(32), nullable=False),
    Column("conversation", String(512), nullable=False),
    Column("message_id", String(255), nullable=True),
    Column("file_id", String(255), nullable=True),
    Column("recipient", String(255), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
