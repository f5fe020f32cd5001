"""The private page's timeline: what happened to the story, when, and what comes next."""

import pytest

from campaign.models import StoryStatus
from campaign.moderation.services import decide
from campaign.submissions.services import edit_story
from campaign.submissions.timeline import timeline
from tests.factories import make_moderator, make_story


def steps(story):
    return [(step.key, step.state) for step in timeline(story)]


@pytest.fixture
def moderator(db):
    return make_moderator()


def _decide(db, story, decision, moderator, **kwargs):
    decide(story, decision, moderator, seen_version=story.version, **kwargs)
    db.session.commit()


def test_a_new_story_is_received_and_in_review_with_what_may_come_next(db):
    story = make_story()
    assert steps(story) == [
        ("received", "done"),
        ("review", "now"),
        ("changes", "next"),
        ("decision", "next"),
    ]
    assert timeline(story)[0].at == story.created_at


def test_changes_requested_is_the_current_step_with_the_moderators_message(db, moderator):
    story = make_story()
    _decide(db, story, "request_changes", moderator, message="Leave out your street.")
    assert steps(story) == [
        ("received", "done"),
        ("review", "done"),
        ("changes", "now"),
        ("decision", "next"),
    ]
    changes = timeline(story)[2]
    assert changes.message == "Leave out your street." and changes.at is not None


def test_a_story_changed_as_asked_is_in_review_again_from_the_day_it_was_sent_back(db, moderator):
    story = make_story()
    _decide(db, story, "request_changes", moderator, message="Leave out your street.")
    edit_story(
        story,
        seen_version=story.version,
        title=story.title,
        quote="",
        body=story.body + " Without my street.",
        author_name=story.author_name,
        name_display="first",
        origin_country="SY",
        residence_country="FI",
        moved_year=None,
        language="en",
    )
    db.session.commit()
    assert steps(story) == [
        ("received", "done"),
        ("review", "done"),
        ("changes", "done"),
        ("review_again", "now"),
        ("decision", "next"),
    ]
    assert timeline(story)[3].at is not None
    _decide(db, story, "approve", moderator)
    assert steps(story)[-2:] == [("review_again", "done"), ("published", "done")]


def test_published_and_not_published_are_dated_and_say_why(db, moderator):
    published, refused = make_story(), make_story()
    _decide(db, published, "approve", moderator)
    _decide(db, refused, "reject", moderator, reason="identifying", message="It names the camp.")
    assert steps(published) == [("received", "done"), ("review", "done"), ("published", "done")]
    assert timeline(published)[-1].at == published.published_at
    last = timeline(refused)[-1]
    assert (last.key, last.reason) == ("not_published", "identifying")
    assert last.message == "It names the camp."
    assert last.at is not None


def test_the_private_page_shows_the_timeline_in_plain_words(client, db, moderator):
    story = make_story()
    _decide(db, story, "reject", moderator, reason="identifying", message="It names the camp.")
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert "What happens to your story" in page
    assert "Received" in page and "Not published" in page
    assert "Why: It could identify you or someone else" in page
    assert "It names the camp." in page
    assert "usually takes" not in page  # decided: no waiting left


def test_the_private_page_and_the_thanks_page_say_how_long_review_usually_takes(client, db, app):
    app.config["REVIEW_USUALLY_TAKES_DAYS"] = 5
    story = make_story()
    page = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    assert 'aria-current="step"' in page
    assert "This usually takes about 5 days." in page
    assert "This usually takes about 5 days." in client.get("/share/thanks").get_data(as_text=True)
    assert story.status is StoryStatus.PENDING
