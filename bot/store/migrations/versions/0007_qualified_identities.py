"""People are (platform, workspace, user id): the facilitator of a reflection, the author
of a contribution and the creator of a schedule are stored as `platform:workspace:user`
(`bot.identity`), so that the same user id on another platform or in another workspace is
someone else. Bare ids are qualified with their own row's platform and workspace (a
contribution's with its thread's); NULLs (erased, anonymous) stay NULL. Plain SQL that
SQLite and PostgreSQL both run (`bot.store.people`, which the daily retention job also
runs); a value already qualified is left alone, so upgrading twice is harmless. The
downgrade strips the prefix again.
"""

import sqlalchemy as sa
from alembic import op

from bot.store.people import QUALIFY, UNQUALIFY

revision, down_revision = "0007", "0006"


def upgrade() -> None:
    for statement in QUALIFY:
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in UNQUALIFY:
        op.execute(sa.text(statement))
