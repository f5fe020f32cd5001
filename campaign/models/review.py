from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, false, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow
from campaign.models.story import NameDisplay, _closed_set
from campaign.models.translation import Translation, TranslationStatus


class StoryRevision(db.Model):
    """One edit of one field of a story, by a moderator or by its storyteller: who,
    when, the text before and after."""

    __tablename__ = "story_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    # The storyteller's own edit (no moderator): told apart from a deleted moderator's.
    by_storyteller: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    field: Mapped[str] = mapped_column(String(20))
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator = relationship("Moderator", lazy="joined")

    def __repr__(self) -> str:
        return f"<StoryRevision {self.id} story={self.story_id}>"


# The text fields whose every change is kept as a revision; alt_text is the photo's
# description (a moderator removing a personal detail from it).
REVISED_FIELDS = ("title", "quote", "body", "alt_text", "transcript")
# The fields kept on a row of their own: the photo's description, the recording's transcript.
_OWNER_OF = {"alt_text": "photo", "transcript": "recording"}


def revise(story, moderator, **new_texts: str) -> list[str]:
    """Set the given text fields (already cleaned) of a story, keeping a revision of each
    one that changes; ``moderator`` None is the storyteller. Returns the changed names.
    The one place both the desk's edits and the storyteller's go through."""
    changed = []
    for name in REVISED_FIELDS:
        if name not in new_texts:
            continue
        target = getattr(story, _OWNER_OF[name]) if name in _OWNER_OF else story
        old, new = getattr(target, name) or "", new_texts[name]
        if new == old:
            continue
        db.session.add(
            StoryRevision(
                story_id=story.id,
                moderator_id=moderator.id if moderator is not None else None,
                by_storyteller=moderator is None,
                field=name,
                old_text=old,
                new_text=new,
            )
        )
        setattr(target, name, new)
        changed.append(name)
    if changed:
        _outdate_translations(story)
    return changed


def _outdate_translations(story) -> None:
    """The original's text changed: every translation of it (all of REVISED_FIELDS are
    translated) waits for someone to bring it up to date and review it again."""
    story.text_version = (story.text_version or 1) + 1
    db.session.execute(
        update(Translation)
        .where(Translation.story_id == story.id)
        .where(Translation.status.in_([TranslationStatus.PUBLISHED, TranslationStatus.IN_REVIEW]))
        .values(status=TranslationStatus.OUTDATED, version=Translation.version + 1)
        .execution_options(synchronize_session="fetch")
    )


class PendingNameChange(db.Model):
    """How a published story's teller asked to be named, waiting for a moderator.

    The story's own name fields stay as they were, so the public keeps seeing the
    reviewed name until a moderator approves; a change that only hides more is
    applied at once instead (submissions.services.change_name_display). One per
    story: a newer request replaces it, under a new id, so a moderator's approval
    names the very request they read."""

    __tablename__ = "pending_name_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), unique=True)
    name_display: Mapped[NameDisplay] = mapped_column(_closed_set(NameDisplay, "name_display", 10))
    author_name: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    story = relationship("Story", back_populates="pending_name_change")

    @property
    def origin_country(self) -> str:
        """So that i18n.labels.display_name shows the name asked for as it would be shown."""
        return self.story.origin_country

    def __repr__(self) -> str:
        return f"<PendingNameChange {self.id} story={self.story_id}>"


class Report(db.Model):
    """A visitor's report of a public story; reviewed_at is set when a moderator looked."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who reported, as a keyed hash of their session and address (never the address):
    # auto-hide counts distinct reporters. Forgotten at review, and by the purge.
    reporter_key: Mapped[str | None] = mapped_column(String(64))
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<Report {self.id} story={self.story_id}>"


class StoryViewing(db.Model):
    """A moderator has this story open; refreshed while they look, so others see it."""

    __tablename__ = "story_viewing"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), primary_key=True
    )
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator = relationship("Moderator", lazy="joined")

    def __repr__(self) -> str:
        return f"<StoryViewing story={self.story_id} moderator={self.moderator_id}>"


class UndoableDecision(db.Model):
    """A moderator's latest decision, which they may take back for a few seconds
    (``UNDO_SECONDS``): what the decision replaced, so the undo puts it back exactly.

    One per moderator (a new decision replaces it; the undo deletes it), and it goes
    with its story, so the private message it may hold is never kept longer than the
    story. ``story_version`` is the story's version right after the decision: any later
    change (another moderator's decision, an edit, the storyteller) makes it stale.
    """

    __tablename__ = "undoable_decision"

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    story_version: Mapped[int] = mapped_column(Integer)
    # The story's fields as they were before: status, published_at, rejection_reason,
    # moderator_message, featured_at, hidden (JSON-safe values).
    previous: Mapped[dict] = mapped_column(JSON)

    story = relationship("Story", lazy="joined")

    def __repr__(self) -> str:
        return f"<UndoableDecision story={self.story_id} moderator={self.moderator_id}>"
