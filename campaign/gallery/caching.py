"""HTTP caching of public pages: validators from the public version, short shared lifetime.

Every public page depends only on what is published, so the version kept by
``stats`` (bumped in the transaction of every publish, withdrawal, edit) is
its validator: a revalidation costs one small query and answers 304 without
rendering. Pages may be kept by browsers and CDNs for PUBLIC_CACHE_SECONDS,
which bounds how long a withdrawn story can still be seen.
"""

import hashlib
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user
from werkzeug.http import is_resource_modified

from ..i18n import current_locale_code
from . import stats


def _is_anonymous_and_clean() -> bool:
    """Nothing personal on the page: no signed-in moderator, no message waiting to be shown."""
    return not current_user.is_authenticated and "_flashes" not in session


def _etag() -> str:
    snapshot = stats.current()
    raw = (
        f"{snapshot.version}|{current_locale_code()}|{current_app.config.get('ASSETS_VERSION', '')}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def public_page(view):
    """Make a GET view cacheable by anyone for a short time, with ETag and Last-Modified."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _is_anonymous_and_clean():
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-cache"
            response.vary.add("Cookie")
            return response
        etag = _etag()
        last_modified = stats.current().changed_at
        if not is_resource_modified(
            request.environ, etag=etag, last_modified=last_modified
        ) and request.method in ("GET", "HEAD"):
            response = current_app.response_class(status=304)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
        response.set_etag(etag, weak=True)
        if last_modified:
            response.last_modified = last_modified
        seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
        response.vary.add("Accept-Language")
        return response

    return wrapper
