"""What becomes of a sent share form, as the service says it (the view only answers)."""

import io
import time

import pytest
from flask import session
from sqlalchemy import func, select

from campaign.models import Photo, Story
from campaign.submissions import services
from campaign.submissions.services import Received, new_stamp, receive_story
from tests import images
from tests.submissions.helpers import form_data


def receive(app, db, data: dict, browser: dict | None = None):
    """Receive the form; ``browser`` carries the session from one request to the next."""
    with app.test_request_context("/share", method="POST", data=data):
        session.update(browser or {})
        sent = receive_story()
        db.session.commit()
        if browser is not None:
            browser.update(session)
        return sent


def stories(db) -> int:
    return db.session.scalar(select(func.count(Story.id)))


def test_a_valid_form_is_accepted_with_a_private_token_for_its_teller(app, db):
    sent = receive(app, db, form_data(send_link="y"))
    assert sent.received is Received.ACCEPTED
    assert services.story_for_token(sent.token).id == sent.story.id
    assert sent.link_to == "layla@example.org"
    assert stories(db) == 1


def test_no_link_is_e_mailed_unless_asked_for(app, db):
    assert receive(app, db, form_data()).link_to is None


@pytest.mark.both_databases
def test_the_same_form_sent_again_is_already_stored_and_stores_nothing_more(app, db):
    data = form_data()
    assert receive(app, db, data).received is Received.ACCEPTED
    assert receive(app, db, data).received is Received.ALREADY_STORED
    assert stories(db) == 1


@pytest.mark.both_databases
def test_two_copies_read_before_either_was_stored_still_make_one_story(app, db, monkeypatch):
    data = form_data()
    receive(app, db, data)
    monkeypatch.setattr(services, "story_for_nonce", lambda nonce: None)
    data["photo"] = (io.BytesIO(images.jpeg()), "photo.jpg")
    sent = receive(app, db, data)
    assert sent.received is Received.ALREADY_STORED
    assert stories(db) == 1
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_a_filled_in_hidden_field_is_a_robot_and_nothing_is_stored(app, db):
    sent = receive(app, db, form_data(website="http://spam.example"))
    assert sent.received is Received.ROBOT
    assert stories(db) == 0


def test_a_form_without_a_genuine_stamp_is_shown_again_with_a_fresh_one(app, db):
    sent = receive(app, db, form_data(stamp="forged"))
    assert sent.received is Received.NO_STAMP
    assert services.read_stamp(sent.form.stamp.data) is not None
    assert stories(db) == 0


def test_a_form_sent_faster_than_a_person_writes_is_shown_again(app, db):
    sent = receive(app, db, form_data(stamp=new_stamp(shown_at=time.time())))
    assert sent.received is Received.TOO_QUICK
    assert stories(db) == 0


def test_field_errors_come_before_a_stamp_notice(app, db):
    sent = receive(app, db, form_data(title="", stamp="forged"))
    assert sent.received is Received.INVALID
    assert sent.form.title.errors


def test_a_refused_photo_is_said_and_a_photo_kept_from_before_stays(app, db):
    data = form_data(title="")
    data["photo"] = (io.BytesIO(images.jpeg()), "photo.jpg")
    browser = {}
    first = receive(app, db, data, browser)
    assert first.received is Received.INVALID and first.photo is not None
    again = form_data(staged_photo=first.form.staged_photo.data)
    again["photo"] = (io.BytesIO(b"not a photo at all"), "photo.jpg")
    second = receive(app, db, again, browser)
    assert second.received is Received.PHOTO_REFUSED
    assert second.photo is not None and second.photo.id == first.photo.id
    assert second.form.photo.errors
    assert stories(db) == 0


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_whose_csrf_token_expired_is_shown_again_filled_in(app, db):
    sent = receive(app, db, form_data(csrf_token="stale"))
    assert sent.received is Received.FORM_EXPIRED
    assert sent.form.title.data == "My first winter"
    assert sent.form.csrf_token.errors == []
    assert stories(db) == 0
