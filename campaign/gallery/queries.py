"""What the public sees. Every query starts from ``Story.published_for(channel)``:
the website's pages from what is published, partners' surfaces (API, embeds,
feeds) from what is published and consented to for them.

Each page makes a small, constant number of queries: themes and photos are
loaded for all cards at once (selectinload), never one query per card.
"""

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, tuple_, union_all

from campaign.extensions import db
from campaign.gallery import search
from campaign.gallery.translated import translated_into
from campaign.models import Channel, Story, filed_under, with_cards
from campaign.params import MAX_ID

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


def latest_stories(limit: int, *, besides: tuple[int, ...] = ()) -> list[Story]:
    """The newest published stories, leaving out those ``besides`` (already shown on
    the page): the index walks newest first and stops after a few more rows."""
    query = Story.published().order_by(Story.published_at.desc(), Story.id.desc()).limit(limit)
    if besides:
        query = query.where(Story.id.not_in(besides))
    return list(db.session.scalars(with_cards(query)))


def featured_stories(limit: int) -> list[Story]:
    """Pinned to the home page by moderators, most recently pinned first."""
    query = (
        Story.published()
        .where(Story.featured_at.is_not(None))
        .order_by(Story.featured_at.desc(), Story.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(with_cards(query)))


def more_from_country(story: Story, limit: int) -> list[Story]:
    query = (
        Story.published()
        .where(Story.origin_country == story.origin_country, Story.id != story.id)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(with_cards(query)))


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


def _filtered(filters: Filters):
    query = Story.published_for(filters.channel)
    if filters.origin:
        query = query.where(Story.origin_country == filters.origin)
    if filters.residence:
        query = query.where(Story.residence_country == filters.residence)
    if filters.language:
        query = query.where(Story.language == filters.language)
    if filters.theme:
        query = query.where(filed_under(filters.theme))
    return query


# Row-value comparisons, not the equivalent OR: both databases then start the
# index walk right at the cursor instead of filtering every row before it.
def _earlier(published_at: datetime, story_id: int):
    return tuple_(Story.published_at, Story.id) < (published_at, story_id)


def _later(published_at: datetime, story_id: int):
    return tuple_(Story.published_at, Story.id) > (published_at, story_id)


def _whole_stories_of(ranked, rank):
    """Rank and sort the matches by their ids alone, then read the stories of the page.

    Every match of a search is ranked and sorted before the page is cut:
    carrying each whole story (its text) through that sort, as selecting the
    stories directly does, made it several times slower.
    """
    page = ranked.with_only_columns(Story.id, rank).subquery("page")
    return (
        select(Story, page.c.rank)
        .join(page, page.c.id == Story.id)
        .order_by(page.c.rank, Story.published_at.desc(), Story.id.desc())
    )


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


def _positions(query, order, limit: int) -> list[tuple[int, datetime]]:
    return list(
        db.session.execute(
            query.with_only_columns(Story.id, Story.published_at).order_by(*order).limit(limit)
        )
    )


def _mine(filters: Filters, language: str, after, limit: int) -> list[tuple[int, datetime]]:
    """(id, published_at) of the newest stories in ``language`` or translated into it."""
    told = _filtered(filters).where(Story.language == language)
    translated = _filtered(filters).where(
        Story.language != language, Story.id.in_(translated_into(language))
    )
    if after is not None:
        told, translated = told.where(after), translated.where(after)
    newest = (Story.published_at.desc(), Story.id.desc())
    parts = [
        part.with_only_columns(Story.id, Story.published_at)
        .order_by(*newest)
        .limit(limit)
        .subquery()
        for part in (told, translated)
    ]
    both = union_all(*(select(part.c.id, part.c.published_at) for part in parts)).subquery()
    query = (
        select(both.c.id, both.c.published_at)
        .order_by(both.c.published_at.desc(), both.c.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query))


def _others(filters: Filters, language: str, after, limit: int) -> list[tuple[int, datetime]]:
    query = _filtered(filters).where(
        Story.language != language, Story.id.not_in(translated_into(language))
    )
    if after is not None:
        query = query.where(after)
    return _positions(query, (Story.published_at.desc(), Story.id.desc()), limit)


def _language_first_page(filters: Filters, language: str, cursor, per_page: int) -> Page:
    position = decode_cursor(cursor, FIRST)
    wanted = per_page + 1
    found: list[tuple[int, int, datetime]] = []  # (part, id, published_at)
    if position is None or position[0] == 0:
        after = _earlier(*position[1:]) if position else None
        found += [(0, i, at) for i, at in _mine(filters, language, after, wanted)]
        if len(found) < wanted:
            found += [(1, i, at) for i, at in _others(filters, language, None, wanted - len(found))]
    else:
        after = _earlier(*position[1:])
        found += [(1, i, at) for i, at in _others(filters, language, after, wanted)]
    has_more = len(found) > per_page
    found = found[:per_page]
    by_id = {}
    if found:
        query = with_cards(select(Story).where(Story.id.in_([i for _, i, _ in found])))
        by_id = {story.id: story for story in db.session.scalars(query)}
    stories = [by_id[i] for _, i, _ in found if i in by_id]
    next_cursor = None
    if has_more and found:
        part, last_id, last_at = found[-1]
        next_cursor = encode_cursor(FIRST, last_at, last_id, part)
    return Page(stories, next_cursor, {i: part for part, i, _ in found})


def gallery_page(
    filters: Filters, cursor: str | None, per_page: int, *, first: str | None = None
) -> Page:
    """One page by keyset: stable while new stories are published, fast when deep.

    The order always ends with the story id, so every position is unique and
    the next page starts strictly after the last card shown. ``first``: a
    language whose stories (told in it or translated into it) come first, in the
    default order (newest, no search, no language chosen).
    """
    sort = filters.effective_sort
    if first and sort == "newest" and not filters.q and not filters.language:
        return _language_first_page(filters, first, cursor, per_page)
    query = _filtered(filters)
    found = search.narrowed(query, filters.q, ranked=sort == "relevance")
    rank = None
    if found is not None:
        query, rank = found
    elif filters.q:
        return Page([], None, {})  # a query with no words in it finds nothing
    position = decode_cursor(cursor, sort)
    newest_first = (Story.published_at.desc(), Story.id.desc())
    if sort == "oldest":
        order = (Story.published_at.asc(), Story.id.asc())
        after = _later(*position[1:]) if position else None
    else:
        order = newest_first
        after = _earlier(*position[1:]) if position else None
    if sort == "relevance":
        # Best match first, then newest first among equally good matches.
        order = (rank.asc(), *newest_first)
        if position:
            after = or_(rank > position[0], and_(rank == position[0], after))
    if after is not None:
        query = query.where(after)
    query = query.order_by(*order).limit(per_page + 1)
    if rank is not None:
        query = _whole_stories_of(query, rank)
    query = with_cards(query)
    if rank is not None:
        rows = [(story, int(story_rank)) for story, story_rank in db.session.execute(query)]
    else:
        rows = [(story, 0) for story in db.session.scalars(query)]
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    next_cursor = None
    if has_more:
        last, last_rank = rows[-1]
        next_cursor = encode_cursor(sort, last.published_at, last.id, last_rank)
    return Page([story for story, _ in rows], next_cursor, {s.id: r for s, r in rows})
