"""Every catalogue is complete, and up to date with the code.

When these fail after you added or changed a string: run `make translations`,
translate the new or fuzzy entries in campaign/translations/*/LC_MESSAGES/messages.po,
and run `make translations` again (see README, "Translations").
"""

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from campaign.config import Defaults
from campaign.i18n.locale import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "campaign" / "translations"
SOURCE_LANGUAGE = "en"  # the msgids are English; its catalogue may stay empty
TRANSLATED = [code for code in Defaults.SUPPORTED_LOCALES if code != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def messages(language: str):
    return [message for message in catalogue(language) if message.id]


@pytest.mark.parametrize("language", Defaults.SUPPORTED_LOCALES)
def test_every_supported_language_has_a_catalogue(language):
    assert (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").is_file()


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_no_untranslated_or_fuzzy_message(language):
    problems = []
    plurals = catalogue(language).num_plurals
    for message in messages(language):
        strings = message.string if message.pluralizable else [message.string]
        wanted = plurals if message.pluralizable else 1
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif len(strings) < wanted or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == [], f"{language}: " + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for message in messages(language):
        ids = message.id if message.pluralizable else [message.id]
        strings = message.string if message.pluralizable else [message.string]
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        for string in strings:
            if sorted(set(PLACEHOLDER.findall(string))) != wanted:
                wrong.append(f"{message.id!r} -> {string!r}")
    assert wrong == [], f"{language}: " + "\n".join(wrong)


def _singular(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def test_catalogues_contain_every_message_in_the_code(tmp_path, monkeypatch):
    """Extracts the messages as `make translations` does and compares."""
    template = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        [
            "pybabel",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            str(template),
            ".",
        ]
    )
    with template.open("rb") as pot:
        in_code = {_singular(message.id) for message in read_po(pot) if message.id}
    for language in TRANSLATED:
        known = {_singular(message.id) for message in messages(language)}
        missing = sorted(in_code - known)
        assert missing == [], (
            f"{language} lacks {len(missing)} message(s); run `make translations` and "
            f"translate them: {missing}"
        )


def test_every_supported_language_is_named_in_itself_in_the_switcher():

    assert set(Defaults.SUPPORTED_LOCALES) <= set(LANGUAGE_NAMES)
    for code in Defaults.SUPPORTED_LOCALES:
        assert LANGUAGE_NAMES[code], code
        Locale.parse(code)  # Babel knows it: dates, numbers and country names work
