"""Photos prepared after the request: answered at once, faces found and sizes cut later.

The request keeps one clean copy; ``preparing`` finds the faces and cuts every
rendition from it, through a lease that a worker that dies gives up; whatever
changed the photo meanwhile (a blur, a withdrawal) wins over the preparation.
"""

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select, update

from campaign.database import only_reading
from campaign.extensions import db as _db
from campaign.media import pipeline, preparing
from campaign.media.storage import media_root
from campaign.models import Photo, Story
from campaign.models._types import utcnow
from tests import images
from tests.media.test_blurring import FACE, detail
from tests.submissions.helpers import private_link_from, submit

pytestmark = [pytest.mark.both_databases, pytest.mark.slow]


@pytest.fixture
def config_overrides():
    return {"PHOTO_PREPARE_LATER": True}


@pytest.fixture
def woken(app, monkeypatch):
    """The times the worker's thread was woken, which then does not run: the test
    prepares, when it wants to, with ``prepare_due``."""
    calls = []
    monkeypatch.setattr(preparing.Preparer, "wake", lambda self: calls.append(self))
    return calls


def files_on_disk() -> set[str]:
    return {path.name for path in media_root().iterdir() if path.is_file()}


def names(photo: Photo) -> list[str]:
    return [rendition["name"] for rendition in photo.renditions]


def the_photo() -> Photo:
    _db.session.expire_all()
    return _db.session.scalars(select(Photo)).one()


def send_story(client, photo: bytes, **changes):
    return submit(client, photo, **changes)


def test_the_story_is_stored_with_one_clean_copy_and_the_rest_is_cut_after(app, client, woken):
    response = send_story(client, images.photograph("astronaut"))

    assert response.status_code == 303
    assert len(woken) == 1  # after the commit
    photo = the_photo()
    assert photo.preparing and photo.faces is None and photo.focal_x is None
    (copy,) = photo.renditions
    assert copy["format"] == "jpeg" and copy["width"] == 512 == photo.width
    assert files_on_disk() == {copy["name"]}
    with Image.open(media_root() / copy["name"]) as stored:
        assert not stored.getexif() and "icc_profile" not in stored.info
    assert preparing.prepare_due() == 1

    photo = the_photo()
    assert not photo.preparing
    assert len(photo.faces) == 1 and photo.focal_x == pytest.approx(0.4376, abs=0.001)
    assert sorted((r["width"], r["format"]) for r in photo.renditions) == [
        (400, "jpeg"),
        (400, "webp"),
        (512, "jpeg"),
        (512, "webp"),
    ]
    assert files_on_disk() == set(names(photo))
    # The copy stays, as the largest JPEG: a page shown before still finds it.
    assert copy in photo.renditions
    served = client.get(f"/media/{copy['name']}")
    served.close()
    assert served.status_code == 200
    assert preparing.prepare_due() == 0  # nothing waits any more


def test_while_it_is_prepared_the_storyteller_and_the_moderators_are_told(
    app, client, signed_in, woken
):
    send_story(client, images.photograph("astronaut"))
    link = private_link_from(client)
    story_id = _db.session.scalars(select(Story.id)).one()

    private = client.get(link).get_data(as_text=True)
    review = signed_in.get(f"/moderate/stories/{story_id}").get_data(as_text=True)

    assert "We are still preparing your photo" in private
    assert "Blur the faces in my photo" in private
    assert "faces are being looked for" in review
    preparing.prepare_due()
    private = client.get(link).get_data(as_text=True)
    assert "We are still preparing your photo" not in private


def test_a_photo_taken_up_is_left_to_another_worker_only_once_its_lease_runs_out(
    app, client, woken
):
    send_story(client, images.photograph("coffee"))
    photo_id = the_photo().id

    assert preparing._claim_next() == photo_id
    assert preparing._claim_next() is None  # held by the first worker's lease
    # That worker died: its lease runs out.
    _db.session.execute(update(Photo).values(prepare_at=utcnow() - timedelta(seconds=1)))
    _db.session.commit()
    assert preparing.prepare_due() == 1
    assert not the_photo().preparing
    assert {(r["width"], r["format"]) for r in the_photo().renditions} == {
        (400, "webp"),
        (400, "jpeg"),
        (600, "webp"),
        (600, "jpeg"),
    }


