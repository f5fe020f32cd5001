"""Privacy by retention: personal data kept no longer than it is needed.

``flask --app campaign purge`` (run daily) deletes stories that were rejected
or withdrawn PURGE_AFTER_DAYS ago, forgets contact e-mails of decided
stories after CONTACT_EMAIL_RETENTION_DAYS, and forgets who sent a visitor
report after REPORTER_KEY_DAYS (a moderator's review forgets it sooner). The photo files of deleted
stories go after the commit, like every photo's (``media.files``).
"""

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select, update

from campaign.audit import AuditAction, record_deletion
from campaign.extensions import db
from campaign.models import Report, Story, StoryStatus
from campaign.models._types import utcnow
from campaign.models.photo import rendition_names

PURGEABLE = (StoryStatus.REJECTED, StoryStatus.WITHDRAWN)
DECIDED = (StoryStatus.PUBLISHED, StoryStatus.REJECTED, StoryStatus.WITHDRAWN)


def purge(now=None) -> tuple[int, int, int]:
    """Delete stories not published for PURGE_AFTER_DAYS; forget served contact e-mails
    and the reporters of old reports.

    Returns (stories deleted, e-mails forgotten, photo files deleted with them).
    Flushes, the caller commits.
    """
    now = now or utcnow()
    config = current_app.config
    purge_before = now - timedelta(days=config["PURGE_AFTER_DAYS"])
    forget_before = now - timedelta(days=config["CONTACT_EMAIL_RETENTION_DAYS"])

    doomed = db.session.scalars(
        select(Story).where(Story.status.in_(PURGEABLE), Story.updated_at < purge_before)
    ).all()
    files = 0
    for story in doomed:
        if story.photo is not None:
            files += len(rendition_names(story.photo.renditions))
        record_deletion(
            None,
            AuditAction.PURGED,
            story,
            from_status=story.status,
            note=f"personal data deleted after {config['PURGE_AFTER_DAYS']} days",
        )
        db.session.delete(story)

    served = db.session.scalars(
        select(Story).where(
            Story.status.in_(DECIDED),
            Story.contact_email.is_not(None),
            Story.updated_at < forget_before,
        )
    ).all()
    for story in served:
        story.contact_email = None

    db.session.execute(
        update(Report)
        .where(
            Report.reporter_key.is_not(None),
            Report.created_at < now - timedelta(days=config["REPORTER_KEY_DAYS"]),
        )
        .values(reporter_key=None)
    )
    db.session.flush()
    return len(doomed), len(served), files


@click.command("purge")
def purge_command() -> None:
    """Delete personal data that is no longer needed (run daily)."""
    deleted, forgotten, files = purge()
    db.session.commit()
    click.echo(
        f"Purged {deleted} rejected or withdrawn stories ({files} media files) "
        f"and {forgotten} contact e-mails."
    )
