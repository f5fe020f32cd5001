"""Stories keep the kinds of personal detail found in their public text

The queue shows a badge per kind (phone, e-mail, street address...) and filters
by them, a page of fifty stories at a time: reading every text to find out
would cost the queue its query budget. ``story.detail_kinds`` holds the kinds,
space-separated ("" for none); a before-flush hook in moderation/signals.py
keeps it whenever the text, the name or the e-mail change. Stories already
there are scanned here once, with the same detectors.

Revision ID: ad0be1de4366
Revises: b3f81c6e2a97
Create Date: 2026-12-01 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

from campaign.moderation.signals import context_for, detail_kinds_of, find_details

# revision identifiers, used by Alembic.
revision = "ad0be1de4366"
down_revision = "b3f81c6e2a97"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    # A plain ADD COLUMN on SQLite too (no table rebuild): AUTOINCREMENT stays.
    with op.batch_alter_table("story") as batch_op:
        batch_op.add_column(
            sa.Column("detail_kinds", sa.String(length=120), server_default="", nullable=False)
        )
    story = sa.table(
        "story",
        *(sa.column(name, sa.String) for name in ("title", "quote", "body", "author_name")),
        *(sa.column(name, sa.String) for name in ("name_display", "contact_email", "status")),
        *(sa.column(name, sa.String) for name in ("origin_country", "residence_country")),
        sa.column("id", sa.Integer),
        sa.column("detail_kinds", sa.String),
    )
    photo = sa.table("photo", sa.column("story_id", sa.Integer), sa.column("alt_text", sa.String))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(story, photo.c.alt_text)
            .outerjoin(photo, photo.c.story_id == story.c.id)
            .where(story.c.id > last_id, story.c.status != "withdrawn")
            .order_by(story.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            texts = {"title": row.title, "quote": row.quote or "", "body": row.body}
            if row.alt_text is not None:
                texts["alt_text"] = row.alt_text
            context = context_for(
                row.author_name,
                row.name_display,
                row.contact_email,
                (row.residence_country, row.origin_country),
            )
            kinds = detail_kinds_of(find_details(texts, context))
            if kinds:
                connection.execute(
                    story.update().where(story.c.id == row.id).values(detail_kinds=kinds)
                )
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table("story") as batch_op:
        batch_op.drop_column("detail_kinds")
