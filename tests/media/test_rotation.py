"""A story that leaves the public keeps its photo under new names (issue 14, finding 9).

The addresses a published photo had were spread by og:image, embeds and the API.
When the story stops being public (unpublished or rejected by a moderator,
hidden by reports, or any other change of status), each rendition gets a new
random name in the same transaction and the old names stop answering right
after the commit, and a CDN is told to forget them, while the storyteller's
page and the moderators' desk show the photo under its new names.
"""

import os

import pytest
from sqlalchemy import select

from campaign.extensions import db as _db
from campaign.media import storage
from campaign.media.files import recover
from campaign.media.inflight import journal_root
from campaign.media.storage import is_valid_name, media_root
from campaign.models import Photo, Story, StoryStatus
from tests.factories import make_photo, make_story

# Both engines: the names change in each engine's flush and follow its commit and rollback.
pytestmark = pytest.mark.both_databases


def served(client, name: str) -> int:
    response = client.get(f"/media/{name}")
    response.close()
    return response.status_code


def names_in_the_row(story_id: int) -> list[str]:
    _db.session.expire_all()
    renditions = _db.session.scalar(select(Photo.renditions).where(Photo.story_id == story_id))
    return [rendition["name"] for rendition in renditions]


def files_on_disk() -> set[str]:
    return {path.name for path in media_root().iterdir() if path.is_file()}


def notes_left() -> list:
    return [path for path in journal_root(media_root()).rglob("*") if path.is_file()]


def version_of(story: Story) -> int:
    _db.session.expire_all()
    return _db.session.get(Story, story.id).version


def _unpublish(app, story, signed_in):
    return signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "unpublish", "reason": "identifying", "version": version_of(story)},
    )


def _reject(app, story, signed_in):
    return signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "reject", "reason": "identifying", "version": version_of(story)},
    )


def _hide_by_reports(app, story, _signed_in):
    app.config["REPORT_HIDE_THRESHOLD"] = 2
    for address in ("198.51.100.1", "198.51.100.2"):
        reporter = app.test_client()
        reporter.environ_base["REMOTE_ADDR"] = address
        response = reporter.post(
            f"/stories/{story.slug}/report", data={"reason": "identifies", "message": ""}
        )
    _db.session.expire_all()
    assert _db.session.get(Story, story.id).hidden
    return response


def _changes_requested(app, story, _signed_in):
    """No form sends a published story back for changes today; a future path that sets
    its status (or any code that does) is covered all the same."""
    _db.session.get(Story, story.id).status = StoryStatus.CHANGES_REQUESTED
    _db.session.commit()

    class Done:
        status_code = 303

    return Done()


@pytest.mark.parametrize(
    "leave",
    [_unpublish, _reject, _hide_by_reports, _changes_requested],
    ids=["unpublish", "reject", "hidden-by-reports", "changes-requested"],
)
def test_a_photo_leaving_the_public_gets_new_names_and_its_old_addresses_are_purged(
    app,
    signed_in,
    purge_endpoint,
    leave,
):
    url, received = purge_endpoint
    app.config.update(CDN_PURGE_URL=url, PUBLIC_BASE_URL="https://example.org")
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)
    old_bytes = {name: (media_root() / name).read_bytes() for name in old}
    visitor = app.test_client()
    assert served(visitor, old[0]) == 200

    assert leave(app, story, signed_in).status_code == 303

    new = names_in_the_row(story.id)
    assert len(new) == len(old) and not set(new) & set(old)
    assert all(is_valid_name(name) for name in new)
    assert len({name.split("-")[0] for name in new}) == 1  # one new base, like an upload
    # The same pictures, in the same order, sizes and formats, under the new names.
    assert [(media_root() / name).read_bytes() for name in new] == list(old_bytes.values())
    assert {name: served(visitor, name) for name in new} == dict.fromkeys(new, 200)
    for name in old:
        assert served(visitor, name) == 404
        assert visitor.get(f"/fr/media/{name}").status_code == 404
    assert files_on_disk() == set(new)  # the old names are gone, nothing else was left
    assert notes_left() == []
    # A CDN is told every address the old names had.
    ((body, _headers),) = received
    expected = {
        f"https://example.org{prefix}/media/{name}"
        for name in old
        for prefix in ["", *(f"/{code}" for code in app.config["SUPPORTED_LOCALES"])]
    }
    assert set(body["files"]) == expected
    # The storyteller and the moderators see the photo under its new names.
    private = visitor.get(f"/my-story/{story.token}").get_data(as_text=True)
    desk = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    for page in (private, desk):
        assert any(f"/media/{name}" in page for name in new)
        assert not any(name in page for name in old)


