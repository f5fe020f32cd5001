"""PostgreSQL search reads a stored, weighted tsvector column

Search on PostgreSQL used a GIN index on an expression, to_tsvector('simple',
title || ' ' || quote || ' ' || body). The index found the stories, but each
matching row's text was parsed again, to check the match and to rank it by
where the words are (title, quote, story): a common word cost most of a second
at 100,000 stories. Now a stored generated column holds the parsed text, its
title, quote and story weighted A, B and C, and the GIN index is on that
column; the rank reads the weights (campaign/search.py). Same tokens as
before ('simple', like FTS5's unicode61 on SQLite), so the same stories match.

PostgreSQL only: SQLite keeps its FTS5 table, and its story table is not
rebuilt (which would drop the FTS triggers). Adding a stored column rewrites
the story table under an exclusive lock: seconds at 100,000 stories.
The DDL is copied here on purpose: migrations don't import application code.

Revision ID: e24829bfb02a
Revises: 2a32b4195f32
Create Date: 2026-11-28 12:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e24829bfb02a'
down_revision = '2a32b4195f32'
branch_labels = None
depends_on = None

POSTGRES_UP = [
    "DROP INDEX IF EXISTS ix_story_search",
    "ALTER TABLE story ADD COLUMN IF NOT EXISTS search_document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, quote), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'C')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_story_search ON story USING gin (search_document)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_story_search",
    "ALTER TABLE story DROP COLUMN IF EXISTS search_document",
    "CREATE INDEX IF NOT EXISTS ix_story_search ON story USING gin "
    "(to_tsvector('simple'::regconfig, title || ' ' || quote || ' ' || body))",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
