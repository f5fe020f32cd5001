"""What has happened to a story so far, and what comes next, for its teller's private page.

Dates come from the audit trail (each decision and each return to review leaves an
entry with the status it led to), the first from the story itself.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from campaign.audit import AuditAction
from campaign.extensions import db
from campaign.models import AuditEntry, Story, StoryStatus

DONE, NOW, NEXT = "done", "now", "next"


@dataclass(frozen=True)
class Step:
    key: str  # received, review, changes, review_again, published, not_published, decision
    state: str  # DONE, NOW or NEXT
    at: datetime | None = None
    message: str | None = None  # the moderator's words to the storyteller
    reason: str | None = None  # why not published (a REJECTION_REASONS key)


def _last_dates(story: Story) -> dict[str, datetime]:
    """When the story last entered each status, and when it was last sent back."""
    entries = db.session.execute(
        select(AuditEntry.action, AuditEntry.to_status, AuditEntry.created_at)
        .where(AuditEntry.story_id == story.id, AuditEntry.to_status.is_not(None))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ).all()
    last = {}
    for action, to_status, at in entries:
        last[AuditAction.RESUBMITTED.value if action == AuditAction.RESUBMITTED else to_status] = at
    return last


def timeline(story: Story) -> list[Step]:
    """received → in review → changes requested (if asked) → published or not published."""
    last = _last_dates(story)
    status = story.status
    asked = last.get(StoryStatus.CHANGES_REQUESTED.value)
    decided = status in (StoryStatus.PUBLISHED, StoryStatus.REJECTED)
    steps = [Step("received", DONE, story.created_at)]
    first_review_now = status is StoryStatus.PENDING and asked is None
    steps.append(Step("review", NOW if first_review_now else DONE, story.created_at))
    if status is StoryStatus.CHANGES_REQUESTED:
        steps.append(Step("changes", NOW, asked, message=story.moderator_message))
    elif asked is not None:
        steps.append(Step("changes", DONE, asked))
        again = last.get(AuditAction.RESUBMITTED.value)
        steps.append(Step("review_again", DONE if decided else NOW, again))
    elif not decided:
        steps.append(Step("changes", NEXT))
    if status is StoryStatus.PUBLISHED:
        steps.append(Step("published", DONE, story.published_at, message=story.moderator_message))
    elif status is StoryStatus.REJECTED:
        steps.append(
            Step(
                "not_published",
                DONE,
                last.get(StoryStatus.REJECTED.value),
                message=story.moderator_message,
                reason=story.rejection_reason,
            )
        )
    else:
        steps.append(Step("decision", NEXT))
    return steps
