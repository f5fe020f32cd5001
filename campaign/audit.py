"""The audit trail: who did what, when, to which story.

Services write their own entry, in the same transaction as the change they
make; views never do.
"""

from campaign.extensions import db
from campaign.models import AuditEntry, Moderator, Story, StoryStatus


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
