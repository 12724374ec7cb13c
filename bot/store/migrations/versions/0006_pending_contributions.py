"""Anonymous contributions are stored before they are posted: `pending` until the post is
out, so one cut short (a crash while it waited its turn to post) is never counted, shown
in a transcript, or stored twice when the person sends it again.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0006", "0005"


def upgrade() -> None:
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(
            sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("pending")
