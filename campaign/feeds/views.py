"""Atom feeds of the newest published stories: all, per country and per theme."""

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, make_response, request, url_for
from flask_babel import gettext as _

from campaign.gallery import listings
from campaign.i18n.countries import country_codes, country_name
from campaign.i18n.labels import display_name, theme_label
from campaign.i18n.locale import current_locale_code
from campaign.models import Story, theme_by_slug
from campaign.publishing.pagecache import public_page
from campaign.text import paragraphs

bp = Blueprint("feeds", __name__)

ATOM_TYPE = "application/atom+xml"


def _atom(title: str, stories: list[Story], mirrors: str):
    """The feed as an Atom document; ``mirrors`` is the address of the page it follows."""
    feed = FeedGenerator()
    feed.id(request.base_url)
    feed.title(title)
    feed.subtitle(_("Stories of migrants, told by migrants"))
    feed.link(href=request.base_url, rel="self", type=ATOM_TYPE)
    feed.link(href=mirrors, rel="alternate", type="text/html")
    feed.language(current_locale_code())
    feed.author({"name": _("I am a migrant")})
    if stories:
        feed.updated(max(story.published_at for story in stories))
    # feedgen prepends entries: add the oldest first so the newest leads the feed.
    for story in reversed(stories):
        address = url_for("gallery.story", slug=story.slug, _external=True)
        entry = feed.add_entry()
        entry.id(address)
        entry.title(story.title)
        entry.link(href=address, rel="alternate", type="text/html")
        entry.author({"name": display_name(story)})
        entry.published(story.published_at)
        entry.updated(story.published_at)
        if story.quote:
            entry.summary(story.quote)
        entry.content(str(paragraphs(story.body)), type="html")
        for theme in story.themes:
            entry.category(term=theme.slug, label=theme_label(theme))
    response = make_response(feed.atom_str(pretty=True))
    response.mimetype = ATOM_TYPE
    return response


# Feed readers poll: kept until public content changes, revalidated each time.
cached_feed = public_page(revalidate=True)


def _size() -> int:
    return current_app.config["FEED_SIZE"]


def _known_country(code: str) -> str:
    code = code.upper()
    if code not in country_codes():
        abort(404)
    return code


@bp.get("/feed.atom")
@cached_feed
def newest():
    return _atom(
        _("I am a migrant: newest stories"),
        listings.latest_stories(_size()),
        url_for("gallery.stories", _external=True),
    )


@bp.get("/feed/from/<code>.atom")
@cached_feed
def origin(code: str):
    code = _known_country(code)
    return _atom(
        _("Stories of migrants from %(country)s", country=country_name(code)),
        listings.latest_stories(_size(), origin=code),
        url_for("gallery.stories", origin=code, _external=True),
    )


@bp.get("/feed/in/<code>.atom")
@cached_feed
def residence(code: str):
    code = _known_country(code)
    return _atom(
        _("Stories of migrants living in %(country)s", country=country_name(code)),
        listings.latest_stories(_size(), residence=code),
        url_for("gallery.stories", residence=code, _external=True),
    )


@bp.get("/feed/theme/<slug>.atom")
@cached_feed
def theme(slug: str):
    found = theme_by_slug(slug) or abort(404)
    return _atom(
        _("Stories about %(theme)s", theme=theme_label(found)),
        listings.latest_stories(_size(), theme=found.slug),
        url_for("gallery.stories", theme=found.slug, _external=True),
    )


def feed_links(args) -> list[dict]:
    """The feeds that mirror a gallery listing with these filters, for <link rel=alternate>."""
    links = [{"title": _("Newest stories"), "url": url_for("feeds.newest", _external=True)}]
    codes = country_codes()
    origin_code = (args.get("origin") or "").upper()
    residence_code = (args.get("residence") or "").upper()
    if origin_code in codes:
        links.append(
            {
                "title": _(
                    "Stories of migrants from %(country)s", country=country_name(origin_code)
                ),
                "url": url_for("feeds.origin", code=origin_code, _external=True),
            }
        )
    if residence_code in codes:
        links.append(
            {
                "title": _(
                    "Stories of migrants living in %(country)s",
                    country=country_name(residence_code),
                ),
                "url": url_for("feeds.residence", code=residence_code, _external=True),
            }
        )
    slug = args.get("theme") or ""
    found = theme_by_slug(slug) if slug else None
    if found:
        links.append(
            {
                "title": _("Stories about %(theme)s", theme=theme_label(found)),
                "url": url_for("feeds.theme", slug=found.slug, _external=True),
            }
        )
    return links
