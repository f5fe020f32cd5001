"""Plural messages that a script completes in the browser (the share form's counter)."""

from collections.abc import Callable

from babel import Locale
from flask_babel import get_locale


def plural_templates(message: Callable[[int], str]) -> dict[str, str]:
    """One template per plural category (CLDR: zero, one, two, few, many, other) of
    the reader's language. ``message(n)`` is an ``ngettext`` call written with
    ``count="{count}"``, so that the catalogue picks the form for ``n`` and leaves
    ``{count}`` where the number goes; the script chooses with ``Intl.PluralRules``,
    which follows the same CLDR rules as the catalogues."""
    locale = get_locale() or Locale("en")
    samples: dict[str, int] = {}
    for number in range(200):  # every category of every language has a member below 200
        samples.setdefault(locale.plural_form(number), number)
    return {category: str(message(number)) for category, number in samples.items()}
