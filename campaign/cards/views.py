"""Share cards and page link images at public addresses.

Story cards are kept files, answered only while allowed:

``/stories/<slug>/card-<size>.jpg`` (under a language prefix: in the public
translation into that language, when there is one) answers while the story is published and its
storyteller consents to share images; once it is withdrawn, or that consent is
taken back, 410 Gone (and the file itself is deleted). Shared caches keep a card
PHOTO_CACHE_SECONDS at most, like photos, which bounds how long a copy outlives it.
"""

import hashlib

from flask import Blueprint, abort, current_app, request
from sqlalchemy.exc import IntegrityError

from campaign.cards import pages, render
from campaign.cards.services import card_file
from campaign.extensions import cache, db
from campaign.gallery.translated import reading
from campaign.i18n.countries import parse_country
from campaign.i18n.locale import current_locale_code
from campaign.media.pipeline import PhotoRejected
from campaign.media.views import stored_response
from campaign.models import Channel, gone_for, published_story, theme_by_slug
from campaign.publishing import stats
from campaign.publishing.pagecache import page_key, page_place
from campaign.text import filter_arg

bp = Blueprint("cards", __name__)


@bp.get("/stories/<slug>/card-<size>.jpg")
def story_card(slug: str, size: str):
    if size not in render.SIZES:
        abort(404)
    story = published_story(slug, Channel.SHARE_IMAGES)
    if story is None:
        abort(410 if gone_for(Channel.SHARE_IMAGES, slug=slug) else 404)
    # Under a language prefix, the public translation into it (?original=1: the
    # original's card, for the original's page).
    wants_original = request.args.get("original") == "1"
    translation = None if wants_original else reading(story, current_locale_code()).translation
    try:
        name = card_file(story, size, translation)
        db.session.commit()
    except PhotoRejected:
        db.session.rollback()
        abort(503)
    except IntegrityError:  # another request drew the same card at the same moment: its file
        db.session.rollback()
        story = published_story(slug, Channel.SHARE_IMAGES) or abort(404)
        translation = None if wants_original else reading(story, current_locale_code()).translation
        name = card_file(story, size, translation)
        db.session.commit()
    # The slug may hold any letters: the file's name for a download is plain.
    return stored_response(name, download_name=f"story-{story.id}-{size}.jpg")


def _page_card(make, *args, **kwargs):
    """A page's link image, kept under the public version like the page (pagecache)."""
    snapshot = stats.current()
    locale = current_locale_code()
    key = page_key("card", snapshot.version, page_place(request.environ, locale))
    data = cache.get(key) if current_app.config["PAGE_CACHE_ENABLED"] else None
    if data is None:
        try:
            data = make(*args, **kwargs)
        except PhotoRejected:
            abort(503)
        if current_app.config["PAGE_CACHE_ENABLED"]:
            cache.set(key, data)
    response = current_app.response_class(data, mimetype="image/jpeg")
    response.set_etag(hashlib.sha256(data).hexdigest()[:20])
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config['PUBLIC_CACHE_SECONDS']}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/cards/home.jpg")
def home():
    return _page_card(pages.home_card)


@bp.get("/cards/stories.jpg")
def stories():
    return _page_card(pages.stories_card)


@bp.get("/cards/stories/from/<origin>.jpg")
def from_country(origin: str):
    return _page_card(pages.stories_card, origin=parse_country(origin) or abort(404))


@bp.get("/cards/stories/in/<residence>.jpg")
def in_country(residence: str):
    return _page_card(pages.stories_card, residence=parse_country(residence) or abort(404))


@bp.get("/cards/stories/theme/<theme>.jpg")
def by_theme(theme: str):
    return _page_card(pages.stories_card, theme=theme_by_slug(theme) or abort(404))


@bp.get("/cards/stories/language/<language>.jpg")
def in_language(language: str):
    return _page_card(pages.stories_card, language=filter_arg(language, 12) or abort(404))


@bp.get("/cards/journeys.jpg")
def journeys():
    return _page_card(pages.journeys_card)


@bp.get("/cards/about.jpg")
def about():
    return _page_card(pages.about_card)


@bp.get("/cards/share.jpg")
def share():
    return _page_card(pages.share_card)


@bp.get("/cards/site.jpg")
def site():
    return _page_card(pages.site_card)
