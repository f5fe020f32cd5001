"""Public representations of stories, countries and themes.

Every field is listed explicitly: a field added to the model never reaches the
public by accident, and private fields (contact_email, token_hash,
helper_relationship, on_behalf, a recording's staging keys) are never read here.
"""

from flask import url_for

from campaign.gallery.translated import page_url
from campaign.i18n.countries import country_name
from campaign.i18n.labels import display_name, theme_label
from campaign.models import Photo, Recording, Story, Theme, Translation
from campaign.text import paragraphs


def country(code: str) -> dict:
    return {"code": code, "name": country_name(code)}


def theme(item: Theme) -> dict:
    return {"slug": item.slug, "name": theme_label(item)}


def photo(item: Photo | None) -> dict | None:
    """The photo's renditions, or None."""
    if item is None:
        return None
    renditions = [
        {
            "url": url_for("media.file", name=rendition["name"], _external=True),
            "width": int(rendition["width"]),
            "height": int(rendition["height"]),
            "format": str(rendition["format"]),
        }
        for rendition in (item.renditions or [])
    ]
    return {"alt": item.alt_text or "", "renditions": renditions}


def voice(item: Recording | None) -> dict | None:
    """A voice story's recording: its renditions, length, and transcript; or None."""
    if item is None:
        return None
    return {
        "duration_seconds": round(float(item.duration_seconds), 1),
        "masked": bool(item.masked),
        "transcript": item.transcript or "",
        "audio": [
            {
                "url": url_for("media.file", name=rendition["name"], _external=True),
                "format": str(rendition["format"]),
                "content_type": str(rendition["content_type"]),
                "bytes": int(rendition["bytes"]),
            }
            for rendition in (item.renditions or [])
        ],
    }


def translation(item: Translation, story: Story) -> dict:
    """A public translation of a story (gallery.translated decides which are public)."""
    return {
        "language": item.language,
        "status": "published",
        "source": item.source.value,
        "title": item.title or story.title,
        "quote": item.quote or "",
        "body": item.body or "",
        "body_html": str(paragraphs(item.body or "")),
        "url": page_url(story, item.language),
    }


def story(item: Story, translations=()) -> dict:
    """``translations``: its public translations (gallery.translated.all_translations_for)."""
    return {
        "id": item.id,
        "slug": item.slug,
        "url": url_for("gallery.story", slug=item.slug, _external=True),
        "title": item.title,
        "quote": item.quote or "",
        "text": item.body,
        # For partners who insert HTML: the same text, escaped, in paragraphs.
        "body_html": str(paragraphs(item.body)),
        "display_name": display_name(item),
        "origin": country(item.origin_country),
        "residence": country(item.residence_country),
        "themes": [theme(t) for t in item.themes],
        "language": item.language,
        "published_at": item.published_at.isoformat(),
        "photo": photo(item.photo),
        "voice": voice(item.recording),
        "translations": [translation(t, item) for t in translations],
    }
