"""Full-text search over published stories: one interface, two engines.

``matcher(query)`` gives what finds the stories whose title, quote or story
contain every word of the query (as a prefix, so "bak" finds "baker"); a page of
results reads them a rank at a time (``Matcher``: each rank a bucket read in date
order until the page is full), so a common word costs a page, not every match
(issue 21). ``narrowed(stories, query)`` gives every match at once. On SQLite the
words are in an FTS5 index kept in sync with the story table by triggers, whose
rowid is the story's place in date order (``SQLITE_KEY``). On PostgreSQL they are
in a stored, generated tsvector column (``to_tsvector('simple', ...)`` of the
title, quote and story, weighted A, B and C) with a GIN index, and GIN indexes of
the titles' and quotes' words: the indexes find the stories, instead of parsing
every matching story's text again (which made a common word cost most of a second
at 100,000 stories). Both split words the same way (letters and digits,
case-insensitive, no stemming), so they find the same stories for the same data.
A story is also found by the words of its public translations (the same index on
the translation table, read through ``published_translations()``). The DDL lives
here and in the migrations that add it; ``create_all`` (used by the tests) runs it
through ``after_create`` hooks. The column is not in the model (SQLite has no such
type), so no query of the app selects or writes it.

``snippet(story, query)`` cuts the part of the story around the first match
and marks the words found, escaping everything else; it is the same on both
engines.
"""

import logging
import re
from datetime import UTC, datetime, timedelta

