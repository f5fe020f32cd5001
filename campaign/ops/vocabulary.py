"""Word lists for synthetic stories: a few thousand real words per language.

``demo seed`` draws a story's words from these lists Zipf-like (s = 1.1), so a
typical word is found in few stories, as in real text, and only the commonest
words are found in most. The lists are built from text this project wrote
itself, nothing downloaded: the words of the message catalogues (ranked by how
often they occur there, the commonest first), then the names Babel's CLDR data
gives in that language (countries, languages, scripts, currencies, months and
days), which a story about migration names often enough. Rebuild them with
``python -m campaign.ops.vocabulary`` after the catalogues grow.
"""

import re
from collections import Counter
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
# The languages of the interface (campaign/translations), and of the demo stories.
LANGUAGES = ("en", "fr", "es", "ar", "fa", "uk", "fi")
_WORD = re.compile(r"[^\W\d_]{2,}")
_PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w*\}|<[^>]*>|&\w+;")
# Not words: date patterns of the catalogues (yyyy, mm, dd).
_REPEATED = re.compile(r"(\w)\1+")


def _catalogue_words(language: str) -> Counter:
    if language == "en":
        source = ROOT / "translations" / "messages.pot"
        pattern = r'^msgid(?:_plural)? "(.*)"'
    else:
        source = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
        pattern = r'^msgstr(?:\[\d\])? "(.*)"'
    counts: Counter = Counter()
    for line in re.findall(pattern, source.read_text(encoding="utf-8"), re.MULTILINE):
        for word in _WORD.findall(_PLACEHOLDER.sub(" ", line)):
            if not _REPEATED.fullmatch(word.casefold()):
                counts[word.casefold()] += 1
    return counts


def _cldr_words(language: str) -> list[str]:
    from babel import Locale

    locale = Locale.parse(language)
    names = [
        *locale.territories.values(),
        *locale.languages.values(),
        *locale.scripts.values(),
        *locale.currencies.values(),
        *locale.months["format"]["wide"].values(),
        *locale.days["format"]["wide"].values(),
    ]
    found: list[str] = []
    for name in names:
        found += [word.casefold() for word in _WORD.findall(name)]
    return found


def build(language: str) -> list[str]:
    """The list, commonest first, each word once."""
    counts = _catalogue_words(language)
    ranked = [word for word, _n in counts.most_common()]
    seen = set(ranked)
    for word in _cldr_words(language):
        if word not in seen:
            seen.add(word)
            ranked.append(word)
    return ranked


def path(language: str) -> Path:
    return DATA / f"words-{language}.txt"


@cache
def words(language: str) -> tuple[str, ...]:
    """The stored list of ``language``, commonest first."""
    return tuple(path(language).read_text(encoding="utf-8").split())


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for language in LANGUAGES:
        ranked = build(language)
        path(language).write_text("\n".join(ranked) + "\n", encoding="utf-8")
        print(f"{language}: {len(ranked)} words")


if __name__ == "__main__":
    main()
