"""Volunteer translations: a story's text in other languages, beside the original

``translation`` holds one story's title, quote, text and photo description in one
language, with its status (draft, in review, published, out of date), who wrote it
and who reviewed it, and the ``text_version`` of the original it was made from;
``story.text_version`` rises with every edit of the original's text, which marks
its translations out of date. Moderator accounts (and invitations) say whether
they moderate and which languages their holder reads, for translators.

Revision ID: a1f0c3e5d7b9
Revises: c5e8a1f0d947
Create Date: 2026-12-01 21:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1f0c3e5d7b9"
down_revision = "c5e8a1f0d947"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("quote", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("alt_text", sa.String(length=500), nullable=False, server_default=""),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "published",
                "outdated",
                name="translation_status",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
            server_default="draft",
        ),
        sa.Column(
            "source",
            sa.Enum(
                "volunteer",
                "machine_draft",
                name="translation_source",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
            server_default="volunteer",
        ),
        sa.Column("translator_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("original_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["story.id"],
            name=op.f("fk_translation_story_id_story"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translator_id"],
            ["moderator.id"],
            name=op.f("fk_translation_translator_id_moderator"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["moderator.id"],
            name=op.f("fk_translation_reviewer_id_moderator"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation")),
        sa.UniqueConstraint("story_id", "language", name="uq_translation_story_language"),
        sqlite_autoincrement=True,  # ids never reused (c3f1d2e4a5b6)
    )
    with op.batch_alter_table("translation") as batch_op:
        batch_op.create_index(batch_op.f("ix_translation_story_id"), ["story_id"], unique=False)
    with op.batch_alter_table("story") as batch_op:
        batch_op.add_column(
            sa.Column("text_version", sa.Integer(), nullable=False, server_default="1")
        )
    # Plain ALTER TABLE ADD COLUMN (no batch): SQLite keeps these tables' AUTOINCREMENT.
    for table in ("moderator", "invitation"):
        op.add_column(
            table, sa.Column("can_moderate", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        op.add_column(
            table,
            sa.Column("reads_languages", sa.String(length=100), nullable=False, server_default=""),
        )


def downgrade():
    for table in ("invitation", "moderator"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("reads_languages")
            batch_op.drop_column("can_moderate")
    with op.batch_alter_table("story") as batch_op:
        batch_op.drop_column("text_version")
    with op.batch_alter_table("translation") as batch_op:
        batch_op.drop_index(batch_op.f("ix_translation_story_id"))
    op.drop_table("translation")
