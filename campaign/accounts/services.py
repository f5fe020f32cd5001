"""Moderator accounts: creating them, checking who signs in, and keeping them safe."""

import hmac
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

import pyotp
from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from campaign.accounts import throttle
from campaign.audit import COMMAND_LINE, AuditAction, record
from campaign.extensions import db
from campaign.i18n.identity import campaign_name
from campaign.models import Invitation, Moderator, RecoveryCode, Setting
from campaign.models._types import utcnow
from campaign.models.tokens import find_by_token, hash_secret

MIN_PASSWORD_LENGTH = 12
RECOVERY_CODE_COUNT = 10
REQUIRE_TWO_FACTOR = "require_two_factor"

_COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def _(message: str, **values) -> str:
    """Translated in a request; plain English on the command line (no locale there)."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


class AccountError(ValueError):
    pass


class TooManyAttempts(AccountError):
    """The account (or the address) has used up its failed sign-in attempts."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _note(moderator: Moderator, actor: Moderator | None) -> str:
    """The account acted on, and where from when nobody was signed in."""
    return moderator.email if actor else f"{moderator.email} ({COMMAND_LINE})"


def _refuse_own_account(moderator: Moderator, actor: Moderator | None) -> None:
    if actor is not None and actor.id == moderator.id:
        raise AccountError(_("You cannot do that to your own account."))


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list shipped with the project: about 20,000 passwords.

    Taken unchanged from Django 5.2 (django/contrib/auth/common-passwords.txt.gz,
    BSD licence), which took it from Royce Williams' list of passwords seen in
    breaches. Compared without regard to case.
    """
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None. Length and the common list; no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
    if password.strip().casefold() in common_passwords():
        return _("This password is on a list of common passwords. Choose another one.")
    return None


def create_moderator(
    email: str,
    password: str,
    *,
    admin: bool = False,
    actor: Moderator | None = None,
    can_moderate: bool = True,
    languages=(),
) -> Moderator:
    """A new account made directly (on the command line: actor None), not by invitation.
    ``can_moderate=False`` makes a translator-only account (never an admin)."""
    reads = reading_list(languages)
    moderator = _new_moderator(
        email, password, admin=admin, can_moderate=can_moderate, reads_languages=reads
    )
    record(
        actor,
        AuditAction.MODERATOR_CREATED,
        note=f"{_note(moderator, actor)}, admin: {moderator.is_admin}{_role_note(moderator)}",
    )
    return moderator


def reading_list(languages) -> str:
    """The site's languages among ``languages``, in the site's order, space-separated;
    AccountError names any other."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    wanted = [code.strip() for code in languages if code and code.strip()]
    unknown = [code for code in wanted if code not in supported]
    if unknown:
        raise AccountError(
            _(
                "Not a language of this site: %(codes)s. Choose among %(supported)s.",
                codes=", ".join(unknown),
                supported=", ".join(supported),
            )
        )
    return " ".join(code for code in supported if code in wanted)


def _role_note(account) -> str:
    """What an audit note says of a role: translator-only, and the languages read."""
    role = "" if account.can_moderate else ", translator only"
    return f"{role}, reads: {account.reads_languages or '-'}"


def _new_moderator(
    email: str,
    password: str,
    *,
    admin: bool,
    can_moderate: bool = True,
    reads_languages: str = "",
) -> Moderator:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address.")
    if find_moderator(email) is not None:
        raise AccountError(f"A moderator with the email {email} already exists.")
    if admin and not can_moderate:
        raise AccountError(_("An admin moderates too: a translator-only account is not an admin."))
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    moderator = Moderator(
        email=email, is_admin=admin, can_moderate=can_moderate, reads_languages=reads_languages
    )
    moderator.set_password(password)
    db.session.add(moderator)
    db.session.flush()
    return moderator


def set_role_and_languages(
    moderator: Moderator, actor: Moderator, *, can_moderate: bool, languages
) -> bool:
    """An admin changes what an account does: moderate (or translate only) and the
    languages its holder reads. Returns whether anything changed."""
    reads = reading_list(languages)
    if moderator.is_admin and not can_moderate:
        raise AccountError(_("An admin moderates too: a translator-only account is not an admin."))
    if moderator.can_moderate == can_moderate and moderator.reads_languages == reads:
        return False
    moderator.can_moderate = can_moderate
    moderator.reads_languages = reads
    record(actor, AuditAction.LANGUAGES_CHANGED, note=f"{moderator.email}{_role_note(moderator)}")
    db.session.flush()
    return True


def find_moderator(email: str) -> Moderator | None:
    return db.session.scalar(select(Moderator).where(Moderator.email == normalise_email(email)))


