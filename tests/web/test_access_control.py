"""Access control from the URL map: every route classified, tried by every role.

Also: state changes only by POST with a CSRF token, and GET changes nothing.
"""

import re

import pytest
from flask import Flask
from sqlalchemy import select

from campaign.extensions import db as _db
from campaign.models import StoryStatus
from campaign.web.access import Access, classify
from tests.factories import PASSWORD, make_moderator, make_story

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app: Flask):
    for rule in app.url_map.iter_rules():
        yield rule, classify(rule.endpoint, rule.rule)


def test_every_route_is_classified(app):
    missing = [f"{rule.rule} ({rule.endpoint})" for rule, access in routes(app) if access is None]
    assert not missing, f"classify these in campaign/access.py: {missing}"


def test_an_unclassified_route_is_refused(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403


@pytest.fixture
def world(db):
    """One story of each kind and the people who may act on them."""
    pending = make_story()
    published = make_story(StoryStatus.PUBLISHED)
    moderator = make_moderator()
    admin = make_moderator(admin=True)
    translator = make_moderator(can_moderate=False, reads="fr ar")
    # Plain values only, and no transaction left open in the test's own session:
    # on SQLite an open write transaction would block every request.
    world = {
        "pending_id": pending.id,
        "token": pending.token,
        "slug": published.slug,
        "moderator": moderator.email,
        "admin": admin.email,
        "translator": translator.email,
    }
    _db.session.remove()
    return world


def url_for_rule(rule, world) -> str:
    values = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = world["token"]
        elif name == "slug":
            values[name] = world["slug"]
        elif name.endswith("_id") or name == "id":
            values[name] = world["pending_id"]
        elif name == "filename":
            values[name] = "css/site.css"
        else:
            values[name] = "x"
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def sign_in(app, email):
    client = app.test_client()
    if email is not None:
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303
        # Requests share the test's app context (and so its session): end the
        # transaction the sign-in left open.
        _db.session.remove()
    return client


def is_login_redirect(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")


def everything(app, world):
    for rule, access in routes(app):
        path = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, access, method, path


# Public steps of signing in that send anyone without a sign-in in progress back to /login.
SIGN_IN_STEPS = {"accounts.two_factor"}


ROLES = ["anonymous", "translator", "moderator", "admin"]


def allowed(access: Access, role: str) -> bool:
    """Who may reach a signed-in class: any account the translation desk and its own
    account pages; moderators (not a translator-only account) the desk; admins all."""
    if access is Access.TRANSLATOR:
        return True
    if access is Access.MODERATOR:
        return role in ("moderator", "admin")
    return role == "admin"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role_as_classified(app, world, role):
    tried = 0
    for rule, access, method, path in everything(app, world):
        if rule.endpoint == "accounts.logout":
            continue  # tried last below: it ends the session
        client = sign_in(app, None if role == "anonymous" else world[role])
        response = client.open(path, method=method, data={})
        response.close()
        _db.session.remove()
        where = f"{role} {method} {path} ({access})"
        tried += 1
        if rule.endpoint in SIGN_IN_STEPS:
            # Open to all, but only meaningful after a password was accepted.
            assert is_login_redirect(response), where
        elif access in (Access.PUBLIC, Access.TOKEN):
            assert response.status_code not in (401, 403), where
            assert not is_login_redirect(response), where
        elif role == "anonymous":
            assert is_login_redirect(response), where
        elif allowed(access, role):
            assert response.status_code not in (401, 403) and not is_login_redirect(response), where
        else:  # an admin route and a moderator; the desk or an admin route and a translator
            assert response.status_code == 403, where
    assert tried >= 8
    client = sign_in(app, None if role == "anonymous" else world[role])
    response = client.post("/logout")
    assert is_login_redirect(response)


def test_a_translator_only_account_reaches_the_translation_desk_and_its_account_only(app, world):
    client = sign_in(app, world["translator"])
    assert client.get("/translate").status_code == 200
    assert client.get("/account").status_code == 200
    refused = 0
    for rule, access, method, path in everything(app, world):
        if rule.endpoint.partition(".")[0] not in ("moderation", "admin"):
            continue
        response = client.open(path, method=method, data={})
        _db.session.remove()
        assert access in (Access.MODERATOR, Access.ADMIN), rule.endpoint
        assert response.status_code == 403, f"{method} {path}"
        refused += 1
    assert refused >= 30


def test_a_translator_only_account_signs_in_to_the_translation_desk(app, world):
    response = app.test_client().post(
        "/login", data={"email": world["translator"], "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/translate")


def test_admin_routes_refuse_moderators_and_welcome_admins(app, world, caplog, add_route):
    def admin_test():
        return "admin page"

    add_route(app, "/admin-test", admin_test, access=Access.ADMIN)
    assert is_login_redirect(sign_in(app, None).get("/admin-test"))
    assert sign_in(app, world["moderator"]).get("/admin-test").status_code == 403
    assert any(r.getMessage() == "access.denied" for r in caplog.records)
    assert sign_in(app, world["admin"]).get("/admin-test").status_code == 200


# Bookkeeping a GET may do: the desk notes who has a story open (so a second
# moderator is warned), and the two-factor set-up page makes a secret that does
# nothing until it is confirmed by a POST; downloads of exports are recorded
# in the audit log, for accountability.
GET_BOOKKEEPING_TABLES = {"story_viewing"}
GET_BOOKKEEPING_ENDPOINTS = {
    "accounts.two_factor_setup",
    "admin.export_csv",
    "admin.export_json",
    "moderation.log_csv",
}


def snapshot() -> dict:
    """Every row of every table, to prove a request changed nothing."""
    _db.session.expire_all()
    tables = {}
    with _db.engine.connect() as connection:
        for table in _db.metadata.sorted_tables:
            if table.name in GET_BOOKKEEPING_TABLES:
                continue
            rows = connection.execute(select(table)).all()
            tables[table.name] = sorted(map(repr, rows))
    return tables


@pytest.mark.parametrize("role", ROLES)
def test_get_requests_change_nothing_in_the_database(app, world, role):
    client = sign_in(app, None if role == "anonymous" else world[role])
    before = snapshot()
    for rule, _access, method, path in everything(app, world):
        if method == "GET" and rule.endpoint not in GET_BOOKKEEPING_ENDPOINTS:
            client.get(path).close()
            _db.session.remove()
    assert snapshot() == before


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("role", ["anonymous", "moderator"])
def test_state_changing_requests_without_csrf_token_are_refused(app, world, role):
    client = app.test_client()
    if role == "moderator":
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        response = client.post(
            "/login",
            data={"email": world["moderator"], "password": PASSWORD, "csrf_token": token[1]},
        )
        assert response.status_code == 303
        _db.session.remove()
    before = snapshot()
    tried = 0
    for _rule, _access, method, path in everything(app, world):
        if method in STATE_CHANGING:
            response = client.open(path, method=method, data={"decision": "approve"})
            _db.session.remove()
            assert response.status_code == 400, f"{method} {path}"
            tried += 1
    assert tried >= 3
    assert snapshot() == before
    pending = _db.session.scalar(
        select(_db.metadata.tables["story"].c.status).where(
            _db.metadata.tables["story"].c.id == world["pending_id"]
        )
    )
    _db.session.remove()
    assert pending == StoryStatus.PENDING.value


# Answers that shared caches may keep, by design: public pages (publishing.pagecache
# public_page), their static files and photo renditions. Everything else is no-store.
# Share cards and the link images of pages: images, the same for every visitor.
CARD_IMAGES = {
    "cards.story_card", "cards.home", "cards.stories", "cards.from_country",
    "cards.in_country", "cards.by_theme", "cards.in_language", "cards.journeys",
    "cards.about", "cards.share", "cards.site",
}  # fmt: skip
PUBLIC_BY_DESIGN = {
    "gallery.home",
    "gallery.stories",
    "gallery.from_country",
    "gallery.in_country",
    "gallery.by_theme",
    "gallery.in_language",
    "gallery.story",
    "journeys.journeys",
    "embeds.stories",
    "embeds.story",
    "embeds.builder",
    "embeds.oembed",
    "feeds.newest",
    "feeds.origin",
    "feeds.residence",
    "feeds.theme",
    "api.stories",
    "api.story",
    "api.countries",
    "api.themes",
    "api.stats",
    "api.openapi",
    "gallery.sitemap_index",
    "gallery.sitemap_file",
    "gallery.robots",
    "gallery.about",
    "gallery.identity_css",
    "gallery.mark",
    "gallery.favicon",
    "gallery.manifest",
    "static",
    "media.file",
    *CARD_IMAGES,
}
# Kept the same for everyone, signed in or not: no page around them.
SAME_FOR_EVERYONE = {"static", "media.file", *CARD_IMAGES}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("role", ["anonymous", "moderator", "admin"])
def test_every_page_that_is_not_public_by_design_is_no_store(app, world, role):
    """Walks every GET route of the URL map: a page shared caches may keep is one of
    PUBLIC_BY_DESIGN; every other answer (desk, admin, sign-in, share form, errors,
    redirects) says no-store, and a signed-in moderator's copy of a public page is
    private and no-store."""
    client = sign_in(app, None if role == "anonymous" else world[role])
    seen = set()
    for rule, _access, method, path in everything(app, world):
        if method != "GET" or rule.endpoint == "accounts.logout":
            continue
        response = client.get(path)
        response.close()
        _db.session.remove()
        where = f"{role} GET {path} ({rule.endpoint}, {response.status_code})"
        directives = cache_control(response)
        public_answer = rule.endpoint in PUBLIC_BY_DESIGN and response.status_code in (200, 304)
        if public_answer and (role == "anonymous" or rule.endpoint in SAME_FOR_EVERYONE):
            assert "public" in directives and "no-store" not in directives, where
        elif public_answer:
            assert {"private", "no-store"} <= directives, where
        else:
            assert "no-store" in directives and "public" not in directives, where
        seen.add(rule.endpoint)
    assert {"moderation.queue", "moderation.log", "accounts.login", "submissions.share"} <= seen
    assert any(endpoint.startswith("admin.") for endpoint in seen)
