"""Serving photo renditions: right type, nosniff, kept by shared caches for an hour at most.

Not ``immutable`` for a year: a removed photo's files are deleted at once (its
address answers 404, and a new upload gets new random names), and a copy a
browser or CDN kept must expire soon after, PHOTO_CACHE_SECONDS (3600); a CDN
can be told at once (``media.purge``). The privacy page says so.

With an object store (``media.s3``) the files are streamed through this view
too, never handed out by a redirect to the store. So the bucket stays private
(no public reads, no listing of the staged and unpublished photos' names),
every answer is decided here: a file deleted after a withdrawal's commit
answers 404 on every instance at the next request, where a presigned URL
already given out would keep working until it expires; the headers
(type, nosniff, cache life) are ours; the addresses the CDN is told to purge
are the only ones that ever served the photo; and the Content-Security-Policy
keeps images to 'self'. A CDN in front carries the load: the store is asked at
most once per file, edge and hour.
"""

import logging

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.wsgi import wrap_file

from campaign.media.storage import content_type, get_storage, is_valid_name

bp = Blueprint("media", __name__)
log = logging.getLogger(__name__)


@bp.route("/media/<name>")
def file(name: str):
    if not is_valid_name(name):
        abort(404)
    try:
        stored = get_storage().open(name)
    except OSError as error:  # the store is away: say so, and let no cache keep the answer
        log.warning("media.read_failed", extra={"file": name, "error": str(error)})
        abort(503)
    if stored is None:
        abort(404)
    # Streamed in blocks (the server's sendfile for a local file); closed with the response.
    response = current_app.response_class(
        wrap_file(request.environ, stored.body),
        mimetype=content_type(name),
        direct_passthrough=True,
    )
    response.content_length = stored.size
    response.set_etag(stored.etag)
    response.last_modified = stored.modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PHOTO_CACHE_SECONDS"]
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)  # 304 for a copy that is still this file


def photo_sources(photo) -> dict | None:
    """srcset strings per format and the largest rendition, or None without media."""
    if photo is None or not photo.renditions:
        return None
    by_format: dict[str, list] = {}
    for rendition in sorted(photo.renditions, key=lambda r: r["width"]):
        by_format.setdefault(rendition.get("format", "jpeg"), []).append(rendition)
    fallback = by_format.get("jpeg") or next(iter(by_format.values()))

    def srcset(renditions):
        return ", ".join(
            f"{url_for('media.file', name=r['name'])} {r['width']}w" for r in renditions
        )

    largest = fallback[-1]
    return {
        "webp": srcset(by_format["webp"])
        if "webp" in by_format and fallback is not by_format["webp"]
        else None,
        "srcset": srcset(fallback),
        "src": url_for("media.file", name=largest["name"]),
        "og_image": url_for("media.file", name=largest["name"], _external=True),
    }
