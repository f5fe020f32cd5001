from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._types import UTCDateTime, utcnow

# A hash of a random password, checked against when the email is unknown, so
# that a wrong email costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0b7c1f", method="scrypt")


class Moderator(UserMixin, db.Model):
    __tablename__ = "moderator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def spend_time_as_if_checking(password: str) -> None:
        check_password_hash(_DUMMY_HASH, password)

    def __repr__(self) -> str:
        return f"<Moderator {self.id}>"
