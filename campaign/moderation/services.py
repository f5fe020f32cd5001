"""Moderation decisions and the audit trail they leave.

Every function here changes the session and flushes; the view commits once.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload, with_expression

from campaign.audit import AuditAction, label_of, nobody_of, record, record_deletion
from campaign.diff import word_diff
from campaign.extensions import db
from campaign.i18n.detect import proposed_language
from campaign.i18n.labels import status_label
from campaign.i18n.locale import locale_for_language
from campaign.mail import send_after_commit
from campaign.media.blurring import blur_photo
from campaign.models import (
    AuditEntry,
    IllegalTransition,
    Moderator,
    PendingNameChange,
    Photo,
    Recording,
    Report,
    Story,
    StoryRevision,
    StoryStatus,
    StoryViewing,
    TranscriptSource,
    UndoableDecision,
    filed_under,
    revise,
)
from campaign.models._types import utcnow
from campaign.moderation.signals import Finding, has_detail, personal_details, public_texts
from campaign.text import clean_line, clean_text

# A decision's name is its audit action (a StrEnum: the forms' plain strings look it up).
DECISIONS = {
    AuditAction.APPROVE: StoryStatus.PUBLISHED,
    AuditAction.REJECT: StoryStatus.REJECTED,
    AuditAction.REQUEST_CHANGES: StoryStatus.CHANGES_REQUESTED,
    AuditAction.UNPUBLISH: StoryStatus.REJECTED,
}

# The subject of the message each decision sends to a storyteller who left an e-mail.
STATUS_MAIL_SUBJECTS = {
    AuditAction.APPROVE: _l("Your story is published"),
    AuditAction.REJECT: _l("Your story was not published"),
    AuditAction.REQUEST_CHANGES: _l("A moderator asks for changes to your story"),
    AuditAction.UNPUBLISH: _l("Your story is no longer published"),
}

TABS = ("pending", "changes", "names", "reported", "published", "not_published")
EDITABLE_FIELDS = ("title", "quote", "body")


class StaleStory(Exception):
    """Someone else changed the story since this moderator opened it."""


class TranscriptMissing(Exception):
    """A voice story is published only with a transcript (WCAG 1.2.1): people who cannot
    hear it read it. Refused before anything changes."""


class StoryGone(StaleStory):
    """The story was withdrawn or deleted since this moderator's request loaded it."""


def check_version(story: Story, seen_version: int | None) -> None:
    """The story's row as it is now, not the copy loaded earlier in the request, must be
    the version the moderator saw. The row stays locked until the commit (PostgreSQL;
    SQLite's write transaction already holds the lock), so a withdrawal cannot slip in
    between this check and the action: it waits, and finds the decision made."""
    current = db.session.scalar(select(Story.version).where(Story.id == story.id).with_for_update())
    if current is None:
        raise StoryGone()
    if seen_version is None or current != seen_version or story.version != seen_version:
        raise StaleStory()


def decide(
    story: Story,
    decision: str,
    moderator: Moderator,
    *,
    seen_version: int,
    note: str = "",
    reason: str | None = None,
    message: str | None = None,
    undoable: bool = False,
):
    """Apply a decision and record it, in one transaction (the caller commits).
    ``undoable``: the moderator may take it back for ``UNDO_SECONDS`` (undo_decision)."""
    check_version(story, seen_version)
    new_status = DECISIONS[decision]
    if decision == "unpublish" and story.status is not StoryStatus.PUBLISHED:
        raise IllegalTransition(story.status, new_status)
    if decision == "approve" and needs_transcript(story):
        raise TranscriptMissing()
    before = _undo_snapshot(story)
    previous = story.move_to(new_status)
    if decision in ("reject", "unpublish"):
        story.rejection_reason = reason or None
        story.featured_at = None
    if decision == "approve":
        story.rejection_reason = None
    if message is not None or decision in ("approve", "reject", "request_changes"):
        story.moderator_message = clean_text(message or "") or None
    resolve_reports(story, moderator)
    details = [f"reason: {reason}"] if reason else []
    if note and clean_text(note):
        details.append(clean_text(note))
    record(
        moderator,
        AuditAction(decision),
        story,
        from_status=previous,
        to_status=new_status,
        note="\n".join(details),
    )
    if story.contact_email:
        tell_storyteller(story, AuditAction(decision))
    db.session.flush()
    if undoable:
        _offer_undo(story, decision, moderator, before)


