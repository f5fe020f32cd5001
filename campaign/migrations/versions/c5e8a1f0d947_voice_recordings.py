"""Voice stories: a story may have a recording, kept as transcoded renditions

``recording`` is to a voice what ``photo`` is to a picture: one row per story
(or none), naming its Opus and AAC files, with its duration, whether the voice
was masked, and its transcript with who wrote it. A row without a story waits
for its form like a staged photo (``token_hash``, ``staged_from``).

Revision ID: c5e8a1f0d947
Revises: c7d2e5a1f9b4
Create Date: 2026-12-01 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e8a1f0d947"
down_revision = "c7d2e5a1f9b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("renditions", sa.JSON(), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("transcript", sa.Text(), nullable=False, server_default=""),
        sa.Column("transcript_source", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("staged_from", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["story_id"], ["story.id"], name=op.f("fk_recording_story_id_story"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint("story_id", name=op.f("uq_recording_story_id")),
        sqlite_autoincrement=True,  # ids never reused (c3f1d2e4a5b6)
    )
    with op.batch_alter_table("recording") as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_recording_staged_from"), ["staged_from"], unique=False)


def downgrade():
    with op.batch_alter_table("recording") as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_staged_from"))
        batch_op.drop_index(batch_op.f("ix_recording_token_hash"))
    op.drop_table("recording")
