"""JSON API v1: read-only, open to every origin, cached by ETag, rate-limited per address."""

from flask import Blueprint, abort, jsonify, request, url_for
from flask_babel import gettext as _

from campaign import params
from campaign.api import serializers
from campaign.api.errors import OVER_LIMIT, is_api_request, rate_limited
from campaign.api.openapi import openapi_document
from campaign.gallery import listings
from campaign.gallery.translated import all_translations_for
from campaign.i18n.countries import country_name
from campaign.models import Channel, gone_for
from campaign.publishing.pagecache import public_page

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def refuse_over_the_limit():
    """Counted per address before Flask (web.ratelimits), which marks a request over
    API_RATE_LIMIT; it is answered here, in the visitor's language."""
    limit = request.environ.get(OVER_LIMIT)
    if limit:
        return rate_limited(limit)
    return None


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Accept-Language",
    "Access-Control-Expose-Headers": (
        "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "86400",
}


@bp.after_app_request  # app-wide: an unknown /api/ path answers with CORS too
def open_to_every_origin(response):
    """CORS for the read-only API, and for nothing else on the site."""
    if is_api_request():
        response.headers.update(CORS_HEADERS)
    return response


# Kept until public content changes, revalidated by partners on every use (a
# 304 by ETag), replayed before Flask: the limit is counted before that, too.
cacheable = public_page(revalidate=True)
STORIES_ARGS = ("origin", "residence", "theme", "language", "q", "sort", "cursor", "limit")


@bp.get("/stories")
@public_page(revalidate=True, args=STORIES_ARGS)
def stories():
    args = {
        "origin": params.country("origin"),
        "residence": params.country("residence"),
        "theme": params.text("theme", 60) or None,
        "language": params.text("language", 12) or None,
        "q": params.text("q", 200) or None,
        "sort": params.choice("sort", listings.SORTS, default="newest"),
    }
    limit = params.integer("limit", default=20, maximum=listings.MAX_LIMIT)
    try:
        page = listings.find_stories(**args, cursor=request.args.get("cursor") or None, limit=limit)
    except listings.BadCursor:
        raise params.BadParameter(
            "cursor", _("The cursor is not valid: start again from the first page.")
        ) from None
    translations = all_translations_for(page.stories)
    next_url = None
    if page.next_cursor:
        given = {key: value for key, value in request.args.items() if key != "cursor"}
        next_url = url_for("api.stories", **given, cursor=page.next_cursor, _external=True)
    return jsonify(
        {
            "stories": [serializers.story(story, translations[story.id]) for story in page.stories],
            "next_cursor": page.next_cursor,
            "next": next_url,
        }
    )


@bp.get("/stories/<int:story_id>")
@cacheable
def story(story_id: int):
    found = listings.published_story_by_id(story_id)
    if found is None:
        abort(410 if gone_for(Channel.PARTNERS, story_id=story_id) else 404)
    return jsonify(serializers.story(found, all_translations_for([found])[found.id]))


@bp.get("/countries")
@cacheable
def countries():
    counts = listings.country_counts()
    listed = sorted(counts, key=lambda code: country_name(code).casefold())
    return jsonify(
        {
            "countries": [
                {
                    **serializers.country(code),
                    "origin_count": counts[code]["origin"],
                    "residence_count": counts[code]["residence"],
                }
                for code in listed
            ]
        }
    )


@bp.get("/themes")
@cacheable
def themes():
    return jsonify(
        {
            "themes": [
                {**serializers.theme(theme), "count": count}
                for theme, count in listings.theme_counts()
            ]
        }
    )


@bp.get("/stats")
@cacheable
def stats():
    numbers = listings.stats()
    latest = numbers["latest_published_at"]
    numbers["latest_published_at"] = latest.isoformat() if latest else None
    numbers["journeys"] = [
        {
            "origin": serializers.country(origin),
            "residence": serializers.country(residence),
            "count": count,
        }
        for origin, residence, count in listings.journey_counts(limit=10)
    ]
    return jsonify(numbers)


@bp.get("/openapi.json")
@cacheable
def openapi():
    return jsonify(openapi_document(url_for("api.stories", _external=True).rsplit("/", 1)[0]))
