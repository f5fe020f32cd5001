"""A link image for every public page (og:image, Twitter card), made from what it shows.

- home and the listings (all stories, a country, a theme, a language): the page's
  title beside portraits of its newest stories whose storytellers allow share
  images (none else is ever drawn), or the title alone;
- the journeys map: the map itself, drawn from the same outlines and journeys;
- About and the share form (an invitation): their title and a line about them;
- any other public page: the campaign's own card.

Each depends only on published content and the reader's language, so it is kept
in the page cache under the public version, like the page itself
(``publishing.pagecache``): a withdrawal or a consent change makes it anew.
"""

from flask import request, url_for
from flask_babel import gettext as _

from campaign.cards import render
from campaign.cards.services import draw_page, read_stored, short_address
from campaign.gallery import listings
from campaign.gallery.journeys import MAP_JOURNEYS
from campaign.gallery.queries import Filters, gallery_page
from campaign.gallery.worldmap import outline_points, world_map
from campaign.i18n import identity
from campaign.i18n.countries import country_name
from campaign.i18n.labels import theme_label
from campaign.i18n.languages import language_name
from campaign.i18n.locale import current_locale_code, text_direction
from campaign.models import Channel, Story

PORTRAITS = 3

# The page each public view's link image is made for (the rest: the campaign's card).
PAGE_CARDS = {
    "gallery.home": "cards.home",
    "gallery.stories": "cards.stories",
    "gallery.from_country": "cards.from_country",
    "gallery.in_country": "cards.in_country",
    "gallery.by_theme": "cards.by_theme",
    "gallery.in_language": "cards.in_language",
    "journeys.journeys": "cards.journeys",
    "gallery.about": "cards.about",
    "submissions.share": "cards.share",
}


def page_image() -> str:
    """The absolute address of this page's link image."""
    endpoint = PAGE_CARDS.get(request.endpoint or "")
    if endpoint is None:
        return url_for("cards.site", _external=True)
    return url_for(endpoint, _external=True, **(request.view_args or {}))


def share_image(story: Story, original: bool = False) -> str:
    """A story's link image: its own card when its storyteller allows share images,
    else the campaign's card (nothing of the story). Under a language prefix the card
    shows the public translation into that language; ``original``: the original's card
    (its page, asked for where a translation exists)."""
    if story.consents_share_images:
        original = {"original": 1} if original else {}
        return url_for(
            "cards.story_card", slug=story.slug, size="1200x630", _external=True, **original
        )
    return url_for("cards.site", _external=True)


def _content(title: str, subtitle: str) -> render.PageContent:
    locale = current_locale_code()
    return render.PageContent(
        title=title,
        subtitle=subtitle,
        campaign=identity.campaign_name(),
        address=short_address(),
        language=locale,
        rtl=text_direction(locale) == "rtl",
        colours=identity.colours(),
        mark=identity.mark_file() is None,
    )


def _portraits(filters: Filters) -> list[tuple[bytes, tuple[float, float]]]:
    """Photos of the newest stories of a listing that allow share images."""
    page = gallery_page(filters, None, 12)
    found = []
    for story in page.stories:
        photo = story.photo
        jpegs = sorted(
            (r for r in (photo.renditions if photo else []) if r.get("format") == "jpeg"),
            key=lambda r: r["width"],
        )
        data = read_stored(jpegs[0]["name"]) if jpegs else None
        if data is None:
            continue
        focal = (photo.focal_x or 0.5, photo.focal_y or 0.4)
        found.append((data, focal))
        if len(found) == PORTRAITS:
            break
    return found


def listing_card(title: str, **filters) -> bytes:
    subtitle = _("Migrants share their stories in their own words.")
    portraits = _portraits(Filters(channel=Channel.SHARE_IMAGES, **filters))
    return draw_page(_content(title, subtitle), portraits=portraits)


def home_card() -> bytes:
    return listing_card(identity.campaign_name())


def stories_card(origin=None, residence=None, theme=None, language=None) -> bytes:
    if origin:
        title = _("Stories of migrants from %(country)s", country=country_name(origin))
    elif residence:
        title = _("Stories of migrants living in %(country)s", country=country_name(residence))
    elif theme is not None:
        title = _("Stories about %(theme)s", theme=theme_label(theme))
        theme = theme.slug
    elif language:
        title = _("Stories in %(language)s", language=language_name(language))
    else:
        title = _("Stories")
    return listing_card(
        title, origin=origin, residence=residence, theme=theme, language=language or None
    )


def journeys_card() -> bytes:
    shapes = world_map()
    counts = listings.country_counts()
    min_x, min_y, width, height = (float(v) for v in shapes.view_box.split())
    outlines, shaded = [], []
    for code, country in shapes.countries.items():
        points = outline_points(country)
        outlines.extend(points)
        if code in counts:
            shaded.extend(points)
    journeys = listings.journey_counts(limit=MAP_JOURNEYS)
    busiest = max((count for _o, _r, count in journeys), default=1)
    lines = [
        (
            shapes.countries[origin].centroid,
            shapes.countries[residence].centroid,
            max(1, round(4 * count / busiest)),
        )
        for origin, residence, count in journeys
        if origin in shapes.countries and residence in shapes.countries
    ]
    journey_map = render.JourneyMap((min_x, min_y, width, height), outlines, shaded, lines)
    content = _content(_("Journeys: where storytellers come from, where they live now"), "")
    return draw_page(content, journeys=journey_map)


def about_card() -> bytes:
    return draw_page(
        _content(
            _("About %(name)s", name=identity.campaign_name()),
            _("Who we are, how stories are read, and how storytellers stay in control."),
        )
    )


def share_card() -> bytes:
    return draw_page(
        _content(
            _("Share your story"),
            _("Tell your story of migration in your own words, in your language."),
        )
    )


def site_card() -> bytes:
    return draw_page(
        _content(identity.campaign_name(), _("Migrants share their stories in their own words."))
    )
