"""Recording a voice story in the browser: Chromium's fake microphone plays a tone, the
storyteller records, pauses, goes on, listens back and sends; the story arrives with its
Opus and AAC renditions. And the moderator's player, driven by the keys while typing
the transcript."""

import math
import struct
import wave

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Story
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import fill_share_form, next_step
from tests.factories import PASSWORD, make_moderator, make_recording, make_story

pytestmark = pytest.mark.browser


def tone_wav(path, seconds: float = 20, frequency: float = 330, rate: int = 48_000) -> None:
    """A 16-bit mono WAV of a tone: what the fake microphone hears."""
    frames = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * frequency * n / rate)))
        for n in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


@pytest.fixture(scope="module")
def microphone_browser(tmp_path_factory, browser):
    """Chromium with a fake microphone that plays a tone (and no permission prompt)."""
    folder = tmp_path_factory.mktemp("microphone")
    tone_wav(folder / "tone.wav")
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={folder / 'tone.wav'}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield launched
    launched.close()


def test_record_pause_listen_back_and_send(microphone_browser, live_server, live_app):
    context = microphone_browser.new_context(permissions=["microphone"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/share")
    page.get_by_text("Tell it with your voice (optional)").click()  # loads the recorder
    page.get_by_role("button", name="Record my story").click()
    status = page.locator(".recorder__status")
    expect(status).to_have_text("Recording… speak now.")
    expect(page.locator("#voice-level")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#voice-level').value > 0.05")
    clock = page.locator(".recorder__time")
    expect(clock).to_contain_text("0:01 of 5:00", timeout=5000)
    page.get_by_role("button", name="Pause").click()
    expect(status).to_have_text("Paused. Go on when you are ready.")
    paused_at = clock.text_content()
    page.get_by_role("button", name="Go on recording").click()
    expect(clock).to_contain_text("0:03 of", timeout=8000)
    assert paused_at.startswith("0:01")
    page.get_by_role("button", name="Stop").click()
    expect(status).to_contain_text("Your recording is ready.")
    listen = page.locator("#voice-listen")
    expect(listen).to_be_visible()
    assert page.evaluate("document.getElementById('voice').files[0].size") > 1000
    # Listened back: it plays.
    page.evaluate("document.getElementById('voice-listen').play()")
    page.wait_for_function("() => document.getElementById('voice-listen').currentTime > 0.2")
    expect(page.get_by_role("button", name="Record again")).to_be_visible()

    fill_share_form(page, body="", title="My voice, recorded")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    with live_app.app_context():
        story = db.session.scalar(select(Story).where(Story.title == "My voice, recorded"))
        assert story.body == ""
        recording = story.recording
        assert {r["format"] for r in recording.renditions} == {"opus", "aac"}
        assert 2.5 <= recording.duration_seconds <= 6
    context.close()
    assert errors == []


def test_next_step_needs_no_text_once_recorded(microphone_browser, live_server):
    """The step's check takes the recording for the story: no "Write your story" there."""
    context = microphone_browser.new_context(permissions=["microphone"])
    page = context.new_page()
    page.goto(f"{live_server}/share")
    page.get_by_text("Tell it with your voice (optional)").click()  # loads the recorder
    page.get_by_role("button", name="Record my story").click()
    expect(page.locator(".recorder__time")).to_contain_text("0:02 of", timeout=6000)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#voice-listen")).to_be_visible()
    page.locator("#title").fill("Only a title")
    next_step(page)
    expect(page.locator("#author_name")).to_be_visible()
    context.close()


def test_the_review_player_answers_the_transcribers_keys(microphone_browser, live_server, live_app):
    """On the review page, typing in the transcript: Esc plays and pauses, F2 goes back
    5 seconds, F4 and F3 change the speed between 1 and 2 times."""
    with live_app.app_context():
        story = make_story(title="To transcribe", body="")
        make_recording(story, transcript="")
        moderator = make_moderator()
        story_id, email = story.id, moderator.email
    context = microphone_browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/moderate/stories/{story_id}")
    player = "document.getElementById('review-player')"
    page.locator("#transcript").click()
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !{player}.paused && {player}.currentTime > 1.2")
    page.keyboard.press("Escape")
    assert page.evaluate(f"{player}.paused")
    before = page.evaluate(f"{player}.currentTime")
    page.keyboard.press("F2")
    assert page.evaluate(f"{player}.currentTime") == pytest.approx(max(0, before - 5), abs=0.3)
    for _ in range(6):
        page.keyboard.press("F4")
    assert page.evaluate(f"{player}.playbackRate") == 2
    assert page.locator("#voice-speed").input_value() == "2"
    page.keyboard.press("F3")
    assert page.evaluate(f"{player}.playbackRate") == 1.75
    page.locator("#transcript").type("I came")
    assert page.locator("#transcript").input_value() == "I came"  # typing is not taken
    context.close()
