"""Serving photo renditions: right type, nosniff, cached for a year (names never change)."""

import click
from flask import Blueprint, abort, send_file
from flask.cli import with_appcontext

from .storage import content_type, get_storage, is_valid_name

bp = Blueprint("media", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/media/<name>")
def file(name: str):
    if not is_valid_name(name):
        abort(404)
    path = get_storage().path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=content_type(name), max_age=ONE_YEAR, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@click.command("cleanup")
@with_appcontext
def cleanup_command():
    """Delete photos that were uploaded with a form that was never sent."""
    from ..extensions import db
    from .staging import delete_stale_staged_photos

    count = delete_stale_staged_photos()
    db.session.commit()
    click.echo(f"Deleted {count} unused photo(s).")