def during_the_preparation(monkeypatch, action) -> None:
    """Run ``action`` after the renditions are cut, before they are written down: in
    another thread, as another worker's request would (a request in this thread
    would share the test's app context, its session and its journal)."""
    cut = pipeline.reblurred

    def cut_then_act(*args, **kwargs):
        processed = cut(*args, **kwargs)
        elsewhere = threading.Thread(target=action)
        elsewhere.start()
        elsewhere.join()
        return processed

    monkeypatch.setattr(preparing, "reblurred", cut_then_act)


def test_a_blur_that_comes_first_wins_and_the_files_just_cut_go(app, client, woken, monkeypatch):
    send_story(client, images.photograph("astronaut"))
    link = private_link_from(client)
    during_the_preparation(monkeypatch, lambda: client.post(f"{link}/photo/blur").close())

    assert preparing.prepare_due() == 0

    photo = the_photo()
    assert not photo.preparing and photo.blurred  # the blur prepared it
    assert files_on_disk() == set(names(photo))
    assert all(detail(name, FACE) < 5 for name in names(photo))  # nothing unblurred kept


def test_a_story_withdrawn_while_its_photo_is_prepared_leaves_no_file(
    app, client, woken, monkeypatch
):
    send_story(client, images.photograph("astronaut"))
    link = private_link_from(client)
    during_the_preparation(
        monkeypatch, lambda: client.post(f"{link}/withdraw", data={"confirm": "y"}).close()
    )

    assert preparing.prepare_due() == 0

    assert _db.session.scalars(select(Story)).all() == []
    assert files_on_disk() == set()


def test_blurring_before_the_preparation_prepares_the_photo(app, client, woken):
    send_story(client, images.photograph("astronaut"))

    client.post(f"{private_link_from(client)}/photo/blur")

    photo = the_photo()
    assert not photo.preparing and len(photo.faces) == 1 and photo.blurred
    assert len(photo.renditions) == 4
    assert preparing.prepare_due() == 0


def test_a_photo_to_blur_at_once_is_done_whole_in_the_request(app, client, woken):
    page = send_story(client, images.photograph("astronaut"), blur_faces="y")

    assert "The photo above has 1 blurred area" in page.get_data(as_text=True)
    photo = the_photo()
    assert not photo.preparing and photo.blurred and woken == []
    assert all(detail(name, FACE) < 5 for name in files_on_disk())


def test_a_file_that_is_no_photo_is_still_refused_beside_its_field(app, client, woken):
    response = send_story(client, b"<html>not a photo</html>")

    assert response.status_code == 200  # the form again, everything typed kept
    assert "This file is not a photo we can use" in response.get_data(as_text=True)
    assert _db.session.scalars(select(Photo)).all() == [] and woken == []


def test_the_workers_thread_prepares_the_photo_after_the_commit(app, client):
    try:
        send_story(client, images.photograph("astronaut"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with only_reading():  # no write lock held here while the thread writes (SQLite)
                waiting = the_photo().preparing
                _db.session.rollback()
            if not waiting:
                break
            time.sleep(0.1)
        photo = the_photo()
        assert not photo.preparing and len(photo.faces) == 1
        assert files_on_disk() == set(names(photo))
    finally:
        preparing.preparer(app).stop()


def test_the_command_prepares_what_waits(app, client, woken):
    send_story(client, images.photograph("astronaut"))

    result = app.test_cli_runner().invoke(args=["media", "prepare"])

    assert result.output == "Prepared 1 photo(s).\n"
    assert not the_photo().preparing and len(the_photo().faces) == 1


def test_another_app_served_by_our_gunicorn_settings_still_boots():
    """The benchmark's baseline is a bare Flask app under gunicorn.conf.py."""
    preparing.wake_at_worker_start(Flask("baseline"))  # no photos to prepare, no error
