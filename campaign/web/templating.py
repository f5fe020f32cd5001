"""Every Jinja global and filter the templates use, registered in one place."""

from flask import current_app, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_number, get_locale

from campaign.cards.pages import page_image, share_image
from campaign.feeds.views import feed_links
from campaign.gallery import fragments, search
from campaign.gallery.geo import distance_km
from campaign.i18n import identity
from campaign.i18n.countries import country_name
from campaign.i18n.labels import display_name, status_label, storyteller_reason, theme_label
from campaign.i18n.languages import language_name
from campaign.i18n.locale import (
    current_locale_code,
    default_language_url,
    format_list,
    html_lang,
    language_links,
    text_direction,
)
from campaign.media.views import focus_classes, photo_sources
from campaign.text import isolated, paragraphs


def report_url(story) -> str:
    return url_for("reports.report", slug=story.slug)


def current_text_direction() -> str:
    return get_locale().text_direction


GLOBALS = {
    # The reader's language and the directions of texts in others.
    "current_locale_code": current_locale_code,
    "current_text_direction": current_text_direction,
    "html_lang": html_lang,
    "language_links": language_links,
    "default_language_url": default_language_url,
    "text_direction": text_direction,
    # Who speaks: the campaign's name and whether its colours are its own.
    "campaign_name": identity.campaign_name,
    "own_colours": lambda: bool(current_app.config["CAMPAIGN_COLOURS"]),
    "identity_colours": identity.colours,
    # Names and numbers in the reader's language.
    "country_name": country_name,
    "language_name": language_name,
    "display_name": display_name,
    "theme_label": theme_label,
    "storyteller_reason": storyteller_reason,
    "status_label": status_label,
    "format_date": format_date,
    "format_datetime": format_datetime,
    "format_decimal": format_decimal,
    "format_number": format_number,
    "format_list": format_list,
    # Stories on public pages.
    "distance_km": distance_km,
    "photo_sources": photo_sources,
    "focus_classes": focus_classes,
    "report_url": report_url,
    "cards": fragments.cards,  # a listing's cards, each kept per story version
    "home_fragments": fragments.home_fragments,  # the home page's lead and cards
    "story_article": fragments.story_article,  # a story page's article, kept likewise
    "filters_form": fragments.filters_form,  # the gallery's form, kept per its choices
    "kept_fragment": fragments.kept_fragment,  # the chrome, kept per language
    "search_snippet": search.snippet,
    "search_highlight": search.highlight,
    "feed_links": feed_links,
    # The link image of a page, and of a story (cards.pages).
    "page_image": page_image,
    "share_image": share_image,
}

FILTERS = {"paragraphs": paragraphs, "bdi": isolated}


def init_app(app) -> None:
    app.jinja_env.globals.update(GLOBALS)
    app.jinja_env.filters.update(FILTERS)
