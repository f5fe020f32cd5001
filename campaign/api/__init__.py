"""Stories travelling beyond the site: JSON API v1, embeds, oEmbed, Atom feeds, journeys map."""

from . import errors

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Accept-Language",
    "Access-Control-Expose-Headers": (
        "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "86400",
}


def open_to_every_origin(response):
    """CORS for the read-only API, and for nothing else on the site."""
    if errors.is_api_request():
        response.headers.update(CORS_HEADERS)
    return response


def init_app(app) -> None:
    from .embeds import bp as embeds_bp
    from .feeds import bp as feeds_bp
    from .feeds import feed_links
    from .journeys import bp as journeys_bp
    from .views import bp as api_bp

    for blueprint in (api_bp, embeds_bp, feeds_bp, journeys_bp):
        app.register_blueprint(blueprint)
    app.after_request(open_to_every_origin)
    app.jinja_env.globals.update(feed_links=feed_links)

    @app.errorhandler(405)
    def method_not_allowed(error):
        if errors.is_api_request():
            return errors.method_not_allowed()
        return error.get_response()
