"""Every documented switch (README, "Configuration" and "Hardening"): the site starts,
shows its pages and lets a moderator sign in, with and without two-factor."""

import subprocess
import sys
import textwrap

import pyotp
import pytest

from campaign.accounts.services import new_totp_secret
from campaign.extensions import db
from campaign.models._types import utcnow
from tests.factories import PASSWORD, make_moderator

HOST = "stories.example.org"

# One entry per documented on/off switch (and its other value where it has two).
SETTINGS = {
    "rate limits off": {"RATELIMIT_ENABLED": False},
    "rate limits on": {"RATELIMIT_ENABLED": True},
    "page cache off": {"PAGE_CACHE_ENABLED": False},
    "page cache on": {"PAGE_CACHE_ENABLED": True},
    "secure cookies": {"SECURE_COOKIES": True},
    "plain-http cookies in production": {"CAMPAIGN_ENV": "production", "SECURE_COOKIES": False},
    "production defaults": {"CAMPAIGN_ENV": "production"},
    "https redirect behind a proxy": {
        "CAMPAIGN_ENV": "production",
        "REDIRECT_TO_HTTPS": True,
        "PROXY_FIX_X_FOR": 1,
        "PROXY_FIX_X_PROTO": 1,
    },
    "json logs": {"LOG_FORMAT": "json"},
    "text logs": {"LOG_FORMAT": "text"},
    "no mail server": {"MAIL_SERVER": None},
    "trusted hosts": {"TRUSTED_HOSTS": [HOST]},
    "no HSTS": {"HSTS_SECONDS": 0, "HSTS_INCLUDE_SUBDOMAINS": False},
    "everything off": {
        "RATELIMIT_ENABLED": False,
        "PAGE_CACHE_ENABLED": False,
        "SECURE_COOKIES": False,
        "LOG_FORMAT": "text",
    },
}


@pytest.fixture(params=list(SETTINGS.values()), ids=list(SETTINGS))
def config_overrides(request):
    # SERVER_NAME pins one host; the requests below name theirs, as behind a proxy.
    return {"SERVER_NAME": None, "PROPAGATE_EXCEPTIONS": False, **request.param}


def visit(client, method: str, path: str, **kwargs):
    """A request as it arrives through a TLS-terminating proxy."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    return client.open(path, method=method, base_url=f"https://{HOST}", headers=headers, **kwargs)


@pytest.mark.parametrize("two_factor", [False, True], ids=["password", "two-factor"])
def test_every_documented_setting_serves_the_pages_and_signs_a_moderator_in(app, two_factor):
    moderator = make_moderator()
    if two_factor:
        secret = new_totp_secret()
        moderator.totp_secret, moderator.totp_confirmed_at = secret, utcnow()
        db.session.commit()
    client = app.test_client()

    for path in ("/", "/share", "/login"):
        assert visit(client, "GET", path).status_code == 200, path
    signed = visit(client, "POST", "/login", data={"email": moderator.email, "password": PASSWORD})
    assert signed.status_code == 303
    if two_factor:
        assert signed.headers["Location"] == "/login/two-factor"
        code = pyotp.TOTP(secret).now()
        signed = visit(client, "POST", "/login/two-factor", data={"code": code})
        assert signed.status_code == 303
    assert visit(client, "GET", "/moderate").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}], ids=["off"])
def test_with_rate_limits_off_failed_sign_ins_never_pause_the_account(app):
    moderator = make_moderator()
    client = app.test_client()
    for _attempt in range(8):  # past LOGIN_LIMIT_PER_ACCOUNT (5)
        wrong = visit(client, "POST", "/login", data={"email": moderator.email, "password": "no"})
        assert "Too many failed attempts" not in wrong.get_data(as_text=True)
    signed = visit(client, "POST", "/login", data={"email": moderator.email, "password": PASSWORD})
    assert signed.status_code == 303


def test_a_fresh_server_with_rate_limits_off_signs_a_moderator_in(tmp_path):
    """In its own process, as gunicorn starts it: the rate limiter was never set up there."""
    script = textwrap.dedent(
        f"""
        from campaign import create_app
        from campaign.extensions import db
        from tests.factories import PASSWORD, make_moderator
        from tests.helpers import app_config

        app = create_app(
            app_config("sqlite:///{tmp_path / "fresh.sqlite3"}", RATELIMIT_ENABLED=False,
                       PROPAGATE_EXCEPTIONS=False),
            instance_path="{tmp_path}",
        )
        with app.app_context():
            db.create_all()
            moderator = make_moderator()
            response = app.test_client().post(
                "/login", data={{"email": moderator.email, "password": PASSWORD}}
            )
            print(response.status_code)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "303", result.stderr[-2000:]
