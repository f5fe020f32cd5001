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
from sqlalchemy import DDL, case, column, event, func, literal_column, select, table

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
    """A subquery (story_id, rank) of every story matching all words; None if no words.

    The rank says where all the words were found: in the title (4), the quote
    (2), the story (1); it is negated so that lower is better, and it depends
    on the story alone, not on the other stories (unlike bm25 or idf), so the
    order is the same on both engines and stays put while stories are
    published, which keeps the pages of search results stable.
    """
    found = words(query)
    if not found:
        return None
    if db.engine.dialect.name == "sqlite":
        index = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
        expression = " ".join(f'"{word}"*' for word in found)

        def found_in(name: str):
            return index.c.rowid.in_(
                select(index.c.rowid).where(
                    index.c[FTS_TABLE].op("MATCH")(f"{{{name}}} : ({expression})")
                )
            )

        base = select(index.c.rowid.label("story_id")).where(
            index.c[FTS_TABLE].op("MATCH")(expression)
        )
    else:
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), " & ".join(f"{word}:*" for word in found)
        )

        def found_in(name: str):
            document = literal_column(f"to_tsvector('simple'::regconfig, story.{name})")
            return document.op("@@")(tsquery)

        base = select(Story.id.label("story_id")).where(
            literal_column(PG_DOCUMENT).op("@@")(tsquery)
        )
    rank = -(
        case((found_in("title"), 4), else_=0)
        + case((found_in("quote"), 2), else_=0)
        + case((found_in("body"), 1), else_=0)
    )
    return base.add_columns(rank.label("rank")).subquery("search")


def _pattern(found: list[str]) -> re.Pattern:
    """A word starting with one of the searched words, as the engines match them."""
    alternatives = "|".join(re.escape(word) for word in found)
    return re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*", re.IGNORECASE)


def _mark(passage: str, pattern: re.Pattern) -> list[Markup]:
    parts: list[Markup] = []
    position = 0
    for hit in pattern.finditer(passage):
        parts.append(escape(passage[position : hit.start()]))
        parts.append(Markup("<mark>%s</mark>") % hit.group())
        position = hit.end()
    parts.append(escape(passage[position:]))
    return parts


def snippet(text: str, query: str | None, length: int = 220) -> Markup:
    """The passage around the first word found, escaped, with the words in <mark>."""
    found = words(query)
    if not found:
        return escape(text[:length]) + (Markup("…") if len(text) > length else "")
    pattern = _pattern(found)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + length)
    parts: list[Markup] = [Markup("…")] if start else []
    parts += _mark(text[start:end], pattern)
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)


def highlight(text: str, query: str | None) -> Markup:
    """The whole (short) text, escaped, with the words found in <mark>."""
    found = words(query)
    return Markup("").join(_mark(text, _pattern(found))) if found else escape(text)
