import logging
import time
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from campaign.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    TwoFactorForm,
    TwoFactorSetupForm,
)
from campaign.accounts.services import (
    AccountError,
    InvitationNotValid,
    TooManyAttempts,
    accept_invitation,
    authenticate,
    change_password,
    confirm_two_factor,
    new_recovery_codes,
    new_totp_secret,
    open_invitation,
    provisioning_uri,
    remaining_recovery_codes,
    two_factor_required,
    verify_second_factor,
)
from campaign.extensions import db, login_manager
from campaign.models import Moderator
from campaign.responses import private

bp = Blueprint("accounts", __name__)
# Sign-in events for the security log: moderator ids, never e-mail addresses
# (those the audit trail of an attack does not need, and logs must not hold).
log = logging.getLogger("campaign.security")

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the login page explains itself
login_manager.session_protection = "strong"

_PENDING = "two_factor_pending"
_SIGNED_IN_AT = "signed_in_at"
SEEN_EVERY_SECONDS = 60  # how often the idle timeout's "last seen" is written
_LAST_SEEN = "last_seen"
_RECOVERY_CODES = "new_recovery_codes"
# The secret being set up lives in the (signed, HttpOnly) session cookie until a
# code confirms it: the moderator sees it on the page anyway, and nothing is
# written to the account by merely opening the set-up page.
_SETUP_KEY = "two_factor_setup"
PENDING_SECONDS = 300  # time to type the second factor


