"""The home page's pinned stories come from a partial index of only those

``featured_stories`` filtered every published story for the few with
``featured_at`` set and sorted them: at 100,000 stories the home page took a
quarter of a second after each publication emptied the page cache. A partial
index holds only the pinned stories, newest pinned first.

Revision ID: c8e2f0a4d6b1
Revises: b3f91c6a2d58
Create Date: 2026-12-01 18:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8e2f0a4d6b1"
down_revision = "b3f91c6a2d58"
branch_labels = None
depends_on = None

PINNED = sa.text("featured_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.create_index(
            "ix_story_featured",
            ["status", "featured_at", "id"],
            unique=False,
            postgresql_where=PINNED,
            sqlite_where=PINNED,
        )


def downgrade():
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_index("ix_story_featured")
