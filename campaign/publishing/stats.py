"""Live numbers and the public "version", kept up to date instead of counted per request.

One row holds what the home page and the gallery filters show (how many
stories are published, which countries and languages they come from) and a
version number that changes whenever anything the public can see changes.
It changes inside the same transaction as the change, by increments, from the
session hooks of ``campaign.publishing.hooks``, so every code path that
publishes, withdraws, hides or edits a story (the moderation and submission
helpers included) keeps it right without knowing about it. Pages read it with
one query; the version and its time are the ETag and Last-Modified of every
public page.

What was read is remembered in one memo per app (``PublicState``, in
``app.extensions``): for PAGE_CACHE_VERSION_SECONDS, so a kept page costs no
query at all most of the time, and forgotten (``forget()``) as soon as this
process changes what the public sees. Numbers read inside a transaction that
changed them are not remembered: another request must never see a version
that is not committed (and may never be).
"""

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import (
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from campaign.extensions import db
from campaign.models import GalleryStats, PublicCount, Story, StoryStatus
from campaign.models._types import utcnow

ROW_ID = 1
# What published stories are counted under, the story column it comes from,
# and the list of gallery_stats that names the values counted.
COLUMNS = {"origin": "origin_country", "residence": "residence_country", "language": "language"}
KINDS = {"origin": "origins", "residence": "residences", "language": "languages"}
CountedUnder = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Snapshot:
    version: int = 0
    changed_at: datetime | None = None
    stories: int = 0
    origins: list = field(default_factory=list)
    residences: list = field(default_factory=list)
    languages: list = field(default_factory=list)


EXTENSION = "public_state"
# session.info: this transaction changed what the public sees (set by the session hooks).
UNCOMMITTED = "public_changes.uncommitted"


def _read() -> Snapshot:
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
    return Snapshot(*row) if row else Snapshot()


class PublicState:
    """The public numbers and version as this process last read them."""

    def __init__(self, max_age: float):
        self.max_age = max_age
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0

    def remembered(self) -> Snapshot | None:
        """The snapshot still fresh enough to use without a query, if any."""
        if self._snapshot is not None and time.monotonic() - self._read_at < self.max_age:
            return self._snapshot
        return None

    def get(self) -> Snapshot:
        """Remembered, or read now (needs an app context)."""
        snapshot = self.remembered()
        if snapshot is None:
            snapshot = _read()
            if not db.session.info.get(UNCOMMITTED):
                self._snapshot, self._read_at = snapshot, time.monotonic()
        return snapshot

    def forget(self) -> None:
        self._snapshot = None


def init_app(app) -> None:
    app.extensions[EXTENSION] = PublicState(app.config["PAGE_CACHE_VERSION_SECONDS"])


def state(app=None) -> PublicState:
    return (app or current_app).extensions[EXTENSION]


def current() -> Snapshot:
    """The numbers as of now: one query, or none while they are remembered."""
    return state().get()


def forget() -> None:
    """What the public sees changed here: the next read fetches the numbers again."""
    state().forget()


def counted_under(status, hidden, origin, residence, language) -> CountedUnder | None:
    """What a story with these values adds to the public numbers; None if it is not public."""
    if status != StoryStatus.PUBLISHED or hidden:
        return None
    return (("origin", origin), ("residence", residence), ("language", language))


def counted_by_id(connection, story_ids) -> dict[int, CountedUnder | None]:
    """How the database counts these stories now (before the flush about to change them)."""
    rows = connection.execute(
        select(
            Story.id,
            Story.status,
            Story.hidden,
            Story.origin_country,
            Story.residence_country,
            Story.language,
        ).where(Story.id.in_(story_ids))
    )
    return {row[0]: counted_under(*row[1:]) for row in rows}


def _bump(connection, **values) -> bool:
    """Take the row lock and bump the version; False when the row is missing."""
    bumped = connection.execute(
        update(GalleryStats)
        .where(GalleryStats.id == ROW_ID)
        .values(version=GalleryStats.version + 1, changed_at=utcnow(), **values)
    )
    return bumped.rowcount > 0


def _write_lists(connection) -> None:
    """Copy the values still counted into the row pages read (a few dozen rows, indexed)."""
    lists: dict[str, list[str]] = {kind: [] for kind in KINDS}
    rows = connection.execute(
        select(PublicCount.kind, PublicCount.value).where(PublicCount.stories > 0)
    )
    for kind, value in rows:
        lists[kind].append(value)
    connection.execute(
        update(GalleryStats)
        .where(GalleryStats.id == ROW_ID)
        .values(**{KINDS[kind]: sorted(values) for kind, values in lists.items()})
    )


def record(connection, stories: int, changes: dict[tuple[str, str], int]) -> None:
    """Apply one flush's difference: ``stories`` published more (or fewer), and
    per (kind, value) how many more stories are counted under it.

    Increments, never read-modify-write: concurrent moderators each add their
    own difference. The UPDATE of the one row comes first and holds its lock
    to the end of the transaction, so the lists written last are read after
    any concurrent publisher committed.
    """
    if not _bump(connection, stories=GalleryStats.stories + stories):
        recount(connection)  # the row is gone (tables emptied): count afresh
        return
    if not changes:
        return
    table = PublicCount.__table__
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    upsert = dialect_insert(table).values(
        [{"kind": kind, "value": value, "stories": n} for (kind, value), n in changes.items()]
    )
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c.kind, table.c.value],
            set_={"stories": table.c.stories + upsert.excluded.stories},
        )
    )
    _write_lists(connection)


def recount(connection) -> None:
    """Bump the version and count everything afresh, for writes that bypass the session
    (bulk inserts of sample stories) and for a missing row."""
    if not _bump(connection):
        connection.execute(insert(GalleryStats).values(id=ROW_ID, version=1, changed_at=utcnow()))
    connection.execute(delete(PublicCount))
    published = Story.published().subquery()
    for kind in KINDS:
        column = published.c[COLUMNS[kind]]
        connection.execute(
            insert(PublicCount).from_select(
                ["kind", "value", "stories"],
                select(literal(kind), column, func.count()).group_by(column),
            )
        )
    stories = connection.scalar(select(func.count()).select_from(published))
    connection.execute(
        update(GalleryStats).where(GalleryStats.id == ROW_ID).values(stories=stories)
    )
    _write_lists(connection)
