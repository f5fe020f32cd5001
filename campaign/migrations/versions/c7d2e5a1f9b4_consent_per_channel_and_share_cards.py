"""Consent per channel, share cards, and tombstones of stories gone for good

``story`` gets one boolean per channel beyond the website (share images, partners,
print and exhibitions, translation). What existing stories agreed to, read from
the consent text of version 2026-11 ("I agree that this story may be published on
this website") and the privacy page of that time ("When your story is published,
everyone can see the story..."):

- the website: yes, it is the consent itself;
- partners (API, embeds, feeds): yes. They were the website's own public surfaces
  when those storytellers agreed (the same published story, through the site's own
  feed, API and embed addresses, each marked as ours), so keeping them is no new use;
  a storyteller can turn them off on the private page at once;
- share images, print and exhibitions, translation: no. None of them existed, and a
  picture made of one's face and words for social media, a printed poster or
  somebody else's translation is a new use nobody agreed to.

``share_card`` lists the rendered share images (one file per story and size, its
key saying what it was made from). ``retired_story`` keeps, for a published story
that was withdrawn or deleted, only its id and the sha256 of its slug, so that
its addresses answer 410 Gone.

Revision ID: c7d2e5a1f9b4
Revises: c8e2f0a4d6b1
Create Date: 2026-12-01 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7d2e5a1f9b4"
down_revision = "c8e2f0a4d6b1"
branch_labels = None
depends_on = None

CHANNELS = ("share_images", "partners", "print", "translation")


def upgrade():
    # A plain ADD COLUMN on SQLite too, no table rebuild (which would lose AUTOINCREMENT's
    # memory of ids and the search triggers): so a constant default, "0", not sa.false()
    # (an expression makes Alembic rebuild). '0' is false on PostgreSQL as well.
    with op.batch_alter_table("story") as batch_op:
        for channel in CHANNELS:
            batch_op.add_column(
                sa.Column(f"consents_{channel}", sa.Boolean(), nullable=False, server_default="0")
            )
    story = sa.table("story", sa.column("consents_partners", sa.Boolean()))
    op.execute(story.update().values(consents_partners=True))
    op.create_table(
        "share_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("story_id", "size", name="uq_share_card_story_size"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_share_card_story_id", "share_card", ["story_id"], unique=False)
    op.create_table(
        "retired_story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug_digest", sa.String(length=64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug_digest"),
        sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table("retired_story")
    op.drop_index("ix_share_card_story_id", table_name="share_card")
    op.drop_table("share_card")
    for channel in reversed(CHANNELS):  # SQLite 3.35+ drops a column without a rebuild
        op.execute(f"ALTER TABLE story DROP COLUMN consents_{channel}")
