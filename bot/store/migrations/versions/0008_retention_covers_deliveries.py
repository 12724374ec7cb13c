"""Retention and erasure cover everything Rounds delivered (issue 16):

- `sent_transcripts`: each transcript message or file sent privately, so the retention job
  deletes it from the platform with its thread (no cascade: the purge withdraws, then
  deletes these rows, then the thread);
- `conversation_refs.person`: whose 1:1 chat a reference is (NULL for channels), so that
  `forget-me` removes it;
- `reflections.closing_since`: when a close was first claimed (a close stuck in `closing`
  is finished after a day and purged after the retention period); set from the lease for
  threads closing now;
- `reflections.salt`: anonymous threads' stored message ids become salted digests, which
  still match the platform's id (retries, deletions) but no longer name the message, and so
  its author. Existing anonymous threads get a salt and their ids digested here; the
  downgrade cannot undo a digest (it drops the salt and leaves the digests).
"""

import secrets

import sqlalchemy as sa
from alembic import op

from bot.store.reflections import DIGESTED, digest

revision, down_revision = "0008", "0007"


def upgrade() -> None:
    op.create_table(
        "sent_transcripts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reflection_id", sa.Integer(), sa.ForeignKey("reflections.id"), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("conversation", sa.String(512), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("recipient", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sent_transcripts_reflection_id", "sent_transcripts", ["reflection_id"])
    op.create_index("ix_sent_transcripts_recipient", "sent_transcripts", ["recipient"])
    with op.batch_alter_table("conversation_refs") as batch:
        batch.add_column(sa.Column("person", sa.String(255), nullable=True))
    op.create_index("ix_conversation_refs_person", "conversation_refs", ["person"])
    with op.batch_alter_table("reflections") as batch:
        batch.add_column(sa.Column("closing_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("salt", sa.String(64), nullable=True))
    op.execute(
        sa.text("UPDATE reflections SET closing_since = claimed_until WHERE state = 'closing'")
    )
    _digest_anonymous_threads(op.get_bind())


def _digest_anonymous_threads(conn: sa.Connection) -> None:
    threads = conn.execute(sa.text("SELECT id FROM reflections WHERE anonymous")).scalars()
    for ident in list(threads):
        salt = secrets.token_hex(16)
        conn.execute(
            sa.text("UPDATE reflections SET salt = :salt WHERE id = :id"),
            {"salt": salt, "id": ident},
        )
        rows = conn.execute(
            sa.text(
                "SELECT id, message_id FROM contributions WHERE reflection_id = :id "
                "AND message_id IS NOT NULL"
            ),
            {"id": ident},
        ).all()
        for row in rows:
            if not str(row.message_id).startswith(DIGESTED):
                conn.execute(
                    sa.text("UPDATE contributions SET message_id = :digest WHERE id = :id"),
                    {"digest": digest(salt, str(row.message_id)), "id": row.id},
                )


def downgrade() -> None:
    with op.batch_alter_table("reflections") as batch:
        batch.drop_column("salt")
        batch.drop_column("closing_since")
    op.drop_index("ix_conversation_refs_person", "conversation_refs")
    with op.batch_alter_table("conversation_refs") as batch:
        batch.drop_column("person")
    op.drop_index("ix_sent_transcripts_recipient", "sent_transcripts")
    op.drop_index("ix_sent_transcripts_reflection_id", "sent_transcripts")
    op.drop_table("sent_transcripts")