from flask import has_app_context
from markupsafe import Markup, escape
from sqlalchemy import (
    DDL,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    event,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.orm import aliased

from campaign.database import forget_deleted_pages, listen_once
from campaign.extensions import db
from campaign.models import Story, Translation, published_translations

log = logging.getLogger(__name__)

FTS_TABLE = "story_search"
PG_INDEX = "ix_story_search"
PG_COLUMN = "search_document"
PG_TITLE_INDEX = "ix_story_title_search"
PG_QUOTE_INDEX = "ix_story_quote_search"
# Where a word was found, as the weight of its lexemes in the stored column.
PG_WEIGHTS = {"title": "A", "quote": "B", "body": "C"}
MAX_WORDS = 8

# SQLite: the index's rowid is the story's place in date order, not its id (issue 21).
# FTS5 hands out its rows in rowid order and stops when told (ORDER BY rowid DESC
# LIMIT n), so with this key a page of the newest matches reads about a page of the
# index however common the word, instead of every match. The key is the second of
# publication, then the id: key = second * 2**31 + id (ids are below 2**31, see
# campaign.params.MAX_ID), unique and monotone in (published_at, id) down to the
# second; within one second the page's rows are put in exact order by
# ``Matcher.stream``. Seconds are clamped to ±(2**32 - 1) (1834 to 2106) so that the
# key stays a 64-bit integer: a story dated outside is still found, in one shared
# second. A story not published (yet) is keyed in the first second: never shown, and
# the few in the moderators' queue are all a walk oldest first reads past.
SQLITE_KEY = (
    "(min(max(coalesce(CAST(strftime('%s', {row}.published_at) AS INTEGER), -4294967295), "
    "-4294967295), 4294967295)"
    " * 2147483648 + {row}.id)"
)
KEY_SECOND = 2**31
MAX_SECOND = 2**32 - 1
FTS_SOURCE = "story_search_source"  # the view the index reads: the key and the text
# A prefix index for prefixes of 1 to 3 letters: without it "the" (a prefix: their,
# them, then...) merges the entries of every such word before the first row comes
# out, however few rows are wanted (27 ms at 100,000 stories, 0.07 ms with it).
# Longer prefixes match few words. It triples the index's size (41 to 122 MB at
# 100,000 stories).
SQLITE_DDL = [
    f"CREATE VIEW IF NOT EXISTS {FTS_SOURCE} AS SELECT "  # noqa: S608
    + SQLITE_KEY.format(row="story")
    + " AS search_key, id, title, quote, body FROM story",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS story_search USING fts5("
    f"title, quote, body, content='{FTS_SOURCE}', content_rowid='search_key', "
    "tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')",
    "CREATE TRIGGER IF NOT EXISTS story_search_ai AFTER INSERT ON story BEGIN "  # noqa: S608
    "INSERT INTO story_search(rowid, title, quote, body) "
    f"VALUES ({SQLITE_KEY.format(row='new')}, new.title, new.quote, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS story_search_ad AFTER DELETE ON story BEGIN "  # noqa: S608
    "INSERT INTO story_search(story_search, rowid, title, quote, body) "
    f"VALUES ('delete', {SQLITE_KEY.format(row='old')}, old.title, old.quote, old.body); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS story_search_au "
    "AFTER UPDATE OF title, quote, body, published_at ON story BEGIN "
    "INSERT INTO story_search(story_search, rowid, title, quote, body) "
    f"SELECT 'delete', {SQLITE_KEY.format(row='old')}, old.title, old.quote, old.body; "
    "INSERT INTO story_search(rowid, title, quote, body) "
    f"SELECT {SQLITE_KEY.format(row='new')}, new.title, new.quote, new.body; END",
]
POSTGRES_DDL = [
    f"ALTER TABLE story ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, quote), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'C')) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON story USING gin ({PG_COLUMN})",
    # Where the words are, found by an index: the stored column's weights are not in
    # its GIN index, so "in the title" was a check of every match's row. A title or
    # quote is short, so parsing it again where a row is read anyway costs little.
    f"CREATE INDEX IF NOT EXISTS {PG_TITLE_INDEX} ON story "
    "USING gin (to_tsvector('simple'::regconfig, title))",
    f"CREATE INDEX IF NOT EXISTS {PG_QUOTE_INDEX} ON story "
    "USING gin (to_tsvector('simple'::regconfig, quote))",
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
    {FTS_TABLE, TR_FTS_TABLE, FTS_SOURCE}
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
        # DDL() formats its text with %: the key's strftime('%s') is meant literally.
        escaped = statement.replace("%", "%%")
        event.listen(owner, "after_create", DDL(escaped).execute_if(dialect="sqlite"))
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
        return name not in (PG_INDEX, TR_PG_INDEX, PG_TITLE_INDEX, PG_QUOTE_INDEX)
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


# Where the words were found, as bits: every word in the title 4, in the quote 2,
# in the story 1. The rank is minus the sum, so lower is better: 4 + 2 + 1 = -7 first.
COLUMNS = (("title", 4), ("quote", 2), ("body", 1))
RANKS = tuple(range(-7, 1))  # best first; 0: every word found, but not all in one place


def rank_of(bits: int) -> int:
    return -bits


def narrowed(stories: Select, query: str | None, *, ranked: bool = False):
    """``stories`` narrowed to those containing every word (each matching story once),
    and, when ``ranked``, their rank (also added to the query's columns), else None;
    None if the query has no words. Every match at once, for callers that want
    them all: a page of the gallery reads a bucket at a time (``Matcher``)."""
    found = matcher(query)
    if found is None:
        return None
    return found.narrowed(stories, ranked=ranked)


def matcher(query: str | None) -> "Matcher | None":
    """What finds the stories with every word of ``query``; None if it has no words."""
    found = words(query)
    return Matcher(found) if found else None


class Matcher:
    """The stories containing every word, read a bucket at a time (issue 21).

    The relevance order is rank, then newest first. The rank says where all the
    words were found: in the title (4), the quote (2), the story (1), negated so
    that lower is better; it depends on the story alone, not on the other
    stories (unlike bm25 or idf), so the order is the same on both engines and
    stays put while stories are published, which keeps the pages stable.

    Instead of ranking every match and sorting them (a common word: every
    story), each rank is a bucket of its own, an exact condition ("all the words
    in the title and the story, not all in the quote"), read newest first until
    the page is full; then the next bucket. A page reads about a page of rows
    per bucket it touches, from an index that can stop early: on SQLite the
    FTS5 table, whose rowid is the date order (``SQLITE_KEY``), with a prefix
    index for short words; on PostgreSQL the date index walked backwards with
    each row's stored words checked, or the GIN indexes (the stored column,
    the titles', the quotes') when few stories match: the planner chooses from
    the column's statistics, as for any filter.

    A story is also found by the words of its public translations
    (``published_translations()``), and a word in a translation's title counts
    as in the title. Translations are written by people, so they are few: the
    stories found through one are collected whole (``translated``), their
    ranks computed from both texts, and left out of the buckets' index walks.
    """

    def __init__(self, found: list[str] | None, *, sqlite: bool | None = None):
        # ``found`` None: a template, for statements built once (gallery.queries): each
        # text of the query is then a parameter, whose value ``texts()`` gives.
        self.found = found
        self.sqlite = db.engine.dialect.name == "sqlite" if sqlite is None else sqlite
        self.expression = " ".join(f'"{word}"*' for word in found or ())
        self._translated_ids: dict[int | None, Select] = {}

    def _text(self, name: str, text):
        """A text of the query (``text()``), or in a template the parameter ``name``."""
        return bindparam(name, type_=String()) if self.found is None else text()

    def texts(self) -> dict[str, str]:
        """The values of a template's parameters, for these words."""
        if not self.sqlite:
            return {_terms_name(w): self._terms(w) for w in ("", *PG_WEIGHTS.values())}
        every_bits = (None, *(rank_of(rank) for rank in RANKS))
        values = {_fts_name(bits): self._fts_text(bits) for bits in every_bits}
        for bits in (None, *(bit for _name, bit in COLUMNS)):
            values[_where_name(bits)] = self._where_text(bits)
        return values

    # What each engine reads ---------------------------------------------------------

    def _fts(self, bits: int | None):
        return self._text(_fts_name(bits), lambda: self._fts_text(bits))

    def _fts_text(self, bits: int | None) -> str:
        """An FTS5 query: every word somewhere (None) or exactly in the columns of ``bits``."""
        if bits is None:
            return self.expression
        inside = [f"{{{name}}} : ({self.expression})" for name, bit in COLUMNS if bits & bit]
        outside = [f"{{{name}}} : ({self.expression})" for name, bit in COLUMNS if not bits & bit]
        query = " AND ".join(inside) if inside else f"({self.expression})"
        if outside:
            query += " NOT (" + " OR ".join(outside) + ")"
        return query

    def _terms(self, weight: str) -> str:
        return " & ".join(f"{word}:*{weight}" for word in self.found)

    def _tsquery(self, weight: str = ""):
        terms = self._text(_terms_name(weight), lambda: self._terms(weight))
        return func.to_tsquery(literal_column("'simple'::regconfig"), terms)

    def _pg_in(self, name: str):
        """PostgreSQL: every word in this column of the story row (by the GIN indexes)."""
        if name == "body":  # a story's text is long: its stored, weighted words
            return literal_column(f"story.{PG_COLUMN}").op("@@")(self._tsquery("C"))
        parsed = func.to_tsvector(literal_column("'simple'::regconfig"), getattr(Story, name))
        return parsed.op("@@")(self._tsquery())

    def _pg_bucket(self, bits: int | None):
        anywhere = literal_column(f"story.{PG_COLUMN}").op("@@")(self._tsquery())
        if bits is None:
            return anywhere
        conditions = [
            self._pg_in(name) if bits & bit else not_(self._pg_in(name)) for name, bit in COLUMNS
        ]
        return and_(*conditions) if bits else and_(anywhere, *conditions)

    # The stories found through a translation -------------------------------------------

    def _translated(self, bits: int | None = None):
        """Ids of the stories with a public translation holding every word (anywhere, or
        in the one column of ``bits``), found by the translations' own index."""
        if bits not in self._translated_ids:  # built once: each bucket refers to it
            self._translated_ids[bits] = self._translated_query(bits)
        return self._translated_ids[bits]

    def _translated_query(self, bits: int | None):
        if self.sqlite:
            index = table(TR_FTS_TABLE, column("rowid"), column(TR_FTS_TABLE))
            match = index.c[TR_FTS_TABLE].op("MATCH")(self._where(bits))
            # The matching translations drive, each checked by its key: without
            # statistics SQLite may otherwise walk every public story looking for
            # its translations, and every search grows with the stories.
            found = _MATCHING_TRANSLATION
            public = published_translations().where(Translation.id == found.id)
            return select(found.story_id).where(
                found.id.in_(select(index.c.rowid).where(match)),
                exists(public.with_only_columns(literal_column("1"))),
            )
        weight = "" if bits is None else PG_WEIGHTS[_name_of(bits)]
        matching = literal_column(f"translation.{PG_COLUMN}").op("@@")(self._tsquery(weight))
        return published_translations().where(matching).with_only_columns(Translation.story_id)

    def _where(self, bits: int | None):
        return self._text(_where_name(bits), lambda: self._where_text(bits))

    def _where_text(self, bits: int | None) -> str:
        """FTS5: every word somewhere (None), or in the one column of ``bits``."""
        if bits is None:
            return self.expression
        return f"{{{_name_of(bits)}}} : ({self.expression})"

    def _own(self, name: str):
        """Whether every word is in this column of the story row, looked up by its key:
        for the few stories found through a translation."""
        if not self.sqlite:
            return self._pg_in(name)
        index = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
        key = literal_column(SQLITE_KEY.format(row="story"))
        match = index.c[FTS_TABLE].op("MATCH")(self._where(dict(COLUMNS)[name]))
        return exists(
            select(literal_column("1")).select_from(index).where(match, key == index.c.rowid)
        )

    def translated(
        self,
        stories: Select,
        *,
        relevance: bool,
        newest_first: bool,
        limit,
        from_rank: int | None,
        after,
    ):
        """(rank, published_at, id) of the first ``limit`` stories found through a public
        translation, in the page's order from the cursor's position: its rank
        ``from_rank`` (None: the first page), ``after`` its date and id.

        Translations are written by people, so they are few: these stories are ranked
        whole, the rank counting both texts (a word in the title of the story or of
        one of its public translations is in the title), and left out of the buckets.
        """
        rank = literal(0)
        if relevance:
            rank = -sum(
                case((or_(self._own(name), Story.id.in_(self._translated(bit))), bit), else_=0)
                for name, bit in COLUMNS
            )
        # Driven by the (few) matching translations' stories, each read by its key; as
        # "id IN (...)" SQLite without statistics walked every public story instead.
        found = self._translated().distinct().subquery("translated")
        query = stories.with_only_columns(rank.label("rank"), Story.published_at, Story.id).join(
            found, found.c.story_id == Story.id
        )
        if from_rank is not None:
            query = query.where(or_(rank > from_rank, and_(rank == from_rank, after)))
        order = (Story.published_at, Story.id)
        in_date_order = [o.desc() if newest_first else o.asc() for o in order]
        return query.order_by(rank, *in_date_order).limit(limit)

    def narrowed(self, stories: Select, *, ranked: bool):
        """See ``narrowed()``."""
        if self.sqlite:
            index = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))

            def own(bits: int | None):
                match = index.c[FTS_TABLE].op("MATCH")(self._where(bits))
                return Story.id.in_(select(index.c.rowid.op("&")(KEY_SECOND - 1)).where(match))
        else:

            def own(bits: int | None):
                if bits is None:
                    return self._pg_bucket(None)
                return self._pg_in(_name_of(bits))

        narrowed = stories.where(or_(own(None), Story.id.in_(self._translated())))
        if not ranked:
            return narrowed, None
        rank = -sum(
            case((or_(own(bit), Story.id.in_(self._translated(bit))), bit), else_=0)
            for _name, bit in COLUMNS
        )
        rank = rank.label("rank")
        return narrowed.add_columns(rank), rank

    # One bucket, newest (or oldest) first ----------------------------------------------

    def bucket(
        self,
        stories: Select,
        bits: int | None,
        *,
        rank: int,
        newest_first: bool,
        limit,
        start_second,
        after,
    ):
        """A subquery of (rank, published_at, id): the first ``limit`` stories of
        ``stories`` (after the cursor's position, whose condition is ``after`` and whose
        second of publication is ``start_second``, see ``key_second``) with every word
        in exactly the columns of ``bits`` (None: anywhere), in date order; leaving out
        those found through a translation (``translated``)."""
        query = stories.with_only_columns(literal(rank).label("rank"), Story.published_at, Story.id)
        if after is not None:
            query = query.where(after)
        query = query.where(Story.id.not_in(self._translated()))
        order = (Story.published_at, Story.id)
        in_date_order = [o.desc() if newest_first else o.asc() for o in order]
        if not self.sqlite:
            return query.where(self._pg_bucket(bits)).order_by(*in_date_order).limit(limit)
        index = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
        key = index.c.rowid
        # The index drives: its rows in key order, each story then read by its id.
        query = query.join(index, Story.id == key.op("&")(KEY_SECOND - 1)).where(
            index.c[FTS_TABLE].op("MATCH")(self._fts(bits))
        )
        if start_second is not None:  # the key's second bounds the walk; ``after`` is exact
            second = start_second
            query = query.where(key <= second + KEY_SECOND - 1 if newest_first else key >= second)
        # The key orders by the second, then the id: the limit-th match in key order
        # says down to which second to read; that second is read whole, and the rows
        # put in exact date order.
        walk = query.with_only_columns(key).order_by(key.desc() if newest_first else key.asc())
        last = walk.limit(1).offset(limit - 1).scalar_subquery()
        its_second = last.op("&")(-KEY_SECOND)  # the key with its id bits cleared
        if newest_first:
            query = query.where(key >= func.coalesce(its_second, -(2**63)))
        else:
            query = query.where(key <= func.coalesce(its_second + KEY_SECOND - 1, 2**63 - 1))
        return query.order_by(*in_date_order).limit(limit)


_MATCHING_TRANSLATION = aliased(Translation, name="matching")


def _bits_name(bits: int | None) -> str:
    return "any" if bits is None else str(bits)


def _fts_name(bits: int | None) -> str:
    return f"fts_{_bits_name(bits)}"


def _where_name(bits: int | None) -> str:
    return f"where_{_bits_name(bits)}"


def _terms_name(weight: str) -> str:
    return f"terms_{weight or 'any'}"


def key_second(stamp: datetime) -> int:
    """The part of the SQLite index's key that a cursor's time gives: its second, shifted
    (``SQLITE_KEY``), the start of a bucket's walk."""
    return _second(stamp) * KEY_SECOND


def _name_of(bits: int) -> str:
    return next(name for name, bit in COLUMNS if bit == bits)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _second(stamp: datetime) -> int:
    """The key's second of a time (as SQLite's strftime('%s'): rounded down), clamped."""
    second = (stamp - _EPOCH) // timedelta(seconds=1)
    return max(-MAX_SECOND, min(MAX_SECOND, second))


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
