"""Languages and country names, through Babel."""

from functools import cache

from babel import Locale
from flask import current_app, request
from flask_babel import format_date, get_locale

from .extensions import babel

# Codes Babel knows as territories that are not ISO 3166-1 countries.
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}
)


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    return request.accept_languages.best_match(supported) or supported[0]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        country_name=country_name,
        current_locale_code=current_locale_code,
        current_text_direction=lambda: get_locale().text_direction,
        format_date=format_date,
    )


@cache
def _country_names(locale_code: str) -> dict[str, str]:
    territories = Locale.parse(locale_code).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def current_locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "en"


def country_codes() -> frozenset[str]:
    return frozenset(_country_names("en"))


def country_name(code: str) -> str:
    return _country_names(current_locale_code()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, localised name) pairs, sorted by name for the reader's language."""
    names = _country_names(current_locale_code())
    return sorted(names.items(), key=lambda item: item[1].casefold())
