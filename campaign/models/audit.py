from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """Who did what, when, to which story. Written in the same transaction as the change.

    ``story_id`` is deliberately not a foreign key: the record must outlive a
    story that its storyteller withdrew and that was deleted for good.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    actor = relationship("Moderator", lazy="joined")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} story={self.story_id}>"
