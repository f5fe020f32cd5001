"""A photo's files go with its row, whoever deletes it, once the deletion is committed."""

import os

import pytest
from sqlalchemy import func, select

from campaign.extensions import db as _db
from campaign.media import storage
from campaign.media.files import recover
from campaign.media.inflight import journal_root
from campaign.media.storage import media_root
from campaign.models import Photo, Story, StoryStatus
from tests.factories import last_changed_days_ago, make_photo, make_story

# Both engines: files follow each engine's commit, rollback and cascades.
pytestmark = pytest.mark.both_databases


def with_photo(story: Story) -> list[str]:
    """Give the story a photo whose renditions are really stored; their file names."""
    names = make_photo(story)
    assert names and all((media_root() / name).is_file() for name in names)
    return names


def assert_gone(client, names: list[str]) -> None:
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(Photo.id))) == 0
    assert [name for name in names if (media_root() / name).exists()] == []
    assert {name: served(client, name) for name in names} == dict.fromkeys(names, 404)


def served(client, name: str) -> int:
    response = client.get(f"/media/{name}")
    response.close()
    return response.status_code


def version_of(story: Story) -> int:
    _db.session.expire_all()
    return _db.session.get(Story, story.id).version


def test_a_moderator_removing_the_photo_leaves_no_file_served(app, signed_in):
    story = make_story(StoryStatus.PUBLISHED)
    names = with_photo(story)
    assert served(signed_in, names[0]) == 200

    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/remove", data={"version": version_of(story)}
    )

    assert response.status_code == 303
    assert_gone(app.test_client(), names)


def test_an_admin_deleting_the_story_leaves_no_file_served(app, admin_client):
    story = make_story(StoryStatus.PUBLISHED)
    names = with_photo(story)

    response = admin_client.post(
        f"/moderate/stories/{story.id}/delete",
        data={"version": version_of(story), "confirm": "y", "reason": "identifying"},
    )

    assert response.status_code == 303
    assert _db.session.get(Story, story.id) is None
    assert_gone(app.test_client(), names)


def test_a_storyteller_withdrawing_leaves_no_file_served(client):
    story = make_story(StoryStatus.PUBLISHED)
    names = with_photo(story)

    response = client.post(f"/my-story/{story.token}/withdraw", data={"confirm": "y"})

    assert response.status_code == 303
    assert_gone(client, names)


@pytest.mark.parametrize("config_overrides", [{"PURGE_AFTER_DAYS": 90}])
def test_the_purge_leaves_no_file_served(client, runner):
    story = make_story(StoryStatus.REJECTED)
    names = with_photo(story)
    last_changed_days_ago(story, 100)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert f"Purged 1 rejected or withdrawn stories ({len(names)} media files)" in result.output
    assert_gone(client, names)


def test_a_deletion_that_is_rolled_back_keeps_every_file(client):
    story = make_story(StoryStatus.PUBLISHED)
    names = with_photo(story)
    _db.session.delete(_db.session.get(Story, story.id))
    _db.session.flush()
    _db.session.rollback()

    assert _db.session.scalar(select(func.count(Photo.id))) == 1
    assert {name: served(client, name) for name in names} == dict.fromkeys(names, 200)
    assert [p for p in journal_root(media_root()).rglob("*") if p.is_file()] == []


def test_files_of_a_deletion_committed_just_before_the_worker_died_are_recovered(app, client):
    story = make_story(StoryStatus.PUBLISHED)
    names = with_photo(story)
    photo_id = _db.session.scalar(select(Photo.id))
    _db.session.remove()  # the child gets connections of its own

    child = os.fork()
    if child == 0:  # a worker killed between its commit and the deletion of the files
        try:
            _db.engine.dispose(close=False)
            storage.FileSystemStorage.delete = lambda *_args: os._exit(0)
            _db.session.delete(_db.session.get(Photo, photo_id))
            _db.session.commit()
        finally:
            os._exit(1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child died before its commit"
    assert all((media_root() / name).is_file() for name in names)

    deleted, kept = recover(media_root())

    assert (sorted(deleted), kept) == (sorted(names), 0)
    assert_gone(client, names)
