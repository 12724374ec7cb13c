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
OPEN, CLOSING, CLOSED = "open", "closing", "closed"
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


def _of_reflection(primary_key: bool = False) -> Column[int]:
    """The reflection a row belongs to (deleted with it); indexed when not the key."""
    key = ForeignKey("reflections.id", ondelete="CASCADE")
    if primary_key:
        return Column("reflection_id", Integer, key, primary_key=True)
    return Column("reflection_id", Integer, key, nullable=False, index=True)


# Actions (issue 18): the answers to a reflection's last question, numbered 1..n in the
# reflection at its close. `owner` is the named author's identity key; None for an
# anonymous contribution or thread (then nothing links it to a person), and once erased.
actions = Table(
    "actions",
    metadata,
    _of_reflection(primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("text", Text(), nullable=False),  # with patient identifiers cut out
    Column("owner", String(255), nullable=True, index=True),
    Column("done", Boolean, nullable=False, server_default=false()),
    Column("done_at", DateTime(timezone=True), nullable=True),
)

# The one follow-up a closed reflection's open actions get, claimed here before it is
# posted (`state`: due, claimed with a lease, posted, skipped, failed), so that it goes
# out once across restarts and replicas.
action_follow_ups = Table(
    "action_follow_ups",
    metadata,
    _of_reflection(primary_key=True),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("message_id", String(255), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Replies in a reflection's thread after its follow-up: what happened to the actions.
# Stored as contributions are (identifiers removed; `author` None in an anonymous thread,
# whose message ids are digests), and deleted with them.
action_updates = Table(
    "action_updates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _of_reflection(),
    Column("author", String(255), nullable=True, index=True),
    Column("text", Text(), nullable=False),
    Column("message_id", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("reflection_id", "message_id", name="action_updates_message"),
)

# A reflection series: a channel's reflective practice on a cadence. Every `every_weeks`
# weeks on `weekday`, a reflection opens with `creator` as its facilitator; the local wall
# times in `times` (comma-separated HH:MM) take turns, one an opening. A series whose
# creator was forgotten is stopped: no one would facilitate it.
series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation", String(512), nullable=False, index=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(512), nullable=False),
    Column("workspace", String(255), nullable=False),
    Column("every_weeks", Integer, nullable=False),
    Column("weekday", Integer, nullable=False),  # 0 = Monday
    Column("times", String(255), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("topic", String(128), nullable=False),
    Column("model", String(128), nullable=False),
    Column("closes_minutes", Integer, nullable=False),  # how long each reflection stays open
    Column("anonymous", Boolean, nullable=False),
    Column("holidays", String(32), nullable=True),  # a nation, when bank holidays are skipped
    Column("creator", String(255), nullable=True, index=True),  # None once erased
    Column("stopped", Boolean, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),  # openings come after it
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The series' ledger, as `deliveries` is the schedules': one row per (series, slot), claimed
# before the reflection is opened, so that each opening happens once across restarts and
# replicas. `reflection_id` is the reflection opened for the slot (written as soon as it is
# stored, so a pass after a crash finishes it instead of opening another).
series_openings = Table(
    "series_openings",
    metadata,
    Column("series_id", Integer, ForeignKey("series.id"), primary_key=True),
    Column("slot", DateTime(timezone=True), primary_key=True, index=True),
    Column("state", String(32), nullable=False),  # claimed, opened, skipped-…, failed
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("reflection_id", Integer, nullable=True),
    Column("detail", String(255), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The anonymous evaluation offered when a thread closes: one row a thread, holding the random
# key (`salt`) of the digests its answers are stored under. Deleted with the thread.
evaluations = Table(
    "evaluations",
    metadata,
    Column("reflection_id", Integer, ForeignKey("reflections.id"), primary_key=True),
    Column("salt", String(64), nullable=False),
)

# One answer a person: `digest` is a keyed one-way digest of (thread, identity key) made
# with the thread's salt, so that a second answer replaces the first; nothing in the row
# names the person (no id, name, message id or time).
evaluation_answers = Table(
    "evaluation_answers",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("reflection_id", Integer, ForeignKey("reflections.id"), nullable=False, index=True),
    Column("score", Integer, nullable=False),
    Column("comment", Text(), nullable=True),
)
