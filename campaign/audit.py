"""The audit trail: who did what, when, to which story.

Services write their own entry, in the same transaction as the change they
make; views and commands never do. The actions are a closed set: ``record()``
refuses anything else, so the log page has a label for every entry it shows.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import update

from campaign.extensions import db
from campaign.models import AuditEntry, Moderator, Story, StoryStatus

# The note of an entry made with nobody signed in on the command line.
COMMAND_LINE = "command line"


class AuditAction(StrEnum):
    """Every action the trail records. The values are stored: never change one."""

    # Moderation decisions (the keys of moderation.services.DECISIONS).
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    UNPUBLISH = "unpublish"
    # A moderator took their own decision back within seconds (moderation.services.undo_decision).
    UNDO = "undo"
    # Other moderation of a story.
    EDIT = "edit"
    REMOVE_PHOTO = "remove_photo"
    REMOVE_RECORDING = "remove_recording"
    TRANSCRIPT_EDITED = "transcript_edited"
    REDACT = "redact"  # a personal detail removed from the text
    BLUR_FACES = "blur_faces"
    BLUR_AREA = "blur_area"
    PHOTO_FOCUS = "photo_focus"  # where portrait crops are cut around
    FEATURE = "feature"
    UNFEATURE = "unfeature"
    DELETE = "delete"
    REPORTS_REVIEWED = "reports_reviewed"
    NAME_CHANGE_APPROVED = "name_change_approved"
    NAME_CHANGE_REJECTED = "name_change_rejected"
    LANGUAGE_ACCEPTED = "language_accepted"
    # What happens to a story without a moderator.
    HIDDEN_BY_REPORTS = "hidden_by_reports"
    WITHDRAWN = "withdrawn"
    # A published story's teller: hiding is at once, a new name waits for a moderator.
    NAME_HIDDEN = "name_hidden"
    NAME_CHANGE_REQUESTED = "name_change_requested"
    PHOTO_REMOVED_BY_STORYTELLER = "photo_removed_by_storyteller"
    RECORDING_REMOVED_BY_STORYTELLER = "recording_removed_by_storyteller"
    PRIVATE_LINK_RESTORED = "private_link_restored"
    PHOTO_BLURRED_BY_STORYTELLER = "photo_blurred_by_storyteller"
    RESUBMITTED = "resubmitted"
    CONSENT_CHANGED = "consent_changed"
    PURGED = "purged"
    # Moderator accounts.
    MODERATOR_CREATED = "moderator_created"
    INVITE = "invite"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_REVOKED = "invitation_revoked"
    DEACTIVATE_MODERATOR = "deactivate_moderator"
    REACTIVATE_MODERATOR = "reactivate_moderator"
    RESET_TWO_FACTOR = "reset_two_factor"
    LANGUAGES_CHANGED = "languages_changed"  # the languages an account reads, or its role
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action, not a password)
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    # Volunteer translations (campaign/translating; the note is the language).
    TRANSLATION_STARTED = "translation_started"
    TRANSLATION_SENT_FOR_REVIEW = "translation_sent_for_review"
    TRANSLATION_PUBLISHED = "translation_published"
    TRANSLATION_SENT_BACK = "translation_sent_back"
    TRANSLATION_REOPENED = "translation_reopened"  # out of date, taken up again
    TRANSLATION_REMOVED = "translation_removed"
    TRANSLATION_REMOVED_BY_STORYTELLER = "translation_removed_by_storyteller"
    # Admin.
    THEME_ADDED = "theme_added"
    THEME_RENAMED = "theme_renamed"
    SETTINGS_CHANGED = "settings_changed"
    EXPORT_PRIVATE = "export_private"
    EXPORT_PUBLIC = "export_public"

    @property
    def label(self) -> str:
        return str(LABELS[self])

    @property
    def nobody(self) -> str:
        """Who acted when an entry has no moderator: the system, the storyteller,
        or (for account actions) someone on the command line."""
        return str(NOBODY.get(self, NOBODY_ON_THE_COMMAND_LINE))


LABELS = {
    # A decision on one story, in the words of the status it gives (the queue's tabs of
    # the same words are lists of stories, said differently in many languages).
    AuditAction.APPROVE: lazy_pgettext("story status", "Published"),
    AuditAction.REJECT: lazy_pgettext("story status", "Not published"),
    AuditAction.REQUEST_CHANGES: lazy_pgettext("story status", "Asked for changes"),
    AuditAction.UNPUBLISH: _l("Unpublished"),
    AuditAction.UNDO: _l("Decision undone"),
    AuditAction.EDIT: _l("Story edited"),
    AuditAction.REMOVE_PHOTO: _l("Photo removed"),
    AuditAction.REMOVE_RECORDING: _l("Recording removed"),
    AuditAction.TRANSCRIPT_EDITED: _l("Transcript written or corrected"),
    AuditAction.REDACT: _l("Personal detail removed"),
    AuditAction.BLUR_FACES: _l("Faces blurred in the photo"),
    AuditAction.BLUR_AREA: _l("Area blurred in the photo"),
    AuditAction.PHOTO_FOCUS: _l("Portrait crop moved"),
    AuditAction.FEATURE: _l("Featured on the home page"),
    AuditAction.UNFEATURE: _l("No longer featured"),
    AuditAction.DELETE: _l("Deleted for good"),
    AuditAction.REPORTS_REVIEWED: _l("Reports reviewed"),
    AuditAction.NAME_CHANGE_APPROVED: _l("Name change approved"),
    AuditAction.NAME_CHANGE_REJECTED: _l("Name change rejected"),
    AuditAction.LANGUAGE_ACCEPTED: _l("Proposed language accepted"),
    AuditAction.HIDDEN_BY_REPORTS: _l("Hidden after reports"),
    AuditAction.WITHDRAWN: _l("Withdrawn by the storyteller"),
    AuditAction.NAME_HIDDEN: _l("Name hidden by the storyteller"),
    AuditAction.NAME_CHANGE_REQUESTED: _l("Name change asked for by the storyteller"),
    AuditAction.PHOTO_REMOVED_BY_STORYTELLER: _l("Photo deleted by the storyteller"),
    AuditAction.RECORDING_REMOVED_BY_STORYTELLER: _l("Recording deleted by the storyteller"),
    AuditAction.PRIVATE_LINK_RESTORED: _l("New private link, asked for with the recovery code"),
    AuditAction.PHOTO_BLURRED_BY_STORYTELLER: _l("Faces blurred by the storyteller"),
    AuditAction.RESUBMITTED: _l("Changed by the storyteller and sent back for review"),
    AuditAction.CONSENT_CHANGED: _l("Where the story may appear, changed by the storyteller"),
    AuditAction.PURGED: _l("Personal data purged"),
    AuditAction.MODERATOR_CREATED: _l("Moderator account created"),
    AuditAction.INVITE: _l("Moderator invited"),
    AuditAction.INVITATION_ACCEPTED: _l("Invitation accepted"),
    AuditAction.INVITATION_REVOKED: _l("Invitation revoked"),
    AuditAction.DEACTIVATE_MODERATOR: _l("Moderator deactivated"),
    AuditAction.REACTIVATE_MODERATOR: _l("Moderator reactivated"),
    AuditAction.RESET_TWO_FACTOR: _l("Two-factor sign-in reset"),
    AuditAction.PASSWORD_CHANGED: _l("Password changed"),
    AuditAction.TWO_FACTOR_ENABLED: _l("Two-factor sign-in turned on"),
    AuditAction.RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    AuditAction.RECOVERY_CODES_RENEWED: _l("New recovery codes"),
    AuditAction.LANGUAGES_CHANGED: _l("Languages or role of an account changed"),
    AuditAction.TRANSLATION_STARTED: _l("Translation started"),
    AuditAction.TRANSLATION_SENT_FOR_REVIEW: _l("Translation sent for review"),
    AuditAction.TRANSLATION_PUBLISHED: _l("Translation published"),
    AuditAction.TRANSLATION_SENT_BACK: _l("Translation sent back to its translator"),
    AuditAction.TRANSLATION_REOPENED: _l("Out-of-date translation taken up again"),
    AuditAction.TRANSLATION_REMOVED: _l("Translation removed by a moderator"),
    AuditAction.TRANSLATION_REMOVED_BY_STORYTELLER: _l("Translation removed by the storyteller"),
    AuditAction.THEME_ADDED: _l("Theme added"),
    AuditAction.THEME_RENAMED: _l("Theme renamed"),
    AuditAction.SETTINGS_CHANGED: _l("Settings changed"),
    AuditAction.EXPORT_PRIVATE: _l("Export with private fields"),
    AuditAction.EXPORT_PUBLIC: _l("Export of published stories"),
}

NOBODY_ON_THE_COMMAND_LINE = _l("command line")
NOBODY = {
    AuditAction.HIDDEN_BY_REPORTS: _l("system"),
    AuditAction.PURGED: _l("system"),
    AuditAction.WITHDRAWN: _l("storyteller"),
    AuditAction.NAME_HIDDEN: _l("storyteller"),
    AuditAction.NAME_CHANGE_REQUESTED: _l("storyteller"),
    AuditAction.PHOTO_REMOVED_BY_STORYTELLER: _l("storyteller"),
    AuditAction.RECORDING_REMOVED_BY_STORYTELLER: _l("storyteller"),
    AuditAction.PRIVATE_LINK_RESTORED: _l("storyteller"),
    AuditAction.PHOTO_BLURRED_BY_STORYTELLER: _l("storyteller"),
    AuditAction.RESUBMITTED: _l("storyteller"),
    AuditAction.CONSENT_CHANGED: _l("storyteller"),
    AuditAction.TRANSLATION_REMOVED_BY_STORYTELLER: _l("storyteller"),
}


def label_of(action: str) -> str:
    """The label of a stored action; the code itself for one no longer in the set."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action


