"""Embeds (the only pages other sites may frame), the snippet builder and oEmbed."""

from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from campaign import params
from campaign.gallery import listings
from campaign.i18n.countries import country_choices, parse_country
from campaign.i18n.identity import campaign_name
from campaign.i18n.labels import display_name, theme_label
from campaign.i18n.languages import language_name
from campaign.i18n.locale import ENVIRON_SCRIPT_ROOT, split_language
from campaign.models import Channel, gone_for, published_story
from campaign.publishing.pagecache import REVALIDATE, public_page
from campaign.responses import embeddable, json_error, json_gone

bp = Blueprint("embeds", __name__)

OEMBED_MAX_WIDTH = 600
# The frame's height where the partner's page does not run static/js/embed.js (which
# fits the frame to its stories): enough for a card or two, the rest scrolls inside.
FALLBACK_HEIGHTS = {"cards": 640, "compact": 420}
STORY_FALLBACK_HEIGHT = 560
# What a consumer may ask for in maxwidth and maxheight; we answer with at most our size.
OEMBED_LARGEST_ASKED = 100_000

# How the embed looks, chosen in the builder: colours for a light or a dark page
# around it, and cards with photos or a compact list without them.
LOOKS = {"colours": ("light", "dark"), "layout": ("cards", "compact")}


# Partners' pages show embeds and oEmbed snippets: kept until public content
# changes, and revalidated on every use so a withdrawn story leaves them at once.
# Embeds are also @embeddable: campaign.web.security lets other sites frame them,
# and the page cache replays those headers with the rest. Each names the query
# parameters it reads: a URL with others is answered but never kept.
LOOK_ARGS = tuple(LOOKS)  # embed_look
EMBED_ARGS = ("country", "residence", "theme", "lang", "limit", *LOOK_ARGS)  # embed_filters
OEMBED_ARGS = ("format", "url", "maxwidth", "maxheight")


def embed_look() -> dict:
    """The embed's colours and layout from the query string (a 400 for a value not offered)."""
    return {
        name: params.choice(name, choices, default=LOOK_DEFAULTS[name])
        for name, choices in LOOKS.items()
    }


def embed_filters() -> dict:
    """The embed's filters from the query string; unknown countries are left out, not
    guessed, and a limit above the configured most is brought down to it (a partner's
    snippet keeps working when the setting is lowered)."""
    limit = params.integer("limit", default=3, maximum=listings.MAX_LIMIT)
    return {
        "country": parse_country(request.args.get("country")) or "",
        "residence": parse_country(request.args.get("residence")) or "",
        "theme": params.text("theme", 60),
        "lang": params.text("lang", 12),
        "limit": min(limit, current_app.config["EMBED_MAX_STORIES"]),
        **embed_look(),
    }


LOOK_DEFAULTS = {name: choices[0] for name, choices in LOOKS.items()}


def embed_url(filters: dict, external: bool = False) -> str:
    """The embed's address: only what differs from the defaults, so snippets stay short."""
    given = {
        key: value for key, value in filters.items() if value and value != LOOK_DEFAULTS.get(key)
    }
    return url_for("embeds.stories", **given, _external=external)


def iframe_snippet(src: str, width: int, height: int, title: str) -> str:
    """The HTML a partner pastes (the builder) or gets (oEmbed): the frame, full width up to
    ``width``, ``height`` tall until the optional partner script fits it to its content."""
    return render_template(
        "embeds/_iframe.html",
        src=src,
        width=width,
        height=height,
        title=title,
        script=url_for("static", filename="js/embed.js", _external=True),
    ).strip()


@bp.get("/embed")
@embeddable
@public_page(revalidate=True, args=EMBED_ARGS)
def stories():
    filters = embed_filters()
    found = listings.latest_stories(
        filters["limit"],
        origin=filters["country"] or None,
        residence=filters["residence"] or None,
        theme=filters["theme"] or None,
        language=filters["lang"] or None,
    )
    return render_template("embeds/stories.html", stories=found, look=filters)


@bp.get("/embed/stories/<slug>")
@embeddable
@public_page(revalidate=True, args=LOOK_ARGS)
def story(slug: str):
    look = embed_look()
    found = published_story(slug, Channel.PARTNERS)
    if found is None:
        # Still a page the partner's frame may show, saying the story is gone
        # (not kept: only answers of 200 are); 410 when it was there and went.
        status = 410 if gone_for(Channel.PARTNERS, slug=slug) else 404
        gone = current_app.make_response((render_template("embeds/gone.html", look=look), status))
        gone.headers["Cache-Control"] = REVALIDATE
        gone.add_etag()
        return gone.make_conditional(request)
    return render_template("embeds/story.html", story=found, look=look)


