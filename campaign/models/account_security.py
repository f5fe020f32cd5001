from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


class Invitation(db.Model):
    """A one-time link an admin sends; the invitee chooses their own password.

    Only the sha256 of the link's token is stored. It can be accepted while it is
    unused, unexpired, not revoked, and its sender is still an active admin.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the account will be: a moderator (the default) or a translator only, and the
    # languages its holder reads (Moderator.can_moderate, Moderator.reads_languages).
    can_moderate: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reads_languages: Mapped[str] = mapped_column(String(100), default="", server_default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Revoked by an admin, or with the account of the admin who sent it.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invited_by = relationship("Moderator")

    def __repr__(self) -> str:
        return f"<Invitation {self.id}>"


class RecoveryCode(db.Model):
    """A one-time two-factor recovery code, stored as its sha256 only."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"


class Setting(db.Model):
    """A site-wide setting admins change in the application (e.g. require two-factor)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Setting {self.key}>"