def authenticate(email: str, password: str) -> Moderator | None:
    """The moderator if email and password match an active account, else None.

    Failed attempts are counted per account and per address; past the limit
    this raises TooManyAttempts without checking the password. Unknown emails
    are counted, and cost the same hashing time, as wrong passwords, so neither
    timing nor the pause tells which accounts exist.
    """
    if throttle.is_throttled(normalise_email(email)):
        raise TooManyAttempts(throttled_message())
    moderator = find_moderator(email)
    if moderator is None:
        Moderator.spend_time_as_if_checking(password)
    elif moderator.check_password(password) and moderator.is_active:
        if not moderator.has_two_factor:
            mark_signed_in(moderator)
        return moderator
    throttle.count_failure(normalise_email(email))
    return None


def throttled_message() -> str:
    return _(
        "Too many failed attempts to sign in. Wait %(minutes)s minutes, then try again.",
        minutes=throttle.wait_minutes(),
    )


def mark_signed_in(moderator: Moderator) -> None:
    moderator.last_login_at = utcnow()


def change_password(moderator: Moderator, current: str, new: str) -> None:
    """Needs the current password; ends the moderator's other sessions."""
    if not moderator.check_password(current):
        raise AccountError(_("That is not your current password."))
    problem = password_problem(new)
    if problem:
        raise AccountError(problem)
    moderator.set_password(new)
    moderator.end_sessions()
    record(moderator, AuditAction.PASSWORD_CHANGED)
    db.session.flush()


def deactivate(moderator: Moderator, actor: Moderator | None) -> None:
    """The account can no longer sign in; its open sessions end at once.

    ``actor`` is the admin, or None on the command line.
    """
    _refuse_own_account(moderator, actor)
    moderator.active = False
    moderator.end_sessions()
    record(actor, AuditAction.DEACTIVATE_MODERATOR, note=_note(moderator, actor))
    # What the account handed out goes with it: a departing admin's open
    # invitations would otherwise still make new accounts (admins too).
    for invitation in open_invitations(invited_by=moderator):
        _revoke(invitation, actor, note=f"{invitation.email}, sent by {_note(moderator, actor)}")
    db.session.flush()


def reactivate(moderator: Moderator, actor: Moderator | None) -> None:
    _refuse_own_account(moderator, actor)
    moderator.active = True
    record(actor, AuditAction.REACTIVATE_MODERATOR, note=_note(moderator, actor))
    db.session.flush()


# Invitations -------------------------------------------------------------------


def invite(
    email: str,
    *,
    admin: bool,
    invited_by: Moderator,
    valid_hours: int,
    can_moderate: bool = True,
    languages=(),
):
    """A new invitation and its one-time token (returned once, stored hashed): to
    moderate (``can_moderate``) or to translate only, reading ``languages``."""
    email = normalise_email(email)
    if find_moderator(email) is not None:
        raise AccountError(_("There is already an account with this email."))
    if admin and not can_moderate:
        raise AccountError(_("An admin moderates too: a translator-only account is not an admin."))
    reads = reading_list(languages)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        is_admin=admin,
        can_moderate=can_moderate,
        reads_languages=reads,
        token_hash=hash_secret(token),
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(hours=valid_hours),
    )
    db.session.add(invitation)
    record(
        invited_by,
        AuditAction.INVITE,
        note=f"{email} (admin: {admin}{_role_note(invitation)})",
    )
    db.session.flush()
    return invitation, token


class InvitationNotValid(AccountError):
    """The link cannot make an account; the message says why."""


def open_invitation(token: str) -> Invitation:
    """The invitation for this token if it can still make an account, else
    InvitationNotValid: used, expired, revoked, or its sender is no longer an
    active admin (invitations left open from before revocation existed)."""
    invitation = find_by_token(Invitation, token)
    if invitation is not None and invitation.revoked_at is not None:
        raise InvitationNotValid(_("An admin revoked it. Ask an admin for a new one."))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at <= utcnow()
    ):
        raise InvitationNotValid(
            _("It was used already or it has expired. Ask an admin for a new one.")
        )
    sender = invitation.invited_by
    if sender is None or not sender.is_active or not sender.is_admin:
        raise InvitationNotValid(
            _("The admin who sent it can no longer invite anyone. Ask an admin for a new one.")
        )
    return invitation


def open_invitations(*, invited_by: Moderator | None = None) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first (with their senders)."""
    query = (
        select(Invitation)
        .where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .options(joinedload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    if invited_by is not None:
        query = query.where(Invitation.invited_by_id == invited_by.id)
    return list(db.session.scalars(query))


def revoke_invitation(invitation: Invitation, actor: Moderator) -> None:
    """An admin takes back an invitation that is still open."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise AccountError(_("This invitation is no longer open."))
    _revoke(invitation, actor, note=invitation.email)
    db.session.flush()


