"""Photos and recordings accepted while the rest of the form still needs fixing.

They are stored as processed renditions in a ``Photo`` (or ``Recording``) row
without a story, so the person does not upload them again. Everything below
holds for both alike; a recording has its own cap,
STAGED_RECORDINGS_PER_ADDRESS. The photo belongs to the form and
the browser that sent it, and to nothing else:

- the form carries a random key for it (256 bits), the browser's session a
  random secret of its own (128 bits); the row keeps only the SHA-256 of the
  two together (``models.tokens``), so neither alone finds it;
- it is found only while no story has it, within
  STAGED_PHOTO_MAX_AGE_SECONDS; a story taking it clears the digest for good.

No row id is in the key. A token kept from an abandoned form, sent again after
its story was stored, copied into another browser, guessed or forged, finds
nothing, even when ids repeat (an older backup restored, a sequence reset).

Each staged photo also keeps a keyed hash of the uploader's network (the IPv4
address, or the IPv6 /64; never the address itself), so that one network can
keep at most STAGED_PHOTOS_PER_ADDRESS photos waiting for their stories; the
hash goes when a story takes the photo. ``flask --app campaign media cleanup``
deletes the photos never used.
"""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.media.blurring import note_faces
from campaign.media.pipeline import ProcessedPhoto
from campaign.media.preparing import prepare_after_commit
from campaign.media.voice import ProcessedVoice
from campaign.models import Photo, Recording
from campaign.models._types import utcnow
from campaign.models.tokens import find_by_token, hash_secret

KEY_BYTES = 32  # the form's key: 256 random bits
# The session key under which the browser keeps its secret (128 random bits).
_BROWSER_SECRET = "staged_photo_secret"  # noqa: S105 - a session key name, not a secret
NO_ROOM = _l(
    "Many photos sent from your connection are already waiting for their stories. "
    "Send your story without a photo now, or try again later."
)
NO_ROOM_FOR_VOICE = _l(
    "Many recordings sent from your connection are already waiting for their stories. "
    "Write your story instead now, or try again later."
)
# The cap on rows waiting for a story, per model, from one network.
_PER_ADDRESS = {Photo: "STAGED_PHOTOS_PER_ADDRESS", Recording: "STAGED_RECORDINGS_PER_ADDRESS"}


def _max_age() -> int:
    return current_app.config["STAGED_PHOTO_MAX_AGE_SECONDS"]


def _oldest_kept() -> datetime:
    return utcnow() - timedelta(seconds=_max_age())


def _browser_secret(*, create: bool) -> str | None:
    secret = session.get(_BROWSER_SECRET)
    if not isinstance(secret, str) and create:
        secret = session[_BROWSER_SECRET] = secrets.token_urlsafe(16)
    return secret if isinstance(secret, str) else None


def _token(secret: str, key: str) -> str:
    return f"{secret}.{key}"


def _network(address: str | None) -> str:
    """The address, or for IPv6 its /64: one home or phone is given a whole /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or ""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _uploaded_from() -> str:
    """A keyed hash of this request's network (request.remote_addr, after ProxyFix)."""
    key = f"staged-photo-network|{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, _network(request.remote_addr).encode(), hashlib.sha256).hexdigest()


def has_room(replacing: Photo | Recording | None = None, model=Photo) -> bool:
    """Whether this request's network may stage another photo, or recording (see NO_ROOM).

    Asked before the upload is decoded. The photo it would replace does not
    count; a photo a story took no longer waits. Two uploads at the same
    moment may both pass: the cap bounds storage, it is not a lock.
    """
    waiting = select(func.count(model.id)).where(
        model.staged_from == _uploaded_from(),
        model.story_id.is_(None),
        model.created_at >= _oldest_kept(),
    )
    if replacing is not None:
        waiting = waiting.where(model.id != replacing.id)
    return db.session.scalar(waiting) < current_app.config[_PER_ADDRESS[model]]


def stage(processed: ProcessedPhoto) -> tuple[Photo, str]:
    """Keep a photo for this browser's form; return it and the key the form carries."""
    key = secrets.token_urlsafe(KEY_BYTES)
    photo = Photo(
        story_id=None,
        alt_text="",
        width=processed.width,
        height=processed.height,
        renditions=processed.renditions,
        token_hash=hash_secret(_token(_browser_secret(create=True), key)),
        staged_from=_uploaded_from(),
    )
    note_faces(photo, processed)
    if not processed.prepared:
        prepare_after_commit(photo)
    db.session.add(photo)
    db.session.flush()
    return photo, key


def stage_recording(processed: ProcessedVoice) -> tuple[Recording, str]:
    """Keep a recording for this browser's form; return it and the key the form carries."""
    key = secrets.token_urlsafe(KEY_BYTES)
    recording = Recording(
        story_id=None,
        duration_seconds=processed.duration_seconds,
        masked=processed.masked,
        renditions=processed.renditions,
        token_hash=hash_secret(_token(_browser_secret(create=True), key)),
        staged_from=_uploaded_from(),
    )
    db.session.add(recording)
    db.session.flush()
    return recording, key


def _staged(model, key: str | None):
    secret = _browser_secret(create=False)
    if not key or secret is None:
        return None
    return find_by_token(
        model,
        _token(secret, key),
        model.story_id.is_(None),
        model.created_at >= _oldest_kept(),
    )


def staged_photo(key: str | None) -> Photo | None:
    """The photo this browser staged under this key, if it is fresh and no story has it."""
    return _staged(Photo, key)


def staged_recording(key: str | None) -> Recording | None:
    """The recording this browser staged under this key, like ``staged_photo``."""
    return _staged(Recording, key)


def claim(row: Photo | Recording) -> None:
    """A story takes the photo or recording: it is no longer staged, and its key and
    network are forgotten."""
    row.token_hash = None
    row.staged_from = None


def discard(row: Photo | Recording) -> None:
    """Its files go after the commit (``media.files``)."""
    db.session.delete(row)
    db.session.flush()


def delete_stale_staged_photos() -> int:
    """Photos and recordings of forms never sent, older than STAGED_PHOTO_MAX_AGE_SECONDS."""
    stale = [
        row
        for model in (Photo, Recording)
        for row in db.session.scalars(
            select(model).where(model.story_id.is_(None), model.created_at < _oldest_kept())
        ).all()
    ]
    for row in stale:
        discard(row)
    return len(stale)
