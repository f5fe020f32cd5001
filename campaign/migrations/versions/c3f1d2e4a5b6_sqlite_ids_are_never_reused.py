"""SQLite never gives an id twice: every table with an integer id is AUTOINCREMENT

Without AUTOINCREMENT, SQLite gives the next row max(id) + 1: deleting the
newest story (withdrawal, an admin's delete, the retention purge) freed its id
for the next submission, whose version counter started again at 1. A
moderator's page opened on the withdrawn story then approved, or overwrote with
the withdrawn text, a new story nobody had read. With AUTOINCREMENT SQLite
remembers the largest id ever used (sqlite_sequence) and never goes below it.

SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt (batch
mode, recreate="always"), keeping its rows, indexes and constraints. Then
sqlite_sequence is seeded with the largest id the database still knows of:
the table's own, and for stories also those in the audit log, which outlives
deleted stories; an id used and deleted before this migration cannot come
back either.

The rebuild drops the story table's triggers that keep the FTS5 search index
(story_search, migration a6d70aa1d7fe) in sync; they are created again here
exactly as that migration defines them, and the index is rebuilt from the
stories. The DDL is copied on purpose: migrations don't import application
code. Batch mode drops and renames tables, so env.py runs SQLite migrations
with foreign keys off (DROP TABLE would otherwise delete the rows of every
table that references it) and checks them before committing.

PostgreSQL: sequences never hand out an id twice; nothing to do.

Revision ID: c3f1d2e4a5b6
Revises: c3d8e5a1f207
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1d2e4a5b6'
down_revision = 'c3d8e5a1f207'
branch_labels = None
depends_on = None

# Every table whose key is one integer id (the others take no AUTOINCREMENT).
TABLES = [
    "moderator",
    "story",
    "theme",
    "photo",
    "story_revision",
    "report",
    "audit_entry",
    "invitation",
    "recovery_code",
    "gallery_stats",
]
# Ids that outlive their row, per table: they must not come back either.
ALSO_USED = {"story": ["SELECT max(story_id) FROM audit_entry"]}

SEARCH_TRIGGERS = [
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


def rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        # DROP TABLE would cascade into every table that references the one rebuilt.
        raise RuntimeError("SQLite table rebuilds need foreign keys off (see env.py)")
    for name in TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    for statement in SEARCH_TRIGGERS:
        op.execute(statement)
    if bind.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise RuntimeError("the rebuilt tables hold foreign keys that point nowhere")
    for name in TABLES:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": name})
        if autoincrement:
            used = [f"SELECT max(id) FROM {name}", *ALSO_USED.get(name, [])]
            largest = max((bind.execute(sa.text(query)).scalar() or 0) for query in used)
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"name": name, "seq": largest},
            )


def upgrade():
    rebuild(autoincrement=True)


def downgrade():
    rebuild(autoincrement=False)
