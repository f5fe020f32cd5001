"""What a storyteller changes after a moderator has read the story (issue 14, findings 5
and 15): nothing they type goes public unreviewed, hiding is immediate, and a stale
edit form never overwrites a moderator's redaction."""

import pytest
from sqlalchemy import select

from campaign.models import (
    AuditEntry,
    NameDisplay,
    PendingNameChange,
    Story,
    StoryRevision,
    StoryStatus,
)
from campaign.moderation.services import edit_story as moderator_edits
from campaign.submissions.services import hides_only
from tests.factories import make_photo, make_story
from tests.submissions.helpers import hidden_value
from tests.submissions.test_private_page import edit_data

FULL, FIRST, ANON = NameDisplay.FULL, NameDisplay.FIRST, NameDisplay.ANONYMOUS


def actions(db, story_id) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.story_id == story_id).order_by(AuditEntry.id)
        )
    )


# Finding 15: the storyteller's stale edit form --------------------------------------


@pytest.mark.both_databases
def test_a_stale_edit_form_never_overwrites_a_moderators_redaction(client, db, moderator):
    story = make_story(
        StoryStatus.CHANGES_REQUESTED, body="I live at 12 Example Street with my brother. " * 3
    )
    form_page = client.get(f"/my-story/{story.token}/edit").get_data(as_text=True)
    typed = edit_data(
        story,
        version=hidden_value(form_page, "version"),
        body="I live at 12 Example Street with my brother, who is still in hiding. " * 2,
    )
    # Meanwhile a moderator takes the address out.
    moderator_edits(
        story,
        moderator,
        seen_version=story.version,
        body="I live in a city with my brother. " * 3,
    )
    db.session.commit()

    response = client.post(f"/my-story/{story.token}/edit", data=typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed your story since you opened this form" in page
    db.session.expire_all()
    stored = db.session.get(Story, story.id)
    assert "Example Street" not in stored.body
    # The current text is in the form; what they typed is shown too, to copy from.
    assert "I live in a city with my brother." in page
    assert "who is still in hiding" in page
    assert hidden_value(page, "version") == str(stored.version)


@pytest.mark.both_databases
def test_a_storytellers_edit_leaves_a_revision_like_a_moderators(client, db):
    story = make_story(title="The first title")
    response = client.post(
        f"/my-story/{story.token}/edit", data=edit_data(story, title="A better title")
    )
    assert response.status_code == 303
    [revision] = db.session.scalars(select(StoryRevision)).all()
    assert (revision.field, revision.old_text, revision.new_text) == (
        "title",
        "The first title",
        "A better title",
    )
    assert revision.by_storyteller and revision.moderator_id is None


def test_the_desk_says_the_storyteller_made_the_edit(client, db, signed_in):
    story = make_story(title="The first title")
    client.post(f"/my-story/{story.token}/edit", data=edit_data(story, title="A better title"))
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "The storyteller changed the title" in page


# Finding 5: name changes on a published story ---------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "at_once"),
    [
        ((FULL, "Layla Hassan"), (FIRST, "Layla Hassan"), True),
        ((FULL, "Layla Hassan"), (ANON, "Layla Hassan"), True),
        ((FIRST, "Layla Hassan"), (ANON, ""), True),
        ((FIRST, "Layla Hassan"), (ANON, "Call 555 0100"), True),  # not shown at all
        ((FIRST, "Layla Hassan"), (FIRST, "Layla Hassan"), True),
        ((FIRST, "Layla Hassan"), (FULL, "Layla Hassan"), False),
        ((ANON, "Layla Hassan"), (FIRST, "Layla Hassan"), False),
        ((FIRST, "Layla Hassan"), (FIRST, "Layla H."), False),
        ((FULL, "Layla Hassan"), (FIRST, "Buy at scam.example"), False),
        ((FULL, ""), (FIRST, "Layla"), False),
    ],
)
def test_only_a_change_that_shows_less_skips_review(before, after, at_once):
    assert hides_only(*before, *after) is at_once