# Taking a decision back ---------------------------------------------------------------


class NothingToUndo(Exception):
    """The moderator has no such decision to take back (already undone, or a newer one)."""


class UndoTooLate(Exception):
    """The few seconds in which a decision may be taken back are over."""


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _unstamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _undo_snapshot(story: Story) -> dict:
    """What a decision may change, as it is before it: what an undo puts back."""
    return {
        "status": story.status.value,
        "published_at": _stamp(story.published_at),
        "featured_at": _stamp(story.featured_at),
        "rejection_reason": story.rejection_reason,
        "moderator_message": story.moderator_message,
        "hidden": story.hidden,
    }


def _offer_undo(story: Story, decision: str, moderator: Moderator, before: dict) -> None:
    """Keep what the decision replaced, as the moderator's one undoable decision."""
    offer = db.session.get(UndoableDecision, moderator.id)
    if offer is None:
        offer = UndoableDecision(moderator_id=moderator.id)
        db.session.add(offer)
    offer.story_id = story.id
    offer.decision = str(decision)
    offer.decided_at = utcnow()
    offer.story_version = story.version  # as the flush above left it
    offer.previous = before
    db.session.flush()


def undo_offer(
    moderator: Moderator, story_id: int, decided_version: int, window_seconds: int
) -> UndoableDecision | None:
    """The moderator's decision on this story, if it can still be undone."""
    offer = db.session.get(UndoableDecision, moderator.id)
    if offer is None or offer.story_id != story_id or offer.story_version != decided_version:
        return None
    if utcnow() - offer.decided_at > timedelta(seconds=window_seconds):
        return None
    return offer


def undo_decision(
    moderator: Moderator, story_id: int, decided_version: int | None, window_seconds: int
) -> Story:
    """Take back the moderator's latest decision on this story, made at most
    ``window_seconds`` ago, if nobody changed the story since (``decided_version``,
    the version the decision left, must still be the story's: else StaleStory). The
    story gets back exactly what the decision replaced; the undo is a decision of its
    own in the audit trail. Reports the decision marked as reviewed stay reviewed."""
    offer = db.session.get(UndoableDecision, moderator.id)
    if offer is None or offer.story_id != story_id or offer.story_version != decided_version:
        raise NothingToUndo()
    if utcnow() - offer.decided_at > timedelta(seconds=window_seconds):
        raise UndoTooLate()
    story = offer.story
    check_version(story, offer.story_version)
    before = offer.previous
    decided = story.status
    story.restore(StoryStatus(before["status"]), published_at=_unstamp(before["published_at"]))
    story.featured_at = _unstamp(before["featured_at"])
    story.rejection_reason = before["rejection_reason"]
    story.moderator_message = before["moderator_message"]
    story.hidden = before["hidden"]
    record(
        moderator,
        AuditAction.UNDO,
        story,
        from_status=decided,
        to_status=story.status,
    )
    db.session.delete(offer)
    db.session.flush()
    return story


def tell_storyteller(story: Story, decision: AuditAction) -> None:
    """One message for the status change, in the language they wrote their story in,
    sent after the commit (never for a decision rolled back)."""
    send_after_commit(
        story.contact_email,
        STATUS_MAIL_SUBJECTS[decision],
        "status",
        locale=locale_for_language(story.language),
        decision=decision.value,
        title=story.title,
        message=story.moderator_message,
        reason=story.rejection_reason,
    )


def next_pending(after_id: int | None = None) -> Story | None:
    """The pending story that waited longest, other than the one just decided."""
    query = select(Story).where(Story.status == StoryStatus.PENDING)
    if after_id is not None:
        query = query.where(Story.id != after_id)
    return db.session.scalar(query.order_by(Story.created_at, Story.id).limit(1))


def following_pending(story: Story) -> Story | None:
    """The pending story just after this one in the queue, or the first if there is none."""
    query = select(Story).where(
        Story.status == StoryStatus.PENDING,
        or_(
            Story.created_at > story.created_at,
            and_(Story.created_at == story.created_at, Story.id > story.id),
        ),
    )
    found = db.session.scalar(query.order_by(Story.created_at, Story.id).limit(1))
    return found or next_pending(story.id)


