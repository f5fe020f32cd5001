"""Moderator accounts: creating them and checking who signs in."""

from sqlalchemy import select

from ..extensions import db
from ..models import Moderator
from ..models._types import utcnow

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
    return None


def create_moderator(email: str, password: str, *, admin: bool = False) -> Moderator:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address.")
    if find_moderator(email) is not None:
        raise AccountError(f"A moderator with the email {email} already exists.")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    moderator = Moderator(email=email, is_admin=admin)
    moderator.set_password(password)
    db.session.add(moderator)
    db.session.flush()
    return moderator


def find_moderator(email: str) -> Moderator | None:
    return db.session.scalar(select(Moderator).where(Moderator.email == normalise_email(email)))


def authenticate(email: str, password: str) -> Moderator | None:
    """The moderator if email and password match an active account, else None.

    Unknown emails cost the same hashing time as wrong passwords, so timing
    does not tell which accounts exist.
    """
    moderator = find_moderator(email)
    if moderator is None:
        Moderator.spend_time_as_if_checking(password)
        return None
    if not moderator.check_password(password) or not moderator.is_active:
        return None
    moderator.last_login_at = utcnow()
    return moderator
