from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.accounts.services import password_problem
from campaign.i18n.languages import language_name
from campaign.text import line_filter


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only a CSRF token: signing out changes state, so it is a POST."""


class ActionForm(FlaskForm):
    """Only a CSRF token, for buttons that change state."""


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text"},
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code your app shows now"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


def _acceptable_password(_form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


_NEW_PASSWORD_HINT = _l(
    "At least 12 characters. A few unrelated words make a good one. "
    "Common passwords are refused. Pasting from a password manager is fine."
)


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_NEW_PASSWORD_HINT,
        validators=[DataRequired(_l("Choose a password.")), _acceptable_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class LanguagesField(SelectMultipleField):
    """The site's languages as checkboxes, named in the page's language."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=[], **kwargs)

    def iter_choices(self):
        self.choices = _language_choices()
        return super().iter_choices()

    def pre_validate(self, form):
        self.choices = _language_choices()
        super().pre_validate(form)


def _language_choices() -> list[tuple[str, str]]:
    return [
        SelectChoice(code, language_name(code)) for code in current_app.config["SUPPORTED_LOCALES"]
    ]


ROLE_CHOICES = [
    SelectChoice("moderator", _l("Moderator")),
    SelectChoice("translator", _l("Translator only")),
]


class _RoleForm(FlaskForm):
    """What an account does: moderate (and translate, if it reads languages), or
    translate only; and the languages its holder reads."""

    role = RadioField(_l("Role"), choices=ROLE_CHOICES, default="moderator")
    languages = LanguagesField(
        _l("Languages they read"),
        description=_l("They translate into these languages and review translations in them."),
    )

    @property
    def can_moderate(self) -> bool:
        return self.role.data != "translator"

    def validate_languages(self, field):
        if self.role.data == "translator" and not field.data:
            raise ValidationError(_l("A translator reads at least one language: choose it."))


class InviteForm(_RoleForm):
    email = EmailField(
        _l("Email of the new moderator"),
        validators=[
            DataRequired(_l("Enter an email.")),
            Email(_l("Enter a valid email."), check_deliverability=False),
        ],
    )
    admin = BooleanField(_l("Make them an admin"))

    def validate_admin(self, field):
        if field.data and self.role.data == "translator":
            raise ValidationError(_l("An admin moderates too: choose “Moderator” for an admin."))


class RoleForm(_RoleForm):
    """An admin changes an account's role and languages (one form per account)."""


class ThemeForm(FlaskForm):
    name = StringField(
        _l("Theme name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=80)],
        filters=[line_filter],
    )


class SettingsForm(FlaskForm):
    require_two_factor = BooleanField(_l("Every moderator must use two-factor sign-in"))
    watch_words = TextAreaField(
        _l("Watch list"),
        description=_l("Words highlighted on the review page, one per line."),
        validators=[Length(max=5000)],
    )


class PasswordAgainForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
