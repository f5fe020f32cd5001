"""What the public sees. Every query starts from ``Story.published_for(channel)``:
the website's pages from what is published, partners' surfaces (API, embeds,
feeds) from what is published and consented to for them.

Each page makes a small, constant number of queries, never one per card. A page of
cards reads its stories' ids, then their faces (``card_faces``: what finds a kept
card, photo, recording and themes joined in one light statement), and the stories
themselves only for the cards not kept (``stories_by_id``: photos and recordings
joined, the themes in one more, read_cards).
"""

import base64
import binascii
import functools
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import (
    BigInteger,
    BindParameter,
    Integer,
    bindparam,
    literal,
    select,
    text,
    tuple_,
    union_all,
)

from campaign.extensions import db
from campaign.gallery import search
from campaign.gallery.translated import translated_into
from campaign.models import (
    Channel,
    Photo,
    Recording,
    Story,
    Theme,
    filed_under,
    read_cards,
    story_theme,
    with_cards,
)
from campaign.params import MAX_ID
from campaign.publishing import stats

SORTS = ("newest", "oldest", "relevance")


@dataclass(frozen=True)
class Filters:
    origin: str | None = None
    residence: str | None = None
    theme: str | None = None
    language: str | None = None
    q: str | None = None
    sort: str = "newest"
    # "all": every language in one order, not the reader's language first.
    languages: str | None = None
    # Where the stories are shown: never a link's argument, the caller's to say.
    channel: Channel = Channel.WEBSITE

    @property
    def active(self) -> bool:
        return any((self.origin, self.residence, self.theme, self.language, self.q))

    @property
    def effective_sort(self) -> str:
        """Search results come best match first unless the reader chose a date order."""
        if self.sort == "relevance" and not search.words(self.q):
            return "newest"
        return self.sort

    def args(self, **changes) -> dict:
        """Query-string arguments for a link to these filters (None values left out)."""
        values = {**self.__dict__, **changes}
        values.pop("channel")
        if values.get("sort") == "newest" or (values.get("sort") == "relevance" and values["q"]):
            values.pop("sort")
        return {key: value for key, value in values.items() if value}

    def without(self, name: str) -> "Filters":
        return replace(self, **{name: None})


@dataclass(frozen=True)
class Page:
    stories: list[Story]
    next_cursor: str | None
    ranks: dict[int, int]


def latest_story_ids(limit: int, *, besides: tuple[int, ...] = ()) -> list[int]:
    """The newest published stories, leaving out those ``besides`` (already shown on
    the page): the index walks newest first and stops after a few more rows."""
    values = {"limit": limit, **({"besides": list(besides)} if besides else {})}
    return list(db.session.scalars(_latest_stories_statement(bool(besides)), values))


# The home page's and the story page's statements are built once, their values
# parameters (as _first_positions_statement): building and keying a statement cost
# more Python than the database spends running it. They read ids; the cards are read
# as faces (card_faces), a story only where a card is not kept.


