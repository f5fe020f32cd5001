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

from campaign.extensions import cache
from campaign.i18n.locale import current_locale_code, url_language
from campaign.publishing import stats

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
