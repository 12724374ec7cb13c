"""Weekly prompt schedules and the delivery ledger."""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0004", "0003"


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation", sa.String(512), nullable=False, unique=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(512), nullable=False),
        sa.Column("workspace", sa.String(255), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("topics", sa.String(1024), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("skip_slot", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holidays", sa.String(32), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("schedule_id", sa.Integer(), primary_key=True),
        sa.Column("slot", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prompt", sa.String(128), nullable=True),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("detail", sa.String(255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("deliveries_slot", "deliveries", ["slot"])


def downgrade() -> None:
    op.drop_index("deliveries_slot", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("schedules")
