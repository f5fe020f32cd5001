from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from campaign.extensions import db
from campaign.models._types import UTCDateTime, utcnow
from campaign.models.card import card_names
from campaign.models.recording import Recording


class Photo(db.Model):
    """A story's photo, as re-encoded renditions only; the upload itself is never kept.

    ``renditions`` lists the stored files, each a dict
    {"name": "<server-generated file name>", "width": int, "height": int,
    "format": "webp" | "jpeg"}; the files live in the media storage and are
    served at ``url_for("media.file", name=...)``.
    """

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), unique=True
    )
    alt_text: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column(Integer)  # of the upright, full-size image
    height: Mapped[int] = mapped_column(Integer)
    renditions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Only while the photo waits for its story (story_id None, see media/staging.py):
    # the digest of the form's key with its browser's secret, and a keyed hash of
    # the uploader's network, never the address. A story taking the photo clears both.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    staged_from: Mapped[str | None] = mapped_column(String(64), index=True)
    # The faces the detector found in the upload (media/faces.py): [x, y, width, height]
    # boxes as fractions of the upright photo, largest first; None for a photo stored
    # before faces were looked for. The focal point is the largest face's centre, the
    # point portrait crops are cut around. ``blurred`` lists the areas blurred in every
    # rendition, by the storyteller's choice or a moderator's (the unblurred pixels
    # are stored nowhere).
    faces: Mapped[list | None] = mapped_column(JSON)
    focal_x: Mapped[float | None] = mapped_column(Float)
    focal_y: Mapped[float | None] = mapped_column(Float)
    blurred: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Set while only the clean copy at the largest size is stored and the faces are
    # not looked for yet (media/preparing.py): when a worker may next take the photo
    # up. Whoever takes it pushes this a lease ahead, so a worker that dies leaves
    # the photo to another once the lease runs out; None once prepared.
    prepare_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<Photo {self.id} story={self.story_id}>"

    @property
    def preparing(self) -> bool:
        return self.prepare_at is not None

    @property
    def faces_left(self) -> int:
        """Detected faces not yet blurred (a face counts as blurred once an area
        blurred covers its centre)."""

        def covered(face) -> bool:
            cx, cy = face[0] + face[2] / 2, face[1] + face[3] / 2
            return any(x <= cx <= x + w and y <= cy <= y + h for x, y, w, h in self.blurred or [])

        return sum(1 for face in self.faces or [] if not covered(face))


def rendition_names(renditions) -> list[str]:
    """The file names a Photo's ``renditions`` list (malformed entries skipped)."""
    return [
        str(rendition["name"])
        for rendition in renditions or []
        if isinstance(rendition, dict) and rendition.get("name")
    ]


def referenced_media_names() -> set[str]:
    """Every media file name some Photo, Recording or ShareCard row names: the files to keep."""
    recorded = {
        name
        for model in (Photo, Recording)
        for renditions in db.session.scalars(select(model.renditions))
        for name in rendition_names(renditions)
    }
    return recorded | card_names()
