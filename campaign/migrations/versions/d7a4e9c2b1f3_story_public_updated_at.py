"""Story public_updated_at: when anything the public sees of a story last changed

Atom feeds gave each entry's publication time as its <updated>, so feed
readers kept a story's old text or full name after an edit, a change of name
display or a removed photo (issue 14, finding 14). The session hooks of
campaign/publishing/hooks.py now stamp this column on every real change of a
public field; existing stories start from their publication time.

Revision ID: d7a4e9c2b1f3
Revises: d7a4c2b9e1f3
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a4e9c2b1f3'
down_revision = 'd7a4c2b9e1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE story SET public_updated_at = published_at")


def downgrade():
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('public_updated_at')
