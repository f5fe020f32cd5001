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
from sqlalchemy import select

from campaign.accounts.forms import (
    ActionForm,
    InviteForm,
    PasswordAgainForm,
    RoleForm,
    SettingsForm,
    ThemeForm,
)
from campaign.accounts.services import (
    AccountError,
    deactivate,
    invite,
    must_set_up_two_factor,
    open_invitations,
    reactivate,
    reset_two_factor,
    revoke_invitation,
    set_role_and_languages,
    two_factor_required,
)
from campaign.admin.services import (
    PRIVATE_FIELDS,
    PUBLIC_FIELDS,
    AdminError,
    add_theme,
    export_private,
    export_public,
    rename_theme,
    save_settings,
)
from campaign.extensions import db
from campaign.mail import send_email
from campaign.models import Invitation, Moderator, Theme, all_themes
from campaign.moderation.signals import watch_words
from campaign.responses import csv_download, private

bp = Blueprint("admin", __name__, url_prefix="/moderate/admin")


@bp.before_request
@login_required
def require_admin():
    if must_set_up_two_factor(current_user):
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
                can_moderate=form.can_moderate,
                languages=form.languages.data or [],
            )
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            link = url_for("accounts.accept", token=token, _external=True)
            send_email(
                invitation.email,
                _("You are invited to moderate stories")
                if invitation.can_moderate
                else _("You are invited to translate stories"),
                "invitation",
                link=link,
                hours=current_app.config["INVITATION_VALID_HOURS"],
                translator=not invitation.can_moderate,
            )
            flash(_("Invitation sent to %(email)s.", email=invitation.email))
            response = current_app.make_response(
                render_template("accounts/admin/invited.html", invitation=invitation, link=link)
            )
            return private(response)
    return _moderators_page(form)


def _role_form(account: Moderator, formdata=None) -> RoleForm:
    data = {
        "role": "moderator" if account.can_moderate else "translator",
        "languages": account.languages_read,
    }
    if formdata is None:
        return RoleForm(formdata=None, data=data, prefix=f"account-{account.id}")
    return RoleForm(prefix=f"account-{account.id}")


def _moderators_page(form, *, role_forms=None, status: int = 200):
    accounts = db.session.scalars(select(Moderator).order_by(Moderator.email)).all()
    role_forms = {account.id: _role_form(account) for account in accounts} | (role_forms or {})
    page = render_template(
        "accounts/admin/moderators.html",
        form=form,
        accounts=accounts,
        invitations=open_invitations(),
        action_form=ActionForm(),
        role_forms=role_forms,
    )
    return page, status


@bp.route("/moderators/<int:moderator_id>/role", methods=["POST"])
def moderator_role(moderator_id: int):
    """An account's role (moderator or translator only) and the languages it reads."""
    moderator = _moderator(moderator_id)
    form = _role_form(moderator, formdata=True)
    if not form.validate_on_submit():
        return _moderators_page(
            InviteForm(formdata=None), role_forms={moderator.id: form}, status=400
        )
    try:
        changed = set_role_and_languages(
            moderator,
            current_user,
            can_moderate=form.can_moderate,
            languages=form.languages.data or [],
        )
    except AccountError as error:
        form.languages.errors = [str(error)]
        return _moderators_page(
            InviteForm(formdata=None), role_forms={moderator.id: form}, status=400
        )
    db.session.commit()
    flash(
        _("%(email)s: role and languages saved.", email=moderator.email)
        if changed
        else _("Nothing was changed.")
    )
    return redirect(url_for("admin.moderators"), code=303)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
def invitation_revoke(invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        revoke_invitation(invitation, current_user)
    except AccountError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(_("The invitation to %(email)s is revoked.", email=invitation.email))
    return redirect(url_for("admin.moderators"), code=303)


def _account_action(moderator_id: int, action, message: str):
    moderator = _moderator(moderator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(moderator, current_user)
    except AccountError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(message % {"email": moderator.email})
    return redirect(url_for("admin.moderators"), code=303)


@bp.route("/moderators/<int:moderator_id>/deactivate", methods=["POST"])
def moderator_deactivate(moderator_id: int):
    return _account_action(
        moderator_id,
        deactivate,
        _("%(email)s is deactivated and signed out everywhere."),
    )


@bp.route("/moderators/<int:moderator_id>/reactivate", methods=["POST"])
def moderator_reactivate(moderator_id: int):
    return _account_action(moderator_id, reactivate, _("%(email)s can sign in again."))


@bp.route("/moderators/<int:moderator_id>/reset-two-factor", methods=["POST"])
def moderator_reset_two_factor(moderator_id: int):
    return _account_action(
        moderator_id,
        reset_two_factor,
        _("Two-factor sign-in of %(email)s was reset; they set it up again at the next sign-in."),
    )


# Themes -----------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            add_theme(current_user, form.name.data)
        except AdminError as error:
            form.name.errors.append(str(error))
        else:
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
        rename_theme(current_user, theme, form.name.data)
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
        save_settings(
            current_user,
            require_two_factor=bool(form.require_two_factor.data),
            watch_words=form.watch_words.data,
        )
        db.session.commit()
        flash(_("Settings saved."))
        return redirect(url_for("admin.settings"), code=303)
    if request.method == "GET":
        form.require_two_factor.data = two_factor_required()
        form.watch_words.data = "\n".join(watch_words())
    return render_template("accounts/admin/settings.html", form=form)


# Exports --------------------------------------------------------------------------------


def _csv(rows: list[dict], fields: tuple[str, ...], filename: str) -> Response:
    return csv_download(filename, fields, ([row[field] for field in fields] for row in rows))


@bp.route("/export", methods=["GET", "POST"])
def export():
    form = PasswordAgainForm()
    if form.validate_on_submit():
        try:
            rows = export_private(current_user, form.password.data)
        except AdminError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            return _csv(rows, PUBLIC_FIELDS + PRIVATE_FIELDS, "stories-with-private-fields.csv")
    return render_template("accounts/admin/export.html", form=form)


@bp.route("/export/stories.csv")
def export_csv():
    rows = export_public(current_user, "csv")
    db.session.commit()
    return _csv(rows, PUBLIC_FIELDS, "stories.csv")


@bp.route("/export/stories.json")
def export_json():
    rows = export_public(current_user, "json")
    db.session.commit()
    body = json.dumps(rows, ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=stories.json"
    return private(response)
