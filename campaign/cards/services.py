"""A story's share cards: what they show, made once, kept until the story changes.

A card shows only public fields (quote, the name as the storyteller chose it,
the distance between the two countries' centres, the public photo) and the
campaign's identity, in the story's language. Its key is a digest of exactly
what is drawn (those texts, the photo file and its focal point, the colours,
the size) and ``render.DESIGN_VERSION``: any change of the story's public face,
of the identity or of the design makes a new card under a new file name, and
the old file goes after the commit (media.files). Withdrawal, a story leaving
the public, or consent to share images taken back delete the rows and files.

Cards are drawn in the same bounded child process as photos
(``pipeline.in_bounded_child``: CPU time, memory, a clock, death with the worker),
from the stored JPEG rendition: a hostile photo was re-encoded long before, but a
card is still decoding and drawing, and a worker must not keep its peak memory.
"""

import hashlib
import json
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import force_locale, format_number
from flask_babel import gettext as _

from campaign.cards import fonts, render
from campaign.extensions import db
from campaign.gallery.geo import distance_km
from campaign.i18n import identity
from campaign.i18n.labels import display_name
from campaign.i18n.locale import locale_for_language, text_direction
from campaign.media.files import replace_card_file
from campaign.media.pipeline import in_bounded_child
from campaign.media.storage import get_storage, new_base_name, rendition_name
from campaign.models import ShareCard, Story, Translation

EXCERPT_CHARS = 220  # a story without a quote: its first words, ended between words


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text, at most ``limit`` characters, never cut inside a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.-–—") + render.ELLIPSIS


def short_address() -> str:
    """The site's address as people type it: its host, without "www."."""
    host = urlsplit(url_for("gallery.home", _external=True)).hostname or ""
    return host.removeprefix("www.")


def card_content(story: Story, translation: Translation | None = None) -> render.CardContent:
    """What the cards of this story show, in its language (the site's, when the
    site speaks it; English otherwise), or in the language of ``translation`` (a
    public one, gallery.translated) with its words."""
    language = (translation.language if translation else story.language) or "en"
    with force_locale(locale_for_language(language)):
        km = distance_km(story.origin_country, story.residence_country)
        distance = _("%(km)s km from home", km=format_number(km)) if km else None
        name = display_name(story)
        campaign = identity.campaign_name()
    words = (translation.quote or excerpt(translation.body)) if translation else None
    return render.CardContent(
        quote=words or story.quote or excerpt(story.body),
        name=name,
        distance=distance,
        campaign=campaign,
        address=short_address(),
        language=language,
        rtl=text_direction(language) == "rtl",
        colours=identity.colours(),
        mark=identity.mark_file() is None,
    )


def _photo_file(story: Story, size: str) -> dict | None:
    """The smallest stored JPEG rendition at least as wide as the card's photo needs."""
    photo = story.photo
    if photo is None:
        return None
    jpegs = sorted(
        (r for r in photo.renditions or [] if r.get("format") == "jpeg"), key=lambda r: r["width"]
    )
    if not jpegs:
        return None
    needed = render.SIZES[size][0] if size != "1200x630" else 504
    return next((r for r in jpegs if r["width"] >= needed), jpegs[-1])


def _focal(story: Story) -> tuple[float, float]:
    photo = story.photo
    if photo is None or photo.focal_x is None or photo.focal_y is None:
        return (0.5, 0.4)
    return (float(photo.focal_x), float(photo.focal_y))


def card_key(
    content: render.CardContent, size: str, photo_name: str | None, focal, translated: int = 0
) -> str:
    """A digest of everything a card is drawn from (``translated``: the version of the
    translation whose words it shows, 0 for the original)."""
    drawn = {
        "design": render.DESIGN_VERSION,
        "translation": translated,
        "size": size,
        "content": content.__dict__,
        "photo": photo_name,
        "focal": list(focal) if photo_name else None,
    }
    encoded = json.dumps(drawn, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def read_stored(name: str) -> bytes | None:
    """A stored file's bytes, or None when it is missing (a card is then drawn without it)."""
    stored = get_storage().open(name)
    if stored is None:
        return None
    with stored.body:
        return stored.body.read()


def draw(content: render.CardContent, size: str, photo: bytes | None, focal) -> bytes:
    """The card's bytes, drawn in a bounded child (fonts read here first, inherited)."""
    fonts.load_all()
    return in_bounded_child(render.render, content, size, photo, focal)


def card_file(story: Story, size: str, translation: Translation | None = None) -> str:
    """The stored file of this story's card in this size, in the original's words or
    those of ``translation`` (one card per language): kept, or drawn now and kept
    (the caller commits). Raises PhotoRejected when the child fails."""
    content = card_content(story, translation)
    rendition = _photo_file(story, size)
    focal = _focal(story)
    version = translation.version if translation else 0
    key = card_key(content, size, rendition["name"] if rendition else None, focal, version)
    language = translation.language if translation else ""
    card = db.session.scalar(
        db.select(ShareCard).where(
            ShareCard.story_id == story.id, ShareCard.size == size, ShareCard.language == language
        )
    )
    storage = get_storage()
    if card is not None and card.key == key and storage.exists(card.name):
        return card.name
    photo = read_stored(rendition["name"]) if rendition else None
    data = draw(content, size, photo, focal)
    name = rendition_name(new_base_name(), render.SIZES[size][0], "jpg")
    storage.save(name, data)
    if card is None:
        db.session.add(
            ShareCard(story_id=story.id, size=size, language=language, key=key, name=name)
        )
    else:
        card.key = key
        replace_card_file(card, name)
    db.session.flush()
    return name


def draw_page(
    content: render.PageContent, portraits=(), journeys: render.JourneyMap | None = None
) -> bytes:
    """A page's link image, drawn in a bounded child like a story's card."""
    fonts.load_all()
    return in_bounded_child(render.render_page, content, list(portraits), journeys)
