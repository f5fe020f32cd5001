from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import IllegalTransition, Story
from .forms import DecisionForm
from .services import StaleStory, decide, pending_queue

bp = Blueprint("moderation", __name__, url_prefix="/moderate")


@bp.before_request
@login_required
def require_moderator():
    """Every page here is for signed-in moderators only."""


@bp.route("")
def queue():
    return render_template("moderation/queue.html", stories=pending_queue())


@bp.route("/stories/<int:story_id>", methods=["GET", "POST"])
def review(story_id: int):
    story = db.session.get(Story, story_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(
                story,
                form.decision.data,
                current_user,
                seen_version=form.version.data,
                note=form.note.data,
            )
            db.session.commit()
        except (StaleStory, StaleDataError):
            db.session.rollback()
            flash(_("Someone else changed this story while you were reading it. Check it again."))
            return redirect(url_for("moderation.review", story_id=story_id), code=303)
        except IllegalTransition:
            db.session.rollback()
            flash(_("That decision is not possible for a story in this state."))
            return redirect(url_for("moderation.review", story_id=story_id), code=303)
        flash(_("Decision saved."))
        return redirect(url_for("moderation.queue"), code=303)
    form.version.data = story.version
    return render_template("moderation/review.html", story=story, form=form)
