"""What the public sees, in numbers: kept by ``campaign.publishing.stats``."""

from datetime import datetime

from sqlalchemy import DDL, JSON, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


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


class PublicCount(db.Model):
    """How many published stories come from each country, live in each, are in each language.

    Kept by increments, so a publication never recounts every story: the lists
    of gallery_stats are read back from these few dozen rows.
    """

    __tablename__ = "public_count"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # a key of COLUMNS
    value: Mapped[str] = mapped_column(String(12), primary_key=True)
    stories: Mapped[int] = mapped_column(Integer, default=0)


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
