"""Countries (ISO 3166-1), named through Babel in the reader's language."""

import re
from functools import cache

from babel import Locale

from campaign.i18n.locale import current_locale_code

# Codes Babel knows as territories that are not ISO 3166-1 countries.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}
)


@cache
def _country_names(locale_code: str) -> dict[str, str]:
    territories = Locale.parse(locale_code).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_codes() -> frozenset[str]:
    return frozenset(_country_names("en"))


# Exactly two ASCII letters. Not str.isalpha() and upper(): "ß".upper() is "SS"
# and "ı".upper() is "I", so /stories/in/ß showed South Sudan and ıs Iceland.
_CODE = re.compile("[A-Za-z]{2}")


def parse_country(value: str | None) -> str | None:
    """The country code of a URL or query string, upper-cased, or None when it is
    not two ASCII letters naming a known country. Every view parses codes here."""
    value = (value or "").strip()
    if not _CODE.fullmatch(value):
        return None
    code = value.upper()
    return code if code in country_codes() else None


def country_name(code: str) -> str:
    return _country_names(current_locale_code()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, localised name) pairs, sorted by name for the reader's language."""
    names = _country_names(current_locale_code())
    return sorted(names.items(), key=lambda item: item[1].casefold())
