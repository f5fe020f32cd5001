"""Taking a decision back (issue 17, the desk): for UNDO_SECONDS, by its own moderator,
only while nobody changed the story since; the undo is a decision of its own."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaign.models import AuditEntry, Story, StoryStatus, UndoableDecision
from campaign.models._types import utcnow
from tests.factories import make_story

# Both engines: the row lock of the version check, JSON and time comparisons are SQL.
pytestmark = pytest.mark.both_databases


def actions(db, story) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.story_id == story.id).order_by(AuditEntry.id)
        )
    )


def fresh(db, story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def decide(client, story, decision="approve", **data):
    """Decide as the review page does; return the page the moderator lands on."""
    response = client.post(
        f"/moderate/stories/{story.id}",
        data={"decision": decision, "version": story.version, **data},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def undo_form(page: str) -> dict:
    """The fields of the Undo button's form in the flash message."""
    form = page[page.index('action="/moderate/undo"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert set(fields) == {"csrf_token", "story_id", "version"}
    return fields


def undo(client, fields):
    response = client.post("/moderate/undo", data=fields, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_approve_is_undone_back_to_the_queue_with_two_audit_entries(signed_in, client, db):
    story = make_story(title="Rain on the roof")
    page = decide(signed_in, story)
    # The flash says what happened, with an Undo button that is a plain POST form.
    assert "Published “\u2068Rain on the roof\u2069”." in page
    fields = undo_form(page)
    assert fresh(db, story).status is StoryStatus.PUBLISHED
    slug = fresh(db, story).slug
    assert client.get(f"/stories/{slug}").status_code == 200  # public now

    page = undo(signed_in, fields)

    story = fresh(db, story)
    assert story.status is StoryStatus.PENDING
    assert story.published_at is None
    assert "Undone: “\u2068Rain on the roof\u2069” is back to “Waiting for review”." in page
    assert actions(db, story) == ["approve", "undo"]
    undo_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "undo")).one()
    assert (undo_entry.from_status, undo_entry.to_status) == ("published", "pending")
    # Out of the public's sight again, and back at the head of the queue.
    assert client.get(f"/stories/{slug}").status_code == 404
    assert ">Rain on the roof</bdi></a>" in signed_in.get("/moderate").get_data(as_text=True)
    assert db.session.scalar(select(UndoableDecision)) is None


def test_undo_puts_back_exactly_what_the_decision_replaced(signed_in, db):
    """An unpublished story approved again, then undone: it keeps its first publication
    date and its reason, not the ones the approval set."""
    story = make_story(StoryStatus.REJECTED, title="Once published")
    first_published = utcnow() - timedelta(days=20)
    story.published_at, story.rejection_reason = first_published, "identifying"
    story.moderator_message = "Please remove the name of your village."
    db.session.commit()

    undo(signed_in, undo_form(decide(signed_in, story)))

    story = fresh(db, story)
    assert story.status is StoryStatus.REJECTED
    assert abs(story.published_at - first_published) < timedelta(seconds=1)
    assert story.rejection_reason == "identifying"
    assert story.moderator_message == "Please remove the name of your village."


def test_asking_for_changes_is_undone_with_its_message(signed_in, db, mail_sent):
    story = make_story()
    page = decide(signed_in, story, "request_changes", message="Leave out your street, please.")
    assert fresh(db, story).moderator_message == "Leave out your street, please."

    undo(signed_in, undo_form(page))

    story = fresh(db, story)
    assert story.status is StoryStatus.PENDING and story.moderator_message is None
    assert actions(db, story) == ["request_changes", "undo"]


def test_undo_is_refused_after_the_window(signed_in, db, app):
    story = make_story(title="Too slow")
    fields = undo_form(decide(signed_in, story))
    seconds = app.config["UNDO_SECONDS"]
    db.session.execute(
        update(UndoableDecision).values(decided_at=utcnow() - timedelta(seconds=seconds + 1))
    )
    db.session.commit()

    page = undo(signed_in, fields)

    assert f"Too late to undo: a decision can be taken back for {seconds} seconds." in page
    assert fresh(db, story).status is StoryStatus.PUBLISHED
    assert actions(db, story) == ["approve"]


def test_undo_is_refused_after_another_moderators_decision(signed_in, admin_client, db):
    story = make_story(title="Two hands")
    fields = undo_form(decide(signed_in, story))
    # Another moderator unpublishes it meanwhile.
    decide(admin_client, fresh(db, story), "unpublish", reason="identifying")

    page = undo(signed_in, fields)

    assert "Not undone: the story changed since your decision. Check it again." in page
    assert fresh(db, story).status is StoryStatus.REJECTED
    assert actions(db, story) == ["approve", "unpublish"]


def test_undo_is_refused_after_an_edit_since_the_decision(signed_in, db):
    story = make_story()
    fields = undo_form(decide(signed_in, story))
    story = fresh(db, story)
    story.body = "The storyteller's text, changed after the decision. " * 3
    db.session.commit()

    page = undo(signed_in, fields)

    assert "Not undone: the story changed since your decision." in page
    assert fresh(db, story).status is StoryStatus.PUBLISHED


def test_a_decision_is_undone_once_and_only_by_its_moderator(signed_in, admin_client, db):
    story = make_story()
    fields = undo_form(decide(signed_in, story))

    # Another moderator's client cannot take it back (nor guess their way to it).
    other = dict(fields, csrf_token=undo_form(decide(admin_client, make_story()))["csrf_token"])
    assert "Nothing to undo" in undo(admin_client, other)
    assert fresh(db, story).status is StoryStatus.PUBLISHED

    undo(signed_in, fields)
    assert "Nothing to undo" in undo(signed_in, fields)  # a second click changes nothing
    assert actions(db, story) == ["approve", "undo"]


def test_only_the_latest_decision_can_be_undone(signed_in, db):
    first, second = make_story(), make_story()
    old_fields = undo_form(decide(signed_in, first))
    decide(signed_in, second)

    assert "Nothing to undo" in undo(signed_in, old_fields)
    assert fresh(db, first).status is StoryStatus.PUBLISHED


def test_undo_of_a_withdrawn_story_says_it_is_gone(signed_in, client, db):
    story = make_story(title="Taken back by its teller")
    token = story.token
    fields = undo_form(decide(signed_in, story))
    response = client.post(f"/my-story/{token}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303  # withdrawn: deleted for good

    response = signed_in.post("/moderate/undo", data=fields, follow_redirects=True)

    assert response.status_code == 404  # the page saying the story is gone
    assert db.session.scalar(select(UndoableDecision)) is None  # went with the story


def test_undo_without_its_fields_is_a_bad_request(signed_in):
    assert signed_in.post("/moderate/undo", data={"story_id": "x"}).status_code == 400