@pytest.mark.both_databases
def test_a_new_name_on_a_published_story_waits_for_a_moderator(app, client, db, signed_in):
    story = make_story(StoryStatus.PUBLISHED, author_name="Layla Hassan")
    response = client.post(
        f"/my-story/{story.token}/name",
        data={"name_display": "full", "author_name": "Call +1 555 0100 now"},
        follow_redirects=True,
    )
    assert "waiting for a moderator" in response.get_data(as_text=True)
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert (story.name_display, story.author_name) == (FIRST, "Layla Hassan")
    public = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "555" not in public and "Layla" in public
    assert client.get(f"/api/v1/stories/{story.id}").get_data(as_text=True).count("555") == 0
    assert actions(db, story.id) == ["name_change_requested"]

    # The desk sees it waiting, old and new side by side.
    queue = signed_in.get("/moderate?tab=names").get_data(as_text=True)
    assert story.title in queue
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Name change waiting for review" in review
    assert "Call +1 555 0100 now" in review and "Layla" in review

    change_id = hidden_value(review, "change_id")
    version = hidden_value(review, "version")
    approved = signed_in.post(
        f"/moderate/stories/{story.id}/name/approve",
        data={"change_id": change_id, "version": version},
    )
    assert approved.status_code == 303
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert (story.name_display, story.author_name) == (FULL, "Call +1 555 0100 now")
    assert story.pending_name_change is None
    assert actions(db, story.id) == ["name_change_requested", "name_change_approved"]


@pytest.mark.both_databases
def test_a_rejected_name_change_leaves_the_published_name(client, db, signed_in):
    story = make_story(StoryStatus.PUBLISHED, author_name="Layla Hassan")
    client.post(
        f"/my-story/{story.token}/name", data={"name_display": "full", "author_name": "Layla X"}
    )
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    signed_in.post(
        f"/moderate/stories/{story.id}/name/reject",
        data={
            "change_id": hidden_value(review, "change_id"),
            "version": hidden_value(review, "version"),
        },
    )
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert (story.name_display, story.author_name) == (FIRST, "Layla Hassan")
    assert db.session.scalar(select(PendingNameChange)) is None
    assert actions(db, story.id) == ["name_change_requested", "name_change_rejected"]


def test_an_approval_names_the_request_the_moderator_read(client, db, signed_in):
    story = make_story(StoryStatus.PUBLISHED, author_name="Layla Hassan")
    client.post(
        f"/my-story/{story.token}/name", data={"name_display": "full", "author_name": "Layla A"}
    )
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    client.post(
        f"/my-story/{story.token}/name", data={"name_display": "full", "author_name": "Scam B"}
    )
    signed_in.post(
        f"/moderate/stories/{story.id}/name/approve",
        data={
            "change_id": hidden_value(review, "change_id"),
            "version": hidden_value(review, "version"),
        },
    )
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert story.author_name == "Layla Hassan"
    assert story.pending_name_change.author_name == "Scam B"


@pytest.mark.both_databases
def test_hiding_the_name_of_a_published_story_is_immediate_and_recorded(client, db):
    story = make_story(StoryStatus.PUBLISHED, author_name="Amina Yusuf", origin_country="SO")
    client.post(
        f"/my-story/{story.token}/name", data={"name_display": "full", "author_name": "Amina Y"}
    )
    client.post(f"/my-story/{story.token}/name", data={"name_display": "anonymous"})
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert story.name_display is ANON
    assert story.pending_name_change is None  # a waiting request cannot undo the hiding
    assert "Amina" not in client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert actions(db, story.id) == ["name_change_requested", "name_hidden"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "name_hidden")).one()
    assert "Amina" not in (entry.note or "")


@pytest.mark.both_databases
def test_deleting_the_photo_of_a_published_story_is_immediate_and_recorded(client, db):
    story = make_story(StoryStatus.PUBLISHED)
    make_photo(story)
    client.post(f"/my-story/{story.token}/photo/remove")
    db.session.expire_all()
    assert db.session.get(Story, story.id).photo is None
    assert actions(db, story.id) == ["photo_removed_by_storyteller"]
