import feedparser
import pytest
from sqlalchemy import update

from campaign.models import NameDisplay, Story, StoryStatus
from tests.api.stories import assert_no_private_field, days_ago, make_theme, public_story
from tests.factories import make_moderator

# Both engines: the stories of each feed are a query.
pytestmark = pytest.mark.both_databases


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, response


def test_main_feed_lists_newest_published_stories_first(client):
    public_story(title="Older", published_at=days_ago(3))
    newest = public_story(title="Newest <b>bold</b>", quote="Short quote", author_name="Lina Kay")
    public_story(status=StoryStatus.PENDING, title="Pending one")
    feed, _response = parse(client, "/feed.atom")
    assert [entry.title for entry in feed.entries] == ["Newest bold", "Older"]
    first = feed.entries[0]
    assert first.link == f"http://localhost/stories/{newest.slug}"
    assert first.id == f"http://localhost/stories/{newest.slug}"
    assert first.author == "Lina"
    assert first.summary == "Short quote"
    assert newest.body.split(".")[0] in first.content[0].value
    assert feed.feed.links[0].href == "http://localhost/feed.atom"


def test_feed_size_is_limited(app, client):
    app.config["FEED_SIZE"] = 2
    for days in range(4):
        public_story(title=f"Day {days}", published_at=days_ago(days))
    feed, _response = parse(client, "/feed.atom")
    assert [entry.title for entry in feed.entries] == ["Day 0", "Day 1"]


def test_country_and_theme_feeds_hold_the_right_stories(client):
    family = make_theme("family", "Family")
    public_story(title="From Syria to Germany", origin_country="SY", residence_country="DE")
    public_story(
        title="From Iraq to Germany", origin_country="IQ", residence_country="DE", themes=[family]
    )
    public_story(title="From Syria to Finland", origin_country="SY", residence_country="FI")

    def titles(url):
        return sorted(entry.title for entry in parse(client, url)[0].entries)

    assert titles("/feed/from/SY.atom") == ["From Syria to Finland", "From Syria to Germany"]
    assert titles("/feed/from/sy.atom") == ["From Syria to Finland", "From Syria to Germany"]
    assert titles("/feed/in/DE.atom") == ["From Iraq to Germany", "From Syria to Germany"]
    assert titles("/feed/theme/family.atom") == ["From Iraq to Germany"]
    assert parse(client, "/feed/from/SY.atom")[0].feed.title == "Stories of migrants from Syria"
    family_feed = parse(client, "/feed/theme/family.atom")[0]
    assert family_feed.entries[0].tags[0].term == "family"


@pytest.mark.parametrize(
    "url", ["/feed/from/XX.atom", "/feed/in/Syria.atom", "/feed/theme/nope.atom"]
)
def test_unknown_country_or_theme_feed_is_404(client, url):
    assert client.get(url).status_code == 404


def test_withdrawn_story_vanishes_from_feeds(client, db):
    story = public_story(title="Gone tomorrow", origin_country="SY")
    assert "Gone tomorrow" in client.get("/feed/from/SY.atom").get_data(as_text=True)
    story.move_to(StoryStatus.WITHDRAWN)
    db.session.commit()
    for url in ["/feed.atom", "/feed/from/SY.atom", "/feed/in/FI.atom"]:
        feed, _response = parse(client, url)
        assert feed.entries == [], url


def test_no_private_field_in_any_feed(client):
    family = make_theme("family", "Family")
    story = public_story(themes=[family], origin_country="SY", residence_country="DE")
    for url in ["/feed.atom", "/feed/from/SY.atom", "/feed/in/DE.atom", "/feed/theme/family.atom"]:
        assert_no_private_field(parse(client, url)[1].get_data(as_text=True), story)


def test_empty_feed_is_still_valid_atom(client):
    feed, _response = parse(client, "/feed.atom")
    assert feed.entries == []


def test_feed_answers_304_when_unchanged(client):
    public_story()
    etag = client.get("/feed.atom").headers["ETag"]
    assert client.get("/feed.atom", headers={"If-None-Match": etag}).status_code == 304


def test_home_and_gallery_link_to_the_feeds_they_mirror(client):
    family = make_theme("family", "Family")
    public_story(themes=[family])

    def feeds(url):
        page = client.get(url).get_data(as_text=True)
        marker = 'rel="alternate" type="application/atom+xml"'
        return [chunk.split('href="')[1].split('"')[0] for chunk in page.split(marker)[1:]]

    # The newest stories, and those in the page's language (told in it or translated).
    newest = ["http://localhost/feed.atom", "http://localhost/feed/language/en.atom"]
    assert feeds("/") == newest
    assert feeds("/stories") == newest
    assert feeds("/stories?origin=SY&residence=de&theme=family") == [
        *newest,
        "http://localhost/feed/from/SY.atom",
        "http://localhost/feed/in/DE.atom",
        "http://localhost/feed/theme/family.atom",
    ]
    assert feeds("/stories?origin=ZZZ&theme=nope") == newest


