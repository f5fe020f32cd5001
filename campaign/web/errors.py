"""Friendly error pages that reveal nothing about the inside.

Machines get JSON (the API and oEmbed, which partners' code reads), people get
pages. A 400 carries the message of what was wrong (``campaign.params``).
"""

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from campaign.api import errors as api_errors
from campaign.extensions import db
from campaign.media.pipeline import photo_max_mb
from campaign.media.storage import StorageUnavailable
from campaign.params import BadParameter
from campaign.responses import json_error

JSON_ENDPOINTS = frozenset({"embeds.oembed"})


def answers_in_json() -> bool:
    return api_errors.is_api_request() or request.endpoint in JSON_ENDPOINTS


def init_app(app) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(error):
        if answers_in_json():
            return json_error(400, error.description)
        return render_template("errors/400.html", message=error.description), 400

    @app.errorhandler(400)
    def bad_request(error):
        # Werkzeug's own description is English and vague (and an untrusted host
        # has no URLs to build a page with): only the API gets its JSON.
        if answers_in_json():
            return json_error(400, _("This request is not valid"))
        return error.get_response()

    @app.errorhandler(404)
    def not_found(_error):
        if answers_in_json():
            return api_errors.not_found()
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        if api_errors.is_api_request():
            return api_errors.method_not_allowed()
        return error.get_response()

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/413.html", photo_max_mb=photo_max_mb()), 413

    @app.errorhandler(429)
    def too_many(error):
        if getattr(error, "response", None) is not None:
            return error.response  # a limit that brings its own answer (the API's JSON)
        return render_template("errors/429.html"), 429

    @app.errorhandler(503)
    @app.errorhandler(StorageUnavailable)
    def media_store_away(_error):
        # The object store did not answer (MEDIA_STORAGE_URL): e.g. a decision that must
        # rename a photo leaving the public. The transaction goes whole, the person is told.
        db.session.rollback()
        if answers_in_json():
            return json_error(503, _("Photos cannot be reached just now"))
        response = app.make_response((render_template("errors/503.html"), 503))
        response.retry_after = 60
        return response

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        if answers_in_json():
            return api_errors.server_error()
        return render_template("errors/500.html"), 500
