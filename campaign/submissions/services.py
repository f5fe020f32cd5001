"""Storing a story, finding it again by its private token, and what its teller may do."""

import hashlib
import hmac
import re
import secrets
import time
import unicodedata

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select

from campaign.extensions import db
from campaign.media.pipeline import process_upload
from campaign.media.staging import discard, stage
from campaign.models import AuditEntry, NameDisplay, Photo, Story, StoryStatus, Theme
from campaign.text import clean_text

TOKEN_BYTES = 32  # 256 random bits
CONSENT_VERSION_DEFAULT = "2026-11"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_slug(title: str) -> str:
    """A readable slug with a random tail, so two stories never share one."""
    normalised = unicodedata.normalize("NFKC", title).casefold()
    words = re.sub(r"[^\w]+", "-", normalised).strip("-_")[:60].strip("-_")
    return f"{words or 'story'}-{secrets.token_hex(3)}"


# --- the form's stamp: when it was shown, and a one-time nonce -----------------


def _stamp_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="share-form-stamp")


def new_stamp(shown_at: float | None = None) -> str:
    """A signed (time shown, nonce) pair for the hidden field of a fresh form."""
    shown = time.time() if shown_at is None else shown_at
    return _stamp_serializer().dumps({"t": shown, "n": secrets.token_urlsafe(16)})


def read_stamp(stamp: str | None) -> tuple[float, str] | None:
    if not stamp:
        return None
    try:
        value = _stamp_serializer().loads(stamp)
    except BadData:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("n"), str):
        return None
    return float(value.get("t", 0)), value["n"]


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(f"nonce:{nonce}".encode()).hexdigest()


def story_for_nonce(nonce: str) -> Story | None:
    return db.session.scalar(select(Story).where(Story.submission_nonce == nonce_hash(nonce)))


# --- creating and changing stories ---------------------------------------------


def _themes(theme_ids) -> list[Theme]:
    if not theme_ids:
        return []
    return list(db.session.scalars(select(Theme).where(Theme.id.in_(list(theme_ids)))).all())


def create_story(
    *,
    title: str,
    body: str,
    author_name: str,
    origin_country: str,
    residence_country: str,
    contact_email: str | None,
    quote: str = "",
    name_display: NameDisplay | str = NameDisplay.FIRST,
    moved_year: int | None = None,
    language: str = "en",
    theme_ids=(),
    on_behalf: bool = False,
    helper_relationship: str | None = None,
    age_confirmed: bool = False,
    consent_version: str | None = None,
    photo: Photo | None = None,
    nonce: str | None = None,
    is_sample: bool = False,
) -> tuple[Story, str]:
    """Add a pending story; return it with the private token (shown once, stored hashed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    clean_title = clean_text(title)
    story = Story(
        slug=make_slug(clean_title),
        title=clean_title,
        quote=clean_text(quote or ""),
        body=clean_text(body),
        author_name=clean_text(author_name or ""),
        name_display=NameDisplay(name_display),
        origin_country=origin_country,
        residence_country=residence_country,
        moved_year=moved_year,
        language=language,
        contact_email=(contact_email or "").strip().lower() or None,
        on_behalf=bool(on_behalf),
        helper_relationship=(clean_text(helper_relationship or "") or None) if on_behalf else None,
        age_confirmed=bool(age_confirmed),
        consent_version=consent_version,
        token_hash=hash_token(token),
        submission_nonce=nonce_hash(nonce) if nonce else None,
        is_sample=is_sample,
    )
    story.themes = _themes(theme_ids)
    db.session.add(story)
    db.session.flush()
    if photo is not None:
        photo.story_id = story.id
        db.session.flush()
        db.session.refresh(story)
    return story, token


def story_for_token(token: str) -> Story | None:
    if not token or len(token) > 100:
        return None
    wanted = hash_token(token)
    story = db.session.scalar(select(Story).where(Story.token_hash == wanted))
    # The lookup is by hash already; compare in constant time all the same.
    if story is None or not hmac.compare_digest(story.token_hash, wanted):
        return None
    return story


EDITABLE = frozenset({StoryStatus.PENDING, StoryStatus.CHANGES_REQUESTED})


def can_edit(story: Story) -> bool:
    return story.status in EDITABLE


def edit_story(story: Story, *, theme_ids=(), photo_alt: str | None = None, **fields) -> None:
    """The storyteller's changes; a story that needed changes goes back to the queue."""
    if not can_edit(story):
        raise ValueError("this story can no longer be edited")
    story.title = clean_text(fields["title"])
    story.quote = clean_text(fields.get("quote") or "")
    story.body = clean_text(fields["body"])
    story.author_name = clean_text(fields.get("author_name") or "")
    story.name_display = NameDisplay(fields["name_display"])
    story.origin_country = fields["origin_country"]
    story.residence_country = fields["residence_country"]
    story.moved_year = fields.get("moved_year")
    story.language = fields["language"]
    story.themes = _themes(theme_ids)
    if story.photo is not None and photo_alt is not None:
        story.photo.alt_text = clean_text(photo_alt)
    if story.status is StoryStatus.CHANGES_REQUESTED:
        story.move_to(StoryStatus.PENDING)
    db.session.flush()


def change_name_display(story: Story, name_display: str, author_name: str) -> None:
    story.name_display = NameDisplay(name_display)
    story.author_name = clean_text(author_name or "")
    db.session.flush()


def remove_photo(story: Story) -> None:
    """Detach and delete the photo row (its files go after the commit)."""
    if story.photo is not None:
        story.photo = None
        db.session.flush()


def withdraw(story: Story) -> None:
    """Delete the story for good, leaving only anonymous audit records
    (its photo's files go after the commit)."""
    previous = story.move_to(StoryStatus.WITHDRAWN)
    # Earlier entries keep who decided what and when, but not their notes:
    # a moderator's note may quote the story or name the storyteller.
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.story_id == story.id)):
        entry.note = None
    db.session.add(
        AuditEntry(
            actor_id=None,
            action="withdrawn",
            story_id=story.id,
            from_status=previous.value,
            to_status=StoryStatus.WITHDRAWN.value,
        )
    )
    db.session.delete(story)
    db.session.flush()


def discard_staged(photo: Photo | None) -> None:
    if photo is not None and photo.story_id is None:
        discard(photo)


def take_photo(upload, kept: Photo | None, *, remove: bool = False):
    """The photo the share form holds now.

    A new upload replaces the photo kept from an earlier try; ticking "remove"
    drops the kept one. Raises ``PhotoRejected`` (and keeps the kept photo)
    when the upload is not a photo we accept.
    """
    if upload is not None and getattr(upload, "filename", None):
        processed = process_upload(upload.stream)
        discard_staged(kept)
        photo, _token = stage(processed)
        return photo
    if remove and kept is not None:
        discard_staged(kept)
        return None
    return kept