def previous_pending(story: Story) -> Story | None:
    """The pending story just before this one in the queue (it waited longer)."""
    query = select(Story).where(
        Story.status == StoryStatus.PENDING,
        or_(
            Story.created_at < story.created_at,
            and_(Story.created_at == story.created_at, Story.id < story.id),
        ),
    )
    return db.session.scalar(query.order_by(Story.created_at.desc(), Story.id.desc()).limit(1))


@dataclass
class BulkOutcome:
    done: int = 0
    skipped: int = 0  # already decided, or gone (withdrawn, deleted)
    changed: list[str] = field(default_factory=list)  # titles of stories that moved since seen


def bulk_decide(
    seen_versions: dict[int, int | None], decision: str, moderator: Moderator, reason: str | None
) -> BulkOutcome:
    """Approve or reject several pending stories, each only in the version the moderator
    was shown (``seen_versions``: story id -> version on the queue page); one audit
    entry each. A story changed since is left as it is, for a review of its own."""
    stories = db.session.scalars(select(Story).where(Story.id.in_(list(seen_versions)))).all()
    outcome = BulkOutcome(skipped=len(seen_versions) - len(stories))
    for story in stories:
        if story.status not in (StoryStatus.PENDING, StoryStatus.CHANGES_REQUESTED):
            outcome.skipped += 1
            continue
        title = story.title
        try:
            decide(
                story,
                decision,
                moderator,
                seen_version=seen_versions[story.id],
                note="bulk",
                reason=reason if decision == "reject" else None,
            )
        except (StoryGone, TranscriptMissing):  # the latter: reviewed on its own page
            outcome.skipped += 1
        except StaleStory:  # refused before anything was changed
            outcome.changed.append(title)
        else:
            outcome.done += 1
    return outcome


# Editing ----------------------------------------------------------------------


def edit_story(story: Story, moderator: Moderator, *, seen_version: int, **fields: str) -> int:
    """Change title/quote/body, keeping a revision per changed field. Returns the count."""
    check_version(story, seen_version)
    new_texts = {
        name: (clean_text if name == "body" else clean_line)(fields[name])
        for name in EDITABLE_FIELDS
        if fields.get(name) is not None
    }
    changed = revise(story, moderator, **new_texts)
    if "body" in changed:
        story.proposed_language = proposed_language(story.language, story.body)
    if changed:
        record(
            moderator,
            AuditAction.EDIT,
            story,
            note=", ".join(n for n in EDITABLE_FIELDS if n in fields),
        )
        db.session.flush()
    return len(changed)


class DetailGone(ValueError):
    """The personal detail to remove is not (or no longer) in the text as flagged."""


class TooLongAfterRemoval(ValueError):
    """The marker is longer than the detail, and the field would exceed its limit."""


def redact_detail(
    story: Story, moderator: Moderator, *, seen_version: int, key: str, marker: str
) -> Finding:
    """Replace one flagged personal detail (``key``: its field and span, as the review
    page showed it) with ``marker``: an edit like any other, with a revision and an
    audit entry that names the kind and the field, never the detail itself."""
    check_version(story, seen_version)
    finding = next((found for found in personal_details(story) if found.key == key), None)
    if finding is None:
        raise DetailGone(key)
    value = public_texts(story)[finding.field]
    new_text = value[: finding.start] + marker + value[finding.end :]
    owner = {"alt_text": Photo, "transcript": Recording}.get(finding.field, Story)
    limit = owner.__table__.c[finding.field].type.length
    if limit is not None and len(new_text) > limit:
        raise TooLongAfterRemoval(finding.field)
    revise(story, moderator, **{finding.field: new_text})
    record(moderator, AuditAction.REDACT, story, note=f"{finding.kind} in {finding.field}")
    db.session.flush()
    return finding


def accept_language(story: Story, moderator: Moderator, *, seen_version: int) -> None:
    """Mark the story as written in the language its text seems to be in (the one
    proposed when it was stored or changed); ValueError when nothing is proposed."""
    check_version(story, seen_version)
    proposal = story.proposed_language
    if proposal is None:
        raise ValueError("no language is proposed for this story")
    previous, story.language, story.proposed_language = story.language, proposal, None
    record(moderator, AuditAction.LANGUAGE_ACCEPTED, story, note=f"{previous} → {proposal}")
    db.session.flush()


