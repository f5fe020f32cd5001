"""Form pieces shared by several domains."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from campaign.i18n.countries import country_choices, country_codes


class CountryField(SelectField):
    """An ISO 3166 country, named in the reader's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=[], validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data not in country_codes():
            raise ValidationError(_l("Choose a country from the list."))

    def iter_choices(self):
        self.choices = [SelectChoice("", _l("Choose a country"))] + [
            SelectChoice(code, name) for code, name in country_choices()
        ]
        return super().iter_choices()
