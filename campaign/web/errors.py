"""Friendly error pages that reveal nothing about the inside."""

from flask import render_template
from flask_wtf.csrf import CSRFError

from campaign.api import errors as api_errors
from campaign.extensions import db
from campaign.media.pipeline import photo_max_mb


def init_app(app) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        if api_errors.is_api_request():
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

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
