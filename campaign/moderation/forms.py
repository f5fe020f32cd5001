from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from campaign.text import line_filter, text_filter

# Why a story is not published; the key is stored, the label shown.
REJECTION_REASONS = [
    ("identifying", _l("It could identify someone")),
    ("hateful", _l("Hateful or violent content")),
    ("not_a_story", _l("Not a personal migration story")),
    ("spam", _l("Spam or advertising")),
    ("duplicate", _l("A duplicate of another story")),
    ("no_consent", _l("Shared without clear consent")),
    ("other", _l("Another reason")),
]

# Why a story is deleted for good: the key is all the audit log keeps of it.
DELETE_REASONS = [("storyteller_asked", _l("The storyteller asked for it")), *REJECTION_REASONS]

REPORT_REASONS = [
    ("identifies", _l("It identifies someone who could be put at risk")),
    ("hateful", _l("It is hateful, violent or abusive")),
    ("false", _l("It is false or not a real story")),
    ("mine", _l("It is about me and I did not agree")),
    ("spam", _l("Spam or advertising")),
    ("other", _l("Something else")),
]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a reason")), *(SelectChoice(k, v) for k, v in pairs)]


class _Versioned(FlaskForm):
    # The version the moderator saw: a change made on a stale copy is refused.
    version = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])


class DecisionForm(_Versioned):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve and publish")),
            SelectChoice("reject", _l("Do not publish")),
            SelectChoice("request_changes", _l("Ask for changes")),
            SelectChoice("unpublish", _l("Unpublish")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    reason = SelectField(
        _l("Reason"),
        choices=_choices(REJECTION_REASONS),
        validators=[Optional()],
    )
    message = TextAreaField(
        _l("Message to the storyteller"),
        description=_l("Shown on their private page and emailed if they gave an email."),
        validators=[Length(max=4000)],
        filters=[text_filter],
    )
    note = TextAreaField(
        _l("Note for the team (optional)"), validators=[Length(max=2000)], filters=[text_filter]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "reject" and not self.reason.data:
            self.reason.errors.append(_l("Choose a reason."))
            ok = False
        if self.decision.data == "request_changes" and not (self.message.data or "").strip():
            self.message.errors.append(_l("Tell the storyteller what to change."))
            ok = False
        return ok


class EditForm(_Versioned):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title.")), Length(max=200)],
        filters=[line_filter],
    )
    quote = StringField(_l("Headline quote"), validators=[Length(max=300)], filters=[line_filter])
    body = TextAreaField(
        _l("Story text"),
        validators=[DataRequired(_l("The story is empty."))],
        filters=[text_filter],
    )

    def __init__(self, *args, voice_story: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if voice_story:  # its recording is the story: the text may be empty
            self.body.validators = [Optional()]


class _PercentField(DecimalField):
    """A percentage from ``minimum`` to 100; a decimal comma is read as a point, and
    anything else (words, NaN, infinity, nothing) gets the same plain message."""

    def __init__(self, label=None, minimum: int = 0, **kwargs):
        message = _l("Enter a number from %(minimum)s to 100.", minimum=minimum)
        super().__init__(
            label,
            places=None,
            validators=[InputRequired(message), NumberRange(min=minimum, max=100, message=message)],
            render_kw={"min": minimum, "max": 100, "step": "any", "inputmode": "decimal"},
            **kwargs,
        )
        self.message = message

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).strip().replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.message)) from error
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(self.message))


class BlurAreaForm(_Versioned):
    """An area of the photo to blur, in percent of its width and height from its
    top-left corner (drawn on the photo, or typed)."""

    x = _PercentField(_l("Left (%)"), 0)
    y = _PercentField(_l("Top (%)"), 0)
    width = _PercentField(_l("Width (%)"), 1)
    height = _PercentField(_l("Height (%)"), 1)

    def area(self) -> list[float]:
        """The area as fractions of the photo (kept inside it when it runs over)."""
        return [float(field.data) / 100 for field in (self.x, self.y, self.width, self.height)]


class FocusForm(_Versioned):
    """Where portrait crops of the photo are cut around (the face the detector chose,
    or the moderator's choice when it chose wrong or found none), in percent of the
    photo's width and height from its top-left corner."""

    x = _PercentField(_l("Across (%)"), 0)
    y = _PercentField(_l("Down (%)"), 0)

    def point(self) -> tuple[float, float]:
        return float(self.x.data) / 100, float(self.y.data) / 100


class VersionForm(_Versioned):
    """A button that changes the story: only the version and the CSRF token."""


class TranscriptForm(_Versioned):
    """The moderator writes or corrects a voice story's transcript beside its player."""

    transcript = TextAreaField(
        _l("Transcript"),
        filters=[text_filter],
        validators=[Length(max=20_000)],
        description=_l(
            "Everything said, as said, for people who cannot hear it. A voice story is "
            "published only with a transcript."
        ),
        render_kw={"rows": 14},
    )


class UndoForm(_Versioned):
    """Take back a decision: the story and the version the decision left it in."""

    story_id = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])


class RedactForm(_Versioned):
    """Remove one flagged personal detail: the button pressed names it (field:start:end)."""

    detail = StringField(
        validators=[
            DataRequired(),
            Regexp(r"(title|quote|body|alt_text|transcript):[0-9]{1,6}:[0-9]{1,6}\Z"),
        ]
    )
    message = TextAreaField(
        _l("Tell the storyteller why (optional)"),
        description=_l("Sent by email if they gave an email address; nothing is sent otherwise."),
        validators=[Length(max=4000)],
        filters=[text_filter],
        id="redact-message",
        render_kw={"class": "short"},
    )


class NameChangeForm(_Versioned):
    """Approve or reject a waiting name change: the story's version and the change's id."""

    change_id = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])


class DeleteForm(_Versioned):
    reason = SelectField(
        _l("Reason"),
        choices=_choices(DELETE_REASONS),
        validators=[DataRequired(_l("Choose a reason."))],
        id="delete-reason",  # the decision form on the same page has a "reason" too
    )
    confirm = BooleanField(
        _l("Yes, delete this story for good. This cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class BulkForm(FlaskForm):
    action = SelectField(
        _l("With the selected stories"),
        choices=[
            SelectChoice("approve", _l("Approve and publish")),
            SelectChoice("reject", _l("Do not publish")),
        ],
    )
    reason = SelectField(
        _l("Reason (when not publishing)"),
        choices=_choices(REJECTION_REASONS),
        validators=[Optional()],
    )


class ReportForm(FlaskForm):
    reason = SelectField(
        _l("What is wrong with this story?"),
        choices=_choices(REPORT_REASONS),
        validators=[DataRequired(_l("Choose a reason."))],
    )
    message = TextAreaField(
        _l("Anything you want to add (optional)"),
        validators=[Length(max=2000)],
        filters=[text_filter],
    )