def test_published_again_the_story_shows_its_photo_under_the_new_names(app, signed_in):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)
    assert _unpublish(app, story, signed_in).status_code == 303
    new = names_in_the_row(story.id)

    approved = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "approve", "version": version_of(story)},
    )

    assert approved.status_code == 303
    assert names_in_the_row(story.id) == new  # published again: nothing to hide, nothing renamed
    page = app.test_client().get(f"/stories/{story.slug}").get_data(as_text=True)
    assert any(f"/media/{name}" in page for name in new)
    assert not any(name in page for name in old)


def test_a_story_that_was_never_public_keeps_its_photos_names(app, signed_in, purge_endpoint):
    url, received = purge_endpoint
    app.config.update(CDN_PURGE_URL=url, PUBLIC_BASE_URL="https://example.org")
    story = make_story(StoryStatus.PENDING)
    names = make_photo(story)

    assert _reject(app, story, signed_in).status_code == 303

    assert names_in_the_row(story.id) == names
    assert files_on_disk() == set(names)
    assert received == []


def test_a_request_that_fails_before_its_commit_keeps_the_old_names_and_leaves_no_file(
    app, add_route
):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)

    def unpublish_then_fail():
        _db.session.get(Story, story.id).move_to(StoryStatus.REJECTED)
        _db.session.flush()  # the new names are made here
        raise RuntimeError("the request fails before its commit")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    add_route(app, "/unpublish-then-fail", unpublish_then_fail)
    assert app.test_client().get("/unpublish-then-fail").status_code == 500

    assert names_in_the_row(story.id) == old
    assert _db.session.get(Story, story.id).status is StoryStatus.PUBLISHED
    client = app.test_client()
    assert {name: served(client, name) for name in old} == dict.fromkeys(old, 200)
    assert files_on_disk() == set(old)  # no new file left behind
    assert notes_left() == []


@pytest.mark.parametrize("dies", ["before-the-commit", "after-the-commit"])
def test_a_worker_killed_while_renaming_leaves_the_names_the_committed_row_holds(app, dies):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)
    story_id = story.id
    _db.session.remove()  # the child gets connections of its own

    child = os.fork()
    if child == 0:
        try:
            _db.engine.dispose(close=False)
            _db.session.get(Story, story_id).move_to(StoryStatus.REJECTED)
            if dies == "before-the-commit":
                _db.session.flush()
                os._exit(0)
            storage.FileSystemStorage.delete = lambda *_args: os._exit(0)
            _db.session.commit()
        finally:
            os._exit(1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child died elsewhere"
    assert len(files_on_disk()) == 2 * len(old)  # both names of each rendition

    recover(media_root())

    kept = names_in_the_row(story_id)
    assert kept == old if dies == "before-the-commit" else not set(kept) & set(old)
    assert files_on_disk() == set(kept)
    client = app.test_client()
    assert {name: served(client, name) for name in kept} == dict.fromkeys(kept, 200)
    assert notes_left() == []


def test_without_hard_links_the_renditions_are_copied(app, signed_in, monkeypatch):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)
    old_bytes = [(media_root() / name).read_bytes() for name in old]

    def no_links(*_args):
        raise PermissionError("this file system has no hard links")

    monkeypatch.setattr(os, "link", no_links)
    assert _unpublish(app, story, signed_in).status_code == 303

    new = names_in_the_row(story.id)
    assert not set(new) & set(old)
    assert [(media_root() / name).read_bytes() for name in new] == old_bytes
    assert files_on_disk() == set(new)  # no half-written copy left either
    assert notes_left() == []


def test_a_rendition_whose_file_was_lost_is_no_longer_named(app, signed_in):
    story = make_story(StoryStatus.PUBLISHED)
    old = make_photo(story)
    (media_root() / old[0]).unlink()

    assert _unpublish(app, story, signed_in).status_code == 303

    new = names_in_the_row(story.id)
    assert len(new) == len(old) - 1 and not set(new) & set(old)
    assert files_on_disk() == set(new)
