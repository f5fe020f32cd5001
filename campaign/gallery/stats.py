"""Live numbers and the public "version", kept up to date instead of counted per request.

One row holds what the home page and the gallery filters show (how many
stories are published, which countries and languages they come from) and a
version number that changes whenever anything the public can see changes.
It is recomputed inside the same transaction as the change, from a session
hook, so every code path that publishes, withdraws, hides or edits a story
(the moderation and submission helpers included) keeps it right without
knowing about it. Pages read it with one query; the version and its time
are the ETag and Last-Modified of every public page.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import g, has_app_context
from sqlalchemy import DDL, JSON, Integer, event, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..models import Photo, Story, StoryStatus, Theme
from ..models._types import UTCDateTime, utcnow

ROW_ID = 1


class GalleryStats(db.Model):
    __tablename__ = "gallery_stats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stories: Mapped[int] = mapped_column(Integer, default=0)
    # Sorted ISO codes of the countries and languages of published stories.
    origins: Mapped[list] = mapped_column(JSON, default=list)
    residences: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)


# The row exists from the start (the migration inserts it too), so publishers
# only ever UPDATE it and never race to insert it.
event.listen(
    GalleryStats.__table__,
    "after_create",
    DDL(
        "INSERT INTO gallery_stats (id, version, changed_at, stories, origins, residences, "
        "languages) VALUES (1, 0, CURRENT_TIMESTAMP, 0, '[]', '[]', '[]')"
    ),
)


@dataclass(frozen=True)
class Snapshot:
    version: int = 0
    changed_at: datetime | None = None
    stories: int = 0
    origins: list = field(default_factory=list)
    residences: list = field(default_factory=list)
    languages: list = field(default_factory=list)


def current() -> Snapshot:
    """The numbers as of now; one query, remembered for the rest of the request."""
    if "gallery_stats" not in g:
        row = db.session.execute(
            select(
                GalleryStats.version,
                GalleryStats.changed_at,
                GalleryStats.stories,
                GalleryStats.origins,
                GalleryStats.residences,
                GalleryStats.languages,
            ).where(GalleryStats.id == ROW_ID)
        ).one_or_none()
        g.gallery_stats = Snapshot(*row) if row else Snapshot()
    return g.gallery_stats


def _was_or_is_public(story: Story) -> bool:
    from sqlalchemy import inspect

    history = inspect(story).attrs.status.history
    statuses = {story.status, *history.deleted}
    return StoryStatus.PUBLISHED in statuses


def _touches_public(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Story) and _was_or_is_public(obj):
            return True
        if isinstance(obj, Photo | Theme):
            return True
    return False


def refresh(connection) -> None:
    """Bump the version and recount, on the connection of the running transaction.

    The UPDATE comes first: it takes the row lock, so a concurrent publisher
    waits and then counts with the first one's story included.
    """
    now = utcnow()
    bumped = connection.execute(
        update(GalleryStats)
        .where(GalleryStats.id == ROW_ID)
        .values(version=GalleryStats.version + 1, changed_at=now)
    )
    if bumped.rowcount == 0:
        connection.execute(insert(GalleryStats).values(id=ROW_ID, version=1, changed_at=now))
    published = Story.published().subquery()

    def distinct(column):
        return sorted(connection.scalars(select(column).distinct()))

    stories = connection.scalar(select(func.count()).select_from(published))
    connection.execute(
        update(GalleryStats)
        .where(GalleryStats.id == ROW_ID)
        .values(
            stories=stories,
            origins=distinct(published.c.origin_country),
            residences=distinct(published.c.residence_country),
            languages=distinct(published.c.language),
        )
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if _touches_public(session):
        refresh(session.connection())
        session.info["public_changed"] = True
        if has_app_context():
            g.pop("gallery_stats", None)
