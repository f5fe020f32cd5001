"""Atom feeds of the newest published stories: all, per country and per theme; and a
podcast (RSS 2.0 with the iTunes namespace) of the voice stories in each language."""

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, make_response, request, url_for
from flask_babel import gettext as _
from lxml import etree

from campaign.gallery import listings
from campaign.gallery.translated import Reading, page_url, translations_for
from campaign.i18n.countries import country_name, parse_country
from campaign.i18n.identity import campaign_name
from campaign.i18n.labels import display_name, theme_label
from campaign.i18n.languages import STORY_LANGUAGES, language_name
from campaign.i18n.locale import current_locale_code
from campaign.models import Story, theme_by_slug
from campaign.publishing.pagecache import public_page
from campaign.text import paragraphs, xml_safe

bp = Blueprint("feeds", __name__)

ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
# The rendition podcast apps take: AAC in MP4 plays everywhere (Apple's apps too).
PODCAST_FORMAT = "aac"


def _updated(story: Story):
    """The last change of anything public: feed readers replace an entry whose
    <updated> moved (an edit, a name shown differently, a photo removed)."""
    return story.public_updated_at or story.published_at


def _atom(title: str, stories: list[Story], mirrors: str, language: str | None = None):
    """The feed as an Atom document; ``mirrors`` is the address of the page it follows.
    Entries with a public translation into ``language`` (the feed's, else the
    address's) are given in it, with ``xml:lang`` and the translated page's link."""
    language = language or current_locale_code()
    translated = translations_for(stories, language)
    feed = FeedGenerator()
    feed.id(request.base_url)
    # Every text goes through xml_safe: clean_text keeps what XML cannot hold out
    # of new stories, but one such character from an older row would fail the feed.
    feed.title(xml_safe(title))
    feed.subtitle(_("Stories of migrants, told by migrants"))
    feed.link(href=request.base_url, rel="self", type=ATOM_TYPE)
    feed.link(href=mirrors, rel="alternate", type="text/html")
    feed.language(language)
    feed.author({"name": campaign_name()})
    if stories:
        feed.updated(max(_updated(story) for story in stories))
    # feedgen prepends entries: add the oldest first so the newest leads the feed.
    for story in reversed(stories):
        shown = Reading(story, translated.get(story.id))
        address = url_for("gallery.story", slug=story.slug, _external=True)
        entry = feed.add_entry()
        entry.id(address)
        entry.title(xml_safe(shown.title))
        link = page_url(story, shown.language) if shown.translation else address
        entry.link(href=link, rel="alternate", type="text/html")
        entry.author({"name": xml_safe(display_name(story))})
        entry.published(story.published_at)
        entry.updated(_updated(story))
        if shown.quote:
            entry.summary(xml_safe(shown.quote))
        entry.content(xml_safe(str(paragraphs(shown.text_to_read))), type="html")
        entry.register_extension("lang", _Language, atom=True, rss=False)
        entry.lang.code = shown.language
        if story.recording is not None:
            entry.register_extension("audio", _AudioLinks, atom=True, rss=False)
            entry.audio.renditions = list(story.recording.renditions or [])
        for theme in story.themes:
            entry.category(term=xml_safe(theme.slug), label=xml_safe(theme_label(theme)))
    response = make_response(feed.atom_str(pretty=True))
    response.mimetype = ATOM_TYPE
    return response


class _Language(BaseEntryExtension):
    """The language of an entry's words (``xml:lang``): the story's, or its translation's."""

    def __init__(self):
        self.code = ""

    def extend_atom(self, entry):
        if self.code:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", self.code)
        return entry


class _AudioLinks(BaseEntryExtension):
    """An Atom entry's recording as ``<link rel="enclosure">`` elements, one per
    rendition. feedgen 1.0's own ``link()`` drops every attribute but ``href``
    (its loop variable shadows the link it reads), so enclosures are added here."""

    def __init__(self):
        self.renditions: list[dict] = []

    def extend_atom(self, entry):
        namespace = entry.nsmap.get(None) or "http://www.w3.org/2005/Atom"
        for rendition in self.renditions:
            link = etree.SubElement(entry, f"{{{namespace}}}link")
            link.attrib.update(
                {
                    "rel": "enclosure",
                    "href": url_for("media.file", name=rendition["name"], _external=True),
                    "type": str(rendition["content_type"]),
                    "length": str(int(rendition["bytes"])),
                }
            )
        return entry


