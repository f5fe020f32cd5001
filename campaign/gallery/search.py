"""Full-text search over published stories: one interface, two engines.

``narrowed(stories, query)`` narrows a story query to the stories whose
title, quote or story contain every word of the query (as a prefix, so "bak"
finds "baker"), and adds their rank; a lower rank is a better match. On SQLite
it reads an FTS5 index kept in sync with the story table by triggers. On
PostgreSQL it reads a stored, generated tsvector column (``to_tsvector('simple',
...)`` of the title, quote and story, weighted A, B and C) with a GIN index:
the index finds the stories, and the rank is read from the stored weights,
instead of parsing every matching story's text again (which made a common word
cost most of a second at 100,000 stories). Both split words the same way
(letters and digits, case-insensitive, no stemming), so they find the same
stories for the same data. A story is also found by the words of its public
translations (the same index on the translation table, read through
``published_translations()``). The DDL lives here and in the migrations that add
it; ``create_all`` (used by the tests) runs it through ``after_create`` hooks.
The column is not in the model (SQLite has no such type), so no query of the
app selects or writes it.

``snippet(story, query)`` cuts the part of the story around the first match
and marks the words found, escaping everything else; it is the same on both
engines.
"""

import logging
import re

from flask import has_app_context
from markupsafe import Markup, escape
from sqlalchemy import (
    DDL,
    Select,
    case,
    column,
    event,
    func,
    literal_column,
    or_,
    select,
    table,
)

from campaign.database import forget_deleted_pages, listen_once
from campaign.extensions import db
from campaign.models import Story, Translation, published_translations

log = logging.getLogger(__name__)

FTS_TABLE = "story_search"
PG_INDEX = "ix_story_search"
PG_COLUMN = "search_document"
# Where a word was found, as the weight of its lexemes in the stored column.
PG_WEIGHTS = {"title": "A", "quote": "B", "body": "C"}
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
    f"ALTER TABLE story ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, quote), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'C')) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON story USING gin ({PG_COLUMN})",
]

# Translations are searched too (issue 20): a reader finds a story by the words of
# its public translations. The same index, kept the same way, on the translation
# table; which translations count is decided at query time by
# ``published_translations()``, so a translation out of date, in review or removed
# (or a story whose teller took back consent to translation) is found no more.
TR_FTS_TABLE = "translation_search"
TR_PG_INDEX = "ix_translation_search"
TR_SQLITE_DDL = [
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
]
TR_POSTGRES_DDL = [
    f"ALTER TABLE translation ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, quote), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'C')) STORED",
    f"CREATE INDEX IF NOT EXISTS {TR_PG_INDEX} ON translation USING gin ({PG_COLUMN})",
]

# Objects outside the models' metadata, which schema comparison must leave alone.
FTS_SHADOW_TABLES = frozenset(
    {FTS_TABLE, TR_FTS_TABLE}
    | {
        f"{name}_{part}"
        for name in (FTS_TABLE, TR_FTS_TABLE)
        for part in ("data", "idx", "content", "docsize", "config")
    }
)

