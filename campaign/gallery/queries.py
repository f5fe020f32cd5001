"""What the public sees. Every query starts from ``Story.published()``."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_

from ..extensions import db
from ..models import Story


@dataclass(frozen=True)
class Page:
    stories: list[Story]
    next_cursor: str | None


def latest_stories(limit: int) -> list[Story]:
    query = Story.published().order_by(Story.published_at.desc(), Story.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def encode_cursor(story: Story) -> str:
    raw = f"{story.published_at.isoformat()}|{story.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, story_id = base64.urlsafe_b64decode(padded).decode().split("|")
        published_at = datetime.fromisoformat(stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if published_at.tzinfo is None or not story_id.isdigit():
        return None
    return published_at, int(story_id)


def gallery_page(cursor: str | None, per_page: int) -> Page:
    """Newest first, by keyset: stable while new stories are published, fast when deep."""
    query = Story.published().order_by(Story.published_at.desc(), Story.id.desc())
    position = decode_cursor(cursor) if cursor else None
    if position:
        published_at, story_id = position
        query = query.where(
            or_(
                Story.published_at < published_at,
                and_(Story.published_at == published_at, Story.id < story_id),
            )
        )
    stories = list(db.session.scalars(query.limit(per_page + 1)))
    has_more = len(stories) > per_page
    stories = stories[:per_page]
    return Page(stories, encode_cursor(stories[-1]) if has_more else None)


def published_story(slug: str) -> Story | None:
    return db.session.scalar(Story.published().where(Story.slug == slug))
