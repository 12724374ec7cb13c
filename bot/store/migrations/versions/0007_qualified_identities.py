"""People are (platform, workspace, user id): the facilitator of a reflection, the author
of a contribution and the creator of a schedule are stored as `platform:workspace:user`
(`bot.identity`), so that the same user id on another platform or in another workspace is
someone else. Bare ids are qualified with their own row's platform and workspace (a
contribution's with its thread's); NULLs (erased, anonymous) stay NULL. Plain SQL that
SQLite and PostgreSQL both run; a value already qualified is left alone, so upgrading
twice is harmless. The downgrade strips the prefix again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OWN = "platform || ':' || workspace || ':'"
THREAD = (
    "(SELECT r.platform || ':' || r.workspace || ':' FROM reflections r "
    "WHERE r.id = contributions.reflection_id)"
)
COLUMNS = (
    ("reflections", "facilitator", OWN),
    ("contributions", "author", THREAD),
    ("schedules", "created_by", OWN),
)


def _qualified(column: str, prefix: str) -> str:
    return f"substr({column}, 1, length({prefix})) = {prefix}"


def upgrade() -> None:
    for table, column, prefix in COLUMNS:
        op.execute(
            sa.text(
                f"UPDATE {table} SET {column} = {prefix} || {column} "
                f"WHERE {column} IS NOT NULL AND {prefix} IS NOT NULL "
                f"AND NOT {_qualified(column, prefix)}"
            )
        )


def downgrade() -> None:
    for table, column, prefix in COLUMNS:
        op.execute(
            sa.text(
                f"UPDATE {table} SET {column} = substr({column}, length({prefix}) + 1) "
                f"WHERE {column} IS NOT NULL AND {_qualified(column, prefix)}"
            )
        )