# What XML cannot hold, as a row written before (or past) clean_text could hold it.
# No NUL and no lone surrogate: PostgreSQL cannot store them at all.
NOT_XML = "\x01\x0b\x0c\x1f\ufffe\uffff\ufdd0\U0001fffe\U0010ffff"


@pytest.mark.parametrize("url", ["/feed.atom", "/feed/from/SY.atom", "/feed/in/FI.atom"])
def test_a_feed_stays_valid_when_a_stored_story_holds_characters_xml_cannot(client, db, url):
    story = public_story(title="Winter", origin_country="SY", residence_country="FI")
    db.session.execute(
        update(Story)
        .where(Story.id == story.id)
        .values(
            title=f"Win{NOT_XML}ter",
            quote=f"Q{NOT_XML}uote",
            body=f"Snow{NOT_XML} fell.",
            author_name="Li\ufffena\uffff Kay",  # no \x0b here: a name splits on it
        )
    )
    db.session.commit()
    feed, _response = parse(client, url)
    (entry,) = feed.entries
    assert (entry.title, entry.summary, entry.author) == ("Winter", "Quote", "Lina")
    assert "Snow fell." in entry.content[0].value


@pytest.mark.parametrize("url", ["/feed/from/ıs.atom", "/feed/in/ß.atom", "/feed/from/İS.atom"])
def test_a_country_feed_answers_only_to_two_ascii_letters(client, url):
    public_story(origin_country="IS", residence_country="SS")
    assert client.get(url).status_code == 404


# --- <updated> moves with every public change (issue 14, finding 14) ----------------


def _remove_photo_by_moderator(story):
    from campaign.moderation.services import remove_photo

    remove_photo(story, make_moderator(), seen_version=story.version)


def _edit_by_moderator(story):
    from campaign.moderation.services import edit_story

    edit_story(story, make_moderator(), seen_version=story.version, title="Redacted title")


def _change_name_display(story):
    from campaign.submissions.services import change_name_display

    change_name_display(story, NameDisplay.ANONYMOUS.value, story.author_name)


def _add_theme(story):
    story.themes = [make_theme("work", "Work")]


PUBLIC_CHANGES = {
    "moderator edit": _edit_by_moderator,
    "name display": _change_name_display,
    "photo removed": _remove_photo_by_moderator,
    "theme added": _add_theme,
    "photo alt text": lambda story: setattr(story.photo, "alt_text", "A new description"),
}


def _entry_updated(client, slug):
    feed, _response = parse(client, "/feed.atom")
    (entry,) = [entry for entry in feed.entries if entry.link.endswith(slug)]
    return entry.updated_parsed, feed.feed.updated_parsed


@pytest.mark.parametrize("change", PUBLIC_CHANGES)
def test_a_feed_entry_is_updated_when_anything_public_about_its_story_changes(client, db, change):
    story = public_story(
        title="Before",
        author_name="Lina Kay",
        published_at=days_ago(3),
        photo={"width": 800, "height": 1000, "alt_text": "A face", "renditions": []},
    )
    entry_before, feed_before = _entry_updated(client, story.slug)

    PUBLIC_CHANGES[change](db.session.get(Story, story.id))
    db.session.commit()

    entry_after, feed_after = _entry_updated(client, story.slug)
    assert entry_after > entry_before
    assert feed_after > feed_before
    assert feed_after == entry_after


def test_a_private_change_leaves_the_feed_entry_as_it_was(client, db):
    story = public_story(title="Kept", published_at=days_ago(3))
    before = _entry_updated(client, story.slug)
    db.session.get(Story, story.id).contact_email = "new@example.org"
    db.session.commit()
    assert _entry_updated(client, story.slug) == before


def test_saving_a_form_that_changes_nothing_public_leaves_the_entry_as_it_was(client, db):
    from campaign.submissions.services import change_name_display

    story = public_story(title="Same", author_name="Lina Kay", published_at=days_ago(3))
    before = _entry_updated(client, story.slug)
    found = db.session.get(Story, story.id)
    change_name_display(found, found.name_display.value, "Lina Kay")
    db.session.commit()
    assert _entry_updated(client, story.slug) == before
