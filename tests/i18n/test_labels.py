import pytest

from campaign.i18n.labels import display_name, theme_label
from campaign.models import NameDisplay, Story, Theme


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        (NameDisplay.FULL, "Amina Haddad"),
        (NameDisplay.FIRST, "Amina"),
        (NameDisplay.ANONYMOUS, "A migrant from Iraq"),
    ],
)
def test_name_is_shown_as_the_storyteller_chose(app, choice, shown):
    with app.test_request_context():
        story = Story(author_name="Amina Haddad", name_display=choice, origin_country="IQ")
        assert display_name(story) == shown


def test_theme_label_prefers_admin_translation_then_catalogue(app):
    with app.test_request_context():
        assert theme_label(Theme(slug="work", name="Work", names={})) == "Work"
        assert theme_label(Theme(slug="sports", name="Sports", names={"en": "Sport"})) == "Sport"
