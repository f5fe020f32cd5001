"""Telling a story with one's voice on the share form, without JavaScript.

A recording stands in for the written story (a title is still needed); it is kept
across tries like the photo, refused with its reason beside its field, masked on
request before anything is kept, and its files follow the story.
"""

import html
import io
import os
import re

import pytest
from sqlalchemy import func, select

from campaign.models import Recording, Story
from campaign.submissions.services import withdraw
from tests import sounds
from tests.submissions.helpers import form_data, hidden_value

pytestmark = pytest.mark.both_databases


def send(client, voice: bytes | None = None, filename="voice.m4a", **changes):
    data = form_data(**changes)
    if voice is not None:
        data["voice"] = (io.BytesIO(voice), filename)
    return client.post("/share", data=data, content_type="multipart/form-data")


def voice_error(page: str) -> str | None:
    match = re.search(r'<p class="error" id="voice-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else None


def only_story(db) -> Story:
    db.session.expire_all()
    return db.session.scalars(select(Story)).one()


def media_files(app) -> list[str]:
    root = os.path.join(app.instance_path, "media")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_a_voice_story_needs_a_title_but_no_text(client, db, app):
    response = send(client, sounds.tone(3), body="", transcript="I came in winter.")
    assert response.status_code == 303
    story = only_story(db)
    assert story.body == ""
    recording = story.recording
    assert recording.duration_seconds == pytest.approx(3, abs=0.1)
    assert {r["format"] for r in recording.renditions} == {"opus", "aac"}
    assert recording.transcript == "I came in winter."
    assert recording.transcript_source == "storyteller"
    assert not recording.masked and recording.token_hash is None
    assert media_files(app) == sorted(r["name"] for r in recording.renditions)


def test_without_text_or_voice_the_story_is_asked_for(client, db):
    page = send(client, body="").get_data(as_text=True)
    assert "Write your story here." in page
    assert db.session.scalar(select(func.count(Story.id))) == 0


def test_a_refused_recording_keeps_everything_typed(client, db, app):
    page = send(client, sounds.video(), body="", title="A winter").get_data(as_text=True)
    assert "is a video" in voice_error(page)
    assert 'value="A winter"' in page and "Layla Hassan" in page
    assert db.session.scalar(select(func.count(Story.id))) == 0
    assert db.session.scalar(select(func.count(Recording.id))) == 0
    assert media_files(app) == []


def test_the_recording_is_kept_while_the_form_is_fixed(client, db):
    page = send(client, sounds.tone(3), body="", title="").get_data(as_text=True)
    assert "We kept your recording" in page
    assert "Give your story a title." in page
    key = hidden_value(page, "staged_voice")
    assert send(client, body="", staged_voice=key).status_code == 303
    story = only_story(db)
    assert story.recording is not None and story.recording.token_hash is None


def test_removing_the_kept_recording_asks_for_the_text_again(client, db):
    page = send(client, sounds.tone(3), body="", title="").get_data(as_text=True)
    key = hidden_value(page, "staged_voice")
    page = send(client, body="", staged_voice=key, remove_staged_voice="y").get_data(as_text=True)
    assert "Write your story here." in page
    assert db.session.scalar(select(func.count(Recording.id))) == 0


def test_a_kept_recording_from_another_browser_is_not_attached(client, app, db):
    page = send(client, sounds.tone(3), body="", title="").get_data(as_text=True)
    key = hidden_value(page, "staged_voice")
    other = app.test_client()
    page = send(other, body="", staged_voice=key).get_data(as_text=True)
    assert "We could not keep the recording you made before." in voice_error(page)
    assert db.session.scalar(select(func.count(Story.id))) == 0


def test_masking_is_heard_before_sending_and_only_the_mask_is_kept(client, db, app):
    page = send(client, sounds.tone(3), body="", mask_voice="y").get_data(as_text=True)
    assert "Listen to your recording with your voice changed" in page
    assert "This is how your voice will sound" in page
    key = hidden_value(page, "staged_voice")
    assert send(client, body="", staged_voice=key, mask_voice="y").status_code == 303
    recording = only_story(db).recording
    assert recording.masked
    assert media_files(app) == sorted(r["name"] for r in recording.renditions)


def test_masking_a_kept_recording_replaces_its_files(client, db, app):
    page = send(client, sounds.tone(3), body="", title="").get_data(as_text=True)
    key = hidden_value(page, "staged_voice")
    before = media_files(app)
    page = send(client, body="", staged_voice=key, mask_voice="y").get_data(as_text=True)
    assert "This is how your voice will sound" in page
    after = media_files(app)
    assert len(after) == 2 and not set(before) & set(after)  # the unmasked files are gone


def test_withdrawal_deletes_the_recording_files(client, db, app):
    send(client, sounds.tone(3), body="")
    assert len(media_files(app)) == 2
    withdraw(only_story(db))
    db.session.commit()
    assert media_files(app) == []


def test_the_masked_preview_is_heard_and_stored_nowhere(client, app):
    response = client.post(
        "/share/voice-preview",
        data={"voice": (io.BytesIO(sounds.tone(3)), "recording.webm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.mimetype == "audio/ogg"
    assert "Input #0, ogg" in sounds.probe(response.get_data())
    assert response.headers["Cache-Control"] == "no-store"
    assert media_files(app) == []


def test_a_preview_of_a_file_we_cannot_use_says_why(client, app):
    response = client.post(
        "/share/voice-preview",
        data={"voice": (io.BytesIO(sounds.video()), "clip.mp4")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "is a video" in response.get_json()["error"]
    assert media_files(app) == []


def test_only_the_share_form_may_use_the_microphone(client):
    assert "microphone=(self)" in client.get("/share").headers["Permissions-Policy"]
    assert "microphone=()" in client.get("/stories").headers["Permissions-Policy"]


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_preview_needs_the_forms_csrf_token(client, app):
    response = client.post(
        "/share/voice-preview",
        data={"voice": (io.BytesIO(sounds.tone(3)), "recording.webm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert media_files(app) == []


def test_the_storyteller_hears_their_recording_and_may_delete_it_when_text_remains(client, db, app):
    send(client, sounds.tone(3), body="I arrived in December, and the snow was new to me.")
    story = only_story(db)
    token = client.get("/share/thanks").get_data(as_text=True).split("/my-story/")[1].split('"')[0]
    page = client.get(f"/my-story/{token}").get_data(as_text=True)
    assert 'id="my-recording"' in page and "Delete my recording" in page
    client.post(f"/my-story/{token}/recording/remove")
    assert only_story(db).recording is None
    assert media_files(app) == []
    assert story.body


def test_a_voice_story_without_text_keeps_its_recording_and_says_to_withdraw(client, db, app):
    send(client, sounds.tone(3), body="")
    token = client.get("/share/thanks").get_data(as_text=True).split("/my-story/")[1].split('"')[0]
    page = client.post(f"/my-story/{token}/recording/remove", follow_redirects=True)
    assert "withdraw your story" in page.get_data(as_text=True)
    assert only_story(db).recording is not None
    assert len(media_files(app)) == 2


@pytest.mark.parametrize("config_overrides", [{"STAGED_RECORDINGS_PER_ADDRESS": 1}])
def test_recordings_waiting_for_their_story_are_capped_per_address(app, db):
    first, second = app.test_client(), app.test_client()  # two browsers, one network
    page = send(first, sounds.tone(3), body="", title="").get_data(as_text=True)
    assert "We kept your recording" in page
    page = send(second, sounds.tone(3), body="", title="").get_data(as_text=True)
    assert "Many recordings sent from your connection" in voice_error(page)
    assert db.session.scalar(select(func.count(Recording.id))) == 1


@pytest.mark.parametrize("config_overrides", [{"SHARE_RATE_LIMIT": "2 per hour"}])
def test_refused_recordings_count_against_the_share_limit(client, db):
    for _ in range(2):
        assert send(client, sounds.video(), body="").status_code == 200
    assert send(client, sounds.video(), body="").status_code == 429