# A published story's name change, asked for by its teller ------------------------------


def decide_name_change(
    story: Story, moderator: Moderator, *, seen_version: int, change_id: int | None, approve: bool
) -> None:
    """Approve (the public sees the new name) or reject (the reviewed name stays) the
    waiting name change the moderator read: ``change_id`` names it, so a newer request
    made meanwhile is not approved unseen (StaleStory)."""
    check_version(story, seen_version)
    change = story.pending_name_change
    if change is None or change.id != change_id:
        raise StaleStory()
    if approve:
        story.name_display, story.author_name = change.name_display, change.author_name
    story.pending_name_change = None
    action = AuditAction.NAME_CHANGE_APPROVED if approve else AuditAction.NAME_CHANGE_REJECTED
    record(moderator, action, story, note=change.name_display.value)
    db.session.flush()


@dataclass
class ChangeRequest:
    """A story back in the queue after a moderator asked for changes: the request and
    what its storyteller changed since, field by field (the first text before, the
    last after), as word diffs."""

    asked_at: datetime
    asked_by: Moderator | None
    message: str | None
    changes: list[tuple[str, Markup]]


DECISION_ACTIONS = (*DECISIONS, AuditAction.UNDO)


def change_request(story: Story) -> ChangeRequest | None:
    """The change request this pending story answers, if the latest decision on it
    asked for changes (an undone request is no request)."""
    if story.status is not StoryStatus.PENDING:
        return None
    latest = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.story_id == story.id, AuditEntry.action.in_(DECISION_ACTIONS))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    if latest is None or latest.action != AuditAction.REQUEST_CHANGES:
        return None
    since = db.session.scalars(
        select(StoryRevision)
        .where(
            StoryRevision.story_id == story.id,
            StoryRevision.by_storyteller.is_(True),
            StoryRevision.created_at >= latest.created_at,
        )
        .order_by(StoryRevision.created_at, StoryRevision.id)
    ).all()
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for revision in since:
        first.setdefault(revision.field, revision.old_text)
        last[revision.field] = revision.new_text
    changes = [
        (name, word_diff(first[name], last[name]))
        for name in EDITABLE_FIELDS
        if name in last and first[name] != last[name]
    ]
    return ChangeRequest(latest.created_at, latest.actor, story.moderator_message, changes)


def revisions(story: Story) -> list[StoryRevision]:
    return db.session.scalars(
        select(StoryRevision)
        .where(StoryRevision.story_id == story.id)
        .order_by(StoryRevision.created_at.desc(), StoryRevision.id.desc())
    ).all()


def needs_transcript(story: Story) -> bool:
    return story.recording is not None and not (story.recording.transcript or "").strip()


def remove_recording(story: Story, moderator: Moderator, *, seen_version: int) -> bool:
    return _remove_media(story, moderator, seen_version, "recording", AuditAction.REMOVE_RECORDING)


def save_transcript(story: Story, moderator: Moderator, *, seen_version: int, text: str) -> bool:
    """The moderator writes or corrects the transcript: a revision like any edit (the
    history shows the change), and from now on the transcript is a person's, checked."""
    check_version(story, seen_version)
    if story.recording is None:
        return False
    changed = revise(story, moderator, transcript=clean_text(text or ""))
    recording = story.recording
    recording.transcript_source = TranscriptSource.MODERATOR.value if recording.transcript else None
    if changed:
        story.updated_at = utcnow()
        record(moderator, AuditAction.TRANSCRIPT_EDITED, story)
    db.session.flush()
    return bool(changed)


def remove_photo(story: Story, moderator: Moderator, *, seen_version: int) -> bool:
    return _remove_media(story, moderator, seen_version, "photo", AuditAction.REMOVE_PHOTO)


def _remove_media(story, moderator, seen_version, attribute, action) -> bool:
    """The photo's or recording's row goes, its files after the commit (media.files) and
    their addresses to the CDN purge; False when there was none."""
    check_version(story, seen_version)
    if getattr(story, attribute) is None:
        return False
    setattr(story, attribute, None)
    story.updated_at = utcnow()
    record(moderator, action, story)
    db.session.flush()
    return True


