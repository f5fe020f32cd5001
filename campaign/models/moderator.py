import secrets
from datetime import datetime
from functools import cache

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


def _hash_method() -> str:
    """PASSWORD_HASH_METHOD: scrypt, except in the tests (see tests/helpers.py)."""
    return current_app.config["PASSWORD_HASH_METHOD"]


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password, checked against when the email is unknown, so
    that a wrong email costs as much time as a wrong password."""
    return generate_password_hash("not-a-real-password-0b7c1f", method=method)


def new_session_generation(*, previous: int | None = None) -> int:
    """31 random bits (PostgreSQL's integer), never the generation before."""
    while True:
        generation = secrets.randbelow(2**31)
        if generation != previous:
            return generation


class Moderator(UserMixin, db.Model):
    __tablename__ = "moderator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moderators review stories at the desk; a translator-only account (invited as a
    # translator) does not, and sees only the translation desk.
    can_moderate: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The languages this person reads well enough to translate into and to review a
    # translation in (space-separated codes of the site's languages; "" for none).
    reads_languages: Mapped[str] = mapped_column(String(100), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the session's user id: changing it ends every open session at once
    # (deactivation, password change, two-factor reset). Random, not counted from 0,
    # so that the session of an account that is gone never signs in a new account
    # that got its id (ids can repeat when an older backup is restored).
    session_generation: Mapped[int] = mapped_column(
        Integer, default=lambda: new_session_generation(), server_default="0"
    )
    # Two-factor sign-in (TOTP): the shared secret, and when the moderator proved
    # they hold it; two-factor is on only when totp_confirmed_at is set.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step accepted, so one code can't be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.active

    @property
    def languages_read(self) -> list[str]:
        return (self.reads_languages or "").split()

    @property
    def is_translator(self) -> bool:
        return bool(self.languages_read)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    def get_id(self) -> str:
        """Flask-Login keeps this in the session; a new generation invalidates it."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        self.session_generation = new_session_generation(previous=self.session_generation)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def spend_time_as_if_checking(password: str) -> None:
        check_password_hash(_dummy_hash(_hash_method()), password)

    def __repr__(self) -> str:
        return f"<Moderator {self.id}>"
