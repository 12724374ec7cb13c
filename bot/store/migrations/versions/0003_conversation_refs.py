"""Where the bot may post unprompted: Teams conversation references, by conversation."""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0003", "0002"


def upgrade() -> None:
    op.create_table(
        "conversation_refs",
        sa.Column("conversation", sa.String(512), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conversation_refs")