def _revoke(invitation: Invitation, actor: Moderator | None, *, note: str) -> None:
    invitation.revoked_at = utcnow()
    record(actor, AuditAction.INVITATION_REVOKED, note=note)


def accept_invitation(invitation: Invitation, password: str) -> Moderator:
    """The new account, signed in: the one who accepts is its first actor."""
    moderator = _new_moderator(
        invitation.email,
        password,
        admin=invitation.is_admin,
        can_moderate=invitation.can_moderate,
        reads_languages=invitation.reads_languages,
    )
    invitation.accepted_at = utcnow()
    mark_signed_in(moderator)
    record(moderator, AuditAction.INVITATION_ACCEPTED, note=moderator.email)
    db.session.flush()
    return moderator


# Settings -----------------------------------------------------------------------


def get_setting(key: str, default=None):
    setting = db.session.get(Setting, key)
    return default if setting is None else setting.value


def set_setting(key: str, value) -> None:
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    db.session.flush()


def two_factor_required() -> bool:
    return bool(get_setting(REQUIRE_TWO_FACTOR, False))


def must_set_up_two_factor(moderator: Moderator) -> bool:
    """Admins require two-factor sign-in and this account has not set it up yet."""
    return two_factor_required() and not moderator.has_two_factor


# Two-factor ---------------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh secret for the set-up page; kept in the session, not the account,
    until a code from the app confirms it (so a GET changes nothing stored)."""
    return pyotp.random_base32()


def provisioning_uri(moderator: Moderator, secret: str) -> str:
    # The authenticator app lists the code under the deployment's own name.
    return pyotp.TOTP(secret).provisioning_uri(name=moderator.email, issuer_name=campaign_name())


def check_totp(moderator: Moderator, code: str, *, secret: str | None = None) -> bool:
    """A current code (one step of drift allowed), each accepted at most once."""
    secret = secret or moderator.totp_secret
    code = "".join(code.split())
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        step = totp.timecode(moment)
        if hmac.compare_digest(totp.at(moment), code):
            if moderator.totp_last_step is not None and step <= moderator.totp_last_step:
                return False  # already used
            moderator.totp_last_step = step
            db.session.flush()
            return True
    return False


def confirm_two_factor(moderator: Moderator, secret: str, code: str) -> list[str] | None:
    """Turn two-factor on with the pending secret if the code is right; return
    the new recovery codes."""
    if not check_totp(moderator, code, secret=secret):
        return None
    moderator.totp_secret = secret
    moderator.totp_confirmed_at = utcnow()
    record(moderator, AuditAction.TWO_FACTOR_ENABLED)
    return _replace_recovery_codes(moderator)


def new_recovery_codes(moderator: Moderator) -> list[str]:
    """The moderator's request for fresh recovery codes (the old ones stop working)."""
    record(moderator, AuditAction.RECOVERY_CODES_RENEWED)
    return _replace_recovery_codes(moderator)


def _replace_recovery_codes(moderator: Moderator) -> list[str]:
    """Replace the recovery codes; the plain codes are shown once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.moderator_id == moderator.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(moderator_id=moderator.id, code_hash=hash_secret(code)))
    db.session.flush()
    return codes


def verify_second_factor(moderator: Moderator, code: str) -> str | None:
    """Sign-in's second step: a code from the app, or else one of the recovery codes.

    Returns which factor it was ("totp" or "recovery code") and marks the
    moderator signed in, or None for a wrong code. Failed attempts count
    against the account like wrong passwords; past the limit this raises
    TooManyAttempts without looking at the code.
    """
    if throttle.is_throttled(moderator.email):
        raise TooManyAttempts(throttled_message())
    code = code.strip()
    if check_totp(moderator, code):
        factor = "totp"
    elif len(code) > 8 and _use_recovery_code(moderator, code):
        factor = "recovery code"
        record(moderator, AuditAction.RECOVERY_CODE_USED)
    else:
        throttle.count_failure(moderator.email)
        return None
    mark_signed_in(moderator)
    db.session.flush()
    return factor


def _use_recovery_code(moderator: Moderator, code: str) -> bool:
    wanted = hash_secret(code.strip().lower())
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.moderator_id == moderator.id,
            RecoveryCode.code_hash == wanted,
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    db.session.flush()
    return True


def remaining_recovery_codes(moderator: Moderator) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.moderator_id == moderator.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def reset_two_factor(moderator: Moderator, actor: Moderator | None) -> None:
    """An admin's reset (or one on the command line: actor None): the moderator
    sets two-factor up again at the next sign-in."""
    _refuse_own_account(moderator, actor)
    record(actor, AuditAction.RESET_TWO_FACTOR, note=_note(moderator, actor))
    moderator.totp_secret = None
    moderator.totp_confirmed_at = None
    moderator.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.moderator_id == moderator.id))
    moderator.end_sessions()
    db.session.flush()
