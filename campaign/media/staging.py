"""Photos accepted while the rest of the form still needs fixing.

They are stored as processed renditions in a ``Photo`` row without a story,
referenced from the form by a signed token, so the person does not upload
them again. ``flask --app campaign media cleanup`` deletes the ones never used.
"""

from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from campaign.extensions import db
from campaign.media.pipeline import ProcessedPhoto
from campaign.models import Photo
from campaign.models._types import utcnow

_SALT = "staged-photo"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _max_age() -> int:
    return current_app.config["STAGED_PHOTO_MAX_AGE_SECONDS"]


def stage(processed: ProcessedPhoto, alt_text: str = "") -> tuple[Photo, str]:
    photo = Photo(
        story_id=None,
        alt_text=alt_text,
        width=processed.width,
        height=processed.height,
        renditions=processed.renditions,
    )
    db.session.add(photo)
    db.session.flush()
    return photo, _serializer().dumps(photo.id)


def token_for(photo: Photo | None) -> str:
    return _serializer().dumps(photo.id) if photo is not None else ""


def staged_photo(token: str | None) -> Photo | None:
    """The staged photo behind a token, if the token is genuine, fresh and unused."""
    if not token:
        return None
    try:
        photo_id = _serializer().loads(token, max_age=_max_age())
    except BadData:
        return None
    if not isinstance(photo_id, int):
        return None
    return db.session.scalar(select(Photo).where(Photo.id == photo_id, Photo.story_id.is_(None)))


def discard(photo: Photo) -> None:
    """Its files go after the commit (``media.files``)."""
    db.session.delete(photo)
    db.session.flush()


def delete_stale_staged_photos() -> int:
    cutoff = utcnow() - timedelta(seconds=_max_age())
    stale = db.session.scalars(
        select(Photo).where(Photo.story_id.is_(None), Photo.created_at < cutoff)
    ).all()
    for photo in stale:
        discard(photo)
    return len(stale)
