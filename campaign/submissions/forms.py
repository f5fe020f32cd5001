from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..forms import CountryField


class StoryForm(FlaskForm):
    title = StringField(
        _l("Title of your story"),
        validators=[DataRequired(_l("Give your story a title.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Your story"),
        validators=[DataRequired(_l("Write your story here."))],
    )
    author_name = StringField(
        _l("Your first name or a pseudonym"),
        validators=[DataRequired(_l("Tell us what name to show.")), Length(max=100)],
        description=_l(
            "This name is shown with your story. You do not have to use your real name."
        ),
    )
    origin_country = CountryField(_l("Country you come from"))
    residence_country = CountryField(_l("Country where you live now"))
    contact_email = EmailField(
        _l("Email (optional, private)"),
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        description=_l("Never shown in public. Used only to tell you what happens to your story."),
    )
    consent = BooleanField(
        _l("I agree that this story may be published on this website."),
        validators=[DataRequired(_l("We can only publish your story with your consent."))],
    )

    def validate_body(self, field):
        minimum = current_app.config["STORY_MIN_CHARS"]
        maximum = current_app.config["STORY_MAX_CHARS"]
        length = len((field.data or "").strip())
        if length < minimum:
            raise ValidationError(
                _l("Your story needs at least %(count)d characters.", count=minimum)
            )
        if length > maximum:
            raise ValidationError(
                _l("Your story can have at most %(count)d characters.", count=maximum)
            )