def blur_faces(story: Story, moderator: Moderator, *, seen_version: int) -> int:
    """Blur every face the detector found in the photo, in every rendition (the old
    files go after the commit, their addresses to the CDN purge). Returns how many
    areas were blurred; raises ``PhotoRejected`` when the photo cannot be read."""
    return _blur(story, moderator, seen_version, AuditAction.BLUR_FACES, the_faces=True)


def blur_area(story: Story, moderator: Moderator, *, seen_version: int, area) -> int:
    """Blur one area drawn by the moderator (fractions of the photo), as ``blur_faces``."""
    return _blur(story, moderator, seen_version, AuditAction.BLUR_AREA, areas=[area])


def _blur(story, moderator, seen_version, action, **what) -> int:
    check_version(story, seen_version)
    if story.photo is None:
        raise ValueError("the story has no photo")
    photo = story.photo
    if what.get("the_faces") and photo.faces and not photo.faces_left:
        return len(photo.blurred)  # done already (a form shown before): nothing is cut again
    blurred = blur_photo(photo, **what)
    if blurred:
        story.updated_at = utcnow()
        where = "; ".join(" ".join(f"{value * 100:.1f}" for value in area) for area in blurred)
        record(moderator, action, story, note=f"x y w h %: {where}")
    db.session.flush()
    return len(blurred)


def set_focal_point(story: Story, moderator: Moderator, *, seen_version: int, point) -> None:
    """Move the point portrait crops are cut around (fractions of the photo); the
    public pages show the new crop once the story's change empties their cache."""
    check_version(story, seen_version)
    if story.photo is None:
        raise ValueError("the story has no photo")
    story.photo.focal_x, story.photo.focal_y = (round(value, 4) for value in point)
    story.updated_at = utcnow()
    x, y = (value * 100 for value in point)
    record(moderator, AuditAction.PHOTO_FOCUS, story, note=f"x y %: {x:.0f} {y:.0f}")
    db.session.flush()


def set_featured(story: Story, moderator: Moderator, *, seen_version: int, featured: bool):
    check_version(story, seen_version)
    if featured and story.status is not StoryStatus.PUBLISHED:
        raise ValueError("only published stories can be featured")
    story.featured_at = utcnow() if featured else None
    record(moderator, AuditAction.FEATURE if featured else AuditAction.UNFEATURE, story)
    db.session.flush()


def delete_for_good(story: Story, moderator: Moderator, *, seen_version: int, reason: str) -> None:
    """Gone for good, words and all: the audit entry keeps the id and the reason's key
    (from DELETE_REASONS), never the title or any other text of the story."""
    check_version(story, seen_version)
    record_deletion(
        moderator, AuditAction.DELETE, story, from_status=story.status, note=f"reason: {reason}"
    )
    db.session.delete(story)
    db.session.flush()


# Reports ------------------------------------------------------------------------


def reporter_key(secret: str, session_id: str | None, address: str | None) -> str:
    """Who reported, as a keyed hash: the same visitor gives the same key, and the key
    cannot be turned back into an address without the secret. Without a session (a
    script, cookies off) the address alone decides; with one, people behind one
    address (a school, a shelter) are told apart."""
    message = f"{session_id or ''}|{address or ''}".encode()
    return hmac.new(f"report-reporter|{secret}".encode(), message, hashlib.sha256).hexdigest()


def add_report(story: Story, reason: str, message: str | None, key: str, threshold: int) -> bool:
    """A visitor's report; reports of `threshold` distinct reporters hide the story until
    a moderator looks. A reporter's further reports are kept for the moderators but do
    not count again. The story row is written only when it is hidden, so a report that
    hides nothing changes nothing the public sees (no page cache is emptied) and does
    not make a moderator's open form stale. Returns whether it hid the story."""
    message = clean_text(message or "") or None
    db.session.add(Report(story_id=story.id, reason=reason, message=message, reporter_key=key))
    db.session.flush()
    reporters = db.session.scalar(
        select(func.count(Report.reporter_key.distinct())).where(
            Report.story_id == story.id, Report.reviewed_at.is_(None)
        )
    )
    if reporters < threshold or story.hidden:
        return False
    story.hidden = True
    record(None, AuditAction.HIDDEN_BY_REPORTS, story, note=str(reporters))
    db.session.flush()
    return True


