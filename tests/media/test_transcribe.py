"""Speech to text: off by default, pluggable, a machine's draft marked as one, a
person's transcript never replaced; the Vosk adapter reads only local model folders."""

import pytest
from sqlalchemy import select

from campaign.media.transcribe import VoskBackend
from campaign.models import Recording, StoryStatus
from tests.factories import make_recording, make_story

HEARD: list[tuple[int, int, str]] = []


class FakeBackend:
    """Hears "hello from the fake" in anything, and notes what it was given."""

    def __init__(self, config):
        self.config = config

    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> str | None:
        HEARD.append((len(pcm), sample_rate, language))
        return "hello from the fake"


FAKE = {"SPEECH_TO_TEXT_BACKEND": "tests.media.test_transcribe:FakeBackend"}


def voice_story(transcript: str = "", status=StoryStatus.PENDING, **fields):
    story = make_story(status, body="", **fields)
    make_recording(story, transcript=transcript)
    return story


def recording_of(db, story):
    db.session.expire_all()
    return db.session.scalar(select(Recording).where(Recording.story_id == story.id))


def test_off_by_default(runner, db):
    story = voice_story()
    result = runner.invoke(args=["media", "transcribe"])
    assert "Speech to text is off" in result.output
    assert recording_of(db, story).transcript == ""


@pytest.mark.parametrize("config_overrides", [FAKE])
def test_a_waiting_recording_gets_a_machine_draft_to_check(runner, db, signed_in):
    HEARD.clear()
    story = voice_story(language="fi")
    result = runner.invoke(args=["media", "transcribe"])
    assert "Drafted 1 transcript(s); 0 failed" in result.output
    recording = recording_of(db, story)
    assert recording.transcript == "hello from the fake"
    assert recording.transcript_source == "speech_to_text"
    ((length, rate, language),) = HEARD
    assert rate == 16_000 and language == "fi"
    assert length == pytest.approx(3 * 16_000 * 2, rel=0.05)  # 3 s of 16-bit mono
    assert "transcript to check" in signed_in.get("/moderate").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [FAKE])
def test_a_persons_transcript_and_published_stories_are_left_alone(runner, db):
    HEARD.clear()
    written = voice_story(transcript="My own words.")
    published = voice_story(transcript="Checked words.", status=StoryStatus.PUBLISHED)
    result = runner.invoke(args=["media", "transcribe"])
    assert "Drafted 0 transcript(s)" in result.output
    assert HEARD == []
    assert recording_of(db, written).transcript == "My own words."
    assert recording_of(db, published).transcript == "Checked words."


def test_vosk_reads_only_the_folders_it_is_given(tmp_path):
    engine = VoskBackend({"en": str(tmp_path / "missing-model")})
    assert engine.transcribe(b"\0" * 32000, 16_000, "fi") is None  # no model: nothing
    with pytest.raises(FileNotFoundError):
        engine.transcribe(b"\0" * 32000, 16_000, "en")  # never a download instead
