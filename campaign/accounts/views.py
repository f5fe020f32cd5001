from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from ..extensions import db, login_manager
from ..models import Moderator
from .forms import LoginForm, LogoutForm
from .services import authenticate

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the login page explains itself
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_moderator(moderator_id: str) -> Moderator | None:
    moderator = db.session.get(Moderator, int(moderator_id))
    return moderator if moderator is not None and moderator.is_active else None


def safe_next(target: str | None) -> str:
    """Only paths on this site; anything else goes to the queue."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("moderation.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        moderator = authenticate(form.email.data, form.password.data)
        if moderator is None:
            form.password.errors.append(_("That email and password do not match an account."))
        else:
            db.session.commit()
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(moderator)
            return redirect(safe_next(form.next.data), code=303)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are signed out."))
    return redirect(url_for("accounts.login"), code=303)
