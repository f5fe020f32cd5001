"""The page cache serves public pages fast and never shows what changed since."""

import pytest
from flask import flash, request

from campaign.extensions import db as _db
from campaign.models import Story, StoryStatus
from campaign.publishing.pagecache import current_version, public_page
from tests.factories import make_story

# Both engines: the page cache's public version.
pytestmark = pytest.mark.both_databases

renders = []


@pytest.fixture
def counted_page(app, add_route):
    """A public page that counts how often it is really rendered."""

    @public_page
    def titles():
        renders.append(1)
        return " | ".join(_db.session.scalars(Story.published().with_only_columns(Story.title)))

    def flashing():
        flash("Saved")
        return "ok"

    add_route(app, "/test-titles", titles)
    add_route(app, "/test-flash", flashing)
    renders.clear()
    return "/test-titles"


def test_second_visit_is_served_from_cache(client, counted_page):
    make_story(StoryStatus.PUBLISHED, title="First")
    assert client.get(counted_page).get_data(as_text=True) == "First"
    assert client.get(counted_page).get_data(as_text=True) == "First"
    assert len(renders) == 1


@pytest.mark.parametrize(
    "change",
    ["publish", "withdraw", "unpublish", "edit_published", "hide"],
)
def test_public_change_shows_at_once(client, counted_page, db, change):
    published = make_story(StoryStatus.PUBLISHED, title="Shown")
    pending = make_story(title="Waiting")
    client.get(counted_page)
    if change == "publish":
        pending.move_to(StoryStatus.PUBLISHED)
    elif change == "withdraw":
        published.move_to(StoryStatus.WITHDRAWN)
    elif change == "unpublish":
        published.move_to(StoryStatus.REJECTED)
    elif change == "edit_published":
        published.title = "Shown, corrected"
    else:
        published.hidden = True
    db.session.commit()
    expected = {
        "publish": "Shown | Waiting",
        "withdraw": "",
        "unpublish": "",
        "edit_published": "Shown, corrected",
        "hide": "",
    }[change]
    body = client.get(counted_page).get_data(as_text=True)
    assert " | ".join(sorted(body.split(" | "))) == expected


def test_deleting_a_published_story_changes_the_version(db):
    story = make_story(StoryStatus.PUBLISHED)
    before = current_version()
    db.session.delete(story)
    db.session.commit()
    assert current_version() > before


def test_new_pending_story_does_not_empty_the_cache(client, counted_page):
    make_story(StoryStatus.PUBLISHED, title="Shown")
    client.get(counted_page)
    make_story(title="Pending only")
    client.get(counted_page)
    assert len(renders) == 1


def test_cached_page_has_etag_and_answers_304(client, counted_page):
    make_story(StoryStatus.PUBLISHED, title="Tagged")
    first = client.get(counted_page)
    assert first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=60" in first.headers["Cache-Control"]
    again = client.get(counted_page, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_signed_in_moderators_bypass_the_cache(counted_page, signed_in):
    signed_in.get(counted_page)
    signed_in.get(counted_page)
    assert len(renders) == 2


def test_page_with_a_flash_message_waiting_is_not_cached(app, counted_page):
    visitor = app.test_client()
    visitor.get("/test-flash")
    visitor.get(counted_page)
    visitor.get(counted_page)
    assert len(renders) == 2  # the message is still waiting to be shown: never cached


def test_repeat_visit_keeps_every_header_and_never_leaks_the_internal_mark(client, counted_page):
    make_story(StoryStatus.PUBLISHED, title="Headers")
    first = client.get(counted_page)
    second = client.get(counted_page)
    assert len(renders) == 1
    for response in (first, second):
        assert "X-Campaign-Public-Page" not in response.headers
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.get_data(as_text=True) == "Headers"


def test_head_request_from_cache_has_no_body(client, counted_page):
    make_story(StoryStatus.PUBLISHED, title="Head")
    client.get(counted_page)
    response = client.head(counted_page)
    assert response.status_code == 200 and response.data == b""


def test_gallery_pages_are_cached_and_show_a_withdrawal_at_once(client, db):
    story = make_story(StoryStatus.PUBLISHED, title="Soon withdrawn")
    assert "Soon withdrawn" in client.get("/stories").get_data(as_text=True)
    assert client.get(f"/stories/{story.slug}").status_code == 200
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    assert "Soon withdrawn" not in client.get("/stories").get_data(as_text=True)
    assert "Soon withdrawn" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/stories/{story.slug}").status_code == 404


# --- behind a proxy: the cache keys on the scheme and host the proxy reports ----------

BEHIND_TLS_PROXY = {"PROXY_FIX_X_PROTO": 1, "REDIRECT_TO_HTTPS": True}
OVER_HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("config_overrides", [BEHIND_TLS_PROXY])
def test_plain_http_is_still_redirected_to_https_after_cached_https_visits(client):
    make_story(StoryStatus.PUBLISHED, title="Over TLS")
    for _ in range(3):
        secure = client.get("/stories", headers=OVER_HTTPS)
        assert secure.status_code == 200 and "Over TLS" in secure.get_data(as_text=True)

    plain = client.get("/stories")

    assert plain.status_code == 308
    assert plain.headers["Location"].startswith("https://localhost/stories")


@pytest.mark.parametrize(
    "config_overrides",
    [{"PROXY_FIX_X_HOST": 1}, {"PROXY_FIX_X_HOST": 1, "TRUSTED_HOSTS": ["localhost"]}],
    ids=["any-host", "trusted-hosts"],
)
def test_a_forwarded_host_never_reaches_another_visitor(app, config_overrides):
    story = make_story(StoryStatus.PUBLISHED, title="Whose host")
    pages = ["/", "/stories", f"/stories/{story.slug}", "/feed.atom"]
    forged = {"X-Forwarded-Host": "attacker.example"}
    stranger, visitor = app.test_client(), app.test_client()
    for page in pages:
        for _ in range(3):
            answer = stranger.get(page, headers=forged)
            if "TRUSTED_HOSTS" in config_overrides:
                assert answer.status_code == 400, page
            else:
                assert answer.status_code == 200, page

    for page in pages:
        for _ in range(2):
            answer = visitor.get(page)
            assert answer.status_code == 200, page
            body = answer.get_data(as_text=True)
            assert "attacker.example" not in body, page
            assert "http://localhost/" in body, page


def test_a_cookie_set_for_one_visitor_is_never_replayed_to_the_next(app, add_route):
    """Set after the view (by an after-request function), so the view could not see it."""

    @public_page
    def greeting():
        return "Hello"

    def welcome_back(response):
        if request.headers.get("X-Returning"):
            response.set_cookie("welcome", "back")
        return response

    add_route(app, "/test-greeting", greeting)
    app.after_request(welcome_back)
    returning = app.test_client().get("/test-greeting", headers={"X-Returning": "1"})
    assert "welcome=back" in returning.headers["Set-Cookie"]
    for _ in range(2):
        newcomer = app.test_client().get("/test-greeting")
        assert newcomer.get_data(as_text=True) == "Hello"
        assert "Set-Cookie" not in newcomer.headers
