"""Rendered public pages, kept until the public content changes.

Two layers share one rule. ``cached_page`` marks a view as a public page and
keeps its rendered body; ``PublicPageCache``, in front of the whole app,
answers repeat requests from visitors without a session straight from the
cache, headers and all, before Flask does any per-request work.

Every change the public could notice (a story published, edited while
published, hidden, unpublished or withdrawn; a theme renamed; a photo of a
published story) raises one number, the public content version, in the same
transaction as the change. Cached pages are keyed by that number, so a change
makes every older copy unreachable at once; the old copies simply age out.

The cache backend comes from the CACHE_* settings (Flask-Caching): a small
in-process cache by default, Redis in production so that all workers and
instances share it. Reading the version is one tiny query; a worker may reuse
the number it read for PAGE_CACHE_VERSION_SECONDS (and forgets it at once
when it commits a public change itself).
"""

import hashlib
import time
from functools import wraps
from itertools import chain

from flask import current_app, make_response, request, session
from flask_login import current_user
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from .database import only_reading
from .extensions import cache, db
from .i18n import current_locale_code
from .models import Photo, PublicContent, Story, StoryStatus, Theme

_memo = {"version": None, "read_at": 0.0}


# --- knowing when public content changed -------------------------------------


def _story_touches_public(session: Session, story: Story) -> bool:
    state = inspect(story)
    if story in session.new:
        return story.status is StoryStatus.PUBLISHED
    previous = set(state.attrs.status.history.deleted or ())
    was_or_is_public = StoryStatus.PUBLISHED in previous | {story.status}
    if story in session.deleted:
        return was_or_is_public
    return was_or_is_public and session.is_modified(story)


def _photo_touches_public(session: Session, photo: Photo) -> bool:
    story_id = photo.story_id or inspect(photo).attrs.story_id.history.deleted
    if isinstance(story_id, (list, tuple)):
        story_id = story_id[0] if story_id else None
    if story_id is None:
        return False
    with session.no_autoflush:
        story = session.get(Story, story_id)
    return story is not None and story.status is StoryStatus.PUBLISHED


def touches_public(session: Session) -> bool:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Story) and _story_touches_public(session, obj):
            return True
        if isinstance(obj, Photo) and _photo_touches_public(session, obj):
            return True
        if isinstance(obj, Theme) and (obj in session.deleted or session.is_modified(obj)):
            return True
    return False


def bump_version(session: Session) -> None:
    """Raise the public content version inside the current transaction."""
    result = session.execute(update(PublicContent).values(version=PublicContent.version + 1))
    if result.rowcount == 0:
        session.add(PublicContent(id=1, version=2))
    session.info["public_changed"] = True


@event.listens_for(Session, "before_flush")
def _before_flush(session, _flush_context, _instances):
    if not session.info.get("public_changed") and touches_public(session):
        bump_version(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.info.pop("public_changed", False):
        _memo["version"] = None  # this worker sees its own change at once


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("public_changed", None)


def current_version() -> int:
    max_age = current_app.config["PAGE_CACHE_VERSION_SECONDS"]
    now = time.monotonic()
    if _memo["version"] is None or now - _memo["read_at"] >= max_age:
        _memo["version"] = db.session.scalar(select(PublicContent.version)) or 0
        _memo["read_at"] = now
    return _memo["version"]


# --- serving pages from the cache ---------------------------------------------


def _cacheable_request() -> bool:
    return (
        current_app.config["PAGE_CACHE_ENABLED"]
        and request.method in ("GET", "HEAD")
        and "_flashes" not in session
        and not current_user.is_authenticated
    )


def _finish(response):
    seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    return response.make_conditional(request)


def cached_page(view):
    """Serve a public page from the cache, or render it once and keep it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        key = f"page:{current_version()}:{current_locale_code()}:{request.full_path}"
        hit = cache.get(key)
        if hit is not None:
            body, mimetype, etag = hit
            response = current_app.response_class(body, mimetype=mimetype)
            response.set_etag(etag)
            return _finish(response)
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or "Set-Cookie" in response.headers:
            return response
        body = response.get_data()
        etag = hashlib.blake2b(body, digest_size=16).hexdigest()
        cache.set(key, (body, response.mimetype, etag))
        response.set_etag(etag)
        response.headers[_MARK] = str(current_version())
        return _finish(response)

    return wrapper


# --- the fast path in front of the app ------------------------------------------

_MARK = "X-Campaign-Public-Page"  # set by cached_page, never sent to the client


class PublicPageCache:
    """WSGI middleware: whole responses of public pages for visitors without a session.

    The key holds everything the page may depend on for such a visitor: the
    public content version, host and scheme, the full path and query, the
    cookies (a language choice) and Accept-Language.
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def _private_cookie(self, cookies: str) -> bool:
        config = self.app.config
        names = (
            config["SESSION_COOKIE_NAME"],
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        )
        return any(f"{name}=" in cookies for name in names)

    def _version(self) -> int:
        if _memo["version"] is not None and (
            time.monotonic() - _memo["read_at"] < self.app.config["PAGE_CACHE_VERSION_SECONDS"]
        ):
            return _memo["version"]
        with self.app.app_context(), only_reading():
            version = current_version()
            db.session.remove()
        return version

    def __call__(self, environ, start_response):
        cookies = environ.get("HTTP_COOKIE", "")
        if (
            environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or not self.app.config["PAGE_CACHE_ENABLED"]
            or self._private_cookie(cookies)
        ):
            return self.wsgi_app(environ, start_response)
        backend = self.app.extensions["cache"][cache]
        key = "wsgi:{}:{}://{}{}{}?{}|{}|{}".format(
            self._version(),
            environ["wsgi.url_scheme"],
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            cookies,
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        hit = backend.get(key)
        if hit is not None:
            return self._replay(hit, environ, start_response)

        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # write() is not used by Flask

        body = b"".join(self.wsgi_app(environ, capture))
        headers = captured["headers"]
        mark = [value for name, value in headers if name == _MARK]
        headers = [(name, value) for name, value in headers if name != _MARK]
        if mark and captured["status"].startswith("200") and mark[0] == key.split(":")[1]:
            backend.set(key, (captured["status"], headers, body))
        start_response(captured["status"], headers)
        return [body]

    @staticmethod
    def _replay(hit, environ, start_response):
        status, headers, body = hit
        etag = next((value for name, value in headers if name == "ETag"), None)
        if etag and environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response(
                "304 NOT MODIFIED",
                [(n, v) for n, v in headers if n not in ("Content-Length", "Content-Type")],
            )
            return []
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
