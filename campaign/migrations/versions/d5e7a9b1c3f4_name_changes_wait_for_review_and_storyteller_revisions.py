"""A published story's name changes wait for review; storyteller edits leave revisions

pending_name_change holds what the teller of a published story asked to be
called, until a moderator approves or rejects it; the story's own name fields
(what the public sees) stay as reviewed meanwhile. One row per story, deleted
with it. Its id is AUTOINCREMENT on SQLite like every other table's, so a
moderator's approval names the request they read, never a later one.

story_revision.by_storyteller tells a storyteller's own edit (no moderator)
from one by a moderator whose account was deleted since (moderator_id NULL).

Revision ID: d5e7a9b1c3f4
Revises: d7a4e9c2b1f3
Create Date: 2026-12-01 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e7a9b1c3f4'
down_revision = 'd7a4e9c2b1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_name_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('name_display', sa.Enum('full', 'first', 'anonymous', name='name_display', native_enum=False, create_constraint=True, length=10), nullable=False),
        sa.Column('author_name', sa.String(length=100), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['story_id'], ['story.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('story_id'),
        sqlite_autoincrement=True,
    )
    # A plain ADD COLUMN (batch mode would rebuild the table and lose AUTOINCREMENT).
    op.add_column(
        'story_revision',
        sa.Column('by_storyteller', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table(
        'story_revision', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('by_storyteller')
    op.drop_table('pending_name_change')