def to_tell_of_hidden_stories(setting: bool | list[str] | tuple[str, ...]) -> list[str]:
    """REPORT_HIDE_NOTIFY: addresses to tell when reports hide a story (True: every
    active admin; one address or a list of them; empty or False: nobody)."""
    if setting is True:
        return list(
            db.session.scalars(
                select(Moderator.email)
                .where(Moderator.is_admin.is_(True), Moderator.active.is_(True))
                .order_by(Moderator.email)
            )
        )
    if isinstance(setting, str):
        return [setting]
    return list(setting or ())


def open_reports(story: Story) -> list[Report]:
    return db.session.scalars(
        select(Report)
        .where(Report.story_id == story.id, Report.reviewed_at.is_(None))
        .order_by(Report.created_at)
    ).all()


def resolve_reports(story: Story, moderator: Moderator) -> int:
    """Mark open reports as reviewed and show the story again (if its status allows)."""
    reports = open_reports(story)
    for report in reports:
        report.reviewed_at = utcnow()
        report.reviewed_by_id = moderator.id
        report.reporter_key = None  # counted; who it was is no longer needed
    if story.hidden:
        story.hidden = False
    return len(reports)


def dismiss_reports(story: Story, moderator: Moderator, *, seen_version: int) -> int:
    check_version(story, seen_version)
    count = resolve_reports(story, moderator)
    record(moderator, AuditAction.REPORTS_REVIEWED, story, note=str(count))
    db.session.flush()
    return count


# Who else is looking --------------------------------------------------------------


def mark_viewing(story: Story, moderator: Moderator) -> None:
    viewing = db.session.get(StoryViewing, (story.id, moderator.id))
    if viewing is None:
        db.session.add(StoryViewing(story_id=story.id, moderator_id=moderator.id))
    else:
        viewing.seen_at = utcnow()
    db.session.flush()


def other_viewers(story: Story, moderator: Moderator, window_minutes: int) -> list[Moderator]:
    since = utcnow() - timedelta(minutes=window_minutes)
    return db.session.scalars(
        select(Moderator)
        .join(StoryViewing, StoryViewing.moderator_id == Moderator.id)
        .where(
            StoryViewing.story_id == story.id,
            StoryViewing.moderator_id != moderator.id,
            StoryViewing.seen_at >= since,
        )
        .order_by(Moderator.email)
    ).all()


def stop_viewing(story_id: int, moderator: Moderator) -> None:
    db.session.execute(
        delete(StoryViewing).where(
            StoryViewing.story_id == story_id, StoryViewing.moderator_id == moderator.id
        )
    )


# The queue --------------------------------------------------------------------------


@dataclass
class QueueFilters:
    tab: str = "pending"
    language: str = ""
    country: str = ""
    theme: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    signal: str = ""  # "personal" (any personal detail) or one of signals.DETAIL_KINDS


def _has_open_reports():
    return exists().where(Report.story_id == Story.id, Report.reviewed_at.is_(None))


def _open_report_count():
    return (
        select(func.count(Report.id))
        .where(Report.story_id == Story.id, Report.reviewed_at.is_(None))
        .scalar_subquery()
    )


def _tab_condition(tab: str):
    return {
        "pending": Story.status == StoryStatus.PENDING,
        "changes": Story.status == StoryStatus.CHANGES_REQUESTED,
        "names": exists().where(PendingNameChange.story_id == Story.id),
        "reported": and_(Story.status != StoryStatus.WITHDRAWN, _has_open_reports()),
        "published": Story.status == StoryStatus.PUBLISHED,
        "not_published": Story.status == StoryStatus.REJECTED,
    }[tab]


