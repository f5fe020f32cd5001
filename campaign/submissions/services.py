"""Storing a new story and finding it again by its private token."""

import hashlib
import hmac
import re
import secrets
import unicodedata

from sqlalchemy import select

from ..extensions import db
from ..models import Story
from ..text import clean_text

TOKEN_BYTES = 32  # 256 random bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_slug(title: str) -> str:
    """A readable slug with a random tail, so two stories never share one."""
    normalised = unicodedata.normalize("NFKC", title).casefold()
    words = re.sub(r"[^\w]+", "-", normalised).strip("-_")[:60].strip("-_")
    return f"{words or 'story'}-{secrets.token_hex(3)}"


def create_story(
    *,
    title: str,
    body: str,
    author_name: str,
    origin_country: str,
    residence_country: str,
    contact_email: str | None,
    is_sample: bool = False,
) -> tuple[Story, str]:
    """Add a pending story; return it with the private token (shown once, stored hashed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    clean_title = clean_text(title)
    story = Story(
        slug=make_slug(clean_title),
        title=clean_title,
        body=clean_text(body),
        author_name=clean_text(author_name),
        origin_country=origin_country,
        residence_country=residence_country,
        contact_email=(contact_email or "").strip().lower() or None,
        token_hash=hash_token(token),
        is_sample=is_sample,
    )
    db.session.add(story)
    db.session.flush()
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