# Feed readers poll: kept until public content changes, revalidated each time.
cached_feed = public_page(revalidate=True)


def _size() -> int:
    return current_app.config["FEED_SIZE"]


def _known_country(code: str) -> str:
    return parse_country(code) or abort(404)


@bp.get("/feed.atom")
@cached_feed
def newest():
    return _atom(
        _("%(name)s: newest stories", name=campaign_name()),
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


@bp.get("/feed/language/<language>.atom")
@cached_feed
def in_language(language: str):
    """The stories told in one language or translated into it, the translations given
    in it."""
    if language not in current_app.config["SUPPORTED_LOCALES"]:
        abort(404)
    return _atom(
        _("Stories in %(language)s", language=language_name(language)),
        listings.latest_in_language(_size(), language),
        url_for("gallery.stories", _external=True),
        language=language,
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


@bp.get("/podcast/<language>.rss")
@cached_feed
def podcast(language: str):
    """The voice stories told in one language, as a podcast: RSS 2.0 with the iTunes
    namespace, each episode's enclosure the AAC rendition, its transcript the notes."""
    if language not in STORY_LANGUAGES:
        abort(404)
    feed = FeedGenerator()
    feed.load_extension("podcast")
    title = _("%(name)s: voice stories in %(language)s", name=campaign_name(),
              language=language_name(language))  # fmt: skip
    feed.title(xml_safe(title))
    feed.description(_("Migrants tell their own stories, in their own voices."))
    feed.link(href=url_for("gallery.in_language", language=language, _external=True))
    feed.link(href=request.base_url, rel="self")
    feed.language(language)
    feed.image(url_for("static", filename="img/icon-512.png", _external=True), title=title,
               link=url_for("gallery.home", _external=True))  # fmt: skip
    feed.podcast.itunes_author(campaign_name())
    feed.podcast.itunes_category("Society & Culture", "Personal Journals")
    feed.podcast.itunes_explicit("no")
    feed.podcast.itunes_summary(_("Migrants tell their own stories, in their own voices."))
    feed.podcast.itunes_image(url_for("static", filename="img/icon-512.png", _external=True))
    stories = listings.latest_voice_stories(_size(), language)
    if stories:
        feed.lastBuildDate(max(_updated(story) for story in stories))
    for story in reversed(stories):  # feedgen prepends: the newest leads
        rendition = next(r for r in story.recording.renditions if r.get("format") == PODCAST_FORMAT)
        address = url_for("gallery.story", slug=story.slug, _external=True)
        entry = feed.add_entry()
        entry.guid(address, permalink=True)
        entry.title(xml_safe(story.title))
        entry.link(href=address)
        entry.published(story.published_at)
        entry.description(xml_safe(story.text_to_read or story.quote or story.title))
        entry.enclosure(
            url_for("media.file", name=rendition["name"], _external=True),
            str(rendition["bytes"]),
            rendition["content_type"],
        )
        entry.podcast.itunes_duration(round(story.recording.duration_seconds))
        entry.podcast.itunes_author(xml_safe(display_name(story)))
        entry.podcast.itunes_explicit("no")
    response = make_response(feed.rss_str(pretty=True))
    response.mimetype = RSS_TYPE
    return response


def feed_links(args) -> list[dict]:
    """The feeds that mirror a gallery listing with these filters, for <link rel=alternate>."""
    links = [{"title": _("Newest stories"), "url": url_for("feeds.newest", _external=True)}]
    here = current_locale_code()
    if here in current_app.config["SUPPORTED_LOCALES"]:
        links.append(
            {
                "title": _("Stories in %(language)s", language=language_name(here)),
                "url": url_for("feeds.in_language", language=here, _external=True),
            }
        )
    origin_code = parse_country(args.get("origin"))
    residence_code = parse_country(args.get("residence"))
    if origin_code:
        links.append(
            {
                "title": _(
                    "Stories of migrants from %(country)s", country=country_name(origin_code)
                ),
                "url": url_for("feeds.origin", code=origin_code, _external=True),
            }
        )
    if residence_code:
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
