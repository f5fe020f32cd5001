"""Moderator accounts: passwords, throttling, sessions, two-factor, invitations."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from campaign import create_app
from campaign.accounts.services import (
    TooManyAttempts,
    common_passwords,
    password_problem,
    reactivate,
    verify_second_factor,
)
from campaign.audit import AuditAction
from campaign.extensions import db as _db
from campaign.models import AuditEntry, Invitation, Moderator, RecoveryCode, StoryStatus
from campaign.models._types import utcnow
from tests.factories import PASSWORD, make_moderator, make_story
from tests.helpers import TEST_PASSWORD_HASH, app_config

THROTTLED = "Too many failed attempts to sign in"
GENERIC_ERROR = "That email and password do not match an account."


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


# Passwords ---------------------------------------------------------------------


def test_passwords_are_hashed_with_scrypt_and_other_hashes_still_sign_in(tmp_path):
    """Production hashes with scrypt (the tests use a cheap hash: tests/helpers.py).

    A hash names its method, so a password hashed under another setting still works.
    """
    config = app_config(f"sqlite:///{tmp_path / 'accounts.sqlite3'}")
    del config["PASSWORD_HASH_METHOD"]  # the default, as in production
    app = create_app(config, instance_path=str(tmp_path))
    with app.app_context():
        _db.create_all()
        default = app.config["PASSWORD_HASH_METHOD"]
        hashed_now = make_moderator()
        app.config["PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH
        hashed_before = make_moderator()
        app.config["PASSWORD_HASH_METHOD"] = default
        assert hashed_now.password_hash.startswith("scrypt:")
        assert hashed_before.password_hash.startswith("pbkdf2:")
        for moderator in (hashed_now, hashed_before):
            assert sign_in(app.test_client(), moderator.email).status_code == 303
            assert (
                sign_in(app.test_client(), moderator.email, "a wrong password!").status_code == 200
            )
        _db.session.remove()
        _db.engine.dispose()


def test_shipped_common_password_list_is_large_and_real():
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= passwords


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass", False),
        ("123456654321", False),  # on the common list
        ("QwertyQwerty", False),  # on the common list, any case
        ("correct horse battery staple", True),
        ("aaaaaaaaaaaab", True),  # no composition rules
    ],
)
def test_password_rules_are_length_and_common_list_only(app, password, accepted):
    with app.test_request_context():
        assert (password_problem(password) is None) is accepted


def test_changing_password_needs_the_current_one(signed_in, moderator, db):
    response = signed_in.post(
        "/account",
        data={
            "current": "not my password!",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert "That is not your current password." in response.get_data(as_text=True)
    db.session.refresh(moderator)
    assert moderator.check_password(PASSWORD)


def test_changing_password_refuses_a_common_one_and_keeps_what_was_typed(signed_in):
    response = signed_in.post(
        "/account",
        data={"current": PASSWORD, "password": "qwerty123456", "confirm": "qwerty123456"},
    )
    page = response.get_data(as_text=True)
    assert "list of common passwords" in page
    assert 'aria-describedby="password-hint password-error"' in page


def test_changing_password_signs_out_other_sessions_but_not_this_one(app, signed_in, moderator, db):
    other = app.test_client()
    sign_in(other, moderator.email)
    assert other.get("/moderate").status_code == 200
    response = signed_in.post(
        "/account",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 303
    assert signed_in.get("/moderate").status_code == 200
    assert other.get("/moderate").status_code == 302
    assert sign_in(app.test_client(), moderator.email, "a brand new passphrase").status_code == 303


# Throttling --------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}])
def test_failed_sign_ins_pause_the_account_even_with_the_right_password(client, moderator):
    for _ in range(3):
        assert GENERIC_ERROR in sign_in(client, moderator.email, "wrong password!").get_data(
            as_text=True
        )
    response = sign_in(client, moderator.email)
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert client.get("/moderate").status_code == 302


@pytest.mark.parametrize("config_overrides", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}])
def test_throttling_does_not_tell_which_accounts_exist(client, moderator):
    for email in (moderator.email, "nobody@example.org"):
        for _ in range(3):
            sign_in(client, email, "wrong password!")
    known = sign_in(client, moderator.email, "wrong password!")
    unknown = sign_in(client, "nobody@example.org", "wrong password!")
    assert known.status_code == unknown.status_code == 429
    assert THROTTLED in known.get_data(as_text=True)
    assert THROTTLED in unknown.get_data(as_text=True)


@pytest.mark.parametrize(
    "config_overrides",
    [{"LOGIN_LIMIT_PER_ADDRESS": "4 per 15 minutes", "LOGIN_LIMIT_PER_ACCOUNT": "50 per hour"}],
)
def test_failed_sign_ins_pause_the_address_across_accounts(client, moderator):
    for number in range(4):
        sign_in(client, f"guess{number}@example.org", "wrong password!")
    response = sign_in(client, moderator.email)
    assert response.status_code == 429
    # Another address is not affected.
    other = client.post(
        "/login",
        data={"email": moderator.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 303


# Sessions ----------------------------------------------------------------------


def test_sign_in_starts_a_fresh_session_and_sets_no_remember_cookie(client, moderator):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = sign_in(client, moderator.email)
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_deactivation_by_an_admin_ends_open_sessions_at_once(
    signed_in, admin_client, moderator, db
):
    assert signed_in.get("/moderate").status_code == 200
    response = admin_client.post(f"/moderate/admin/moderators/{moderator.id}/deactivate")
    assert response.status_code == 303
    assert signed_in.get("/moderate").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "deactivate_moderator"))
    assert entry.note == moderator.email
    # Reactivating does not bring the old session back.
    admin_client.post(f"/moderate/admin/moderators/{moderator.id}/reactivate")
    assert signed_in.get("/moderate").status_code == 302


@pytest.mark.parametrize("config_overrides", [{"MODERATOR_IDLE_TIMEOUT_MINUTES": 30}])
def test_idle_session_ends_after_the_configured_time(signed_in):
    with signed_in.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    assert signed_in.get("/moderate").status_code == 302


@pytest.mark.parametrize("config_overrides", [{"MODERATOR_SESSION_MAX_HOURS": 12}])
def test_session_ends_after_its_absolute_lifetime_even_when_active(signed_in):
    with signed_in.session_transaction() as session:
        session["signed_in_at"] = time.time() - 12 * 3600 - 60
    assert signed_in.get("/moderate").status_code == 302


def test_active_session_is_kept_alive_by_use(signed_in):
    with signed_in.session_transaction() as session:
        session["last_seen"] = time.time() - 20 * 60
    assert signed_in.get("/moderate").status_code == 200
    assert signed_in.get("/moderate").status_code == 200


def test_a_pages_parallel_requests_do_not_send_the_session_back(signed_in):
    """Within a minute of the last write, a request leaves the session cookie alone: the
    mark or a stylesheet answering last cannot overwrite what the page just stored (the
    two-factor secret of the setup page, which the next POST needs)."""
    signed_in.get("/account/two-factor")
    assert "Set-Cookie" not in signed_in.get("/mark.svg").headers
    with signed_in.session_transaction() as session:
        session["last_seen"] = time.time() - 61
    assert "Set-Cookie" in signed_in.get("/mark.svg").headers  # seen again: written


# Two-factor --------------------------------------------------------------------


def set_up_two_factor(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    page = client.get("/account/two-factor").get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", page)
    return secret, codes


def test_two_factor_sign_in_needs_the_current_code(app, signed_in, moderator, db):
    secret, codes = set_up_two_factor(signed_in)
    assert len(codes) == 10
    # Shown once only.
    assert not re.findall(
        r"<li><code>", signed_in.get("/account/two-factor").get_data(as_text=True)
    )
    client = app.test_client()
    response = sign_in(client, moderator.email)
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/moderate").status_code == 302  # the password alone is not enough
    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    db.session.refresh(moderator)
    moderator.totp_last_step = None  # the setup used the current step; allow it once more
    db.session.commit()
    response = client.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    assert client.get("/moderate").status_code == 200


def test_a_totp_code_cannot_be_used_twice(app, signed_in, moderator):
    secret, _codes = set_up_two_factor(signed_in)
    client = app.test_client()
    sign_in(client, moderator.email)
    # The setup already used the code of this time step.
    response = client.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert client.get("/moderate").status_code == 302


def test_recovery_code_works_once(app, signed_in, moderator, db):
    _secret, codes = set_up_two_factor(signed_in)
    first = app.test_client()
    sign_in(first, moderator.email)
    response = first.post("/login/two-factor", data={"code": codes[0]})
    assert response.status_code == 303
    assert first.get("/moderate").status_code == 200
    again = app.test_client()
    sign_in(again, moderator.email)
    refused = again.post("/login/two-factor", data={"code": codes[0]})
    assert "That code is not right" in refused.get_data(as_text=True)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert codes[1] not in stored and len(stored) == 10  # kept as hashes only


@pytest.mark.parametrize("config_overrides", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}])
def test_the_second_factor_service_pauses_the_account_itself(app, signed_in, moderator, db):
    """Throttling lives in verify_second_factor, not in the view: any caller gets it."""
    _secret, codes = set_up_two_factor(signed_in)
    with app.test_request_context():
        for _ in range(3):
            assert verify_second_factor(moderator, "000000") is None
        with pytest.raises(TooManyAttempts):
            verify_second_factor(moderator, codes[0])  # a right code, but too late
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
        )
        == 0
    )


def test_signing_in_with_a_recovery_code_is_in_the_audit_log(
    app, db, signed_in, moderator, admin_client
):
    _secret, codes = set_up_two_factor(signed_in)
    client = app.test_client()
    sign_in(client, moderator.email)
    assert client.post("/login/two-factor", data={"code": codes[0]}).status_code == 303
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.RECOVERY_CODE_USED)
    )
    assert entry.actor_id == moderator.id
    page = admin_client.get("/moderate/log").get_data(as_text=True)
    assert "Signed in with a recovery code" in page
    assert "Two-factor sign-in turned on" in page


def test_admin_can_require_two_factor_for_everyone(app, signed_in, admin_client, moderator):
    response = admin_client.post(
        "/moderate/admin/settings", data={"require_two_factor": "y", "watch_words": "passport"}
    )
    assert response.status_code == 303
    response = signed_in.get("/moderate")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    set_up_two_factor(signed_in)
    assert signed_in.get("/moderate").status_code == 200


def test_admin_resets_two_factor_and_the_moderator_sets_it_up_again(
    app, signed_in, admin_client, moderator, db
):
    set_up_two_factor(signed_in)
    response = admin_client.post(f"/moderate/admin/moderators/{moderator.id}/reset-two-factor")
    assert response.status_code == 303
    db.session.expire_all()
    refreshed = db.session.get(Moderator, moderator.id)
    assert not refreshed.has_two_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert signed_in.get("/moderate").status_code == 302  # the session ended
    client = app.test_client()
    assert sign_in(client, moderator.email).headers["Location"] == "/moderate"


def test_two_factor_step_is_throttled(app, signed_in, moderator):
    set_up_two_factor(signed_in)
    client = app.test_client()
    sign_in(client, moderator.email)
    for _ in range(5):
        client.post("/login/two-factor", data={"code": "123456"})
    response = client.post("/login/two-factor", data={"code": "123456"})
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)


# Invitations -------------------------------------------------------------------


def invite(admin_client, email="new@example.org", admin=False):
    data = {"email": email}
    if admin:
        data["admin"] = "y"
    page = admin_client.post("/moderate/admin/moderators", data=data).get_data(as_text=True)
    return re.search(r"http://localhost(/invitations/[\w-]+)", page).group(1)


def test_invited_moderator_sets_a_password_and_is_signed_in(app, admin_client, db):
    link = invite(admin_client)
    client = app.test_client()
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert "list of common passwords" in weak.get_data(as_text=True)
    response = client.post(
        link, data={"password": "my own long passphrase", "confirm": "my own long passphrase"}
    )
    assert response.status_code == 303
    assert client.get("/moderate").status_code == 200
    moderator = db.session.scalar(select(Moderator).where(Moderator.email == "new@example.org"))
    assert moderator is not None and not moderator.is_admin
    # One time only.
    assert app.test_client().get(link).status_code == 404
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "invite" in actions and "invitation_accepted" in actions


def test_expired_invitation_is_refused(app, admin_client, db):
    link = invite(admin_client)
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = app.test_client().post(
        link, data={"password": "my own long passphrase", "confirm": "my own long passphrase"}
    )
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)


ACCEPT = {"password": "my own long passphrase", "confirm": "my own long passphrase"}


def invitation_row(db, email="new@example.org") -> Invitation:
    db.session.expire_all()
    return db.session.scalar(select(Invitation).where(Invitation.email == email))


def test_admins_see_who_invited_whom_until_when_and_revoke_an_invitation(
    app, admin, admin_client, db
):
    link = invite(admin_client, "new@example.org", admin=True)
    page = admin_client.get("/moderate/admin/moderators").get_data(as_text=True)
    listed = page.split("Open invitations")[1]
    assert "new@example.org" in listed and admin.email in listed  # who invited whom
    assert "Expires" in listed and "Sent" in listed
    invitation = invitation_row(db)
    revoke = f"/moderate/admin/invitations/{invitation.id}/revoke"
    assert f'action="{revoke}"' in page and 'name="csrf_token"' in page.split(revoke)[1][:200]
    assert admin_client.get(revoke).status_code == 405  # a POST only

    revoked = admin_client.post(revoke)
    assert revoked.status_code == 303
    listing = admin_client.get("/moderate/admin/moderators").get_data(as_text=True)
    assert "The invitation to new@example.org is revoked." in listing
    assert "Open invitations" not in listing
    refused = app.test_client().post(link, data=ACCEPT)
    assert refused.status_code == 404
    assert "An admin revoked it." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Moderator)) == 1  # the admin
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitation_revoked")
    )
    assert entry.actor_id == admin.id and entry.note == "new@example.org"
    again = admin_client.post(revoke, follow_redirects=True)
    assert "This invitation is no longer open." in again.get_data(as_text=True)


@pytest.mark.parametrize("by", ["admin page", "command line"])
def test_deactivating_an_admin_revokes_the_invitations_they_sent(app, admin, db, by):
    departing = make_moderator("departing@example.org", admin=True)
    departing_client = app.test_client()
    sign_in(departing_client, departing.email)
    link = invite(departing_client, "friend@example.org", admin=True)
    if by == "admin page":
        admin_client = app.test_client()
        sign_in(admin_client, admin.email)
        admin_client.post(f"/moderate/admin/moderators/{departing.id}/deactivate")
    else:
        result = app.test_cli_runner().invoke(args=["moderators", "deactivate", departing.email])
        assert result.exit_code == 0, result.output

    refused = app.test_client().post(link, data=ACCEPT)
    assert refused.status_code == 404
    assert "An admin revoked it." in refused.get_data(as_text=True)
    assert invitation_row(db, "friend@example.org").revoked_at is not None
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitation_revoked")
    )
    assert "friend@example.org" in entry.note and "departing@example.org" in entry.note
    # Reactivating the admin does not bring the invitation back.
    reactivate(db.session.get(Moderator, departing.id), None)
    db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_an_invitation_whose_sender_is_no_longer_an_active_admin_is_refused(
    app, admin, admin_client, db
):
    """Invitations left open before revocation existed: the sender is checked at acceptance."""
    link = invite(admin_client)
    db.session.get(Moderator, admin.id).active = False  # not through deactivate()
    db.session.commit()
    refused = app.test_client().post(link, data=ACCEPT)
    assert refused.status_code == 404
    assert "The admin who sent it can no longer invite anyone." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Moderator).where(Moderator.email == "new@example.org")) is None


def test_invitation_email_is_sent_with_the_link(app, admin_client, mail_sent):
    link = invite(admin_client, "mail@example.org")
    [message] = mail_sent
    assert message["To"] == "mail@example.org"
    text = message.get_content()
    assert link in text and "expires in 72 hours" in text


def test_cannot_invite_an_existing_account(admin_client, moderator):
    page = admin_client.post("/moderate/admin/moderators", data={"email": moderator.email})
    assert "There is already an account with this email." in page.get_data(as_text=True)


def test_moderators_cannot_manage_accounts(signed_in, admin):
    assert signed_in.get("/moderate/admin/moderators").status_code == 403
    assert signed_in.post(f"/moderate/admin/moderators/{admin.id}/deactivate").status_code == 403


def test_deactivated_account_cannot_use_a_valid_two_factor_step(app, signed_in, moderator, db):
    set_up_two_factor(signed_in)
    client = app.test_client()
    sign_in(client, moderator.email)
    make_moderator()  # unrelated account
    moderator_row = db.session.get(Moderator, moderator.id)
    moderator_row.active = False
    db.session.commit()
    response = client.post("/login/two-factor", data={"code": "123456"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"


def test_a_copied_session_cookie_stops_working_after_sign_out(app, signed_in):
    cookie = signed_in.get_cookie("session").value
    assert signed_in.post("/logout").status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/moderate").status_code == 302


@pytest.mark.parametrize(
    "status",
    list(StoryStatus),
)
def test_review_page_works_for_every_status(signed_in, status):
    story = make_story(status)
    page = signed_in.get(f"/moderate/stories/{story.id}")
    assert page.status_code == 200
    assert story.title in page.get_data(as_text=True)


def test_opening_the_two_factor_page_stores_nothing_until_confirmed(signed_in, moderator, db):
    first = signed_in.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', first).group(1)
    again = signed_in.get("/account/two-factor").get_data(as_text=True)
    assert f'id="totp-secret">{secret}<' in again  # the same key while setting up
    db.session.refresh(moderator)
    assert moderator.totp_secret is None and not moderator.has_two_factor

    wrong = signed_in.post("/account/two-factor", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    db.session.refresh(moderator)
    assert moderator.totp_secret is None

    signed_in.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    db.session.refresh(moderator)
    assert moderator.totp_secret == secret and moderator.has_two_factor
