"""Undoable decisions: a moderator may take back their latest decision for a few seconds

The `a` key published at once with no way back. ``undoable_decision`` keeps, per
moderator, what their latest decision replaced (status, publication date, reason,
message, featured, hidden) and the story's version right after it, so that an undo
within ``UNDO_SECONDS`` restores it exactly, and is refused once anyone changed the
story since. The row goes with its story and with its moderator.

Revision ID: b3f91c6a2d58
Revises: 5adb9f575f40
Create Date: 2026-12-01 14:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3f91c6a2d58"
down_revision = "5adb9f575f40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "undoable_decision",
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("story_version", sa.Integer(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderator.id"],
            name=op.f("fk_undoable_decision_moderator_id_moderator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["story.id"],
            name=op.f("fk_undoable_decision_story_id_story"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("moderator_id", name=op.f("pk_undoable_decision")),
    )
    with op.batch_alter_table("undoable_decision") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_undoable_decision_story_id"), ["story_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("undoable_decision") as batch_op:
        batch_op.drop_index(batch_op.f("ix_undoable_decision_story_id"))
    op.drop_table("undoable_decision")
