from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


class ShareCard(db.Model):
    """A share image of a story, rendered once and kept in the media storage.

    ``key`` says what it was made from (the story's public face, the consent, the
    design version and the campaign's identity: cards.services.card_key); a card
    whose key is not the current one is made again and replaces it. Its file goes
    with the row (media.files), and the row with the story (ON DELETE CASCADE).
    """

    __tablename__ = "share_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    size: Mapped[str] = mapped_column(String(12))  # "1200x630", cards.render.SIZES
    # The language of the words drawn: a translation's, or "" for the original's.
    language: Mapped[str] = mapped_column(String(12), default="", server_default="")
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the file in the media storage
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("story_id", "size", "language", name="uq_share_card_story_size_language"),
    )

    def __repr__(self) -> str:
        return f"<ShareCard {self.story_id} {self.size}>"


def card_names() -> set[str]:
    """Every media file name a ShareCard row names."""
    return set(db.session.scalars(select(ShareCard.name)))
