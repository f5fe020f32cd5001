"""Published stories with every public detail filled in, and private fields holding markers."""

from datetime import UTC, datetime, timedelta

import html5lib

from campaign.extensions import db
from campaign.models import NameDisplay, Photo, StoryStatus, Theme
from tests.factories import make_story

PRIVATE_MARKERS = ("private-marker@example.org", "Marker-Helper-Cousin")


def make_theme(slug: str, name: str, position: int = 0) -> Theme:
    theme = Theme(slug=slug, name=name, position=position)
    db.session.add(theme)
    db.session.commit()
    return theme


def public_story(
    *,
    status: StoryStatus = StoryStatus.PUBLISHED,
    themes=(),
    quote: str = "",
    language: str = "en",
    photo: dict | None = None,
    published_at: datetime | None = None,
    name_display: NameDisplay | None = None,
    **fields,
):
    """A story whose private fields hold marker values that must never reach the public."""
    fields.setdefault("contact_email", PRIVATE_MARKERS[0])
    story = make_story(status, **fields)
    story.helper_relationship = PRIVATE_MARKERS[1]
    story.on_behalf = True
    story.quote = quote
    story.language = language
    story.themes = list(themes)
    if name_display is not None:
        story.name_display = name_display
    if published_at is not None:
        story.published_at = published_at
    if photo is not None:
        story.photo = Photo(**photo)
    db.session.commit()
    return story


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def assert_no_private_field(text: str, story) -> None:
    for marker in (*PRIVATE_MARKERS, story.token_hash, story.token):
        assert marker not in text


def assert_valid_html(text: str) -> None:
    """Parses without a single error under the HTML standard's parsing rules."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(text)
    assert not parser.errors
