"""After a photo's files are deleted: every address they had, and an optional CDN purge.

The files of a removed photo (a moderator's removal, "Delete my photo", a
withdrawal, an admin's deletion, the purge) are deleted right after the commit
that removed the row (``media.files``), so their addresses answer 404 at once
and a new upload always gets new, random names. So are the old names of a photo
whose story stopped being public (unpublished, rejected, hidden by reports): it
lives on under new names only its teller and the moderators are shown. Browsers and CDNs may still
show a copy they kept, for at most PHOTO_CACHE_SECONDS (``media.views``); a
CDN can drop it at once:

- with CDN_PURGE_URL set, every address of the deleted files (unprefixed and
  under each language prefix, on PUBLIC_BASE_URL, or the request's host) is
  POSTed there as JSON ``{"files": [...]}``, the body of Cloudflare's
  purge-by-URL API, with ``Authorization: Bearer CDN_PURGE_TOKEN`` when set;
- for any other CDN, connect a receiver to ``photo_addresses_removed``; it is
  sent with ``urls=[...]``.

A failure is logged and never raised: the removal is committed already.
"""

import json
import logging
import urllib.request
from urllib.parse import urlsplit

from blinker import Namespace
from flask import has_request_context, request

log = logging.getLogger(__name__)

photo_addresses_removed = Namespace().signal("photo-addresses-removed")


def addresses(app, names) -> list[str]:
    """Every public URL of these media files, with and without a language prefix."""
    base = app.config.get("PUBLIC_BASE_URL") or (request.host_url if has_request_context() else "")
    site = urlsplit(base)
    if not site.netloc:
        return []
    root = site.path.rstrip("/")
    urls = []
    for prefix in ["", *(f"/{code}" for code in app.config["SUPPORTED_LOCALES"])]:
        adapter = app.url_map.bind(
            site.netloc, script_name=f"{root}{prefix}" or "/", url_scheme=site.scheme
        )
        urls += [adapter.build("media.file", {"name": name}, force_external=True) for name in names]
    return urls


def files_deleted(app, names) -> None:
    """Called by ``media.files`` after the commit that deleted these files."""
    if not names:
        return
    urls = addresses(app, sorted(names))
    if not urls:
        log.warning("media.cdn_purge_without_address", extra={"files": len(names)})
        return
    photo_addresses_removed.send(app, urls=urls)
    if app.config.get("CDN_PURGE_URL"):
        _post_to_cdn(app, urls)


def _post_to_cdn(app, urls: list[str]) -> None:
    headers = {"Content-Type": "application/json"}
    if app.config.get("CDN_PURGE_TOKEN"):
        headers["Authorization"] = f"Bearer {app.config['CDN_PURGE_TOKEN']}"
    purge = urllib.request.Request(  # noqa: S310 - the operator's own URL, from the settings
        app.config["CDN_PURGE_URL"],
        data=json.dumps({"files": urls}).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(purge, timeout=app.config["CDN_PURGE_TIMEOUT_SECONDS"]):  # noqa: S310
            pass
    except (OSError, ValueError) as error:
        log.warning("media.cdn_purge_failed", extra={"error": str(error), "urls": len(urls)})
