"""Small factories for stories and moderators, committed like real requests would."""

import itertools

from campaign.accounts.services import create_moderator
from campaign.extensions import db
from campaign.models import Story, StoryStatus
from campaign.submissions.services import create_story

PASSWORD = "a long enough test password"
_counter = itertools.count(1)


def make_story(status: StoryStatus = StoryStatus.PENDING, **fields) -> Story:
    """A story in the given status; returns it with ``story.token`` set for tests."""
    number = next(_counter)
    values = {
        "title": f"Story number {number}",
        "body": f"This is story number {number}. " + "It is long enough to be accepted. " * 3,
        "author_name": f"Teller {number}",
        "origin_country": "SY",
        "residence_country": "FI",
        "contact_email": None,
    }
    values.update(fields)
    story, token = create_story(**values)
    if status is not StoryStatus.PENDING:
        story.move_to(status)
    db.session.commit()
    story.token = token
    return story


def make_moderator(email: str | None = None, *, admin: bool = False, password: str = PASSWORD):
    moderator = create_moderator(
        email or f"moderator{next(_counter)}@example.org", password, admin=admin
    )
    db.session.commit()
    return moderator
