"""Reflective practice on a cadence (issue 18): `series`, a channel's reflections opened
every n weeks on a weekday, at wall times that take turns; and `series_openings`, its
ledger, one row per (series, slot), claimed before the reflection is opened.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0012", "0011"


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation", sa.String(512), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(512), nullable=False),
        sa.Column("workspace", sa.String(255), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("times", sa.String(255), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(128), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("closes_minutes", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("holidays", sa.String(32), nullable=True),
        sa.Column("creator", sa.String(255), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_series_conversation", "series", ["conversation"])
    op.create_index("ix_series_creator", "series", ["creator"])
    op.create_table(
        "series_openings",
        sa.Column("series_id", sa.Integer(), sa.ForeignKey("series.id"), primary_key=True),
        sa.Column("slot", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reflection_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_series_openings_slot", "series_openings", ["slot"])


def downgrade() -> None:
    op.drop_index("ix_series_openings_slot", "series_openings")
    op.drop_table("series_openings")
    op.drop_index("ix_series_creator", "series")
    op.drop_index("ix_series_conversation", "series")
    op.drop_table("series")
