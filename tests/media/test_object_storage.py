"""Photos in an S3-compatible object store (MEDIA_STORAGE_URL), against a real SeaweedFS.

The store is started once per session (``object_store`` in tests/conftest.py);
each test has a bucket of its own.
"""

import socket
import urllib.error
import urllib.request

import pytest

from campaign import create_app
from campaign.config import ConfigurationError
from campaign.extensions import db as _db
from campaign.media.files import recover_at_worker_start
from campaign.media.inflight import journal_root
from campaign.media.pipeline import PhotoRejected, process
from campaign.media.s3 import S3Storage
from campaign.media.storage import media_root
from campaign.models import Story, StoryStatus
from tests import images
from tests.factories import last_changed_days_ago, make_photo, make_story
from tests.helpers import app_config
from tests.servers import free_port


@pytest.fixture
def config_overrides(object_store, s3_bucket):
    return {"MEDIA_STORAGE_URL": object_store.url(s3_bucket, "photos"), "PURGE_AFTER_DAYS": 90}


@pytest.fixture
def stored(object_store, s3_bucket):
    """The renditions' names in the bucket (under the URL's prefix)."""

    def names() -> list[str]:
        keys = object_store.keys(s3_bucket)
        return [key.removeprefix("photos/") for key in keys if key.startswith("photos/")]

    return names


def get(client, name: str, **headers):
    response = client.get(f"/media/{name}", headers=headers)
    body = response.get_data()
    response.close()
    return response, body


