"""Translations are searched: a story is found by the words of its public translations

A reader searching in French finds an Arabic story by the words of its French
translation (issue 20). The translation table gets the same full-text index as
the story table: on SQLite an FTS5 table kept in sync by triggers (filled now
from the translations already written), on PostgreSQL a stored, weighted
tsvector column with a GIN index. Which translations count (published, of a
public story whose teller consented to translation) is decided when searching,
by models.published_translations(), so a translation taken out of the public is
found no more without touching the index. The DDL is copied here on purpose:
migrations don't import application code.

Revision ID: b4e2d6f8a1c3
Revises: b7d2e4f6a8c1
Create Date: 2026-12-01 22:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b4e2d6f8a1c3"
down_revision = "b7d2e4f6a8c1"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS translation_search USING fts5("
    "title, quote, body, content='translation', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS translation_search_ai AFTER INSERT ON translation BEGIN "
    "INSERT INTO translation_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS translation_search_ad AFTER DELETE ON translation BEGIN "
    "INSERT INTO translation_search(translation_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS translation_search_au AFTER UPDATE OF title, quote, body "
    "ON translation BEGIN "
    "INSERT INTO translation_search(translation_search, rowid, title, quote, body) "
    "VALUES ('delete', old.id, old.title, old.quote, old.body); "
    "INSERT INTO translation_search(rowid, title, quote, body) "
    "VALUES (new.id, new.title, new.quote, new.body); END",
    "INSERT INTO translation_search(translation_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS translation_search_ai",
    "DROP TRIGGER IF EXISTS translation_search_ad",
    "DROP TRIGGER IF EXISTS translation_search_au",
    "DROP TABLE IF EXISTS translation_search",
]
POSTGRES_UP = [
    "ALTER TABLE translation ADD COLUMN IF NOT EXISTS search_document tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, quote), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'C')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_translation_search ON translation USING gin (search_document)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_translation_search",
    "ALTER TABLE translation DROP COLUMN IF EXISTS search_document",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
