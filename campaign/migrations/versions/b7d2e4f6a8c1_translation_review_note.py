"""Translations: the reviewer's note when a translation is sent back

A reviewer who sends a translation back to its translator says why ("the second
paragraph is missing"); the translator reads it on the editor until they send the
translation for review again. One column on ``translation``; empty when there is
no note.

Revision ID: b7d2e4f6a8c1
Revises: a1f0c3e5d7b9
Create Date: 2026-12-01 21:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e4f6a8c1"
down_revision = "a1f0c3e5d7b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("translation") as batch_op:
        batch_op.add_column(
            sa.Column("review_note", sa.String(length=1000), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("translation") as batch_op:
        batch_op.drop_column("review_note")
