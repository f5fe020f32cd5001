"""The WSGI middleware around the Flask app, in one stated order.

From the outside in, a request passes:

1. ``PublicPageCache``: whole answers of public pages for visitors without a
   session, replayed before Flask does any per-request work;
2. ``ProxyFix`` (only when PROXY_FIX_* says how many proxies set each
   X-Forwarded-* header): the client's address, scheme and host;
3. ``LanguagePrefix``: ``/fr/stories`` reaches Flask as ``/stories`` under ``/fr``;
4. the Flask app.
"""

from werkzeug.http import is_resource_modified, parse_date, unquote_etag
from werkzeug.middleware.proxy_fix import ProxyFix

from campaign.database import only_reading
from campaign.extensions import cache, db
from campaign.i18n.locale import LanguagePrefix
from campaign.publishing.pagecache import (
    _MARK,
    MAX_PUBLIC_PLACES,
    _memo,
    _public_state,
    _remembered,
)
from campaign.web.logs import REQUEST_ID_HEADER, request_id_for

PROXY_HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def init_app(app) -> None:
    app.wsgi_app = LanguagePrefix(app.wsgi_app, app.config["SUPPORTED_LOCALES"])
    proxy = {name: int(app.config[f"PROXY_FIX_{name.upper()}"]) for name in PROXY_HEADERS}
    if any(proxy.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **proxy)
    app.wsgi_app = PublicPageCache(app, app.wsgi_app)


class PublicPageCache:
    """WSGI middleware: whole answers of public pages for visitors without a session.

    The key holds everything such a page may depend on: the public version,
    scheme and host, the full path and query, the cookies (a language choice)
    and Accept-Language. Only answers marked by ``public_page`` are kept.
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        # Requests seen to be public pages; others pass straight through,
        # without even reading the public version.
        self.public_places: set[str] = set()

    def _private_cookie(self, cookies: str) -> bool:
        config = self.app.config
        names = (
            config["SESSION_COOKIE_NAME"],
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        )
        return any(f"{name}=" in cookies for name in names)

    def _version(self) -> int:
        if not _remembered(self.app.config["PAGE_CACHE_VERSION_SECONDS"]):
            with self.app.app_context(), only_reading():
                _public_state()
                db.session.remove()
        return _memo["version"]

    def __call__(self, environ, start_response):
        cookies = environ.get("HTTP_COOKIE", "")
        if (
            environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or not self.app.config["PAGE_CACHE_ENABLED"]
            or self._private_cookie(cookies)
        ):
            return self.wsgi_app(environ, start_response)
        place = "{}://{}{}{}?{}|{}|{}".format(
            environ["wsgi.url_scheme"],
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            cookies,
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        if place not in self.public_places:
            # Not known as a public page (yet): static files, media, forms...
            return self._learn(place, environ, start_response)
        version = str(self._version())
        key = f"wsgi:{version}:{place}"
        backend = self.app.extensions["cache"][cache]
        hit = backend.get(key)
        if hit is not None:
            return self._replay(hit, environ, start_response)

        return self._learn(place, environ, start_response, key=key, version=version)

    def _learn(self, place, environ, start_response, key=None, version=None):
        """Let the app answer; keep the answer when it is a public page."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, [h for h in headers if h[0] != _MARK], exc_info)

        iterable = self.wsgi_app(environ, capture)
        mark = [value for name, value in captured.get("headers", ()) if name == _MARK]
        if not mark or not captured["status"].startswith("200"):
            return iterable  # not a public page: stream it as it is
        if len(self.public_places) >= MAX_PUBLIC_PLACES:
            self.public_places.clear()
        self.public_places.add(place)
        if mark != [version] or environ["REQUEST_METHOD"] == "HEAD":
            return iterable  # learned now; kept from the next full visit on
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        headers = [(n, v) for n, v in captured["headers"] if n not in (_MARK, REQUEST_ID_HEADER)]
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
