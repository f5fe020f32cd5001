"""A proposed language per story, and proposals for the stories already stored

Until now every story defaulted to English, on /ar/share and /fa/share too: an
Arabic story left on the default is labelled English, shown left-to-right and
filed under the wrong language. ``story.proposed_language`` holds the language
its text seems to be in when that is not the one it is marked with
(campaign/i18n/detect.py); moderators see it in the queue and on the review
page and accept it with one (audited) action. Here every stored story gets its
proposal; nothing is changed for them.

Revision ID: 5adb9f575f40
Revises: f4c1b7e93a2d
Create Date: 2026-12-01 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from campaign.i18n.detect import proposed_language

# revision identifiers, used by Alembic.
revision = "5adb9f575f40"
down_revision = "f4c1b7e93a2d"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    # A plain ADD COLUMN on SQLite too (no table rebuild): AUTOINCREMENT stays.
    with op.batch_alter_table("story") as batch_op:
        batch_op.add_column(sa.Column("proposed_language", sa.String(12), nullable=True))

    story = sa.table(
        "story",
        sa.column("id", sa.Integer),
        sa.column("language", sa.String),
        sa.column("body", sa.Text),
        sa.column("proposed_language", sa.String),
    )
    connection = op.get_bind()
    last_id = 0
    while True:  # in batches by id: a large table is never held in memory at once
        rows = connection.execute(
            sa.select(story.c.id, story.c.language, story.c.body)
            .where(story.c.id > last_id)
            .order_by(story.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        for row in rows:
            proposal = proposed_language(row.language, row.body)
            if proposal is not None:
                connection.execute(
                    story.update().where(story.c.id == row.id).values(proposed_language=proposal)
                )


def downgrade():
    with op.batch_alter_table("story") as batch_op:
        batch_op.drop_column("proposed_language")
