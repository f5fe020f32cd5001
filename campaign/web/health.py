"""``/healthz`` for load balancers: cheap, and honest about the database."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from campaign.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """Cheap: one trivial query. 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        status, code = "ok", 200
    except Exception:  # any database failure makes the instance unhealthy
        logging.getLogger(__name__).exception("healthz: database check failed")
        db.session.rollback()
        status, code = "database unavailable", 503
    response = jsonify(status=status)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response
