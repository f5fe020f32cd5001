"""Public pages: HTTP caching, and rendered pages kept until public content changes.

Every public page depends only on what is published, so the public version
kept by ``publishing.stats`` (bumped in the same transaction as every publish,
withdrawal, hide or edit) identifies it. Two layers use that one number and
one key scheme (``page_key``):

- ``public_page`` makes a view's answer cacheable by browsers and CDNs for
  PUBLIC_CACHE_SECONDS (which bounds how long a withdrawn story can still be
  seen there), with an ETag and Last-Modified, and a 304 for revalidation;
  it also keeps the rendered body in the cache (Flask-Caching: in-process by
  default, Redis in production), keyed by version, URL and language;
- ``web.middleware.PublicPageCache``, inside ProxyFix, replays whole answers
  of pages marked with ``MARK`` to visitors without a session, keyed by
  version, URL, cookies and Accept-Language, before Flask does any
  per-request work.

The URL in both keys is the one the app sees: scheme and host as corrected
by ProxyFix, so an https visit never answers a plain-http one (which must be
redirected) and a forwarded host only ever reaches whoever forwarded it.
The version comes from the one memo of ``stats.PublicState``.

Keys hold only what a page depends on, so a flood of made-up URLs cannot fill
the memory (issue 14, finding 7): each view names the query parameters it
reads (``args``), and the answer to a URL with any other parameter is sent
but never kept (pages echo the query string in their language links, so it
cannot simply be left out of the key); the visitor's headers count only
through the language they select. What is kept stays within CACHE_MAX_BYTES
(``memorycache``) or Redis's own bound.
"""

import hashlib
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user
from werkzeug.wsgi import get_current_url

from campaign.database import only_reading
from campaign.extensions import cache, db
from campaign.i18n.locale import current_locale_code, url_language
from campaign.publishing import stats

MARK = "X-Campaign-Public-Page"  # set by public_page for the WSGI layer, never sent out
REVALIDATE = "public, no-cache"  # shared caches keep it, but ask again every time


def page_place(environ, locale: str) -> str:
    """Which page this is: the full URL as the app sees it, and its language.
    Read before the app runs (LanguagePrefix moves the path around)."""
    return f"{get_current_url(environ)}|{locale}"


def place_digest(place: str) -> str:
    """A short fixed-size name for a place: keys and the WSGI layer's memory stay
    small however long the URL."""
    return hashlib.blake2b(place.encode(), digest_size=16).hexdigest()


def page_key(kept: str, version: int | str, place: str) -> str:
    """The cache key of a public page: what is kept ("body" or "answer"), the public
    version and the place."""
    return f"page:{kept}:{version}:{place_digest(place)}"


def current_version() -> int:
    return stats.current().version


def version_before_flask(app) -> int:
    """The public version for the WSGI layer: remembered, or read in an app context
    of its own (outside any request)."""
    snapshot = stats.state(app).remembered()
    if snapshot is None:
        with app.app_context(), only_reading():
            snapshot = stats.current()
            db.session.remove()
    return snapshot.version


def _personal() -> bool:
    """Something on the page is for this visitor only: a moderator, a message waiting."""
    return current_user.is_authenticated or "_flashes" in session


def _reads_only(args: frozenset[str]) -> bool:
    """The query string holds no parameter but those the view reads."""
    return all(name in args for name in request.args)


def public_page(
    view=None, *, revalidate: bool = False, before_flask: bool = True, args: tuple[str, ...] = ()
):
    """Cache a public GET view's answer: HTTP validators, shared lifetime, kept body.

    ``args``: the query parameters the view (and its template) reads. A URL
    with any other parameter gets the same public answer, rendered afresh and
    never kept, so made-up parameters cannot fill the cache. Forgetting one
    here costs speed, never correctness.

    ``revalidate``: caches must ask again every time (``no-cache``, a cheap 304),
    for the API, feeds and embeds, so a withdrawn story leaves partners' sites
    at once instead of after PUBLIC_CACHE_SECONDS.
    ``before_flask``: the answer may also be replayed by ``PublicPageCache``
    before Flask runs (with the headers Flask gave it: CORS, security). A view
    limited by Flask-Limiter would say False, since every request must reach
    the limiter; the API's limit is counted before the cache
    (``web.ratelimits``), so the API says True.
    """
    if view is None:
        return lambda inner: public_page(
            inner, revalidate=revalidate, before_flask=before_flask, args=args
        )
    known = frozenset(args)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _personal():
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
            return response
        snapshot = stats.current()
        version, changed_at = snapshot.version, snapshot.changed_at
        locale = current_locale_code()
        assets = current_app.config.get("ASSETS_VERSION", "")
        etag = hashlib.sha256(f"{version}|{locale}|{assets}".encode()).hexdigest()[:20]
        # The host is part of the key: feeds, the API and oEmbed write absolute URLs.
        key = page_key("body", version, page_place(request.environ, locale))
        keep = current_app.config["PAGE_CACHE_ENABLED"] and _reads_only(known)
        hit = keep and cache.get(key)
        if hit:
            body, content_type = hit
            response = current_app.response_class(body, content_type=content_type)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            if keep:
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
        if before_flask and keep:
            response.headers[MARK] = str(version)
        return response.make_conditional(request)

    return wrapper