for owner, sqlite, postgres in (
    (Story.__table__, SQLITE_DDL, POSTGRES_DDL),
    (Translation.__table__, TR_SQLITE_DDL, TR_POSTGRES_DDL),
):
    for statement in sqlite:
        event.listen(owner, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgres:
        event.listen(owner, "after_create", DDL(statement).execute_if(dialect="postgresql"))

# Deleted for good means gone from the files ------------------------------------------
#
# FTS5 marks a deleted row's words as deleted in a new index segment and keeps the
# old segment, words and all, until segments are merged. After any commit that
# deleted a story (an admin's delete, a withdrawal, the purge: all go through the
# session), "optimize" merges the index into one segment without them; with
# secure_delete (campaign/database.py) the freed pages are zeroed, and the log is
# copied back and emptied. PostgreSQL needs VACUUM and its own retention (README,
# Deployment).

# The translations of a deleted story go with it (ON DELETE CASCADE): their index too.
_OPTIMIZE = (
    "INSERT INTO story_search(story_search) VALUES ('optimize')",
    "INSERT INTO translation_search(translation_search) VALUES ('optimize')",
)
_DELETED_A_STORY = "search.deleted_story"  # session.info: this transaction deleted one


def _note_deleted_stories(session, _context) -> None:
    if any(isinstance(obj, Story | Translation) for obj in session.deleted):
        session.info[_DELETED_A_STORY] = True


def _forget_deleted_text(session) -> None:
    if not session.info.pop(_DELETED_A_STORY, False) or not has_app_context():
        return
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.engine.raw_connection()  # outside any transaction: autocommit
    try:
        for statement in _OPTIMIZE:
            connection.driver_connection.execute(statement)
        if forget_deleted_pages(connection.driver_connection):
            log.info("search.checkpoint_busy")  # a reader held an old snapshot
    except Exception:  # the deletion is committed; the next one tries again
        log.exception("search.forget_deleted_text_failed")
    finally:
        connection.close()


def _after_rollback(session) -> None:
    session.info.pop(_DELETED_A_STORY, None)


_LISTENERS = (
    ("after_flush", _note_deleted_stories),
    ("after_commit", _forget_deleted_text),
    ("after_rollback", _after_rollback),
)


def init_app(app) -> None:
    """Listen on the app's session (once per process)."""
    listen_once(db.session, _LISTENERS)


_WORD = re.compile(r"[^\W_]+")


def include_name(name, type_, parent_names) -> bool:
    """For Alembic: the search index is not described by the models, and that's fine."""
    if type_ == "table":
        return name not in FTS_SHADOW_TABLES
    if type_ == "index":
        return name not in (PG_INDEX, TR_PG_INDEX)
    if type_ == "column":
        return not (
            name == PG_COLUMN and parent_names.get("table_name") in ("story", "translation")
        )
    return True


def words(query: str | None) -> list[str]:
    """The words searched for: letters and digits, lower case, at most MAX_WORDS."""
    found: list[str] = []
    for word in _WORD.findall((query or "").casefold()):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def narrowed(stories: Select, query: str | None, *, ranked: bool):
    """``stories`` narrowed to those containing every word, and their rank; None if no words.

    Returns the narrowed query and, when ``ranked``, the rank (also added to
    the query's columns), else None: a page in date order needs no rank, and
    computing it costs as much again as finding the stories.

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
        translated = table(TR_FTS_TABLE, column("rowid"), column(TR_FTS_TABLE))
        expression = " ".join(f'"{word}"*' for word in found)

        def ids_where(match: str):
            """The stories whose own words or public translation's words match."""
            own = select(index.c.rowid).where(index.c[FTS_TABLE].op("MATCH")(match))
            matching = select(translated.c.rowid).where(
                translated.c[TR_FTS_TABLE].op("MATCH")(match)
            )
            in_translation = published_translations().where(Translation.id.in_(matching))
            return own.union(in_translation.with_only_columns(Translation.story_id))

        if ranked:
            # All matches are ranked, so they drive: each is then read by its id.
            # (With IN, the planner may walk every published story instead.)
            matches = ids_where(expression).subquery("search")
            stories = stories.join(matches, matches.c.rowid == Story.id)
        else:
            # In date order the newest stories are read first, each looked up
            # in the matches (collected once), until the page is full.
            stories = stories.where(Story.id.in_(ids_where(expression)))

        def found_in(name: str):
            return Story.id.in_(ids_where(f"{{{name}}} : ({expression})"))

    else:
        document = literal_column(f"story.{PG_COLUMN}")
        translated = literal_column(f"translation.{PG_COLUMN}")

        def tsquery(weight: str = ""):
            terms = " & ".join(f"{word}:*{weight}" for word in found)
            return func.to_tsquery(literal_column("'simple'::regconfig"), terms)

        def in_translation(weight: str = ""):
            """Ids of stories whose public translation's words match (its GIN index)."""
            return (
                published_translations()
                .where(translated.op("@@")(tsquery(weight)))
                .with_only_columns(Translation.story_id)
            )

        # Either index finds its matches; the union of both ids, then the stories.
        own = select(Story.id).where(document.op("@@")(tsquery()))
        stories = stories.where(Story.id.in_(own.union(in_translation())))

        def found_in(name: str):
            weight = PG_WEIGHTS[name]
            return or_(document.op("@@")(tsquery(weight)), Story.id.in_(in_translation(weight)))

    if not ranked:
        return stories, None
    where_found = (
        case((found_in("title"), 4), else_=0)
        + case((found_in("quote"), 2), else_=0)
        + case((found_in("body"), 1), else_=0)
    )
    rank = (-where_found).label("rank")
    return stories.add_columns(rank), rank


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
