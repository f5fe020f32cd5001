"""Gallery numbers kept up to date, and full-text search on both databases

gallery_stats holds one row: the live numbers of the home page and the
gallery filters (published stories, their countries and languages) and a
version bumped in every transaction that changes what the public sees. The
application keeps it current from a session hook, so pages never count per
request and the version serves as the ETag of public pages. The row is filled
here from the existing stories.

Search (campaign/search.py) needs objects the models don't describe:
- SQLite: an FTS5 external-content table story_search over story(title,
  quote, body), kept in sync by three triggers, and rebuilt here from the
  existing stories. Caution: a later batch migration that recreates the story
  table on SQLite drops these triggers; such a migration must recreate them.
- PostgreSQL: a GIN index on to_tsvector('simple', title || ' ' || quote ||
  ' ' || body), the very expression the search query uses. 'simple' (no
  stemming, no stop words) matches FTS5's unicode61 tokenizer, so both find
  the same stories.
The DDL is copied here on purpose: migrations don't import application code.
This migration is kept after every migration that rebuilds the story table
on SQLite (batch mode), so its triggers survive.

Revision ID: a6d70aa1d7fe
Revises: 0256b62ab5cf
Create Date: 2026-11-28 08:30:27.107140

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6d70aa1d7fe'
down_revision = '0256b62ab5cf'
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS story_search USING fts5("
    "title, quote, body, content='story', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS story_search_ai AFTER INSERT ON story BEGIN "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS story_search_ad AFTER DELETE ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS story_search_au AFTER UPDATE OF title, quote, body ON story "
    "BEGIN INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "INSERT INTO story_search(story_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS story_search_au",
    "DROP TRIGGER IF EXISTS story_search_ad",
    "DROP TRIGGER IF EXISTS story_search_ai",
    "DROP TABLE IF EXISTS story_search",
]
POSTGRES_UP = [
    "CREATE INDEX IF NOT EXISTS ix_story_search ON story USING gin "
    "(to_tsvector('simple'::regconfig, title || ' ' || quote || ' ' || body))"
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_story_search"]


def upgrade():
    stats = op.create_table('gallery_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stories', sa.Integer(), nullable=False),
    sa.Column('origins', sa.JSON(), nullable=False),
    sa.Column('residences', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_stats'))
    )
    bind = op.get_bind()
    public = "FROM story WHERE status = 'published' AND hidden = :hidden"

    def distinct(column):
        rows = bind.execute(sa.text(f"SELECT DISTINCT {column} {public}"), {"hidden": False})
        return sorted(value for (value,) in rows)

    count = bind.execute(sa.text(f"SELECT count(*) {public}"), {"hidden": False}).scalar()
    op.bulk_insert(stats, [{
        "id": 1,
        "version": 1,
        "changed_at": datetime.now(timezone.utc),
        "stories": count,
        "origins": distinct("origin_country"),
        "residences": distinct("residence_country"),
        "languages": distinct("language"),
    }])
    for statement in SQLITE_UP if bind.dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_table('gallery_stats')
