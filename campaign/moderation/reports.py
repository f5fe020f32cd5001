"""The public "report this story" form. Its own blueprint: it is for visitors."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from campaign.extensions import db, limiter
from campaign.mail import send_email
from campaign.models import published_story
from campaign.moderation.forms import ReportForm
from campaign.moderation.services import add_report, reporter_key, to_tell_of_hidden_stories

bp = Blueprint("reports", __name__)

# A random id given with the form: it tells apart visitors who share one address.
_REPORTER = "reporter"


def _report_limit() -> str:
    return current_app.config["REPORT_LIMIT"]


@bp.route("/stories/<slug>/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def report(slug: str):
    story = published_story(slug) or abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        # Read, never made here: a request without a cookie would get a new id each
        # time and count as a new reporter.
        key = reporter_key(
            current_app.config["SECRET_KEY"], session.get(_REPORTER), request.remote_addr
        )
        config = current_app.config
        hid = add_report(
            story, form.reason.data, form.message.data, key, config["REPORT_HIDE_THRESHOLD"]
        )
        db.session.commit()
        if hid:
            _tell_moderators(story)
        # The same thanks whether or not this reporter had reported it already.
        flash(_("Thank you. A moderator will look at this story."))
        return redirect(url_for("reports.thanks"), code=303)
    session.setdefault(_REPORTER, secrets.token_urlsafe(16))
    return render_template("moderation/report.html", story=story, form=form)


def _tell_moderators(story) -> None:
    """REPORT_HIDE_NOTIFY, after the commit (a failed send never undoes the report)."""
    link = url_for("moderation.review", story_id=story.id, _external=True)
    for address in to_tell_of_hidden_stories(current_app.config["REPORT_HIDE_NOTIFY"]):
        send_email(
            address,
            _("A story was hidden after reports"),
            "story_hidden",
            title=story.title,
            link=link,
        )


@bp.route("/report/thanks")
def thanks():
    return render_template("moderation/report_thanks.html")


@bp.errorhandler(429)
def too_many_reports(_error):
    return render_template("moderation/report_limited.html"), 429
