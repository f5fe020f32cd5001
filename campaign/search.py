"""Full-text search over published stories: one interface, two engines.

``matches(query)`` gives a subquery of (story_id, rank) for the stories whose
title, quote or story contain every word of the query (as a prefix, so "bak"
finds "baker"); a lower rank is a better match. On SQLite it reads an FTS5
index kept in sync with the story table by triggers; on PostgreSQL it uses
``to_tsvector('simple', ...)`` with a GIN index on the same expression. Both
split words the same way (letters and digits, case-insensitive, no stemming),
so they find the same stories for the same data. The DDL lives here and in the
migration that adds it; ``create_all`` (used by the tests) runs it through
``after_create`` hooks.

``snippet(story, query)`` cuts the part of the story around the first match
and marks the words found, escaping everything else; it is the same on both
engines.
"""

import re

from markupsafe import Markup, escape
from sqlalchemy import DDL, column, event, func, literal_column, select, table

from .extensions import db
from .models import Story

FTS_TABLE = "story_search"
PG_INDEX = "ix_story_search"
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, story.title || ' ' || story.quote || ' ' || story.body)"
)
MAX_WORDS = 8

SQLITE_DDL = [
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
]
POSTGRES_DDL = [
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON story USING gin "
    "(to_tsvector('simple'::regconfig, title || ' ' || quote || ' ' || body))"
]
# Objects outside the models' metadata, which schema comparison must leave alone.
FTS_SHADOW_TABLES = frozenset(
    {FTS_TABLE}
    | {f"{FTS_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")}
)

for statement in SQLITE_DDL:
    event.listen(Story.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in POSTGRES_DDL:
    event.listen(Story.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))

_WORD = re.compile(r"[^\W_]+")


def include_name(name, type_, _parent_names) -> bool:
    """For Alembic: the search index is not described by the models, and that's fine."""
    if type_ == "table":
        return name not in FTS_SHADOW_TABLES
    if type_ == "index":
        return name != PG_INDEX
    return True


def words(query: str | None) -> list[str]:
    """The words searched for: letters and digits, lower case, at most MAX_WORDS."""
    found: list[str] = []
    for word in _WORD.findall((query or "").casefold()):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def matches(query: str | None):
    """A subquery (story_id, rank) of every story matching all words; None if no words."""
    found = words(query)
    if not found:
        return None
    if db.engine.dialect.name == "sqlite":
        index = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
        expression = " ".join(f'"{word}"*' for word in found)
        # bm25 is lower for better matches; the title weighs most, then the quote.
        rank = func.bm25(literal_column(FTS_TABLE), 10.0, 5.0, 1.0)
        return (
            select(index.c.rowid.label("story_id"), rank.label("rank"))
            .where(index.c[FTS_TABLE].op("MATCH")(expression))
            .subquery("search")
        )
    document = literal_column(PG_DOCUMENT)
    tsquery = func.to_tsquery(
        literal_column("'simple'::regconfig"), " & ".join(f"{word}:*" for word in found)
    )
    return (
        select(Story.id.label("story_id"), (-func.ts_rank(document, tsquery)).label("rank"))
        .where(document.op("@@")(tsquery))
        .subquery("search")
    )


def snippet(text: str, query: str | None, length: int = 220) -> Markup:
    """The passage around the first word found, escaped, with the words in <mark>."""
    found = words(query)
    if not found:
        return escape(text[:length]) + (Markup("…") if len(text) > length else "")
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(re.escape(w) for w in found) + r")[^\W_]*", re.IGNORECASE
    )
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + length)
    passage = text[start:end]
    parts: list[Markup] = [Markup("…")] if start else []
    position = 0
    for hit in pattern.finditer(passage):
        parts.append(escape(passage[position : hit.start()]))
        parts.append(Markup("<mark>%s</mark>") % passage[hit.start() : hit.end()])
        position = hit.end()
    parts.append(escape(passage[position:]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)


def highlight(text: str, query: str | None) -> Markup:
    """The whole (short) text, escaped, with the words found in <mark>."""
    return snippet(text, query, length=max(len(text), 1)) if words(query) else escape(text)
