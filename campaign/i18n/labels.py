"""How stories are named and labelled in public, in the reader's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from campaign.i18n.countries import country_name
from campaign.i18n.locale import current_locale_code
from campaign.models import NameDisplay, Story, StoryStatus, Theme

# The starting themes (inserted by a migration); their names are in the catalogues.
BUILTIN_THEME_NAMES = {
    "journey": _l("Journey"),
    "work": _l("Work"),
    "family": _l("Family"),
    "education": _l("Education"),
    "home": _l("Home"),
    "identity": _l("Identity"),
}


def status_label(value: str) -> str:
    """A stored status value as moderators read it (one story: the queue's tabs, in
    the plural in many languages, say it differently); the value if it is unknown."""
    labels = {
        StoryStatus.PENDING: pgettext("story status", "Waiting for review"),
        StoryStatus.CHANGES_REQUESTED: pgettext("story status", "Asked for changes"),
        StoryStatus.PUBLISHED: pgettext("story status", "Published"),
        StoryStatus.REJECTED: pgettext("story status", "Not published"),
        StoryStatus.WITHDRAWN: pgettext("story status", "Withdrawn"),
    }
    return labels.get(value, value)


# Why a story was not published, as its teller reads it (the keys of the moderators'
# REJECTION_REASONS, moderation/forms.py). "other": the moderator's message says it.
STORYTELLER_REASONS = {
    "identifying": _l("It could identify you or someone else, and that could put them at risk."),
    "hateful": _l("Parts of it are hateful or violent."),
    "not_a_story": _l("It is not a personal story of migration."),
    "spam": _l("It looks like advertising."),
    "duplicate": _l("The same story was sent before."),
    "no_consent": _l("It is not clear that the person whose story it is agreed to share it."),
}


def storyteller_reason(key: str | None) -> str | None:
    reason = STORYTELLER_REASONS.get(key or "")
    return str(reason) if reason is not None else None


def display_name(story: Story) -> str:
    """The name as the storyteller chose to show it."""
    if story.name_display is NameDisplay.ANONYMOUS or not story.author_name.strip():
        return _("A migrant from %(country)s", country=country_name(story.origin_country))
    if story.name_display is NameDisplay.FIRST:
        return story.author_name.split()[0]
    return story.author_name


def theme_label(theme: Theme) -> str:
    locale = current_locale_code()
    if theme.names and theme.names.get(locale):
        return theme.names[locale]
    if theme.slug in BUILTIN_THEME_NAMES:
        return str(BUILTIN_THEME_NAMES[theme.slug])
    return theme.name