def test_a_photo_is_kept_in_the_store_and_served_through_the_site(
    app, client, object_store, s3_bucket, stored
):
    names = make_photo(make_story(StoryStatus.PUBLISHED))

    assert sorted(names) == stored()
    assert not media_root().exists() or not any(media_root().iterdir())  # nothing on this disk
    for name in names:
        response, body = get(client, name)
        kept = object_store.client.get_object(Bucket=s3_bucket, Key=f"photos/{name}")
        assert response.status_code == 200
        assert body == kept["Body"].read()
        assert response.headers["Content-Type"] == kept["ContentType"]
        assert response.headers["Content-Type"] in {"image/webp", "image/jpeg"}
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert cache == {"public", "max-age=3600"}
        again, again_body = get(client, name, **{"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again_body == b""


def test_the_bucket_gives_nothing_to_a_visitor_without_the_key(
    app, object_store, s3_bucket, stored
):
    make_photo(make_story(StoryStatus.PENDING))  # an unpublished story's photo
    name = stored()[0]

    for address in (f"/{s3_bucket}/photos/{name}", f"/{s3_bucket}?list-type=2"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(object_store.endpoint + address, timeout=5)  # noqa: S310
        assert refused.value.code == 403
        refused.value.close()


def test_a_withdrawal_deletes_the_objects_at_once(client, stored):
    story = make_story(StoryStatus.PUBLISHED)
    names = make_photo(story)

    response = client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})

    assert response.status_code == 303
    assert stored() == []
    assert {get(client, name)[0].status_code for name in names} == {404}


def test_the_purge_deletes_the_objects(client, runner, stored):
    story = make_story(StoryStatus.REJECTED)
    names = make_photo(story)
    last_changed_days_ago(story, 100)

    result = runner.invoke(args=["purge"])

    assert f"Purged 1 rejected or withdrawn stories ({len(names)} media files)" in result.output
    assert stored() == []


def test_a_story_leaving_the_public_keeps_its_photo_only_under_new_names(client, stored):
    story = make_story(StoryStatus.PUBLISHED)
    names = make_photo(story)

    story = _db.session.get(Story, story.id)
    story.hidden = True  # as reports hide it
    _db.session.commit()

    renamed = [rendition["name"] for rendition in story.photo.renditions]
    assert set(renamed).isdisjoint(names)
    assert stored() == sorted(renamed)  # copied inside the store, the old names deleted
    assert {get(client, name)[0].status_code for name in names} == {404}
    assert {get(client, name)[0].status_code for name in renamed} == {200}


def test_an_upload_whose_request_ends_without_a_commit_leaves_no_object(app, stored):
    with app.app_context():  # a request of its own: it ends below, its files with it
        processed = process(images.jpeg())
        # Every size in both formats, written before the commit that was to name them.
        assert stored() == sorted(r["name"] for r in processed.renditions)
    assert stored() == []


def test_media_check_works_on_the_store(app, runner, object_store, s3_bucket, stored):
    names = make_photo(make_story(StoryStatus.PUBLISHED))
    orphan = "0123456789abcdef" * 2 + "-400.webp"  # left by a crashed upload
    object_store.client.put_object(Bucket=s3_bucket, Key=f"photos/{orphan}", Body=b"half")
    object_store.client.put_object(Bucket=s3_bucket, Key="photos/stray/file.txt", Body=b"?")
    object_store.client.put_object(Bucket=s3_bucket, Key="elsewhere.txt", Body=b"not ours")
    object_store.client.delete_object(Bucket=s3_bucket, Key=f"photos/{names[0]}")

    young = runner.invoke(args=["media", "check", "--dry-run"])
    assert "Found 0 orphan media files." in young.output  # younger than an hour: in progress
    dry = runner.invoke(args=["media", "check", "--dry-run", "--min-age-minutes", "0"])
    assert f"orphan: {orphan}" in dry.output and "orphan: stray/file.txt" in dry.output
    result = runner.invoke(args=["media", "check", "--min-age-minutes", "0"])

    assert result.exit_code == 0, result.output
    assert "Removed 2 orphan media files." in result.output
    assert f"missing: {names[0]}" in result.output
    assert stored() == sorted(names[1:])
    assert "elsewhere.txt" in object_store.keys(s3_bucket)  # outside the prefix: not ours


def test_backup_and_restore_include_the_store(app, runner, object_store, s3_bucket, tmp_path):
    names = make_photo(make_story(StoryStatus.PUBLISHED))
    kept = object_store.client.get_object(Bucket=s3_bucket, Key=f"photos/{names[0]}")
    photo_bytes = kept["Body"].read()
    archive = tmp_path / "backup.tar.gz"

    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    object_store.client.delete_object(Bucket=s3_bucket, Key=f"photos/{names[0]}")
    later = "fedcba9876543210" * 2 + "-400.webp"  # written after the backup
    object_store.client.put_object(Bucket=s3_bucket, Key=f"photos/{later}", Body=b"new")
    result = runner.invoke(args=["restore", str(archive)])

    assert result.exit_code == 0, result.output
    keys = [key.removeprefix("photos/") for key in object_store.keys(s3_bucket)]
    assert keys == sorted(names)
    restored = object_store.client.get_object(Bucket=s3_bucket, Key=f"photos/{names[0]}")
    assert restored["Body"].read() == photo_bytes


def test_a_store_that_does_not_answer_is_a_503_never_a_500(tmp_path, object_store, s3_bucket):
    url = f"s3://{s3_bucket}?endpoint=http://127.0.0.1:{free_port()}&region=us-east-1"
    app = create_app(app_config("sqlite://", MEDIA_STORAGE_URL=url), instance_path=str(tmp_path))
    response, _body = get(app.test_client(), "0123456789abcdef" * 2 + "-400.webp")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"  # no cache keeps the failure


@pytest.mark.parametrize(
    "url",
    [
        "ftp://bucket",
        "s3://",
        "s3://bucket?endpont=http://typo",
        "s3://b?addressing=sideways",
        "s3://AKIAEXAMPLE:secret@bucket",
    ],
)
def test_a_storage_url_that_cannot_be_used_stops_start_up(tmp_path, url):
    with pytest.raises(ConfigurationError, match="MEDIA_STORAGE_URL") as refused:
        create_app(app_config("sqlite://", MEDIA_STORAGE_URL=url), instance_path=str(tmp_path))
    assert "AKIAEXAMPLE" not in str(refused.value)  # the message never repeats a key


@pytest.fixture
def take_the_store_away(app, s3_bucket):
    """Call it and the app's store no longer answers (as when its machine is down)."""

    def away():
        dead = f"http://127.0.0.1:{free_port()}"
        app.extensions["media_storage"] = S3Storage(
            s3_bucket, "photos", media_root(app), endpoint=dead, region="us-east-1"
        )

    return away


def test_a_decision_the_store_cannot_follow_changes_nothing_and_says_so(
    app, signed_in, stored, take_the_store_away
):
    story = make_story(StoryStatus.PUBLISHED)
    names = make_photo(story)
    take_the_store_away()

    # Unpublishing renames the photo in the store (its public names must stop working):
    # without the store that cannot happen, so nothing happens.
    response = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "unpublish", "reason": "identifying", "version": story.version},
    )

    assert response.status_code == 503
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"
    _db.session.expire_all()
    story = _db.session.get(Story, story.id)
    assert story.status is StoryStatus.PUBLISHED
    assert sorted(r["name"] for r in story.photo.renditions) == sorted(names) == stored()


def test_a_photo_sent_while_the_store_is_away_is_refused_beside_the_field(app, take_the_store_away):
    take_the_store_away()
    with app.test_request_context("/share", method="POST"), pytest.raises(PhotoRejected) as no:
        process(images.jpeg())
    assert "could not be saved just now" in str(no.value.message)


def test_objects_of_a_worker_killed_before_its_commit_are_deleted_by_the_next(
    app, object_store, s3_bucket, stored
):
    kept = make_photo(make_story(StoryStatus.PUBLISHED))
    lost = "0123456789abcdef" * 2 + "-800.webp"  # written, its story never committed
    object_store.client.put_object(Bucket=s3_bucket, Key=f"photos/{lost}", Body=b"image")
    dead_worker = journal_root(media_root()) / f"{socket.gethostname()}-{2**22 + 1}"
    dead_worker.mkdir(parents=True)
    for name in (lost, kept[0]):  # a committed row names the second: it stays
        (dead_worker / name).touch()

    recover_at_worker_start(app)

    assert stored() == sorted(kept)
    assert not dead_worker.exists()


def test_media_check_says_so_when_the_store_does_not_answer(runner, take_the_store_away):
    take_the_store_away()
    result = runner.invoke(args=["media", "check"])
    assert result.exit_code == 1
    assert "The media storage did not answer" in result.output
    assert "Traceback" not in result.output
