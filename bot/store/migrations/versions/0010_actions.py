"""Actions that come back (issue 18): the answers to a reflection's last question are
stored at close as numbered actions, each with its owner (None when anonymous) and whether
it is done; one follow-up per reflection is claimed in `action_follow_ups` before it is
posted; replies to it are kept in `action_updates`. All go with their reflection.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0010", "0009"


def _reflection() -> "sa.Column[int]":
    fk = sa.ForeignKey("reflections.id", ondelete="CASCADE")
    return sa.Column("reflection_id", sa.Integer(), fk, nullable=False)


def upgrade() -> None:
    op.create_table(
        "actions",
        _reflection(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("reflection_id", "number"),
    )
    op.create_index("ix_actions_owner", "actions", ["owner"])
    op.create_table(
        "action_follow_ups",
        _reflection(),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reflection_id"),
    )
    op.create_index("action_follow_ups_due", "action_follow_ups", ["state", "due_at"])
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _reflection(),
        sa.Column("author", sa.String(255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("reflection_id", "message_id", name="action_updates_message"),
    )
    op.create_index("ix_action_updates_reflection_id", "action_updates", ["reflection_id"])
    op.create_index("ix_action_updates_author", "action_updates", ["author"])


def downgrade() -> None:
    op.drop_table("action_updates")
    op.drop_table("action_follow_ups")
    op.drop_table("actions")
