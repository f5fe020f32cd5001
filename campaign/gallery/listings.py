"""Public reads for the API, feeds, embeds and the journeys map.

Everything here starts from ``Story.published()``: nothing else decides what
the public may see. Partners (API, feeds, embeds) get only the stories whose
storytellers consented to partners (``Channel.PARTNERS``). Numbers that
``publishing.stats`` keeps up to date (stories, countries, languages) are read from
there, never counted again.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.gallery import queries as gallery
from campaign.models import (
    Channel,
    PublicCount,
    Recording,
    Story,
    Theme,
    read_cards,
    story_theme,
    with_cards,
)
from campaign.publishing import stats as kept

SORTS = ("newest", "oldest")
MAX_LIMIT = 100


class BadCursor(ValueError):
    """The cursor was not one we handed out."""


@dataclass(frozen=True)
class StoryPage:
    """One page of stories and the cursor of the next page (None on the last page)."""

    stories: list[Story]
    next_cursor: str | None


def find_stories(
    origin: str | None = None,
    residence: str | None = None,
    theme: str | None = None,
    language: str | None = None,
    q: str | None = None,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 20,
) -> StoryPage:
    """Published stories matching every given filter, one keyset page at a time.

    The same query as the gallery's (filters, full-text search, keyset pages),
    so partners see exactly what visitors see.

    :param origin: ISO 3166-1 alpha-2 code of the country of origin.
    :param residence: ISO 3166-1 alpha-2 code of the country of residence.
    :param theme: a theme slug.
    :param language: the story's language code (exact match).
    :param q: words to search for in title, quote and story text.
    :param sort: ``"newest"`` (by publication, newest first) or ``"oldest"``.
    :param cursor: ``next_cursor`` of the previous page, or None for the first.
    :param limit: stories per page (1 to ``MAX_LIMIT``).
    :returns: a :class:`StoryPage` with the stories (themes and photo loaded)
        and the opaque cursor of the next page, None when there is none.
    :raises BadCursor: when the cursor cannot be decoded.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if cursor and gallery.decode_cursor(cursor, sort) is None:
        raise BadCursor(cursor)
    filters = gallery.Filters(
        origin=origin,
        residence=residence,
        theme=theme,
        language=language,
        q=(q or "").strip() or None,
        sort=sort,
        channel=Channel.PARTNERS,
    )
    page = gallery.gallery_page(filters, cursor, max(1, min(limit, MAX_LIMIT)))
    return StoryPage(page.stories, page.next_cursor)


def published_story_by_id(story_id: int) -> Story | None:
    """The story partners may show under this id."""
    query = Story.published_for(Channel.PARTNERS).where(Story.id == story_id)
    found = read_cards(with_cards(query))
    return found[0] if found else None


def latest_stories(
    limit: int,
    *,
    origin: str | None = None,
    residence: str | None = None,
    theme: str | None = None,
    language: str | None = None,
) -> list[Story]:
    """The newest published stories, for feeds and embeds."""
    return find_stories(
        origin=origin, residence=residence, theme=theme, language=language, limit=limit
    ).stories


def latest_in_language(limit: int, language: str) -> list[Story]:
    """The newest stories partners may show told in ``language`` or publicly translated
    into it, for that language's feed."""
    filters = gallery.Filters(channel=Channel.PARTNERS)
    return gallery.language_stories(filters, language, max(1, min(limit, MAX_LIMIT)))


def latest_voice_stories(limit: int, language: str) -> list[Story]:
    """The newest published voice stories told in ``language``, for its podcast feed."""
    query = (
        Story.published()
        .join(Recording, Recording.story_id == Story.id)
        .where(Story.language == language)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
    )
    return read_cards(with_cards(query))


def _published_ids():
    return Story.published().with_only_columns(Story.id).scalar_subquery()


def country_counts() -> dict[str, dict[str, int]]:
    """{code: {"origin": n, "residence": m}} over published stories (kept counts, no scan)."""
    counts: dict[str, dict[str, int]] = {}
    rows = db.session.execute(
        select(PublicCount.kind, PublicCount.value, PublicCount.stories).where(
            PublicCount.kind.in_(("origin", "residence")), PublicCount.stories > 0
        )
    )
    for kind, code, number in rows:
        counts.setdefault(code, {"origin": 0, "residence": 0})[kind] = number
    return counts


def journey_counts(limit: int | None = None) -> list[tuple[str, str, int]]:
    """(origin, residence, number of stories), most common first."""
    published = Story.published().subquery()
    number = func.count().label("number")
    query = (
        select(published.c.origin_country, published.c.residence_country, number)
        .group_by(published.c.origin_country, published.c.residence_country)
        .order_by(number.desc(), published.c.origin_country, published.c.residence_country)
    )
    if limit:
        query = query.limit(limit)
    return [tuple(row) for row in db.session.execute(query)]


def theme_counts() -> list[tuple[Theme, int]]:
    """Every theme in its order, with the number of published stories filed under it."""
    number = (
        select(func.count())
        .select_from(story_theme)
        .where(story_theme.c.theme_id == Theme.id, story_theme.c.story_id.in_(_published_ids()))
        .scalar_subquery()
    )
    query = Theme.in_order(number)
    return [(theme, count) for theme, count in db.session.execute(query)]


def stats() -> dict:
    """The public numbers: kept, except the newest publication, read from the end of the
    published index."""
    numbers = kept.current()
    latest = db.session.scalar(
        Story.published()
        .with_only_columns(Story.published_at)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(1)
    )
    return {
        "stories": numbers.stories,
        "countries_of_origin": len(numbers.origins),
        "countries_of_residence": len(numbers.residences),
        "languages": len(numbers.languages),
        "latest_published_at": latest,
    }


def published_languages() -> list[str]:
    """Language codes of published stories, sorted."""
    return list(kept.current().languages)
