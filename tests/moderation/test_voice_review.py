"""Voice stories at the desk: the queue shows their length and transcript status, the
review page has the player beside the transcript editor, a voice story is published
only with a transcript, its recording can be removed, and the personal-detail signals
read its transcript."""

import os

import pytest
from sqlalchemy import select

from campaign.models import AuditEntry, Recording, Story, StoryRevision, StoryStatus
from campaign.moderation.signals import personal_details
from tests.factories import make_recording, make_story

pytestmark = pytest.mark.both_databases


def voice_story(transcript: str = "", **fields) -> Story:
    story = make_story(body="", **fields)
    story.names = make_recording(story, transcript=transcript)
    return story


def fresh(db, story: Story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def actions(db, story: Story) -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.story_id == story.id))
    )


def test_the_queue_shows_the_length_and_the_transcript_status(signed_in):
    voice_story(title="Spoken without transcript")
    voice_story(transcript="I came in winter.", title="Spoken with transcript")
    page = signed_in.get("/moderate").get_data(as_text=True)
    assert page.count("voice, 0:03") == 2
    assert "no transcript" in page and "transcript written" in page


def test_the_review_page_has_a_player_with_controls_beside_the_editor(signed_in):
    story = voice_story()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert 'id="review-player"' in page
    assert "data-voice-back" in page and 'id="voice-speed"' in page
    assert '<option value="2">' in page and "js/review-voice.js" in page
    assert 'name="transcript"' in page
    assert "No transcript yet: write one before publishing." in page


def test_a_voice_story_is_published_only_with_a_transcript(signed_in, db):
    story = voice_story()
    response = signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": story.version}
    )
    assert response.status_code == 303
    assert fresh(db, story).status is StoryStatus.PENDING
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Write the transcript first" in page

    story = fresh(db, story)
    response = signed_in.post(
        f"/moderate/stories/{story.id}/transcript",
        data={"version": story.version, "transcript": "I came in winter.\n\nIt was cold."},
    )
    assert response.status_code == 303
    story = fresh(db, story)
    assert story.recording.transcript == "I came in winter.\n\nIt was cold."
    assert story.recording.transcript_source == "moderator"
    revision = db.session.scalars(
        select(StoryRevision).where(StoryRevision.story_id == story.id)
    ).one()
    assert revision.field == "transcript" and revision.new_text.startswith("I came")
    signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": story.version}
    )
    assert fresh(db, story).status is StoryStatus.PUBLISHED
    assert "transcript_edited" in actions(db, story)


def test_a_stale_transcript_form_changes_nothing(signed_in, db):
    story = voice_story(transcript="First words.")
    signed_in.post(
        f"/moderate/stories/{story.id}/transcript",
        data={"version": story.version - 1, "transcript": "Overwritten"},
    )
    assert fresh(db, story).recording.transcript == "First words."


def test_removing_the_recording_deletes_its_files(signed_in, db, app):
    story = voice_story(transcript="Words.")
    root = os.path.join(app.instance_path, "media")
    assert all(os.path.exists(os.path.join(root, name)) for name in story.names)
    response = signed_in.post(
        f"/moderate/stories/{story.id}/recording/remove", data={"version": story.version}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Recording.id)) is None
    assert not any(os.path.exists(os.path.join(root, name)) for name in story.names)
    assert "remove_recording" in actions(db, story)


def test_personal_details_in_the_transcript_are_flagged_and_can_be_removed(signed_in, db):
    story = voice_story(transcript="Call me on +358 40 123 4567 any time.")
    assert "phone" in fresh(db, story).detail_kinds.split()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "in the transcript" in page
    story = fresh(db, story)
    finding = next(f for f in personal_details(story) if f.field == "transcript")
    signed_in.post(
        f"/moderate/stories/{story.id}/redact",
        data={"version": story.version, "detail": finding.key},
    )
    story = fresh(db, story)
    assert "123 4567" not in story.recording.transcript
    assert "phone" not in story.detail_kinds.split()


def test_a_moderator_edits_a_voice_story_without_text(signed_in, db):
    story = voice_story(transcript="Words.")
    response = signed_in.post(
        f"/moderate/stories/{story.id}/edit",
        data={"version": story.version, "title": "A clearer title", "quote": "", "body": ""},
    )
    assert response.status_code == 303
    assert fresh(db, story).title == "A clearer title"


def test_the_storyteller_edits_a_voice_story_without_text(client, db):
    story = voice_story(transcript="Words.")
    data = {
        "title": "My own better title",
        "quote": "",
        "body": "",
        "name_display": story.name_display.value,
        "author_name": story.author_name,
        "origin_country": story.origin_country,
        "residence_country": story.residence_country,
        "language": story.language,
        "version": story.version,
    }
    response = client.post(f"/my-story/{story.token}/edit", data=data)
    assert response.status_code == 303
    assert fresh(db, story).title == "My own better title"
