"""Serving photo renditions: right type, nosniff, kept by shared caches for an hour at most.

Not ``immutable`` for a year: a removed photo's files are deleted at once (its
address answers 404, and a new upload gets new random names), and a copy a
browser or CDN kept must expire soon after, PHOTO_CACHE_SECONDS (3600); a CDN
can be told at once (``media.purge``). The privacy page says so.
"""

from flask import Blueprint, abort, current_app, send_file, url_for

from campaign.media.storage import content_type, get_storage, is_valid_name

bp = Blueprint("media", __name__)


@bp.route("/media/<name>")
def file(name: str):
    if not is_valid_name(name):
        abort(404)
    path = get_storage().path(name)
    if path is None:
        abort(404)
    max_age = current_app.config["PHOTO_CACHE_SECONDS"]
    response = send_file(path, mimetype=content_type(name), max_age=max_age, conditional=True)
    response.cache_control.public = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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
