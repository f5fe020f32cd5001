"""Serving renditions, and deleting photos of forms that were never sent."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.media.pipeline import process
from campaign.media.staging import stage
from campaign.models import Photo
from campaign.models._types import utcnow
from tests import images


def test_rendition_is_served_with_type_nosniff_and_long_immutable_cache(media_app):
    result = process(images.jpeg())
    client = media_app.test_client()
    for rendition in result.renditions:
        response = client.get(f"/media/{rendition['name']}")
        assert response.status_code == 200
        expected = "image/webp" if rendition["format"] == "webp" else "image/jpeg"
        assert response.headers["Content-Type"] == expected
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
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
