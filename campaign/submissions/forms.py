from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from campaign.i18n.fields import CountryField
from campaign.i18n.labels import theme_label
from campaign.i18n.languages import STORY_LANGUAGES, language_choices, page_language
from campaign.media.pipeline import photo_max_mb
from campaign.models import NameDisplay, all_themes
from campaign.text import line_filter, text_filter

NAME_DISPLAY_CHOICES = [
    SelectChoice(NameDisplay.FULL.value, _l("My full name")),
    SelectChoice(NameDisplay.FIRST.value, _l("My first name only")),
    SelectChoice(
        NameDisplay.ANONYMOUS.value, _l("No name: “A migrant from …” with my country of origin")
    ),
]


def name_unless_anonymous(form, field):
    """A name to show, unless the storyteller chose to stay anonymous.

    The ``validate_author_name`` of every form that asks both how to show the
    name and the name itself (the share form, the edit form, the private page).
    """
    if form.name_display.data != NameDisplay.ANONYMOUS.value and not (field.data or "").strip():
        raise ValidationError(_l("Tell us what name to show, or choose to stay anonymous."))


class LanguageField(SelectField):
    """The language of the story, named in the reader's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=[], validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data not in STORY_LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))

    def iter_choices(self):
        self.choices = [SelectChoice(code, name) for code, name in language_choices()]
        return super().iter_choices()


class ThemesField(SelectMultipleField):
    """Themes as checkboxes; the choices come from the database."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=[], coerce=int, **kwargs)

    def load_choices(self):
        self.choices = [SelectChoice(theme.id, theme_label(theme)) for theme in all_themes()]


class StoryDetailsForm(FlaskForm):
    """What the storyteller writes: shared by the share form and the edit form."""

    title = StringField(
        _l("Title of your story"),
        validators=[DataRequired(_l("Give your story a title.")), Length(max=200)],
        filters=[line_filter],
    )
    quote = StringField(
        _l("A short quote from your story (optional)"),
        validators=[Optional(), Length(max=200)],
        filters=[line_filter],
        description=_l("One sentence that is shown with your story in the gallery."),
    )
    body = TextAreaField(
        _l("Your story"),
        validators=[DataRequired(_l("Write your story here."))],
        filters=[text_filter],
    )
    name_display = RadioField(
        _l("How should your name be shown?"),
        choices=NAME_DISPLAY_CHOICES,
        default=NameDisplay.FIRST.value,
        validators=[DataRequired(_l("Choose how your name is shown."))],
    )
    author_name = StringField(
        _l("Your name"),
        validators=[Length(max=100)],
        filters=[line_filter],
        description=_l("You do not have to use your real name. Leave it empty to stay anonymous."),
    )
    origin_country = CountryField(_l("Country you come from"))
    residence_country = CountryField(_l("Country where you live now"))
    moved_year = IntegerField(
        _l("Year you moved (optional)"),
        validators=[Optional()],
        description=_l("For example 2015."),
    )
    # Called when the form is made: a story shared on /ar/share starts as Arabic.
    language = LanguageField(_l("Language your story is written in"), default=page_language)
    themes = ThemesField(_l("What is your story about? (optional)"))
    photo_alt = StringField(
        _l("Describe the photo for people who cannot see it (optional)"),
        validators=[Optional(), Length(max=500)],
        filters=[line_filter],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes.load_choices()
        minimum = current_app.config["STORY_MIN_CHARS"]
        maximum = current_app.config["STORY_MAX_CHARS"]
        self.body.description = _l(
            "Between %(minimum)d and %(maximum)d characters.", minimum=minimum, maximum=maximum
        )
        self.body.render_kw = {
            "maxlength": maximum,
            "data-min": minimum,
            "data-max": maximum,
            "rows": 12,
        }

    def validate_body(self, field):
        minimum = current_app.config["STORY_MIN_CHARS"]
        maximum = current_app.config["STORY_MAX_CHARS"]
        length = len(field.data or "")  # cleaned by text_filter: what will be stored
        if length < minimum:
            raise ValidationError(
                _l("Your story needs at least %(count)d characters.", count=minimum)
            )
        if length > maximum:
            raise ValidationError(
                _l("Your story can have at most %(count)d characters.", count=maximum)
            )

    validate_author_name = name_unless_anonymous

    def validate_moved_year(self, field):
        if field.data is None:
            return
        this_year = date.today().year
        if not 1900 <= field.data <= this_year:
            raise ValidationError(_l("Enter a year between 1900 and %(year)d.", year=this_year))


class ShareForm(StoryDetailsForm):
    photo = FileField(
        _l("A photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"}
    )
    # A photo accepted on an earlier try, kept while the rest is fixed.
    staged_photo = HiddenField()
    # The language they kept after being told that their text seems to be in another
    # one (submissions.services.language_to_propose): they are not asked twice.
    language_kept = HiddenField()
    # The button beside that proposal that takes it ("Change to Arabic and send").
    use_language = HiddenField()
    remove_staged_photo = BooleanField(_l("Remove this photo"))
    contact_email = EmailField(
        _l("Email (optional, private)"),
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        description=_l("Never shown in public. Used only to tell you what happens to your story."),
    )
    send_link = BooleanField(_l("Send me the private link to my story by email"))
    on_behalf = BooleanField(_l("I am sharing this story for someone else, with their permission"))
    helper_relationship = StringField(
        _l("Who are you to them?"),
        validators=[Length(max=100)],
        filters=[line_filter],
        description=_l("For example: caseworker, daughter, teacher. Never shown in public."),
    )
    age_confirmed = BooleanField(_l("I confirm the age"))
    consent = BooleanField(
        _l("I agree that this story may be published on this website."),
        validators=[DataRequired(_l("We can only publish your story with your consent."))],
    )
    # Spam traps: a field people never see, and when the form was first shown.
    website = StringField(
        _l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )
    stamp = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo.description = _l(
            "JPEG, PNG or WebP, up to %(mb)d MB. We remove the location and all other hidden "
            "information from it.",
            mb=photo_max_mb(),
        )
        min_age = current_app.config["MIN_AGE"]
        self.age_confirmed.label.text = _l(
            "I am at least %(age)d years old (or the person I share this for is).", age=min_age
        )

    def validate_age_confirmed(self, field):
        if not field.data:
            raise ValidationError(
                _l(
                    "Stories can only be shared by people aged %(age)d or over.",
                    age=current_app.config["MIN_AGE"],
                )
            )

    def validate_send_link(self, field):
        if field.data and not (self.contact_email.data or "").strip():
            raise ValidationError(_l("Give your email address, so we can send you the link."))

    def validate_helper_relationship(self, field):
        if self.on_behalf.data and not (field.data or "").strip():
            raise ValidationError(_l("Tell us who you are to the person whose story this is."))


class EditStoryForm(StoryDetailsForm):
    # The version of the story the form was shown with: a moderator's edit made since
    # is never overwritten by it (submissions.services.edit_story).
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class NameDisplayForm(FlaskForm):
    name_display = RadioField(
        _l("How should your name be shown?"),
        choices=NAME_DISPLAY_CHOICES,
        validators=[DataRequired(_l("Choose how your name is shown."))],
    )
    author_name = StringField(_l("Your name"), validators=[Length(max=100)], filters=[line_filter])

    validate_author_name = name_unless_anonymous


class ConfirmForm(FlaskForm):
    """A button that changes something; only the CSRF token to check."""


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete my story for good. I understand this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm that you want to withdraw."))],
    )
