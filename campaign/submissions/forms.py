from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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
from campaign.i18n.plurals import plural_templates
from campaign.media.pipeline import photo_max_mb
from campaign.media.voice import voice_max_mb, voice_max_minutes
from campaign.models import Channel, NameDisplay, all_themes
from campaign.text import line_filter, text_filter

NAME_DISPLAY_CHOICES = [
    SelectChoice(NameDisplay.FIRST.value, _l("My first name only")),
    SelectChoice(NameDisplay.FULL.value, _l("My full name")),
    SelectChoice(
        NameDisplay.ANONYMOUS.value,
        _l("Stay anonymous: no name, only “A migrant from …” and my country of origin"),
    ),
]
NAME_NEEDED = _l("Write the name to show, or choose “Stay anonymous”.")
# The hint agrees with the rule below: an empty name is only right with "Stay anonymous".
NAME_HINT = _l(
    "It does not have to be your real name. To show no name at all, choose “Stay anonymous”."
)


def name_needed(name_display: str | None, author_name: str | None) -> bool:
    """The one rule joining the two questions: a name is needed unless the storyteller
    chose to stay anonymous (then a name, if given, is never shown)."""
    return name_display != NameDisplay.ANONYMOUS.value and not (author_name or "").strip()


def name_unless_anonymous(form, field):
    """The ``validate_author_name`` of every form that asks both how to show the
    name and the name itself (the share form, the edit form, the private page).
    """
    if name_needed(form.name_display.data, field.data):
        raise ValidationError(NAME_NEEDED)


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


def _required_message(field) -> str | None:
    for validator in field.validators:
        if isinstance(validator, DataRequired):
            return str(validator.message)
    return None


