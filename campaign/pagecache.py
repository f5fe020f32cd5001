"""Public pages: HTTP caching, and rendered pages kept until public content changes.

Every public page depends only on what is published, so the public version
kept by ``gallery.stats`` (bumped in the same transaction as every publish,
withdrawal, hide or edit) identifies it. Three layers use that one number:

- ``public_page`` makes a view's answer cacheable by browsers and CDNs for
  PUBLIC_CACHE_SECONDS (which bounds how long a withdrawn story can still be
  seen there), with an ETag and Last-Modified, and a 304 for revalidation;
- it also keeps the rendered body in the cache (Flask-Caching: in-process by
  default, Redis in production), keyed by version, language and URL;
- ``PublicPageCache``, in front of the whole app, answers repeat requests from
  visitors without a session straight from the cache, headers and all,
  before Flask does any per-request work.

A worker may reuse the version it read for PAGE_CACHE_VERSION_SECONDS, and
forgets it at once when it commits a public change itself.
"""

import hashlib
import time
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user
from werkzeug.http import is_resource_modified, parse_date, unquote_etag

from .database import only_reading
from .extensions import cache, db
from .gallery import stats
from .i18n import current_locale_code, url_language
from .observability import REQUEST_ID_HEADER, request_id_for

_MARK = "X-Campaign-Public-Page"  # set by public_page, never sent to the client
MAX_PUBLIC_PLACES = 20_000
REVALIDATE = "public, no-cache"  # shared caches keep it, but ask again every time
_memo = {"version": None, "changed_at": None, "read_at": 0.0}


def forget_version() -> None:
    """This worker committed a public change: read the new version on the next request."""
    _memo["version"] = None


def _remembered(max_age: float) -> bool:
    return _memo["version"] is not None and time.monotonic() - _memo["read_at"] < max_age


def _remember(version: int, changed_at) -> None:
    _memo.update(version=version, changed_at=changed_at, read_at=time.monotonic())


def current_version() -> int:
    return _public_state()[0]


def _public_state() -> tuple[int, object]:
    """The public version and its time: remembered, or read with the page's own numbers
    (one query for both), so a kept answer costs no query at all most of the time."""
    if not _remembered(current_app.config["PAGE_CACHE_VERSION_SECONDS"]):
        snapshot = stats.current()
        _remember(snapshot.version, snapshot.changed_at)
    return _memo["version"], _memo["changed_at"]


def _personal() -> bool:
    """Something on the page is for this visitor only: a moderator, a message waiting."""
    return current_user.is_authenticated or "_flashes" in session


def public_page(view=None, *, revalidate: bool = False, before_flask: bool = True):
    """Cache a public GET view's answer: HTTP validators, shared lifetime, kept body.

    ``revalidate``: caches must ask again every time (``no-cache``, a cheap 304),
    for the API, feeds and embeds, so a withdrawn story leaves partners' sites
    at once instead of after PUBLIC_CACHE_SECONDS.
    ``before_flask``: the answer may also be replayed by ``PublicPageCache``
    before Flask runs. Rate-limited views (the API) say False: every request
    must reach the limiter, so only the body is kept and Flask adds the
    per-request headers (rate-limit counters, CORS) around it.
    """
    if view is None:
        return lambda inner: public_page(inner, revalidate=revalidate, before_flask=before_flask)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _personal():
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-cache"
            response.vary.add("Cookie")
            return response
        version, changed_at = _public_state()
        locale = current_locale_code()
        assets = current_app.config.get("ASSETS_VERSION", "")
        etag = hashlib.sha256(f"{version}|{locale}|{assets}".encode()).hexdigest()[:20]
        # The host is part of the key: feeds, the API and oEmbed write absolute URLs.
        key = f"page:{version}:{locale}:{request.url}"
        hit = current_app.config["PAGE_CACHE_ENABLED"] and cache.get(key)
        if hit:
            body, content_type = hit
            response = current_app.response_class(body, content_type=content_type)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            if current_app.config["PAGE_CACHE_ENABLED"]:
                cache.set(key, (response.get_data(), response.content_type))
        response.set_etag(etag, weak=True)
        if changed_at:
            response.last_modified = changed_at
        if revalidate:
            response.headers["Cache-Control"] = REVALIDATE
        else:
            response.headers["Cache-Control"] = (
                f"public, max-age={current_app.config['PUBLIC_CACHE_SECONDS']}"
            )
        if url_language() is None:
            # Without a language in the URL, the browser's language and the
            # visitor's choice (a cookie) decide the page's language.
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        if before_flask:
            response.headers[_MARK] = str(version)
        return response.make_conditional(request)

    return wrapper


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
