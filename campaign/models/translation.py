import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow
from campaign.models.story import Channel, Story, _closed_set


class TranslationStatus(enum.StrEnum):
    """Where a volunteer's translation stands. Only PUBLISHED is ever shown in public."""

    DRAFT = "draft"  # being written by its translator
    IN_REVIEW = "in_review"  # sent for review by a moderator or a second translator
    PUBLISHED = "published"  # reviewed by a person who reads the target language
    # The original changed after the translation was reviewed: hidden until someone
    # brings it up to date and it is reviewed again.
    OUTDATED = "outdated"


class TranslationSource(enum.StrEnum):
    """Who wrote the words first. A machine's draft is never published without a
    person editing and a second person reviewing it; the label says so either way."""

    VOLUNTEER = "volunteer"
    MACHINE_DRAFT = "machine_draft"  # started from a LibreTranslate draft, then edited


class Translation(db.Model):
    """A volunteer's translation of a story's public text into one language.

    The original stays the story of record: a translation is shown beside it,
    labelled, with the original one click away. One per story and language.
    ``original_version`` is the story's ``text_version`` the translation was made
    from; an edit of the original's text raises that and marks it OUTDATED.
    """

    __tablename__ = "translation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    # BCP 47 code of the language it is in (one of the site's languages).
    language: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    quote: Mapped[str] = mapped_column(String(300), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The photo's description (its alt text) in this language.
    alt_text: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[TranslationStatus] = mapped_column(
        _closed_set(TranslationStatus, "translation_status", 12),
        default=TranslationStatus.DRAFT,
        server_default=TranslationStatus.DRAFT.value,
    )
    source: Mapped[TranslationSource] = mapped_column(
        _closed_set(TranslationSource, "translation_source", 16),
        default=TranslationSource.VOLUNTEER,
        server_default=TranslationSource.VOLUNTEER.value,
    )
    translator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id", ondelete="SET NULL"))
    # Why a reviewer sent it back to its translator ("" when nobody did since).
    review_note: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    # Story.text_version when this was written from the original.
    original_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking, as for stories: a review of a stale copy is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    story = relationship("Story", back_populates="translations")
    translator = relationship("Moderator", foreign_keys=[translator_id])
    reviewer = relationship("Moderator", foreign_keys=[reviewer_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("story_id", "language", name="uq_translation_story_language"),
        # The translations into one language (the gallery's "in my language first").
        Index("ix_translation_language_status", "language", "status", "story_id"),
    )

    @property
    def is_machine_assisted(self) -> bool:
        return self.source is TranslationSource.MACHINE_DRAFT

    def __repr__(self) -> str:
        return f"<Translation {self.id} story={self.story_id} {self.language} {self.status}>"


def published_translations():
    """The one place that decides which translations the public may see: reviewed and
    up to date, of a story the public may see, whose teller consented to translation."""
    return (
        select(Translation)
        .join(Story, Story.id == Translation.story_id)
        .where(Translation.status == TranslationStatus.PUBLISHED)
        # The rule itself, on the joined story (not "id IN every public story"): each
        # translation's story is then checked by its key, however many stories there are.
        .where(Story.published_for(Channel.TRANSLATION).whereclause)
    )


def public_translation(story: Story, language: str) -> Translation | None:
    """The published translation of ``story`` into ``language``, if the public may see it."""
    if language == story.language or not story.consents_to(Channel.TRANSLATION):
        return None
    return db.session.scalar(
        published_translations().where(
            Translation.story_id == story.id, Translation.language == language
        )
    )
