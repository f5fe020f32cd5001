"""Every moderation and admin route, tried as each kind of visitor (built from the URL map)."""

import pytest

from campaign.accounts.services import invite
from campaign.extensions import db
from campaign.models import Theme
from tests.factories import PASSWORD, make_moderator, make_story

ADMIN_ONLY = {"moderation.delete", "moderation.log_csv"}
# Account pages that need a signed-in moderator, outside /moderate.
ACCOUNT_PAGES = {
    "accounts.account",
    "accounts.two_factor_setup",
    "accounts.regenerate_recovery_codes",
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("moderation", "admin") or rule.endpoint in ACCOUNT_PAGES:
            method = "GET" if "GET" in rule.methods else "POST"
            yield rule, method


def _url(rule, ids):
    return rule.build({name: ids[name] for name in rule.arguments})[1]


@pytest.fixture
def ids(db):
    story = make_story()
    other = make_moderator()
    theme = Theme(slug="work-x", name="Work", names={}, position=1)
    db.session.add(theme)
    invitation, _token = invite(
        "invited@example.org", admin=False, invited_by=make_moderator(admin=True), valid_hours=1
    )
    db.session.commit()
    return {
        "story_id": story.id,
        "moderator_id": other.id,
        "theme_id": theme.id,
        "invitation_id": invitation.id,
    }


def _client_as(app, role):
    client = app.test_client()
    if role == "anonymous":
        return client
    account = make_moderator(admin=role == "admin")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 303
    if role == "deactivated":
        account.active = False
        db.session.commit()
    return client


@pytest.mark.parametrize("role", ["anonymous", "deactivated", "moderator", "admin"])
def test_access_matrix(app, ids, role):
    client = _client_as(app, role)
    checked = 0
    for rule, method in _routes(app):
        url = _url(rule, ids)
        response = client.open(url, method=method)
        admin_only = rule.endpoint.startswith("admin.") or rule.endpoint in ADMIN_ONLY
        where = f"{method} {url} as {role}"
        if role in ("anonymous", "deactivated"):
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/login?next="), where
        elif role == "moderator" and admin_only:
            assert response.status_code == 403, where
        elif method == "GET":
            assert response.status_code == 200, where
        else:
            # Allowed in: the request reached the view (no login redirect, no 403).
            assert response.status_code in (200, 303, 400), where
        checked += 1
    assert checked >= 20
