import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow


class TranscriptSource(enum.StrEnum):
    """Who wrote the transcript a recording has now (WCAG 1.2.1 needs one before publication)."""

    STORYTELLER = "storyteller"
    MODERATOR = "moderator"
    SPEECH_TO_TEXT = "speech_to_text"  # a machine's draft, not yet read by a person


class Recording(db.Model):
    """A story's voice, as transcoded renditions only; the upload itself is never kept.

    ``renditions`` lists the stored files like a Photo's, each a dict
    {"name": "<server-generated file name>", "format": "opus" | "aac",
    "content_type": "audio/ogg" | "audio/mp4", "bytes": int}; the files live in the
    media storage and follow the row (``media.files``). A masked recording was
    shifted in pitch and formants before anything was written: the voice as it
    was spoken is stored nowhere.
    """

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), unique=True
    )
    duration_seconds: Mapped[float] = mapped_column(Float)
    renditions: Mapped[list] = mapped_column(JSON, default=list)
    masked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    transcript: Mapped[str] = mapped_column(Text, default="", server_default="")
    # None while there is no transcript.
    transcript_source: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Only while the recording waits for its story, exactly as a staged Photo
    # (media/staging.py): the form's key with its browser's secret, hashed, and a
    # keyed hash of the uploader's network. A story taking it clears both.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    staged_from: Mapped[str | None] = mapped_column(String(64), index=True)

    def __repr__(self) -> str:
        return f"<Recording {self.id} story={self.story_id}>"

    def rendition(self, audio_format: str) -> dict | None:
        return next((r for r in self.renditions or [] if r.get("format") == audio_format), None)

    @property
    def transcript_status(self) -> str:
        """ "missing", "machine" (speech-to-text, unchecked) or "written" (by a person)."""
        if not (self.transcript or "").strip():
            return "missing"
        if self.transcript_source == TranscriptSource.SPEECH_TO_TEXT:
            return "machine"
        return "written"
