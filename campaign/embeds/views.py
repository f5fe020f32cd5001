"""Embeds (the only pages other sites may frame), the snippet builder and oEmbed."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from campaign.gallery import listings
from campaign.i18n.countries import country_choices, parse_country
from campaign.i18n.labels import display_name, theme_label
from campaign.i18n.languages import language_name
from campaign.models import published_story
from campaign.publishing.pagecache import REVALIDATE, public_page
from campaign.responses import embeddable

bp = Blueprint("embeds", __name__)

OEMBED_MAX_WIDTH = 600
OEMBED_HEIGHT = 360


# Partners' pages show embeds and oEmbed snippets: kept until public content
# changes, and revalidated on every use so a withdrawn story leaves them at once.
# Embeds are also @embeddable: campaign.web.security lets other sites frame them,
# and the page cache replays those headers with the rest. Each names the query
# parameters it reads: a URL with others is answered but never kept.
EMBED_ARGS = ("country", "residence", "theme", "lang", "limit")  # embed_filters
OEMBED_ARGS = ("format", "url", "maxwidth", "maxheight")


def embed_filters(args) -> dict:
    """The embed's filters from the query string; unknown values are left out, not guessed."""
    origin = parse_country(args.get("country"))
    residence = parse_country(args.get("residence"))
    limit = args.get("limit", "")
    maximum = current_app.config["EMBED_MAX_STORIES"]
    return {
        "country": origin or "",
        "residence": residence or "",
        "theme": args.get("theme", "").strip()[:60],
        "lang": args.get("lang", "").strip()[:12],
        "limit": min(int(limit), maximum) if limit.isdigit() and int(limit) > 0 else 3,
    }


def embed_url(filters: dict, external: bool = False) -> str:
    given = {key: value for key, value in filters.items() if value}
    return url_for("embeds.stories", **given, _external=external)


@bp.get("/embed")
@embeddable
@public_page(revalidate=True, args=EMBED_ARGS)
def stories():
    filters = embed_filters(request.args)
    found = listings.latest_stories(
        filters["limit"],
        origin=filters["country"] or None,
        residence=filters["residence"] or None,
        theme=filters["theme"] or None,
        language=filters["lang"] or None,
    )
    return render_template("embeds/stories.html", stories=found)


@bp.get("/embed/stories/<slug>")
@embeddable
@public_page(revalidate=True)
def story(slug: str):
    found = published_story(slug)
    if found is None:
        # Still a page the partner's frame may show, saying the story is gone
        # (not kept: only answers of 200 are).
        gone = current_app.make_response((render_template("embeds/gone.html"), 404))
        gone.headers["Cache-Control"] = REVALIDATE
        gone.add_etag()
        return gone.make_conditional(request)
    return render_template("embeds/story.html", story=found)


@bp.get("/embed/builder")
@public_page(args=EMBED_ARGS)
def builder():
    filters = embed_filters(request.args)
    themes = [(theme.slug, theme_label(theme)) for theme, _count in listings.theme_counts()]
    languages = [(code, language_name(code)) for code in listings.published_languages()]
    snippet = render_template(
        "embeds/_iframe.html",
        src=embed_url(filters, external=True),
        width=OEMBED_MAX_WIDTH,
        height=OEMBED_HEIGHT,
        title=_("Stories from the campaign “I am a migrant”"),
    ).strip()
    return render_template(
        "embeds/builder.html",
        filters=filters,
        countries=country_choices(),
        themes=themes,
        languages=languages,
        max_limit=current_app.config["EMBED_MAX_STORIES"],
        snippet=snippet,
        preview_src=embed_url(filters),
    )


def _story_slug_for(url: str) -> str | None:
    """The slug of a story page of this site, from its full address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != request.host:
        return None
    adapter = current_app.url_map.bind(request.host)
    try:
        endpoint, values = adapter.match(parts.path, method="GET")
    except HTTPException:  # not found, another method, a redirect: not a story page
        return None
    if endpoint not in {"gallery.story", "embeds.story"}:
        return None
    return values.get("slug")


def _oembed_error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


@bp.get("/oembed")
@public_page(revalidate=True, args=OEMBED_ARGS)
def oembed():
    if request.args.get("format", "json") != "json":
        return _oembed_error(501, _("Only the json format is available."))
    slug = _story_slug_for(request.args.get("url", ""))
    found = published_story(slug) if slug else None
    if found is None:
        return _oembed_error(404, _("There is no published story at this address."))
    width = OEMBED_MAX_WIDTH
    height = OEMBED_HEIGHT
    for name in ("maxwidth", "maxheight"):
        value = request.args.get(name, "")
        if value.isdigit() and int(value) > 0:
            if name == "maxwidth":
                width = min(width, int(value))
            else:
                height = min(height, int(value))
    src = url_for("embeds.story", slug=found.slug, _external=True)
    html = render_template(
        "embeds/_iframe.html", src=src, width=width, height=height, title=found.title
    ).strip()
    data = {
        "version": "1.0",
        "type": "rich",
        "title": found.title,
        "author_name": display_name(found),
        "provider_name": _("I am a migrant"),
        "provider_url": url_for("gallery.home", _external=True),
        "cache_age": 3600,
        "html": html,
        "width": width,
        "height": height,
    }
    return jsonify(data)
