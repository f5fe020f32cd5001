"""Admin pages: moderators and invitations, themes, settings, exports."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from campaign.accounts.forms import (
    ActionForm,
    InviteForm,
    PasswordAgainForm,
    SettingsForm,
    ThemeForm,
)
from campaign.accounts.services import (
    REQUIRE_TWO_FACTOR,
    AccountError,
    deactivate,
    invite,
    reactivate,
    reset_two_factor,
    set_setting,
    two_factor_required,
)
from campaign.audit import record
from campaign.extensions import db
from campaign.i18n.labels import display_name
from campaign.mail import send_email
from campaign.models import Invitation, Moderator, Story, Theme, all_themes, theme_by_slug
from campaign.models._types import utcnow
from campaign.moderation.signals import save_watch_words, watch_words
from campaign.responses import csv_download, private
from campaign.text import slugify

bp = Blueprint("admin", __name__, url_prefix="/moderate/admin")

PUBLIC_FIELDS = (
    "slug",
    "title",
    "quote",
    "body",
    "display_name",
    "origin_country",
    "residence_country",
    "moved_year",
    "language",
    "themes",
    "published_at",
)
PRIVATE_FIELDS = ("author_name", "contact_email", "on_behalf", "helper_relationship")


@bp.before_request
@login_required
def require_admin():
    if two_factor_required() and not current_user.has_two_factor:
        return redirect(url_for("accounts.two_factor_setup"))
    if not current_user.is_admin:
        abort(403)
    return None


def _moderator(moderator_id: int) -> Moderator:
    return db.session.get(Moderator, moderator_id) or abort(404)


@bp.route("/moderators", methods=["GET", "POST"])
def moderators():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, token = invite(
                form.email.data,
                admin=form.admin.data,
                invited_by=current_user,
                valid_hours=current_app.config["INVITATION_VALID_HOURS"],
            )
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            record(
                current_user, "invite", note=f"{invitation.email} (admin: {invitation.is_admin})"
            )
            db.session.commit()
            link = url_for("accounts.accept", token=token, _external=True)
            send_email(
                invitation.email,
                _("You are invited to moderate stories"),
                "invitation",
                link=link,
                hours=current_app.config["INVITATION_VALID_HOURS"],
            )
            flash(_("Invitation sent to %(email)s.", email=invitation.email))
            response = current_app.make_response(
                render_template("accounts/admin/invited.html", invitation=invitation, link=link)
            )
            return private(response)
    accounts = db.session.scalars(select(Moderator).order_by(Moderator.email)).all()
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template(
        "accounts/admin/moderators.html",
        form=form,
        accounts=accounts,
        invitations=invitations,
        action_form=ActionForm(),
    )


def _account_action(moderator_id: int, action, audit: str, message: str):
    moderator = _moderator(moderator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if moderator.id == current_user.id:
        flash(_("You cannot do that to your own account."))
        return redirect(url_for("admin.moderators"), code=303)
    action(moderator)
    record(current_user, audit, note=moderator.email)
    db.session.commit()
    flash(message % {"email": moderator.email})
    return redirect(url_for("admin.moderators"), code=303)


@bp.route("/moderators/<int:moderator_id>/deactivate", methods=["POST"])
def moderator_deactivate(moderator_id: int):
    return _account_action(
        moderator_id,
        deactivate,
        "deactivate_moderator",
        _("%(email)s is deactivated and signed out everywhere."),
    )


@bp.route("/moderators/<int:moderator_id>/reactivate", methods=["POST"])
def moderator_reactivate(moderator_id: int):
    return _account_action(
        moderator_id, reactivate, "reactivate_moderator", _("%(email)s can sign in again.")
    )


@bp.route("/moderators/<int:moderator_id>/reset-two-factor", methods=["POST"])
def moderator_reset_two_factor(moderator_id: int):
    return _account_action(
        moderator_id,
        reset_two_factor,
        "reset_two_factor",
        _("Two-factor sign-in of %(email)s was reset; they set it up again at the next sign-in."),
    )


# Themes -----------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    form = ThemeForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        slug = slugify(name, "theme")
        if theme_by_slug(slug) is not None:
            form.name.errors.append(_("A theme with this name exists already."))
        else:
            position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
            db.session.add(Theme(slug=slug, name=name, names={}, position=position))
            record(current_user, "theme_added", note=name)
            db.session.commit()
            flash(_("Theme added."))
            return redirect(url_for("admin.themes"), code=303)
    themes = all_themes()
    rename_forms = {theme.id: ThemeForm(formdata=None, obj=theme) for theme in themes}
    return render_template(
        "accounts/admin/themes.html", form=form, themes=themes, rename_forms=rename_forms
    )


@bp.route("/themes/<int:theme_id>", methods=["POST"])
def theme_rename(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    form = ThemeForm()
    if form.validate_on_submit():
        old = theme.name
        theme.name = form.name.data.strip()
        record(current_user, "theme_renamed", note=f"{old} -> {theme.name}")
        db.session.commit()
        flash(_("Theme renamed."))
    else:
        flash(_("Enter a name."))
    return redirect(url_for("admin.themes"), code=303)


# Settings ------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        set_setting(REQUIRE_TWO_FACTOR, bool(form.require_two_factor.data))
        words = save_watch_words(form.watch_words.data)
        record(
            current_user,
            "settings_changed",
            note=f"require_two_factor={bool(form.require_two_factor.data)}, "
            f"watch words: {len(words)}",
        )
        db.session.commit()
        flash(_("Settings saved."))
        return redirect(url_for("admin.settings"), code=303)
    if request.method == "GET":
        form.require_two_factor.data = two_factor_required()
        form.watch_words.data = "\n".join(watch_words())
    return render_template("accounts/admin/settings.html", form=form)


# Exports --------------------------------------------------------------------------------


def _public_row(story: Story) -> dict:
    return {
        "slug": story.slug,
        "title": story.title,
        "quote": story.quote,
        "body": story.body,
        "display_name": display_name(story),
        "origin_country": story.origin_country,
        "residence_country": story.residence_country,
        "moved_year": story.moved_year,
        "language": story.language,
        "themes": ", ".join(theme.slug for theme in story.themes),
        "published_at": story.published_at.isoformat() if story.published_at else None,
    }


def _private_row(story: Story) -> dict:
    row = _public_row(story)
    row.update(
        author_name=story.author_name,
        contact_email=story.contact_email,
        on_behalf=story.on_behalf,
        helper_relationship=story.helper_relationship,
    )
    return row


def _published() -> list[Story]:
    return db.session.scalars(Story.published().order_by(Story.published_at, Story.id)).all()


def _csv(rows: list[dict], fields: tuple[str, ...], filename: str) -> Response:
    return csv_download(filename, fields, ([row[field] for field in fields] for row in rows))


@bp.route("/export", methods=["GET", "POST"])
def export():
    form = PasswordAgainForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            stories = _published()
            record(current_user, "export_private", note=f"{len(stories)} stories")
            db.session.commit()
            return _csv(
                [_private_row(s) for s in stories],
                PUBLIC_FIELDS + PRIVATE_FIELDS,
                "stories-with-private-fields.csv",
            )
    return render_template("accounts/admin/export.html", form=form)


@bp.route("/export/stories.csv")
def export_csv():
    record(current_user, "export_public", note="csv")
    db.session.commit()
    return _csv([_public_row(s) for s in _published()], PUBLIC_FIELDS, "stories.csv")


@bp.route("/export/stories.json")
def export_json():
    record(current_user, "export_public", note="json")
    db.session.commit()
    body = json.dumps([_public_row(s) for s in _published()], ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=stories.json"
    return private(response)
