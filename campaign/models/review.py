from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


class StoryRevision(db.Model):
    """One moderator edit of one field of a story: who, when, the text before and after."""

    __tablename__ = "story_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    field: Mapped[str] = mapped_column(String(20))
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator = relationship("Moderator", lazy="joined")

    def __repr__(self) -> str:
        return f"<StoryRevision {self.id} story={self.story_id}>"


class Report(db.Model):
    """A visitor's report of a public story; reviewed_at is set when a moderator looked."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who reported, as a keyed hash of their session and address (never the address):
    # auto-hide counts distinct reporters. Forgotten at review, and by the purge.
    reporter_key: Mapped[str | None] = mapped_column(String(64))
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<Report {self.id} story={self.story_id}>"


class StoryViewing(db.Model):
    """A moderator has this story open; refreshed while they look, so others see it."""

    __tablename__ = "story_viewing"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), primary_key=True
    )
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator = relationship("Moderator", lazy="joined")

    def __repr__(self) -> str:
        return f"<StoryViewing story={self.story_id} moderator={self.moderator_id}>"
