from flask import Blueprint, abort, make_response, redirect, render_template, session, url_for

from ..extensions import db
from ..security import private
from .forms import StoryForm
from .services import create_story, story_for_token

bp = Blueprint("submissions", __name__)

_TOKEN_KEY = "new_story_token"  # noqa: S105 - a session key name, not a secret


@bp.route("/share", methods=["GET", "POST"])
def share():
    form = StoryForm()
    if form.validate_on_submit():
        _story, token = create_story(
            title=form.title.data,
            body=form.body.data,
            author_name=form.author_name.data,
            origin_country=form.origin_country.data,
            residence_country=form.residence_country.data,
            contact_email=form.contact_email.data,
        )
        db.session.commit()
        # Kept only in this browser's session cookie, so the thank-you page can
        # show the link after the redirect; it ends when the browser closes.
        session[_TOKEN_KEY] = token
        return redirect(url_for("submissions.thanks"), code=303)
    return render_template("submissions/share.html", form=form)


@bp.route("/share/thanks")
def thanks():
    token = session.get(_TOKEN_KEY)
    if not token:
        return redirect(url_for("submissions.share"))
    link = url_for("submissions.my_story", token=token, _external=True)
    return private(make_response(render_template("submissions/thanks.html", private_link=link)))


@bp.route("/my-story/<token>")
def my_story(token: str):
    story = story_for_token(token)
    if story is None:
        abort(404)
    return private(make_response(render_template("submissions/my_story.html", story=story)))
