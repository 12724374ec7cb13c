"""Skips add up (issue 19): a channel may skip as many weekly prompts as it likes, so the one
`schedules.skip_slot` becomes `schedule_skips`, a row per (schedule, date), the date in the
schedule's timezone. A skip already set moves there; the downgrade keeps the earliest.

The rows are read before the column goes (SQLite's batch mode copies `schedules`) and the
new table is made after, so no foreign key points at a table being copied.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from bot.weekly import Weekly, local_slot

revision, down_revision = "0009", "0008"

SCHEDULES = sa.table(
    "schedules",
    sa.column("id", sa.Integer()),
    sa.column("weekday", sa.Integer()),
    sa.column("at", sa.String()),
    sa.column("timezone", sa.String()),
    sa.column("skip_slot", sa.DateTime(timezone=True)),
)
SKIPS = sa.table(
    "schedule_skips", sa.column("schedule_id", sa.Integer()), sa.column("day", sa.Date())
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(SCHEDULES).where(SCHEDULES.c.skip_slot.is_not(None))).all()
    days = [{"schedule_id": r.id, "day": _local_day(r.skip_slot, r.timezone)} for r in rows]
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("skip_slot")
    op.create_table(
        "schedule_skips",
        sa.Column("schedule_id", sa.Integer(), sa.ForeignKey("schedules.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
    )
    if days:
        conn.execute(SKIPS.insert(), days)


def _local_day(slot: dt.datetime, timezone: str) -> dt.date:
    aware = slot if slot.tzinfo else slot.replace(tzinfo=dt.UTC)  # SQLite's are naive UTC
    return aware.astimezone(ZoneInfo(timezone)).date()


def downgrade() -> None:
    conn = op.get_bind()
    first = sa.select(SKIPS.c.schedule_id, sa.func.min(SKIPS.c.day).label("day"))
    rows = conn.execute(first.group_by(SKIPS.c.schedule_id))
    earliest = {row.schedule_id: row.day for row in rows}
    op.drop_table("schedule_skips")
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("skip_slot", sa.DateTime(timezone=True), nullable=True))
    for row in conn.execute(sa.select(SCHEDULES)).all():
        day = earliest.get(row.id)
        if day is not None and day.weekday() == row.weekday:
            rule = Weekly(row.weekday, dt.time.fromisoformat(row.at), row.timezone)
            slot = {"skip_slot": local_slot(rule, day)}
            conn.execute(sa.update(SCHEDULES).where(SCHEDULES.c.id == row.id).values(slot))
