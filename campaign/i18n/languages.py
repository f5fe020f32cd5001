"""The languages a story can be written in, named through Babel."""

from functools import cache

from babel import Locale, UnknownLocaleError

from campaign.i18n.locale import current_locale_code

# BCP 47 codes; "fa-AF" is Dari (Persian as written in Afghanistan).
STORY_LANGUAGES = (
    "am", "ar", "bn", "bs", "ckb", "de", "el", "en", "es", "fa", "fa-AF", "fi", "fil", "fr",
    "hi", "hr", "hu", "it", "ku", "ne", "nl", "pl", "ps", "pt", "ro", "ru", "so", "sq", "sr",
    "sv", "sw", "ta", "ti", "tr", "uk", "ur", "vi", "zh",
)  # fmt: skip


def _locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))


@cache
def _choices(reader: str) -> list[tuple[str, str]]:
    reader_locale = Locale.parse(reader)
    named = []
    for code in STORY_LANGUAGES:
        locale = _locale(code)
        name = locale.get_display_name(reader_locale) or code
        own = locale.get_display_name(locale)
        label = name if not own or own.casefold() == name.casefold() else f"{name} · {own}"
        named.append((code, label))
    return sorted(named, key=lambda item: item[1].casefold())


def language_choices() -> list[tuple[str, str]]:
    """(code, "Name in the reader's language · name in itself"), sorted by name."""
    return _choices(current_locale_code())


def language_name(code: str) -> str:
    try:
        return _locale(code).get_display_name(Locale.parse(current_locale_code())) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def page_language() -> str:
    """The story language to start from: the page's own (/ar/share: Arabic)."""
    code = current_locale_code()
    return code if code in STORY_LANGUAGES else "en"
