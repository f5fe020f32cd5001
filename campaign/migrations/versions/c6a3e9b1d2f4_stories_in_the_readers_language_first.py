"""Stories in the reader's language first, and share cards per language

The gallery's default order puts the stories told in the page's language, or
publicly translated into it, before the others (issue 20). Two indexes keep
that fast however many stories there are: ``ix_story_language_published``
(language, status, published_at, id) walks the stories of one language newest
first and stops when the page is full, and ``ix_translation_language_status``
finds the translations into one language.

A story's share card is drawn in the language of the page that shows it (its
translation's words when there is one), so ``share_card`` gets a ``language``
and one card per story, size and language; existing cards are the original's
(language '').

Revision ID: c6a3e9b1d2f4
Revises: b4e2d6f8a1c3
Create Date: 2026-12-01 22:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c6a3e9b1d2f4"
down_revision = "b4e2d6f8a1c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_story_language_published", "story", ["language", "status", "published_at", "id"]
    )
    op.create_index(
        "ix_translation_language_status", "translation", ["language", "status", "story_id"]
    )
    with op.batch_alter_table(
        "share_card", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=12), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_share_card_story_size", type_="unique")
        batch_op.create_unique_constraint(
            "uq_share_card_story_size_language", ["story_id", "size", "language"]
        )


def downgrade():
    op.execute("DELETE FROM share_card WHERE language != ''")
    with op.batch_alter_table(
        "share_card", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint("uq_share_card_story_size_language", type_="unique")
        batch_op.create_unique_constraint("uq_share_card_story_size", ["story_id", "size"])
        batch_op.drop_column("language")
    op.drop_index("ix_translation_language_status", table_name="translation")
    op.drop_index("ix_story_language_published", table_name="story")
