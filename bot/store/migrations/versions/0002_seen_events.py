"""Recently seen platform event ids, so a retried event is processed once."""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0002", "0001"


def upgrade() -> None:
    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("seen_events_seen_at", "seen_events", ["seen_at"])


def downgrade() -> None:
    op.drop_index("seen_events_seen_at", "seen_events")
    op.drop_table("seen_events")
