"""The anonymous evaluation offered when a thread closes (issue 18): a random key per thread
and one answer per person, stored under a keyed one-way digest, never who gave it.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0011", "0010"


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("reflection_id", sa.Integer(), sa.ForeignKey("reflections.id"), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
    )
    op.create_table(
        "evaluation_answers",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("reflection_id", sa.Integer(), sa.ForeignKey("reflections.id"), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_index("ix_evaluation_answers_reflection_id", "evaluation_answers", ["reflection_id"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_answers_reflection_id", "evaluation_answers")
    op.drop_table("evaluation_answers")
    op.drop_table("evaluations")
