import pytest
from sqlalchemy import select

from campaign.models import AuditEntry, Story, StoryStatus
from campaign.submissions.services import withdraw
from tests.factories import make_story

# Both engines: queue order and stale-copy checks.
pytestmark = pytest.mark.both_databases


def test_queue_lists_pending_stories_oldest_first(signed_in):
    older = make_story(title="Waited longest")
    newer = make_story(title="Just arrived")
    make_story(StoryStatus.PUBLISHED, title="Already published")
    page = signed_in.get("/moderate").get_data(as_text=True)
    assert page.index(older.title) < page.index(newer.title)
    assert "Already published" not in page


def test_review_page_describes_the_person_as_the_cards_do(signed_in):
    story = make_story(author_name="Omar", origin_country="SY", residence_country="DE")
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "From: Syria · Lives in: Germany" in page
    assert '<span class="story__distance">2,918 km from home</span>' in page
    assert "lives in Germany" not in page


def test_review_page_sets_private_fields_apart(signed_in):
    story = make_story(contact_email="reach-me@example.org")
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Private, never published" in page
    assert "reach-me@example.org" in page


def test_approving_publishes_and_records_who_what_when(signed_in, db, moderator):
    story = make_story()
    response = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "approve", "version": story.version, "note": "Lovely"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Story, story.id).status is StoryStatus.PUBLISHED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.story_id == story.id))
    assert (entry.actor_id, entry.action, entry.story_id) == (moderator.id, "approve", story.id)
    assert (entry.from_status, entry.to_status, entry.note) == ("pending", "published", "Lovely")
    assert entry.created_at is not None
    assert signed_in.get(f"/stories/{story.slug}").status_code == 200


def test_rejecting_keeps_story_out_of_public(signed_in, db):
    story = make_story()
    signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "reject", "reason": "spam", "version": story.version},
    )
    db.session.expire_all()
    assert db.session.get(Story, story.id).status is StoryStatus.REJECTED
    assert signed_in.get(f"/stories/{story.slug}").status_code == 404


def test_decision_on_a_stale_copy_is_refused(signed_in, db):
    story = make_story()
    seen = story.version
    signed_in.post(f"/moderate/stories/{story.id}", data={"decision": "approve", "version": seen})
    response = signed_in.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "reject", "reason": "spam", "version": seen},
    )
    assert response.status_code == 303
    follow = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed this story" in follow
    db.session.expire_all()
    assert db.session.get(Story, story.id).status is StoryStatus.PUBLISHED
    assert (
        len(db.session.scalars(select(AuditEntry).where(AuditEntry.story_id == story.id)).all())
        == 1
    )


def test_decision_without_choice_shows_error(signed_in):
    story = make_story()
    response = signed_in.post(f"/moderate/stories/{story.id}", data={"version": story.version})
    assert "Choose a decision." in response.get_data(as_text=True)


def test_unknown_story_is_404_for_moderators(signed_in):
    assert signed_in.get("/moderate/stories/999999").status_code == 404


def test_a_moderators_open_page_never_acts_on_a_story_submitted_after_the_one_read(signed_in, db):
    """Story N is read, withdrawn, and a new story arrives: Approve and the old edit form
    of N must not touch the newcomer, which nobody has read (issue 14, finding 1)."""
    read = make_story(title="The story the moderator read")
    seen_id, seen_version = read.id, read.version
    assert signed_in.get(f"/moderate/stories/{seen_id}").status_code == 200
    withdraw(read)  # by its teller, while the page is open
    db.session.commit()
    newcomer = make_story(title="A story nobody has read yet")
    newcomer_id = newcomer.id

    approve = signed_in.post(
        f"/moderate/stories/{seen_id}", data={"decision": "approve", "version": seen_version}
    )
    edit = signed_in.post(
        f"/moderate/stories/{seen_id}/edit",
        data={
            "title": "The withdrawn title",
            "quote": "",
            "body": "The withdrawn text, with a real name in it. " * 3,
            "version": seen_version,
        },
    )

    assert (approve.status_code, edit.status_code) == (404, 404)
    db.session.expire_all()
    untouched = db.session.get(Story, newcomer_id)
    assert untouched.status is StoryStatus.PENDING
    assert untouched.title == "A story nobody has read yet"
    # No moderator's action is on the newcomer's record either.
    assert not db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.story_id == newcomer_id, AuditEntry.actor_id.is_not(None)
        )
    ).all()