@functools.cache
def _latest_stories_statement(besides: bool):
    query = (
        Story.published()
        .with_only_columns(Story.id)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if besides:
        query = query.where(Story.id.not_in(bindparam("besides", expanding=True)))
    return query


def featured_story_ids(limit: int) -> list[int]:
    """Pinned to the home page by moderators, most recently pinned first."""
    return list(db.session.scalars(_featured_stories_statement(), {"limit": limit}))


@functools.cache
def _featured_stories_statement():
    return (
        Story.published()
        .with_only_columns(Story.id)
        .where(Story.featured_at.is_not(None))
        .order_by(Story.featured_at.desc(), Story.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def more_from_country_ids(story: Story, limit: int) -> list[int]:
    values = {"origin": story.origin_country, "story_id": story.id, "limit": limit}
    return list(db.session.scalars(_more_from_country_statement(), values))


@functools.cache
def _more_from_country_statement():
    return (
        Story.published()
        .with_only_columns(Story.id)
        .where(
            Story.origin_country == bindparam("origin"),
            Story.id != bindparam("story_id", type_=Integer),
        )
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


@dataclass(frozen=True)
class CardFace:
    """What a listing reads of a story to find its kept card (fragments.card_key): the
    story's version and stamp, and what its card shows of the rows beside it, read in
    one light statement for the whole listing, no ORM object. The story itself is
    loaded only for a card not kept (reading twelve stories with their photos and
    recordings was a fifth of a gallery page)."""

    id: int
    language: str  # what translations_for asks
    version: int
    public_updated_at: datetime | None
    photo: tuple | None  # id, width, height, focal point
    recording: tuple | None  # id, duration
    theme_ids: frozenset[int]


def card_faces(ids: list[int]) -> list[CardFace]:
    """The public stories of these ids as faces, in this order (one statement: a row
    for each of a story's themes)."""
    if not ids:
        return []
    shown: dict[int, tuple] = {}
    themes: dict[int, set[int]] = {}
    for row in db.session.execute(_card_faces_statement(), {"ids": ids}):
        story_id, language, version, updated, *photo, recording, duration, theme = row
        shown.setdefault(
            story_id,
            (
                language,
                version,
                updated,
                tuple(photo) if photo[0] is not None else None,
                (recording, duration) if recording is not None else None,
            ),
        )
        themes.setdefault(story_id, set())
        if theme is not None:
            themes[story_id].add(theme)
    return [
        CardFace(story_id, *shown[story_id], frozenset(themes[story_id]))
        for story_id in ids
        if story_id in shown
    ]


@functools.cache
def _card_faces_statement():
    # At most one photo and one recording a story (their story_id is unique); a row
    # for each of its themes.
    return (
        select(
            Story.id,
            Story.language,
            Story.version,
            Story.public_updated_at,
            Photo.id,
            Photo.width,
            Photo.height,
            Photo.focal_x,
            Photo.focal_y,
            Recording.id,
            Recording.duration_seconds,
            story_theme.c.theme_id,
        )
        .select_from(Story)
        .outerjoin(Photo, Photo.story_id == Story.id)
        .outerjoin(Recording, Recording.story_id == Story.id)
        .outerjoin(story_theme, story_theme.c.story_id == Story.id)
        .where(Story.id.in_(bindparam("ids", expanding=True)), Story.published().whereclause)
    )


def encode_cursor(sort: str, published_at: datetime, story_id: int, rank: int = 0) -> str:
    raw = json.dumps([sort, rank, published_at.isoformat(), story_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> tuple[int, datetime, int] | None:
    """The position after which the next page starts; None for anything broken or foreign."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, rank, value, story_id = json.loads(base64.urlsafe_b64decode(padded))
        if kind != sort or not isinstance(story_id, int) or not isinstance(rank, int):
            return None
        # Only positions we could have handed out: an id or rank beyond any
        # integer column was an OverflowError on SQLite, a DataError on PostgreSQL.
        if not (1 <= story_id <= MAX_ID and -MAX_ID <= rank <= MAX_ID):  # ranks are negative
            return None
        stamp = datetime.fromisoformat(value)
        if stamp.tzinfo is None:
            return None
        stamp = stamp.astimezone(UTC)  # 0001-01-01T00:00+01:00 is before any datetime
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None
    return rank, stamp, story_id


def _given(value) -> bool:
    """A filter's value is set: a non-empty value, or the parameter standing for one
    in a statement built once (_first_positions_statement)."""
    return isinstance(value, BindParameter) or bool(value)


def _filtered(filters: Filters):
    query = Story.published_for(filters.channel)
    if _given(filters.origin):
        query = query.where(Story.origin_country == filters.origin)
    if _given(filters.residence):
        query = query.where(Story.residence_country == filters.residence)
    if _given(filters.language):
        query = query.where(Story.language == filters.language)
    if _given(filters.theme):
        query = query.where(filed_under(filters.theme))
    return query


# Row-value comparisons, not the equivalent OR: both databases then start the
# index walk right at the cursor instead of filtering every row before it.
def _earlier(published_at: datetime | BindParameter, story_id: int | BindParameter):
    return tuple_(Story.published_at, Story.id) < _position(published_at, story_id)


def _later(published_at: datetime | BindParameter, story_id: int | BindParameter):
    return tuple_(Story.published_at, Story.id) > _position(published_at, story_id)


def _position(published_at, story_id):
    """A cursor's position: values, bound with the columns' own types; or the parameters
    of a statement built once (_first_positions_statement), which must be a tuple_ of
    their own (a plain tuple would take each parameter for a value)."""
    if isinstance(published_at, BindParameter):
        return tuple_(published_at, story_id)
    return (published_at, story_id)


# Stories in the reader's language first -----------------------------------------
#
# The gallery's default order for a page in language L: the stories told in L or
# publicly translated into it ("mine", newest first), then the others (newest
# first). The cursor says which part it is in (its rank: 0 mine, 1 the others) and
# where. Each part is read by an index and stops when the page is full: the stories
# told in L walk ix_story_language_published, those translated into L are found
# from the translations into L (ix_translation_language_status), the others walk
# ix_story_status_published leaving out those; nothing reads every story.
FIRST = "first"  # the cursor's kind


def _walk(query, after, limit: int, part: int):
    """One index walk of a part, newest first from ``after``: (part, id, published_at)."""
    if after is not None:
        query = query.where(after)
    return (
        query.with_only_columns(literal(part).label("part"), Story.id, Story.published_at)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
        .subquery()
    )


def _first_positions(filters: Filters, language: str, position, limit: int, *, others=True):
    """(part, id, published_at) of the next ``limit`` stories in the reader's-language-first
    order, from ``position`` (the cursor's): one statement, a union of index walks
    (each stops after ``limit``), ordered part first."""
    # The values go in as parameters of a statement built once per shape: building
    # and keying this union cost more Python than the database spends running it.
    filtering = _Filtering.of(filters, language=False)  # "language" is the reader's, here
    shape = _FirstShape(filtering, None if position is None else position[0], others)
    values = {"language": language, "limit": limit, **filtering.values(filters)}
    if position is not None:
        values.update(after_at=position[1], after_id=position[2])
    statement = _first_positions_statement(shape)
    return [tuple(row) for row in db.session.execute(statement, values)]


@dataclass(frozen=True)
class _Filtering:
    """Which filters a statement built once has; their values are its parameters."""

    channel: Channel
    origin: bool
    residence: bool
    theme: bool
    language: bool

    @classmethod
    def of(cls, filters: Filters, *, language: bool = True) -> "_Filtering":
        given = (filters.origin, filters.residence, filters.theme, language and filters.language)
        return cls(filters.channel, *(bool(value) for value in given))

    def parameters(self) -> Filters:
        """Filters whose values are parameters named after them (``values``)."""
        return Filters(
            **{name: bindparam(name) for name in _FILTER_NAMES if getattr(self, name)},
            channel=self.channel,
        )

    def values(self, filters: Filters) -> dict:
        return {name: getattr(filters, name) for name in _FILTER_NAMES if getattr(self, name)}


_FILTER_NAMES = ("origin", "residence", "theme", "language")


@dataclass(frozen=True)
class _FirstShape:
    """What decides the statement's form (not the values it is run with)."""

    filtering: _Filtering
    part: int | None  # the cursor's part, None on the first page
    others: bool


@functools.cache  # a few dozen shapes at most: channels x filters x cursor parts
def _first_positions_statement(shape: _FirstShape):
    filters = shape.filtering.parameters()
    language = bindparam("language", type_=Story.language.type)
    limit = bindparam("limit", type_=Integer)
    told = _filtered(filters).where(Story.language == language)
    # Driven by the translations into the language (a few, by a person's hand), each
    # story then read by its key: never a walk of every story looking for them.
    into = translated_into(language).subquery("into")
    translated = (
        _filtered(filters).join(into, into.c.story_id == Story.id).where(Story.language != language)
    )
    rest = _filtered(filters).where(
        Story.language != language, Story.id.not_in(translated_into(language))
    )
    after = None
    if shape.part is not None:
        at = bindparam("after_at", type_=Story.published_at.type)
        after = _earlier(at, bindparam("after_id", type_=Integer))
    walks = []
    if shape.part is None or shape.part == 0:
        walks += [_walk(told, after, limit, 0), _walk(translated, after, limit, 0)]
        if shape.others:
            walks.append(_walk(rest, None, limit, 1))
    else:
        walks.append(_walk(rest, after, limit, 1))
    both = union_all(*(select(w.c.part, w.c.id, w.c.published_at) for w in walks)).subquery()
    return (
        select(both.c.part, both.c.id, both.c.published_at)
        .order_by(both.c.part, both.c.published_at.desc(), both.c.id.desc())
        .limit(limit)
    )


def stories_by_id(ids: list[int]) -> list[Story]:
    """The stories of these ids, in this order, with what their cards show."""
    if not ids:
        return []
    found = read_cards(_stories_by_id_statement(), {"ids": ids})
    by_id = {story.id: story for story in found}
    return [by_id[story_id] for story_id in ids if story_id in by_id]


@functools.cache
def _stories_by_id_statement():
    # Public ones only: a story withdrawn since its id was read is not shown.
    return with_cards(Story.published().where(Story.id.in_(bindparam("ids", expanding=True))))


def language_stories(filters: Filters, language: str, limit: int) -> list[Story]:
    """The newest stories told in ``language`` or publicly translated into it (a
    language's feed), by the same index walks as the gallery's first part."""
    found = _first_positions(filters, language, None, limit, others=False)
    return stories_by_id([story_id for _part, story_id, _at in found])


def _language_first_page(filters: Filters, language: str, cursor, per_page: int, load) -> Page:
    position = decode_cursor(cursor, FIRST)
    found = _first_positions(filters, language, position, per_page + 1)
    has_more = len(found) > per_page
    found = found[:per_page]
    stories = load([story_id for _part, story_id, _at in found])
    next_cursor = None
    if has_more and found:
        part, last_id, last_at = found[-1]
        next_cursor = encode_cursor(FIRST, _aware(last_at), last_id, part)
    return Page(stories, next_cursor, {story_id: part for part, story_id, _at in found})


def _aware(stamp: datetime) -> datetime:
    """A stamp read through a union may come back naive on SQLite: it is UTC."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def gallery_page(
    filters: Filters,
    cursor: str | None,
    per_page: int,
    *,
    first: str | None = None,
    load=None,
) -> Page:
    """One page by keyset: stable while new stories are published, fast when deep.

    The order always ends with the story id, so every position is unique and
    the next page starts strictly after the last card shown. ``first``: a
    language whose stories (told in it or translated into it) come first, in the
    default order (newest, no search, no language chosen). ``load``: what the page
    holds of the stories found, from their ids (``card_faces`` for a page of cards);
    without it, the stories themselves.
    """
    sort = filters.effective_sort
    if first and sort == "newest" and not filters.q and not filters.language:
        return _language_first_page(filters, first, cursor, per_page, load or stories_by_id)
    if filters.q:
        found = search.matcher(filters.q)
        if found is None:
            return Page([], None, {})  # a query with no words in it finds nothing
        return _search_page(filters, found, sort, cursor, per_page, load or stories_by_id)
    query = _filtered(filters)
    position = decode_cursor(cursor, sort)
    if sort == "oldest":
        order = (Story.published_at.asc(), Story.id.asc())
        after = _later(*position[1:]) if position else None
    else:
        order = (Story.published_at.desc(), Story.id.desc())
        after = _earlier(*position[1:]) if position else None
    if after is not None:
        query = query.where(after)
    query = query.order_by(*order).limit(per_page + 1)
    if load is None:
        # The stories themselves (the API): read as they are found, in one statement.
        stories = read_cards(with_cards(query))
        rows = [(story.id, story.published_at) for story in stories]
    else:
        rows = db.session.execute(query.with_only_columns(Story.id, Story.published_at)).all()
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    stories = stories[:per_page] if load is None else load([row[0] for row in rows])
    next_cursor = None
    if has_more:
        last_id, last_at = rows[-1]
        next_cursor = encode_cursor(sort, _aware(last_at), last_id)
    return Page(stories, next_cursor, {story_id: 0 for story_id, _at in rows})


# Search results -----------------------------------------------------------------
#
# Best match first: the ranks are buckets (search.Matcher), each read in date order
# from the cursor's position until the page is full, then the next. In date order
# (newest, oldest) there is one bucket: every match. The stories found through a
# translation (few: people write them) are ranked apart and merged into their
# bucket. The cursor says which bucket the page ended in and where.


def _search_positions(filters: Filters, found, sort: str, position, limit: int):
    """(rank, published_at, id) of the next ``limit`` matches in the page's order.

    One statement: the stories found through a translation (at most ``limit``),
    then each bucket from the cursor's on, in rank order, each read in date order
    and stopping after ``limit`` rows; the statement stops when it has ``limit``
    rows of the buckets (a LIMIT on the UNION ALL: both engines then skip the
    later buckets), so a common word's page reads its first bucket only.
    """
    # Built once per shape, like the gallery's first positions: a search's nine-part
    # statement cost several times more Python to build and key than to run.
    filtering = _Filtering.of(filters)
    shape = _SearchShape(filtering, sort, None if position is None else position[0], found.sqlite)
    values = {"limit": limit, **found.texts(), **filtering.values(filters)}
    if position is not None:
        values.update(
            after_at=position[1], after_id=position[2], start_second=search.key_second(position[1])
        )
    if not shape.sqlite:
        # The one plan that would run the parts side by side and interleave their rows
        # (SQLite runs a compound select's parts one after the other, always).
        db.session.execute(text("SET LOCAL enable_parallel_append = off"))
    rows = [
        (rank, _aware(at), story_id)
        for rank, at, story_id in db.session.execute(_search_statement(shape), values)
    ]
    newest_first = sort != "oldest"
    rows.sort(key=lambda row: _order_key(row, newest_first))
    return rows[:limit]


@dataclass(frozen=True)
class _SearchShape:
    """What decides a search statement's form (not the values it is run with)."""

    filtering: _Filtering
    sort: str
    rank: int | None  # the cursor's bucket, None on the first page
    sqlite: bool


@functools.cache  # channels x filters x sorts x cursor buckets: a few hundred at most
def _search_statement(shape: _SearchShape):
    found = search.Matcher(None, sqlite=shape.sqlite)
    stories = _filtered(shape.filtering.parameters())
    newest_first = shape.sort != "oldest"
    limit = bindparam("limit", type_=Integer)
    after = start_second = None
    if shape.rank is not None:
        at = bindparam("after_at", type_=Story.published_at.type)
        after_id = bindparam("after_id", type_=Integer)
        after = _earlier(at, after_id) if newest_first else _later(at, after_id)
        start_second = bindparam("start_second", type_=BigInteger)
    buckets = search.RANKS if shape.sort == "relevance" else (None,)
    if shape.rank is not None:
        buckets = tuple(bucket for bucket in buckets if (bucket or 0) >= shape.rank)

    def arm(bucket):
        rank = bucket or 0
        at_cursor = shape.rank is not None and rank == shape.rank
        return found.bucket(
            stories,
            None if bucket is None else search.rank_of(bucket),
            rank=rank,
            newest_first=newest_first,
            limit=limit,
            start_second=start_second if at_cursor else None,
            after=after if at_cursor else None,
        )

    translated = found.translated(
        stories,
        relevance=shape.sort == "relevance",
        newest_first=newest_first,
        limit=limit,
        from_rank=shape.rank,
        after=after,
    )
    return _in_order([arm(bucket) for bucket in buckets], translated, limit=limit)


def _in_order(arms: list, translated, *, limit):
    """One statement: the first ``limit`` rows of the buckets' queries, one after the
    other (rows leave a bucket in its date order, the buckets go in rank order, and a
    LIMIT on a UNION ALL stops before the buckets it does not need, on both
    engines), and the rows of the stories found through a translation."""

    def rows_of(query):
        part = query.subquery()
        return select(part.c.rank, part.c.published_at, part.c.id)

    buckets = union_all(*(rows_of(arm) for arm in arms)).limit(limit).subquery()
    return union_all(
        select(buckets.c.rank, buckets.c.published_at, buckets.c.id), rows_of(translated)
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(row, newest_first: bool):
    rank, at, story_id = row
    since = at - _EPOCH
    return (rank, -since, -story_id) if newest_first else (rank, since, story_id)


def _search_page(
    filters: Filters, found, sort: str, cursor: str | None, per_page: int, load
) -> Page:
    position = decode_cursor(cursor, sort)
    if position is not None and sort != "relevance":
        position = (0, *position[1:])  # date order: one bucket
    positions = _search_positions(filters, found, sort, position, per_page + 1)
    has_more = len(positions) > per_page
    positions = positions[:per_page]
    stories = load([story_id for _rank, _at, story_id in positions])
    next_cursor = None
    if has_more:
        last_rank, last_at, last_id = positions[-1]
        next_cursor = encode_cursor(sort, last_at, last_id, last_rank)
    ranks = {story_id: rank for rank, _at, story_id in positions}
    return Page(stories, next_cursor, ranks)


@dataclass(frozen=True)
class PublicTheme:
    """A theme as the gallery lists it (its filter, its title, its chip): plain
    values, kept between requests, never a row of one request's session."""

    id: int
    slug: str
    name: str
    names: dict


_THEMES = "public_themes"


def public_themes() -> tuple[PublicTheme, ...]:
    """The themes in their order, read once per public version: renaming, adding or
    removing a theme is a public change (publishing.hooks), so the version names the
    themes too, and each gallery page no longer reads them (0.4 ms of its 5). Not kept
    from inside a transaction that changed what the public sees (it may roll back,
    and its version number be taken by another change)."""
    version = stats.current().version
    kept = current_app.extensions.get(_THEMES)
    if kept is not None and kept[0] == version:
        return kept[1]
    themes = tuple(
        PublicTheme(theme.id, theme.slug, theme.name, dict(theme.names or {}))
        for theme in db.session.scalars(Theme.in_order())
    )
    if not db.session.info.get(stats.UNCOMMITTED):
        current_app.extensions[_THEMES] = (version, themes)
    return themes