def nobody_of(action: str) -> str:
    try:
        return AuditAction(action).nobody
    except ValueError:
        return str(NOBODY_ON_THE_COMMAND_LINE)


def record(
    actor: Moderator | None,
    action: AuditAction,
    story: Story | None = None,
    *,
    from_status: StoryStatus | None = None,
    to_status: StoryStatus | None = None,
    note: str | None = None,
) -> AuditEntry:
    if not isinstance(action, AuditAction):
        raise TypeError(f"{action!r} is not an AuditAction")
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action.value,
        story_id=story.id if story else None,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None,
        note=note or None,
    )
    db.session.add(entry)
    return entry


def record_deletion(
    actor: Moderator | None,
    action: AuditAction,
    story: Story,
    *,
    from_status: StoryStatus,
    to_status: StoryStatus | None = None,
    note: str | None = None,
) -> AuditEntry:
    """The last entry about a story deleted for good (withdrawn, deleted by an admin, purged).

    Earlier entries keep who did what and when, but lose their notes: a moderator's
    note may quote the story or name the storyteller. This one keeps the story's id,
    its status and ``note``, which is a reason, never a word of the story.
    """
    db.session.execute(update(AuditEntry).where(AuditEntry.story_id == story.id).values(note=None))
    return record(actor, action, story, from_status=from_status, to_status=to_status, note=note)
