"""A published voice story in public: its page, its card, the API, the Atom feeds and
the podcast of its language; and its audio gone with the story."""

import feedparser
import pytest

from campaign.models import StoryStatus
from tests.api.stories import public_story
from tests.factories import make_recording

# Both engines: the podcast's stories are a query with a join.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def voice_story(app):
    story = public_story(title="Told aloud", body="", language="en", quote="")
    names = make_recording(story, transcript="I came in winter.\n\nThe snow was new.")
    story.names = names
    return story


def test_the_story_page_has_a_player_beside_the_transcript(client, voice_story):
    page = client.get(f"/stories/{voice_story.slug}").get_data(as_text=True)
    assert 'class="voice-player"' in page
    for name in voice_story.names:
        assert f"/media/{name}" in page
    assert 'type="audio/ogg; codecs=opus"' in page and 'type="audio/mp4"' in page
    assert "Transcript" in page and "The snow was new." in page
    assert "(0:03)" in page


def test_the_card_says_it_is_a_voice_story(client, voice_story):
    page = client.get("/stories").get_data(as_text=True)
    assert "Voice story, 0:03" in page
    assert "I came in winter." in page  # the transcript stands in for the text


def test_the_api_gives_the_audio_its_length_and_transcript(client, voice_story):
    item = client.get(f"/api/v1/stories/{voice_story.id}").get_json()
    spoken = item["voice"]
    assert spoken["duration_seconds"] == pytest.approx(3, abs=0.1)
    assert spoken["transcript"].startswith("I came in winter.")
    assert {a["format"] for a in spoken["audio"]} == {"opus", "aac"}
    assert all(a["url"].startswith("http://localhost/media/") for a in spoken["audio"])
    served = client.get(spoken["audio"][0]["url"].removeprefix("http://localhost"))
    assert served.status_code == 200 and served.mimetype == "audio/ogg"
    served.close()


def test_atom_entries_carry_the_audio_as_enclosures(client, voice_story):
    feed = feedparser.parse(client.get("/feed.atom").get_data())
    assert feed.bozo == 0
    entry = feed.entries[0]
    types = sorted(enclosure.type for enclosure in entry.enclosures)
    assert types == ["audio/mp4", "audio/ogg"]
    assert "The snow was new." in entry.content[0].value


def test_the_podcast_feed_parses_with_enclosures_durations_and_language(client, voice_story):
    public_story(title="Written only", language="en")
    public_story(title="In Finnish", language="fi")
    response = client.get("/podcast/en.rss")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.language == "en"
    assert [entry.title for entry in feed.entries] == ["Told aloud"]  # voice stories only
    entry = feed.entries[0]
    assert entry.enclosures[0].type == "audio/mp4"
    assert int(entry.enclosures[0].length) > 1000
    assert entry.itunes_duration == "3"
    assert "itunes" in feed.namespaces
    assert entry.id == f"http://localhost/stories/{voice_story.slug}"


def test_the_podcast_of_another_language_is_empty_and_an_unknown_one_404s(client, voice_story):
    feed = feedparser.parse(client.get("/podcast/fi.rss").get_data())
    assert feed.bozo == 0 and feed.entries == []
    assert client.get("/podcast/xx.rss").status_code == 404


def test_unpublished_its_audio_addresses_answer_404(client, db, voice_story):
    voice_story.move_to(StoryStatus.REJECTED)
    db.session.commit()
    for name in voice_story.names:
        assert client.get(f"/media/{name}").status_code == 404


def test_the_home_page_leads_with_the_transcript_of_a_voice_story(client, voice_story):
    page = client.get("/").get_data(as_text=True)
    assert "I came in winter." in page


def test_a_recording_is_served_in_byte_ranges_for_players(client, voice_story):
    name = next(n for n in voice_story.names if n.endswith(".m4a"))
    whole = client.get(f"/media/{name}")
    size = len(whole.get_data())
    whole.close()
    part = client.get(f"/media/{name}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.mimetype == "audio/mp4"
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert len(part.get_data()) == 100
    part.close()
