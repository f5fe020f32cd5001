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
    return stored_response(name)


def stored_response(name: str, download_name: str | None = None):
    """A stored file as a public answer (photos here, share cards in ``cards.views``):
    streamed, kept by shared caches PHOTO_CACHE_SECONDS at most, 503 while the store is
    away, 404 once the file is gone."""
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
    if download_name:
        response.headers["Content-Disposition"] = f'inline; filename="{download_name}"'
    # 304 for a copy that is still this file; byte ranges for players (Safari plays a
    # recording only from a server that answers them, and seeking asks for them).
    return response.make_conditional(request, accept_ranges=True, complete_length=stored.size)


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


# Portrait crops are cut by CSS (object-fit: cover) from the full renditions. The page
# may carry no inline style (CSP style-src 'self'), so a photo's focal point reaches
# object-position as two classes from a fixed set in site.css, in steps of 5 %.
FOCUS_STEP = 5


def focus_classes(photo, box_ratio: float | None = None) -> str:
    """``focus-x-N focus-y-M`` placing the photo's focal point in its crop, or "" when
    no face was found (the stylesheet's default then keeps the upper third).

    ``box_ratio`` is the crop's width / height when it is fixed (cards and the hero:
    4:5): the face is then centred as far as the photo allows. Without it (a crop
    whose shape changes with the screen) the focal point's own position is used,
    the one setting that keeps the face inside every crop of the photo.
    """
    if photo is None or photo.focal_x is None or photo.focal_y is None:
        return ""
    x, y = photo.focal_x, photo.focal_y
    if box_ratio and photo.width and photo.height:
        photo_ratio = photo.width / photo.height
        if photo_ratio > box_ratio:  # cut at the sides
            x = (x * photo_ratio - box_ratio / 2) / (photo_ratio - box_ratio)
        elif photo_ratio < box_ratio:  # cut at the top and bottom
            x_scale, box_scale = 1 / photo_ratio, 1 / box_ratio
            y = (y * x_scale - box_scale / 2) / (x_scale - box_scale)

    def step(value: float) -> int:
        return round(min(max(value, 0.0), 1.0) * 100 / FOCUS_STEP) * FOCUS_STEP

    return f"focus-x-{step(x)} focus-y-{step(y)}"
