"""Moderation decisions and the audit trail they leave."""

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, Moderator, Story, StoryStatus

DECISIONS = {
    "approve": StoryStatus.PUBLISHED,
    "reject": StoryStatus.REJECTED,
}


class StaleStory(Exception):
    """Someone else changed the story since this moderator opened it."""


def pending_queue():
    """Stories waiting for a decision, the one that waited longest first."""
    return db.session.scalars(
        select(Story)
        .where(Story.status == StoryStatus.PENDING)
        .order_by(Story.created_at, Story.id)
    ).all()


def record(
    actor: Moderator | None,
    action: str,
    story: Story | None = None,
    *,
    from_status: StoryStatus | None = None,
    to_status: StoryStatus | None = None,
    note: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        story_id=story.id if story else None,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None,
        note=note or None,
    )
    db.session.add(entry)
    return entry


def decide(story: Story, decision: str, moderator: Moderator, *, seen_version: int, note: str = ""):
    """Apply a decision and record it, in one transaction (the caller commits)."""
    if story.version != seen_version:
        raise StaleStory()
    new_status = DECISIONS[decision]
    previous = story.move_to(new_status)
    record(moderator, decision, story, from_status=previous, to_status=new_status, note=note)
    db.session.flush()
