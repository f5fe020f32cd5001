"""Stories have a recovery code

A storyteller who loses their private link gets a new one on "I lost my link"
with six words shown once on the thank-you page (and their e-mail, if they gave
one). Only the words' SHA-256 digest is stored, in ``story.recovery_hash``,
unique and indexed: the lookup is one indexed equality. Stories sent before
have none (NULL): their tellers keep the link they have.

Revision ID: b3f81c6e2a97
Revises: d7a4c2e9b1f0
Create Date: 2026-12-01 14:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3f81c6e2a97"
down_revision = "d7a4c2e9b1f0"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on SQLite too (no table rebuild); the unique index apart.
    with op.batch_alter_table("story") as batch_op:
        batch_op.add_column(sa.Column("recovery_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_story_recovery_hash", "story", ["recovery_hash"], unique=True)


def downgrade():
    op.drop_index("ix_story_recovery_hash", table_name="story")
    with op.batch_alter_table("story") as batch_op:
        batch_op.drop_column("recovery_hash")
