"""The WSGI middleware around the Flask app, in one stated order.

From the outside in, a request passes:

1. ``ProxyFix`` (only when PROXY_FIX_* says how many proxies set each
   X-Forwarded-* header): the client's address, scheme and host;
2. ``ApiRateLimit`` (``web/ratelimits.py``): every ``/api/`` request counted per
   address, one round trip to Redis, and the counts added to its answer; a
   request over the limit is marked for Flask's JSON 429 and skips the cache;
3. ``PublicPageCache``: whole answers of public pages for visitors without a
   session, replayed before Flask does any per-request work. Inside ProxyFix,
   so it keys on the corrected scheme and host: a plain-http request still
   reaches the HTTPS redirect, and a page built for a forwarded host is only
   ever replayed to requests for that host;
4. ``LanguagePrefix``: ``/fr/stories`` reaches Flask as ``/stories`` under ``/fr``;
5. the Flask app.
"""

from werkzeug.http import is_resource_modified, parse_date, unquote_etag
from werkzeug.middleware.proxy_fix import ProxyFix

from campaign.api.errors import OVER_LIMIT
from campaign.extensions import cache
from campaign.i18n.locale import LanguagePrefix, locale_before_flask
from campaign.publishing.pagecache import (
    MARK,
    page_key,
    page_place,
    place_digest,
    version_before_flask,
)
from campaign.web.logs import REQUEST_ID_HEADER, request_id_for
from campaign.web.ratelimits import ApiRateLimit

PROXY_HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")
MAX_PUBLIC_PLACES = 20_000


def init_app(app) -> None:
    """Wrap the app from the inside out: the last one wrapped sees a request first."""
    app.wsgi_app = LanguagePrefix(app.wsgi_app, app.config["SUPPORTED_LOCALES"])
    app.wsgi_app = PublicPageCache(app, app.wsgi_app)
    app.wsgi_app = ApiRateLimit(app, app.wsgi_app)
    proxy = {name: int(app.config[f"PROXY_FIX_{name.upper()}"]) for name in PROXY_HEADERS}
    if any(proxy.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **proxy)


class PublicPageCache:
    """WSGI middleware: whole answers of public pages for visitors without a session.

    The key (``page_key``) holds everything such a page may depend on: the
    public version, the full URL (scheme and host as ProxyFix corrected them)
    and the language that the URL, the language cookie and Accept-Language
    select (the same rule as Flask-Babel's, ``locale_before_flask``): a visitor
    without a session sees nothing else of the headers. Only answers marked by
    ``public_page`` are kept, under the version they were rendered with.
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        # Digests of requests seen to be public pages; others pass straight
        # through, without even reading the public version. Fixed-size entries,
        # at most MAX_PUBLIC_PLACES of them.
        self.public_places: set[str] = set()

    def _private_cookie(self, cookies: str) -> bool:
        config = self.app.config
        names = (
            config["SESSION_COOKIE_NAME"],
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        )
        return any(f"{name}=" in cookies for name in names)

    def __call__(self, environ, start_response):
        cookies = environ.get("HTTP_COOKIE", "")
        if (
            environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or not self.app.config["PAGE_CACHE_ENABLED"]
            or self._private_cookie(cookies)
            or OVER_LIMIT in environ
        ):
            return self.wsgi_app(environ, start_response)
        locale = locale_before_flask(environ, self.app.config["SUPPORTED_LOCALES"])
        place = page_place(environ, locale)
        if place_digest(place) in self.public_places:
            key = page_key("answer", version_before_flask(self.app), place)
            hit = self.app.extensions["cache"][cache].get(key)
            if hit is not None:
                return self._replay(hit, environ, start_response)
        # Not known as a public page (yet): static files, media, forms... or not kept.
        return self._learn(place, environ, start_response)

    def _learn(self, place, environ, start_response):
        """Let the app answer; keep the answer when it is a public page."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, [h for h in headers if h[0] != MARK], exc_info)

        iterable = self.wsgi_app(environ, capture)
        mark = [value for name, value in captured.get("headers", ()) if name == MARK]
        if not mark or not captured["status"].startswith("200"):
            return iterable  # not a public page: stream it as it is
        if len(self.public_places) >= MAX_PUBLIC_PLACES:
            self.public_places.clear()
        self.public_places.add(place_digest(place))
        if environ["REQUEST_METHOD"] == "HEAD" or any(
            name.lower() == "set-cookie" for name, _value in captured["headers"]
        ):
            return iterable  # no body to keep, or a cookie for this visitor only
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        headers = [(n, v) for n, v in captured["headers"] if n not in (MARK, REQUEST_ID_HEADER)]
        # Kept under the version it was rendered with: whoever reads that version next
        # would render the very same answer.
        key = page_key("answer", mark[0], place)
        self.app.extensions["cache"][cache].set(key, (captured["status"], headers, body))
        return [body]

    @staticmethod
    def _replay(hit, environ, start_response):
        status, headers, body = hit
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [*headers, (REQUEST_ID_HEADER, request_id)]
        found = dict(headers)
        etag = unquote_etag(found["ETag"])[0] if "ETag" in found else None
        last_modified = parse_date(found.get("Last-Modified"))
        if not is_resource_modified(environ, etag=etag, last_modified=last_modified):
            kept = [(n, v) for n, v in headers if n not in ("Content-Length", "Content-Type")]
            start_response("304 NOT MODIFIED", kept)
            return []
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
