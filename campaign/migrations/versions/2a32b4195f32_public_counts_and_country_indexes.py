"""Public counts kept by increments, and indexes for gallery pages of one country

(From the `caching` branch: rechain after any other migration on a6d70aa1d7fe.)

public_count holds, per country of origin, country of residence and
language, how many published stories are counted under it. The application
adds and subtracts in the transaction of each change (campaign.public_changes)
instead of recounting every published story; it is filled here from the
existing stories.

Two indexes serve gallery pages filtered by one country, newest first. They
are plain CREATE INDEX statements: the story table is not rebuilt on SQLite,
so the full-text triggers of a6d70aa1d7fe stay in place.

Revision ID: 2a32b4195f32
Revises: a6d70aa1d7fe
Create Date: 2026-11-28 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a32b4195f32'
down_revision = 'a6d70aa1d7fe'
branch_labels = None
depends_on = None

COLUMNS = {"origin": "origin_country", "residence": "residence_country", "language": "language"}


def upgrade():
    op.create_table('public_count',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=12), nullable=False),
    sa.Column('stories', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'value', name=op.f('pk_public_count'))
    )
    for kind, column in COLUMNS.items():
        op.execute(
            sa.text(
                f"INSERT INTO public_count (kind, value, stories) "
                f"SELECT :kind, {column}, count(*) FROM story "
                f"WHERE status = 'published' AND hidden = :hidden GROUP BY {column}"
            ).bindparams(kind=kind, hidden=False)
        )
    op.create_index('ix_story_origin_published', 'story', ['origin_country', 'status', 'published_at', 'id'], unique=False)
    op.create_index('ix_story_residence_published', 'story', ['residence_country', 'status', 'published_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_story_residence_published', table_name='story')
    op.drop_index('ix_story_origin_published', table_name='story')
    op.drop_table('public_count')