@bp.get("/embed/builder")
@public_page(args=EMBED_ARGS)
def builder():
    filters = embed_filters()
    themes = [(theme.slug, theme_label(theme)) for theme, _count in listings.theme_counts()]
    languages = [(code, language_name(code)) for code in listings.published_languages()]
    title = _("Stories from the campaign “%(name)s”", name=campaign_name())
    height = FALLBACK_HEIGHTS[filters["layout"]]
    return render_template(
        "embeds/builder.html",
        filters=filters,
        countries=country_choices(),
        themes=themes,
        languages=languages,
        looks=LOOKS,
        look_defaults=LOOK_DEFAULTS,
        max_limit=current_app.config["EMBED_MAX_STORIES"],
        snippet=iframe_snippet(embed_url(filters, external=True), OEMBED_MAX_WIDTH, height, title),
        # What the builder's script fills in as the choices change (the same HTML).
        snippet_pattern=iframe_snippet("{src}", OEMBED_MAX_WIDTH, 0, title).replace(
            'height="0"', 'height="{height}"'
        ),
        fallback_heights=FALLBACK_HEIGHTS,
        preview_src=embed_url(filters),
        preview_height=height,
    )


def _story_address(url: str) -> tuple[str | None, str] | None:
    """The language prefix (or None) and the slug of a story page of this site, from
    its full address.

    Any address the site gives out for a story: the story page or its embed,
    with or without a language prefix (/fr/stories/...), percent-encoded as
    the canonical link and the oEmbed discovery link of an Arabic, Persian or
    Ukrainian title are, or not, as a browser's address bar shows it.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() != request.host.lower():
        return None
    path = unquote(parts.path)
    root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")  # the site mounted under a prefix
    if root:
        if not path.startswith(f"{root}/"):
            return None
        path = path[len(root) :]
    language, path = split_language(path, current_app.config["SUPPORTED_LOCALES"])
    adapter = current_app.url_map.bind(request.host)
    try:
        endpoint, values = adapter.match(path, method="GET")
    except HTTPException:  # not found, another method, a redirect: not a story page
        return None
    if endpoint not in {"gallery.story", "embeds.story"}:
        return None
    return language, values["slug"]


def _address(endpoint: str, language: str | None, **values) -> str:
    """An absolute address of this site under the given language prefix, or none,
    whatever the prefix of the current request."""
    path = url_for(endpoint, **values).removeprefix(request.script_root)
    root = request.environ.get(ENVIRON_SCRIPT_ROOT, "")  # the site mounted under a prefix
    prefix = f"/{language}" if language else ""
    return f"{request.host_url.rstrip('/')}{root}{prefix}{path}"


@bp.get("/oembed")
@public_page(revalidate=True, args=OEMBED_ARGS)
def oembed():
    if (request.args.get("format", "").strip() or "json") != "json":  # oEmbed: 501 for others
        return json_error(501, _("Only the json format is available."))
    asked = {
        name: params.integer(name, default=largest, maximum=OEMBED_LARGEST_ASKED)
        for name, largest in (("maxwidth", OEMBED_MAX_WIDTH), ("maxheight", STORY_FALLBACK_HEIGHT))
    }
    address = _story_address(request.args.get("url", ""))
    slug = address[1] if address else None
    found = published_story(slug, Channel.PARTNERS) if slug else None
    if found is None:
        if slug and gone_for(Channel.PARTNERS, slug=slug):
            return json_gone()
        return json_error(404, _("There is no published story at this address."))
    width = min(OEMBED_MAX_WIDTH, asked["maxwidth"])
    height = min(STORY_FALLBACK_HEIGHT, asked["maxheight"])
    # The frame in the language of the address the consumer gave: an /ar/ address
    # gives a frame that says "Read the whole story" in Arabic.
    src = _address("embeds.story", address[0], slug=found.slug)
    html = iframe_snippet(src, width, height, found.title)
    data = {
        "version": "1.0",
        "type": "rich",
        "title": found.title,
        "author_name": display_name(found),
        "provider_name": campaign_name(),
        "provider_url": url_for("gallery.home", _external=True),
        "cache_age": 3600,
        "html": html,
        "width": width,
        "height": height,
    }
    return jsonify(data)
