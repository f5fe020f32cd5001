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