class StoryDetailsForm(FlaskForm):
    """What the storyteller writes: shared by the share form and the edit form."""

    # The story first: the page asks for it first, and errors are listed in this order.
    body = TextAreaField(
        _l("Your story"),
        validators=[DataRequired(_l("Write your story here."))],
        filters=[text_filter],
    )
    title = StringField(
        _l("Title of your story"),
        validators=[DataRequired(_l("Give your story a title.")), Length(max=200)],
        filters=[line_filter],
        description=_l("A few words. You can write it last."),
    )
    quote = StringField(
        _l("A short quote from your story (optional)"),
        validators=[Optional(), Length(max=200)],
        filters=[line_filter],
        description=_l("One sentence that is shown with your story in the gallery."),
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
        description=NAME_HINT,
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

    @staticmethod
    def _too_short() -> str:
        minimum = current_app.config["STORY_MIN_CHARS"]
        return _l("Your story needs at least %(count)d characters.", count=minimum)

    @staticmethod
    def _too_long() -> str:
        maximum = current_app.config["STORY_MAX_CHARS"]
        return _l("Your story can have at most %(count)d characters.", count=maximum)

    def tells_with_voice(self) -> bool:
        """Whether the story has a recording, which stands in for the written text."""
        return False

    def validate(self, extra_validators=None):
        if self.tells_with_voice():
            # A new list for this form only: the class's validators are shared.
            self.body.validators = [
                v for v in self.body.validators if not isinstance(v, DataRequired)
            ]
        return super().validate(extra_validators)

    def validate_body(self, field):
        """A voice story needs no written text: any text with it is welcome, up to the
        longest story; without a recording, the usual rule."""
        length = len(field.data or "")  # cleaned by text_filter: what will be stored
        if length < current_app.config["STORY_MIN_CHARS"] and not self.tells_with_voice():
            raise ValidationError(self._too_short())
        if length > current_app.config["STORY_MAX_CHARS"]:
            raise ValidationError(self._too_long())

    def counter_messages(self) -> dict[str, dict[str, str]]:
        """What the counter under the story says, by plural category (share.js)."""
        return {
            "needed": plural_templates(
                lambda n: ngettext(
                    "%(count)s more character needed",
                    "%(count)s more characters needed",
                    n,
                    count="{count}",
                )
            ),
            "count": plural_templates(
                lambda n: ngettext(
                    "%(count)s character", "%(count)s characters", n, count="{count}"
                )
            ),
            "left": plural_templates(
                lambda n: ngettext(
                    "%(count)s character left", "%(count)s characters left", n, count="{count}"
                )
            ),
        }

    def client_checks(self) -> dict[str, dict]:
        """The checks the browser repeats before each step (share.js), with the
        server's own messages: the same rules as the validators of this class.
        A field's checks run on the element with the field's id; ``unless`` and
        ``when`` name the field that switches the check off or on, ``unless_any``
        fields any of which, filled in, switches it off."""
        this_year = date.today().year
        checks: dict[str, dict] = {
            "body": {
                "required": _required_message(self.body),
                "min": current_app.config["STORY_MIN_CHARS"],
                "max": current_app.config["STORY_MAX_CHARS"],
                "too_short": str(self._too_short()),
                "too_long": str(self._too_long()),
            },
            "author_name": {
                "required": str(NAME_NEEDED),
                "unless": [self.name_display.name, NameDisplay.ANONYMOUS.value],
            },
            "moved_year": {
                "range": [1900, this_year],
                "range_message": str(_l("Enter a year between 1900 and %(year)d.", year=this_year)),
            },
        }
        for name in ("title", "name_display"):
            checks[name] = {"required": _required_message(self[name])}
        for name in ("origin_country", "residence_country"):
            checks[name] = {"required": str(_l("Choose a country from the list."))}
        return checks

    validate_author_name = name_unless_anonymous

    def validate_moved_year(self, field):
        if field.data is None:
            return
        this_year = date.today().year
        if not 1900 <= field.data <= this_year:
            raise ValidationError(_l("Enter a year between 1900 and %(year)d.", year=this_year))


class ChannelFields:
    """Where the story may travel besides this website, each box the storyteller's own
    choice (models.Channel). Unticked unless they tick it: a box ticked for them is no
    consent. The same boxes on the share form and the private page."""

    share_images = BooleanField(
        _l("Share images for social media"),
        description=_l(
            "We make pictures of your story to share on Facebook, Instagram, WhatsApp and "
            "other apps: your quote, your name as you chose it, how far you are from home, "
            "and your photo if you added one. Anyone can download them from your story's page."
        ),
    )
    partners = BooleanField(
        _l("Partner websites and apps"),
        description=_l(
            "Other organisations may show your published story on their own websites and "
            "apps, through our embeds, news feeds and data service. They get what this "
            "website shows, nothing private."
        ),
    )
    print = BooleanField(
        _l("Print and exhibitions"),
        description=_l(
            "We may print your story on posters, in booklets or at exhibitions. A copy "
            "printed before you withdraw cannot be taken back."
        ),
    )
    translation = BooleanField(
        _l("Translations"),
        description=_l(
            "Volunteers may translate your story into other languages, and we publish the "
            "translation beside it, marked as a translation."
        ),
    )

    def channels(self) -> set:
        return {
            Channel(name)
            for name in ("share_images", "partners", "print", "translation")
            if getattr(self, name).data
        }


class ChannelsForm(ChannelFields, FlaskForm):
    """The private page's "Where your story may appear"."""


def staged_media_fields(label, accept: str, *, remove, change, change_description):
    """The fields of a kind of media the share form keeps across tries (submissions.
    services.take_staged): the file, the key of the one kept from an earlier try
    (hidden), "remove it", and the change made to it before anything is kept (blur the
    faces, mask the voice)."""
    return (
        FileField(label, render_kw={"accept": accept}),
        HiddenField(),
        BooleanField(remove),
        BooleanField(change, description=change_description),
    )


class ShareForm(ChannelFields, StoryDetailsForm):
    # A photo accepted on an earlier try, kept while the rest is fixed.
    photo, staged_photo, remove_staged_photo, blur_faces = staged_media_fields(
        _l("Add a photo"),
        "image/jpeg,image/png,image/webp",
        remove=_l("Remove this photo"),
        change=_l("Blur the faces in my photo"),
        change_description=_l(
            "Only the blurred photo is kept: the photo as you chose it is stored nowhere. "
            "You see the result before your story is sent."
        ),
    )
    # The language they kept after being told that their text seems to be in another
    # one (submissions.services.language_to_propose): they are not asked twice.
    language_kept = HiddenField()
    # The button beside that proposal that takes it ("Change to Arabic and send").
    use_language = HiddenField()
    # A voice story (media/voice.py): a recording made in the browser or a file, which
    # may stand in for the written story; kept across tries like the photo.
    voice, staged_voice, remove_staged_voice, mask_voice = staged_media_fields(
        _l("Choose a recording"),
        "audio/*,.m4a,.mp3,.ogg,.opus,.wav,.webm",
        remove=_l("Remove this recording"),
        change=_l("Make my voice unrecognisable"),
        change_description=_l(
            "Your voice is made higher or lower, so that nobody can recognise it. Only the "
            "changed voice is kept. You can listen to it before your story is sent."
        ),
    )
    transcript = TextAreaField(
        _l("What you say in the recording (optional)"),
        validators=[Optional()],
        filters=[text_filter],
        description=_l(
            "For people who cannot hear it. If you leave it empty, our team writes it "
            "before your story is published."
        ),
        render_kw={"rows": 6},
    )
    on_behalf = BooleanField(_l("I am sharing this story for someone else, with their permission"))
    helper_relationship = StringField(
        _l("Who are you to them?"),
        validators=[Length(max=100)],
        filters=[line_filter],
        description=_l("For example: caseworker, daughter, teacher. Never shown in public."),
    )
    age_confirmed = BooleanField(_l("I confirm the age"))
    consent = BooleanField(
        _l("I agree that this story may be published on this website (required)."),
        validators=[DataRequired(_l("We can only publish your story with your consent."))],
    )
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
        self.body.description = _l(
            "Between %(minimum)d and %(maximum)d characters, or none at all if you tell "
            "your story with your voice below.",
            minimum=current_app.config["STORY_MIN_CHARS"],
            maximum=current_app.config["STORY_MAX_CHARS"],
        )
        self.voice.description = _l(
            "m4a, MP3, Ogg, WAV or WebM, up to %(mb)d MB and %(minutes)d minutes. We keep "
            "only a new copy of the sound: no names, places or other hidden information.",
            mb=voice_max_mb(),
            minutes=voice_max_minutes(),
        )
        self.transcript.render_kw = {**self.transcript.render_kw, "maxlength": self._max_chars()}
        min_age = current_app.config["MIN_AGE"]
        self.age_confirmed.label.text = _l(
            "I am at least %(age)d years old (or the person I share this for is).", age=min_age
        )

    def validate_age_confirmed(self, field):
        if not field.data:
            raise ValidationError(self._age_needed())

    def tells_with_voice(self) -> bool:
        """A recording comes with this try, or one kept from an earlier try stays."""
        chosen = bool(getattr(self.voice.data, "filename", None))
        kept = bool(self.staged_voice.data) and not self.remove_staged_voice.data
        return chosen or kept

    def validate_transcript(self, field):
        if len(field.data or "") > self._max_chars():
            raise ValidationError(self._too_long())

    @staticmethod
    def _max_chars() -> int:
        return current_app.config["STORY_MAX_CHARS"]

    def validate_send_link(self, field):
        if field.data and not (self.contact_email.data or "").strip():
            raise ValidationError(self._email_for_link_needed())

    def validate_helper_relationship(self, field):
        if self.on_behalf.data and not (field.data or "").strip():
            raise ValidationError(self._relationship_needed())

    @staticmethod
    def _age_needed() -> str:
        return _l(
            "Stories can only be shared by people aged %(age)d or over.",
            age=current_app.config["MIN_AGE"],
        )

    @staticmethod
    def _relationship_needed() -> str:
        return _l("Tell us who you are to the person whose story this is.")

    @staticmethod
    def _email_for_link_needed() -> str:
        return _l("Give your email address, so we can send you the link.")

    def client_checks(self) -> dict[str, dict]:
        checks = super().client_checks()
        email = next(v for v in self.contact_email.validators if isinstance(v, Email))
        checks.update(
            {
                "contact_email": {"email": str(email.message)},
                "send_link": {"needs": [self.contact_email.id, str(self._email_for_link_needed())]},
                "helper_relationship": {
                    "required": str(self._relationship_needed()),
                    "when": self.on_behalf.name,
                },
                "age_confirmed": {"required": str(self._age_needed())},
                "consent": {"required": _required_message(self.consent)},
            }
        )
        # A recording chosen, recorded or kept makes the written story optional.
        checks["body"] = {
            **checks["body"],
            "unless_any": [self.voice.name, self.staged_voice.name],
        }
        return checks


class EditStoryForm(StoryDetailsForm):
    # The version of the story the form was shown with: a moderator's edit made since
    # is never overwritten by it (submissions.services.edit_story).
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, voice_story: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.voice_story = voice_story

    def tells_with_voice(self) -> bool:
        return self.voice_story


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


class SendLinkForm(FlaskForm):
    """E-mail the private link: to the story's address, or (when it has none) to this one,
    which is used once and not kept."""

    email = EmailField(
        _l("Your email address"),
        filters=[line_filter],
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        description=_l("We send the link there once and do not keep the address."),
    )


class LostLinkForm(FlaskForm):
    code = StringField(
        _l("Your recovery code"),
        validators=[
            DataRequired(_l("Type the six words of your recovery code.")),
            Length(max=100, message=_l("A recovery code is six short words.")),
        ],
        description=_l(
            "The six words shown when you sent your story, in their order. Capital letters "
            "and the spaces between them do not matter."
        ),
        # The words are English (recovery.py): typed left to right on every page.
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
            "dir": "ltr",
        },
    )
    email = EmailField(
        _l("Your email address (if you gave one with your story)"),
        filters=[line_filter],
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
    )


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete my story for good. I understand this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm that you want to withdraw."))],
    )
