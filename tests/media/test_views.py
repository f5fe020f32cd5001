"""Serving renditions, and deleting photos of forms that were never sent."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.extensions import db as _db
from campaign.media.pipeline import process
from campaign.media.staging import stage
from campaign.models import Photo, Story, StoryStatus
from campaign.models._types import utcnow
from tests import images
from tests.factories import make_photo, make_story


def test_rendition_is_served_with_type_nosniff_and_a_shared_life_of_an_hour(media_app):
    result = process(images.jpeg())
    client = media_app.test_client()
    for rendition in result.renditions:
        response = client.get(f"/media/{rendition['name']}")
        assert response.status_code == 200
        expected = "image/webp" if rendition["format"] == "webp" else "image/jpeg"
        assert response.headers["Content-Type"] == expected
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        # Not immutable: a removed photo must leave browsers and CDNs within the hour.
        assert cache == {"public", "max-age=3600"}
        response.close()


@pytest.mark.parametrize(
    "name",
    ["missing", "..%2Fsecret_key", "0123456789abcdef0123456789abcdef-400.svg", "secret_key"],
)
def test_anything_but_a_stored_rendition_is_not_found(media_app, name):
    assert media_app.test_client().get(f"/media/{name}").status_code == 404


@pytest.mark.both_databases
def test_cleanup_deletes_old_unused_photos_and_keeps_recent_ones(app, db, runner):
    with app.test_request_context("/share", method="POST"):  # staged by a visitor's form
        old, _ = stage(process(images.jpeg()))
        recent, _ = stage(process(images.webp()))
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    old_files = [r["name"] for r in old.renditions]
    media = app.extensions["media_storage"]

    result = runner.invoke(args=["media", "cleanup"])

    assert "Deleted 1 unused photo" in result.output
    assert db.session.scalars(select(Photo.id)).all() == [recent.id]
    assert not any(media.exists(name) for name in old_files)
    assert all(media.exists(r["name"]) for r in recent.renditions)


# --- a removed photo leaves shared caches: the CDN purge hook (issue 14, finding 9) ---


def _remove_as_moderator(app, story, signed_in):
    version = _db.session.get(Story, story.id).version
    return signed_in.post(f"/moderate/stories/{story.id}/photo/remove", data={"version": version})


def _remove_as_storyteller(app, story, _signed_in):
    return app.test_client().post(f"/my-story/{story.token}/photo/remove")


def _withdraw(app, story, _signed_in):
    return app.test_client().post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})


@pytest.mark.parametrize(
    "remove",
    [_remove_as_moderator, _remove_as_storyteller, _withdraw],
    ids=["moderator", "delete-my-photo", "withdrawal"],
)
def test_a_removed_photo_404s_and_every_address_of_it_is_sent_to_the_cdn_purge(
    app, signed_in, purge_endpoint, remove
):
    url, received = purge_endpoint
    app.config.update(
        CDN_PURGE_URL=url, CDN_PURGE_TOKEN="cdn-secret", PUBLIC_BASE_URL="https://example.org"
    )
    story = make_story(StoryStatus.PUBLISHED)
    names = make_photo(story)
    _db.session.commit()
    visitor = app.test_client()
    shown = visitor.get(f"/media/{names[0]}")
    shown.close()
    assert shown.status_code == 200

    assert remove(app, story, signed_in).status_code == 303

    for name in names:
        assert visitor.get(f"/media/{name}").status_code == 404
        assert visitor.get(f"/fr/media/{name}").status_code == 404
    ((body, headers),) = received
    expected = {
        f"https://example.org{prefix}/media/{name}"
        for name in names
        for prefix in ["", *(f"/{code}" for code in app.config["SUPPORTED_LOCALES"])]
    }
    assert set(body["files"]) == expected
    assert headers["Authorization"] == "Bearer cdn-secret"


def test_an_unreachable_cdn_never_stops_a_removal(app, signed_in, caplog):
    app.config.update(CDN_PURGE_URL="http://127.0.0.1:9/purge", PUBLIC_BASE_URL="https://x.org")
    story = make_story(StoryStatus.PUBLISHED)
    names = make_photo(story)
    _db.session.commit()
    assert _remove_as_moderator(app, story, signed_in).status_code == 303
    assert app.test_client().get(f"/media/{names[0]}").status_code == 404
    assert any(record.getMessage() == "media.cdn_purge_failed" for record in caplog.records)
