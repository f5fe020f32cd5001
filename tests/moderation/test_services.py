import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from campaign.models import AuditEntry, IllegalTransition, Story, StoryStatus
from campaign.moderation.services import StaleStory, decide
from tests.factories import make_story

# Both engines: transactions, version checks and constraints.
pytestmark = pytest.mark.both_databases


def test_withdrawn_story_can_never_come_back(db):
    story = make_story(StoryStatus.WITHDRAWN)
    for status in StoryStatus:
        with pytest.raises(IllegalTransition):
            story.move_to(status)


def test_publishing_sets_publication_time(db):
    story = make_story()
    assert story.published_at is None
    story.move_to(StoryStatus.PUBLISHED)
    assert story.published_at is not None


def test_decision_and_audit_entry_are_one_transaction(db, moderator):
    story = make_story()
    decide(story, "approve", moderator, seen_version=story.version)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Story, story.id).status is StoryStatus.PENDING
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.story_id == story.id)) is None


def test_decision_with_old_version_raises(db, moderator):
    story = make_story()
    with pytest.raises(StaleStory):
        decide(story, "approve", moderator, seen_version=story.version - 1)


def test_status_check_constraint_refuses_unknown_values(db):
    story = make_story()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE story SET status = 'bogus' WHERE id = :id"), {"id": story.id}
        )
    db.session.rollback()
