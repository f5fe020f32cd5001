"""Staged photos belong to the form and browser that sent them, not to a signed row id

A photo accepted while the share form still needed fixing was named in the
form by a signed token of its row id. A token kept from an abandoned form then
named whatever photo got that id next, and a token seen in another browser
worked there too. Now the form carries a random key, and the row keeps only
photo.token_hash: the SHA-256 of that key with a random secret kept in the
uploader's session. photo.staged_from is a keyed hash of the uploader's
network, for the cap on photos waiting per address. Both are cleared when a
story takes the photo.

Photos staged before this change have no key: their forms are told to choose
the photo again, and `media cleanup` deletes them after their lifetime.

Plain ADD COLUMN and CREATE INDEX on both databases: no SQLite table rebuild,
so the photo table keeps its AUTOINCREMENT (c3f1d2e4a5b6).

Revision ID: d7a4c2b9e1f3
Revises: c3f1d2e4a5b6
Create Date: 2026-12-01 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a4c2b9e1f3'
down_revision = 'c3f1d2e4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('photo', sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.add_column('photo', sa.Column('staged_from', sa.String(length=64), nullable=True))
    op.create_index('ix_photo_token_hash', 'photo', ['token_hash'], unique=True)
    op.create_index('ix_photo_staged_from', 'photo', ['staged_from'], unique=False)


def downgrade():
    op.drop_index('ix_photo_staged_from', table_name='photo')
    op.drop_index('ix_photo_token_hash', table_name='photo')
    # SQLite rebuilds the table to drop columns: keep it AUTOINCREMENT.
    with op.batch_alter_table('photo', table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('staged_from')
        batch_op.drop_column('token_hash')