def _filter_conditions(filters: QueueFilters) -> list:
    conditions = []
    if filters.language:
        conditions.append(Story.language == filters.language)
    if filters.country:
        conditions.append(
            or_(Story.origin_country == filters.country, Story.residence_country == filters.country)
        )
    if filters.theme:
        conditions.append(filed_under(filters.theme))
    if filters.since:
        conditions.append(Story.created_at >= _start_of(filters.since))
    if filters.until:
        conditions.append(Story.created_at < _start_of(filters.until + timedelta(days=1)))
    if filters.signal:
        conditions.append(has_detail(filters.signal))
    if filters.q:
        pattern = f"%{_escape_like(filters.q.strip())}%"
        conditions.append(
            or_(
                Story.title.ilike(pattern, escape="\\"),
                Story.body.ilike(pattern, escape="\\"),
                Story.author_name.ilike(pattern, escape="\\"),
            )
        )
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def tab_counts(filters: QueueFilters) -> dict[str, int]:
    conditions = _filter_conditions(filters)
    counts = {}
    for tab in TABS:
        counts[tab] = db.session.scalar(
            select(func.count(Story.id)).where(_tab_condition(tab), *conditions)
        )
    # Hidden by reports: out of the public's sight until a moderator looks, so the
    # queue shows how many on every tab (regardless of the filters).
    counts["hidden"] = db.session.scalar(
        select(func.count(Story.id)).where(
            Story.hidden.is_(True), Story.status != StoryStatus.WITHDRAWN
        )
    )
    return counts


def queue_stories(filters: QueueFilters, limit: int, offset: int = 0) -> list[Story]:
    reports = _open_report_count()
    query = (
        select(Story)
        .where(_tab_condition(filters.tab), *_filter_conditions(filters))
        .options(
            with_expression(Story.report_count, reports),
            selectinload(Story.pending_name_change),
            selectinload(Story.recording),
        )
    )
    if filters.tab in ("pending", "changes"):
        query = query.order_by(Story.created_at, Story.id)  # longest waiting first
    elif filters.tab == "names":
        waiting_since = (
            select(PendingNameChange.requested_at)
            .where(PendingNameChange.story_id == Story.id)
            .scalar_subquery()
        )
        query = query.order_by(waiting_since, Story.id)
    elif filters.tab == "reported":
        query = query.order_by(Story.hidden.desc(), reports.desc(), Story.id)
    else:
        query = query.order_by(Story.updated_at.desc(), Story.id.desc())
    return db.session.scalars(query.limit(limit).offset(offset)).all()


def languages_in_use() -> list[str]:
    return db.session.scalars(select(Story.language).distinct().order_by(Story.language)).all()


# The audit log ------------------------------------------------------------------------


@dataclass
class LogFilters:
    action: str = ""
    actor_id: int | None = None
    story_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class LogLine:
    """One audit entry as the log page and its CSV show it: labels, not codes."""

    entry: AuditEntry
    action: str
    who: str
    story_title: str | None  # None: no story, or one deleted since (entries outlive stories)
    status_change: str


def audit_log(filters: LogFilters, limit: int | None = 200) -> list[LogLine]:
    """The entries, newest first, in one query: the actor joined, the story's title outer-joined."""
    query = (
        select(AuditEntry, Story.title)
        .outerjoin(Story, Story.id == AuditEntry.story_id)
        .options(joinedload(AuditEntry.actor))
    )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.story_id:
        query = query.where(AuditEntry.story_id == filters.story_id)
    if filters.since:
        query = query.where(AuditEntry.created_at >= _start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.created_at < _start_of(filters.until + timedelta(days=1)))
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if limit:
        query = query.limit(limit)
    return [_log_line(entry, title) for entry, title in db.session.execute(query)]


def _log_line(entry: AuditEntry, story_title: str | None) -> LogLine:
    if entry.from_status and entry.to_status:
        # The arrow is in the catalogue: right-to-left languages point it the other way.
        change = _(
            "%(before)s → %(after)s",
            before=status_label(entry.from_status),
            after=status_label(entry.to_status),
        )
    else:  # a deletion or a purge: the status the story had
        change = status_label(entry.from_status or entry.to_status or "")
    return LogLine(
        entry=entry,
        action=label_of(entry.action),
        who=entry.actor.email if entry.actor else nobody_of(entry.action),
        story_title=story_title,
        status_change=change,
    )


def audit_actions() -> list[tuple[str, str]]:
    """The actions found in the log, as (value, label), in label order."""
    found = db.session.scalars(select(AuditEntry.action).distinct()).all()
    return sorted(((action, label_of(action)) for action in found), key=lambda pair: pair[1])
