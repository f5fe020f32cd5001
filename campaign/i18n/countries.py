"""Countries (ISO 3166-1), named through Babel in the reader's language."""

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


def country_name(code: str) -> str:
    return _country_names(current_locale_code()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, localised name) pairs, sorted by name for the reader's language."""
    names = _country_names(current_locale_code())
    return sorted(names.items(), key=lambda item: item[1].casefold())
