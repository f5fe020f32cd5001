"""Public pages are cacheable for a short time and revalidate with a 304."""

import pytest

from campaign.extensions import db
from campaign.models import StoryStatus
from tests.gallery.helpers import publish

# Both engines: validators come from the public version in the database.
pytestmark = pytest.mark.both_databases

PUBLIC = ["/", "/stories", "/stories/from/sy", "/stories?q=bread"]


@pytest.fixture
def story(db):
    return publish("Bread", quote="bread", origin_country="SY")


@pytest.mark.parametrize("config_overrides", [{"PUBLIC_CACHE_SECONDS": 45}])
def test_public_pages_are_cacheable_for_the_configured_time(client, story):
    for url in [*PUBLIC, f"/stories/{story.slug}"]:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=45", url
        assert response.headers["ETag"].startswith('W/"'), url
        assert "Last-Modified" in response.headers, url
        assert "Accept-Language" in response.headers["Vary"], url


def test_revalidation_answers_304_without_a_body(client, story):
    for url in [*PUBLIC, f"/stories/{story.slug}"]:
        first = client.get(url)
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url
        assert again.get_data() == b""
        assert again.headers["ETag"] == first.headers["ETag"]
        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304, url


def test_withdrawal_changes_the_validator_so_caches_fetch_the_page_again(client, story):
    url = f"/stories/{story.slug}"
    etags = {page: client.get(page).headers["ETag"] for page in ["/", "/stories"]}
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    for page, etag in etags.items():
        response = client.get(page, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert "Bread" not in response.get_data(as_text=True)
    assert client.get(url).status_code == 404


def test_publishing_changes_the_validator(client, story):
    etag = client.get("/stories").headers["ETag"]
    publish("Fresh")
    response = client.get("/stories", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Fresh" in response.get_data(as_text=True)


def test_a_missing_story_is_not_cached_as_public(client, db):
    response = client.get("/stories/never-was")
    assert response.status_code == 404
    assert "public" not in response.headers.get("Cache-Control", "")


def test_signed_in_moderators_get_private_pages(signed_in, story):
    response = signed_in.get("/stories")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_a_page_showing_a_personal_message_is_not_cached(app, client, story):
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Thank you, your story was sent.")]
    response = client.get("/")
    assert "Thank you, your story was sent." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert client.get("/").headers["Cache-Control"].startswith("public")
