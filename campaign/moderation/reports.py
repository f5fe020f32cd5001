"""The public "report this story" form. Its own blueprint: it is for visitors."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from campaign.extensions import db, limiter
from campaign.models import published_story
from campaign.moderation.forms import ReportForm
from campaign.moderation.services import add_report

bp = Blueprint("reports", __name__)


def _report_limit() -> str:
    return current_app.config["REPORT_LIMIT"]


@bp.route("/stories/<slug>/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def report(slug: str):
    story = published_story(slug) or abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        add_report(
            story,
            form.reason.data,
            form.message.data,
            current_app.config["REPORT_HIDE_THRESHOLD"],
        )
        db.session.commit()
        flash(_("Thank you. A moderator will look at this story."))
        return redirect(url_for("reports.thanks"), code=303)
    return render_template("moderation/report.html", story=story, form=form)


@bp.route("/report/thanks")
def thanks():
    return render_template("moderation/report_thanks.html")


@bp.errorhandler(429)
def too_many_reports(_error):
    return render_template("moderation/report_limited.html"), 429
