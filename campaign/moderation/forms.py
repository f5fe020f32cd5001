from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve and publish")),
            SelectChoice("reject", _l("Do not publish")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    note = TextAreaField(_l("Note for the team (optional)"), validators=[Length(max=2000)])
    # The version the moderator saw: a decision on a stale copy is refused.
    version = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])
