"""The translation desk's forms: validation only (the rules are in services.py)."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from campaign.text import line_filter, text_filter
from campaign.translating.services import MAX_LENGTHS


class _Versioned(FlaskForm):
    """Proves the form was made from the translation as it is now (optimistic lock)."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class VersionForm(_Versioned):
    """A button that changes the translation: only the version and the CSRF token."""


class StartForm(FlaskForm):
    language = HiddenField(validators=[DataRequired(), Length(max=12)])


class TranslationForm(_Versioned):
    """The translator's side of the editor. Lengths as on the share form; the text may
    run half as long again as the story's limit (some languages need more words)."""

    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=MAX_LENGTHS["title"])],
        filters=[line_filter],
    )
    quote = StringField(
        _l("Quote"),
        validators=[Optional(), Length(max=MAX_LENGTHS["quote"])],
        filters=[line_filter],
    )
    body = TextAreaField(_l("Story"), validators=[Optional()], filters=[text_filter])
    alt_text = StringField(
        _l("Description of the photo"),
        validators=[Optional(), Length(max=MAX_LENGTHS["alt_text"])],
        filters=[line_filter],
    )

    def validate_body(self, field):
        limit = current_app.config["STORY_MAX_CHARS"] * 3 // 2
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l("The story may be at most %(limit)s characters long.", limit=limit)
            )

    def typed(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in ("title", "quote", "body", "alt_text")}


class SendBackForm(_Versioned):
    note = TextAreaField(
        _l("What the translator should change"),
        validators=[DataRequired(_l("Say what should change.")), Length(max=1000)],
        filters=[text_filter],
    )
