"""Published stories with the details the gallery shows, committed like real requests."""

from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Photo, Story, StoryStatus, Theme
from campaign.models._types import utcnow
from tests.factories import make_story


def publish(title: str, *, quote: str = "", themes=(), photo=None, featured=False, **fields):
    """A published story; `fields` may hold any Story column (language, countries...)."""
    create_fields = {
        key: fields.pop(key)
        for key in ("body", "author_name", "origin_country", "residence_country")
        if key in fields
    }
    story: Story = make_story(StoryStatus.PUBLISHED, title=title, **create_fields)
    story.quote = quote
    for key, value in fields.items():
        setattr(story, key, value)
    if themes:
        story.themes = list(db.session.scalars(select(Theme).where(Theme.slug.in_(themes))))
    if photo:
        story.photo = Photo(**photo)
    if featured:
        story.featured_at = utcnow()
    db.session.commit()
    return story


def ensure_themes():
    """The starting themes (the migration inserts them; create_all does not)."""
    if not db.session.scalar(select(Theme).limit(1)):
        for position, slug in enumerate(["journey", "work", "family", "education"]):
            db.session.add(Theme(slug=slug, name=slug.capitalize(), names={}, position=position))
        db.session.commit()
