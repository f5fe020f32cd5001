"""Search reads about a page per rank, however common the word (issue 21)

A relevance search ranked every match before taking the best page: "the" was
11 s at a million stories. Now each rank is read on its own, in date order,
from an index that can stop after a page:

- SQLite: the FTS5 index's rowid becomes the story's place in date order (the
  second of publication * 2**31 + the id), so ``ORDER BY rowid DESC LIMIT n``
  gives the newest matches and stops; the index reads the key and the text
  through a view (``story_search_source``); a story not published yet is keyed
  in the first second. A prefix index for prefixes of one to
  three letters lets a short word ("the", a prefix of their, them...) stream
  instead of merging every such word's entries first. The triggers follow the
  publication time too, and the index is rebuilt from the stories.
- PostgreSQL: GIN indexes of the titles' and the quotes' words, so "every word
  in the title" is found by an index rather than by reading every match's
  stored words (the stored column's weights are not in its GIN index).

The DDL is copied here on purpose: migrations don't import application code.

Revision ID: d9b3f5a7c1e2
Revises: c6a3e9b1d2f4
Create Date: 2026-12-02 01:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d9b3f5a7c1e2"
down_revision = "c6a3e9b1d2f4"
branch_labels = None
depends_on = None

KEY = (
    "(min(max(coalesce(CAST(strftime('%s', {row}.published_at) AS INTEGER), -4294967295), "
    "-4294967295), 4294967295)"
    " * 2147483648 + {row}.id)"
)
DROP_SEARCH = [
    "DROP TRIGGER IF EXISTS story_search_ai",
    "DROP TRIGGER IF EXISTS story_search_ad",
    "DROP TRIGGER IF EXISTS story_search_au",
    "DROP TABLE IF EXISTS story_search",
    "DROP VIEW IF EXISTS story_search_source",
]
SQLITE_UP = [
    *DROP_SEARCH,
    "CREATE VIEW story_search_source AS SELECT "  # noqa: S608 - constant names
    + KEY.format(row="story")
    + " AS search_key, id, title, quote, body FROM story",
    "CREATE VIRTUAL TABLE story_search USING fts5("
    "title, quote, body, content='story_search_source', content_rowid='search_key', "
    "tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')",
    "CREATE TRIGGER story_search_ai AFTER INSERT ON story BEGIN "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "VALUES (" + KEY.format(row="new") + ", new.title, new.quote, new.body); END",
    "CREATE TRIGGER story_search_ad AFTER DELETE ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "VALUES ('delete', " + KEY.format(row="old") + ", old.title, old.quote, old.body); END",
    "CREATE TRIGGER story_search_au AFTER UPDATE OF title, quote, body, published_at ON story "
    "BEGIN INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "SELECT 'delete', " + KEY.format(row="old") + ", old.title, old.quote, old.body; "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "SELECT " + KEY.format(row="new") + ", new.title, new.quote, new.body; END",
    "INSERT INTO story_search(story_search) VALUES ('rebuild')",
]
# As migration c3f1d2e4a5b6 left them: keyed by the story id, every story indexed.
SQLITE_DOWN = [
    *DROP_SEARCH,
    "CREATE VIRTUAL TABLE story_search USING fts5("
    "title, quote, body, content='story', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER story_search_ai AFTER INSERT ON story BEGIN "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "CREATE TRIGGER story_search_ad AFTER DELETE ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); END",
    "CREATE TRIGGER story_search_au AFTER UPDATE OF title, quote, body ON story "
    "BEGIN INSERT INTO story_search(story_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); "
    "INSERT INTO story_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "INSERT INTO story_search(story_search) VALUES ('rebuild')",
]
POSTGRES_UP = [
    "CREATE INDEX IF NOT EXISTS ix_story_title_search ON story "
    "USING gin (to_tsvector('simple'::regconfig, title))",
    "CREATE INDEX IF NOT EXISTS ix_story_quote_search ON story "
    "USING gin (to_tsvector('simple'::regconfig, quote))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_story_title_search",
    "DROP INDEX IF EXISTS ix_story_quote_search",
]


def _run(sqlite: list[str], postgres: list[str]) -> None:
    bind = op.get_bind()
    statements = sqlite if bind.dialect.name == "sqlite" else postgres
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade():
    _run(SQLITE_UP, POSTGRES_UP)


def downgrade():
    _run(SQLITE_DOWN, POSTGRES_DOWN)