def load_user_afresh():
    """Check the session against the database on every request.

    ``g`` normally lives for one request, but an app context pushed around
    several requests (tests, CLI) would otherwise keep the moderator loaded by
    an earlier request, and with it a session that has since been ended (and
    Flask-WTF's cached CSRF token of a session that sign-in replaced).
    Registered by create_app ahead of the CSRF check: a refused request's error
    page must not show the moderator of an earlier request either.
    """
    g.pop("_login_user", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop("csrf_valid", None)  # Flask-WTF's note that this request's token was checked


@login_manager.user_loader
def load_moderator(session_id: str) -> Moderator | None:
    """The moderator of this session, if it is still valid.

    The id carries the account's session generation: deactivating the account
    (or changing its password, or resetting its two-factor) raises it, which
    ends every open session at once. Sessions also end after the idle timeout
    and the absolute lifetime from the configuration.
    """
    moderator_id, _sep, generation = session_id.partition(":")
    if not moderator_id.isdigit() or not generation.isdigit():
        return None
    moderator = db.session.get(Moderator, int(moderator_id))
    if (
        moderator is None
        or not moderator.is_active
        or moderator.session_generation != int(generation)
        or _session_expired()
    ):
        session.clear()
        return None
    now = time.time()
    # Seen again: written at most once a minute, so that a page's own parallel requests
    # (its mark, its styles) do not each send the session cookie back, the last one to
    # answer overwriting what the page itself just stored (a two-factor secret, say).
    if now - session.get(_LAST_SEEN, 0) >= SEEN_EVERY_SECONDS:
        session[_LAST_SEEN] = now
    return moderator


def _session_expired() -> bool:
    config = current_app.config
    now = time.time()
    signed_in_at = session.get(_SIGNED_IN_AT, 0)
    last_seen = session.get(_LAST_SEEN, 0)
    return (
        now - signed_in_at > config["MODERATOR_SESSION_MAX_HOURS"] * 3600
        or now - last_seen > config["MODERATOR_IDLE_TIMEOUT_MINUTES"] * 60
    )


def start_session(moderator: Moderator) -> None:
    """A fresh session: nothing from before sign-in carries over; never "remember me"."""
    session.clear()
    login_user(moderator, remember=False)
    session[_SIGNED_IN_AT] = session[_LAST_SEEN] = time.time()


def desk_home(moderator: Moderator) -> str:
    """Where an account starts: the moderation queue, or the translation desk for a
    translator-only account (which may not reach the moderation desk)."""
    if moderator.can_moderate:
        return url_for("moderation.queue")
    return url_for("translating.queue")


def safe_next(target: str | None, moderator: Moderator) -> str:
    """Only paths on this site; anything else goes to the account's desk."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return desk_home(moderator)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            moderator = authenticate(form.email.data, form.password.data)
        except TooManyAttempts as error:
            log.warning("sign_in.throttled", extra={"step": "password"})
            form.password.errors.append(str(error))
            status = 429
        else:
            if moderator is None:
                log.warning("sign_in.failed", extra={"step": "password"})
                form.password.errors.append(_("That email and password do not match an account."))
            elif moderator.has_two_factor:
                session.clear()
                session[_PENDING] = {
                    "id": moderator.id,
                    "generation": moderator.session_generation,
                    "at": time.time(),
                    "next": safe_next(form.next.data, moderator),
                }
                return redirect(url_for("accounts.two_factor"), code=303)
            else:
                db.session.commit()
                start_session(moderator)
                log.info("sign_in.succeeded", extra={"moderator_id": moderator.id, "factor": None})
                if two_factor_required():
                    return redirect(url_for("accounts.two_factor_setup"), code=303)
                return redirect(safe_next(form.next.data, moderator), code=303)
    return render_template("accounts/login.html", form=form), status


def _pending_moderator() -> tuple[Moderator | None, dict]:
    pending = session.get(_PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    moderator = db.session.get(Moderator, pending["id"])
    if (
        moderator is None
        or not moderator.is_active
        or moderator.session_generation != pending["generation"]
    ):
        return None, {}
    return moderator, pending


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor():
    moderator, pending = _pending_moderator()
    if moderator is None:
        session.pop(_PENDING, None)
        flash(_("Sign in again, please."))
        return redirect(url_for("accounts.login"), code=303)
    form = TwoFactorForm()
    status = 200
    if form.validate_on_submit():
        try:
            factor = verify_second_factor(moderator, form.code.data)
        except TooManyAttempts as error:
            log.warning(
                "sign_in.throttled", extra={"step": "second factor", "moderator_id": moderator.id}
            )
            form.code.errors.append(str(error))
            status = 429
        else:
            if factor is None:
                log.warning(
                    "sign_in.failed", extra={"step": "second factor", "moderator_id": moderator.id}
                )
                form.code.errors.append(_("That code is not right. Try the newest one."))
            else:
                db.session.commit()
                start_session(moderator)
                log.info(
                    "sign_in.succeeded", extra={"moderator_id": moderator.id, "factor": factor}
                )
                if factor == "recovery code":
                    flash(
                        _(
                            "You used a recovery code. %(count)s are left.",
                            count=remaining_recovery_codes(moderator),
                        )
                    )
                return redirect(pending.get("next") or desk_home(moderator), code=303)
    return render_template("accounts/two_factor.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        # A copy of the session cookie must not work after signing out either:
        # raising the generation ends this session (and any other of this account).
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."))
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.password.data)
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            start_session(current_user._get_current_object())  # this one goes on
            flash(_("Your password is changed. Other sessions were signed out."))
            return redirect(url_for("accounts.account"), code=303)
    response = make_response(
        render_template(
            "accounts/account.html",
            form=form,
            recovery_left=remaining_recovery_codes(current_user),
        )
    )
    return private(response)


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    if current_user.has_two_factor and request.method == "GET":
        codes = session.pop(_RECOVERY_CODES, None)
        response = make_response(
            render_template(
                "accounts/two_factor_done.html",
                codes=codes,
                recovery_left=remaining_recovery_codes(current_user),
            )
        )
        return private(response)
    if current_user.has_two_factor:
        abort(409)
    form = TwoFactorSetupForm()
    secret = session.get(_SETUP_KEY)
    if form.validate_on_submit() and secret:
        codes = confirm_two_factor(current_user, secret, form.code.data)
        if codes:
            db.session.commit()
            session.pop(_SETUP_KEY, None)
            session[_RECOVERY_CODES] = codes
            return redirect(url_for("accounts.two_factor_setup"), code=303)
        form.code.errors.append(_("That code is not right. Check your device's clock and retry."))
    if not secret:
        secret = session[_SETUP_KEY] = new_totp_secret()
    response = make_response(
        render_template(
            "accounts/two_factor_setup.html",
            form=form,
            secret=secret,
            qr=_qr_data_uri(provisioning_uri(current_user, secret)),
            required=two_factor_required(),
        )
    )
    return private(response)


@bp.route("/account/recovery-codes", methods=["POST"])
@login_required
def regenerate_recovery_codes():
    if not current_user.has_two_factor or not LogoutForm().validate_on_submit():
        abort(400)
    session[_RECOVERY_CODES] = new_recovery_codes(current_user)
    db.session.commit()
    return redirect(url_for("accounts.two_factor_setup"), code=303)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str):
    try:
        invitation = open_invitation(token)
    except InvitationNotValid as why:
        response = make_response(
            render_template("accounts/invitation_invalid.html", why=str(why)), 404
        )
        return private(response)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            moderator = accept_invitation(invitation, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            start_session(moderator)
            flash(_("Welcome! Your account is ready."))
            if two_factor_required():
                return redirect(url_for("accounts.two_factor_setup"), code=303)
            return redirect(desk_home(moderator), code=303)
    response = make_response(
        render_template("accounts/accept.html", form=form, invitation=invitation)
    )
    return private(response)
