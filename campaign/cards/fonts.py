"""The site's own fonts for Pillow, and which font sets each character.

The site ships Noto Sans and Noto Sans Arabic as woff2 subsets split by script
(static/fonts/README.md). FreeType, under Pillow, reads TrueType but not woff2's
Brotli-compressed tables, so each family's subsets are decompressed and merged
back into one TrueType font in memory (fontTools, with the ``brotli`` module),
once per process: the cards are set in exactly the files the pages use, and no
second copy of the fonts is kept in the repository.

- "latin": Latin, Latin Extended (the subset the site uses) and Cyrillic;
- "arabic": the Arabic block with the space, digits and punctuation of its own
  design (the site's "arabic punctuation" subset), so Arabic and Persian lines are
  shaped as one run by raqm;
- "fallback": emoji and any other character neither has, from DejaVu Sans
  (CARD_FALLBACK_FONT; Debian's fonts-dejavu-core, which Chromium's packages bring
  in, so every machine that runs the tests has it). Monochrome: Pillow draws
  colour emoji only from bitmap fonts at one fixed size. Without the file, such
  characters are left out of the card rather than drawn as empty boxes.

``check_raqm`` runs at start-up: without libraqm (Pillow's wheels bundle it)
Arabic letters would come out unjoined and right-to-left lines backwards.
"""

import functools
import io
import logging
import unicodedata
from pathlib import Path

from PIL import ImageFont, features

from campaign.config import ConfigurationError

log = logging.getLogger(__name__)
# fontTools tells of every table it merges at INFO: noise in the app's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FOLDER = Path(__file__).resolve().parents[2] / "static" / "fonts"
SUBSETS = {
    "latin": ("noto-sans-latin", "noto-sans-latin-ext", "noto-sans-cyrillic"),
    "arabic": ("noto-sans-arabic", "noto-sans-arabic-punctuation"),
}
WEIGHTS = (400, 700)
# The Arabic script's blocks: these letters are set in the Arabic font, whatever the card.
_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
# Marks that belong to the character before them (emoji variation selectors, joiners).
_JOINING = {0x200C, 0x200D, 0xFE0E, 0xFE0F}


def check_raqm() -> None:
    """Refuse to start without complex text layout (``create_app`` calls it)."""
    if not features.check("raqm"):
        raise ConfigurationError(
            "Pillow has no libraqm: share cards cannot shape Arabic or Persian, nor set "
            "right-to-left lines. Install Pillow from its wheels (they bundle libraqm), "
            "or libraqm0 on the system."
        )


# What the cards are drawn with: each family's merged TrueType data per weight and the
# characters each family covers. fontTools (≈7 MB) reads and merges them in a child
# process (``load_all``), so the worker keeps the bytes and not the library.
_LOADED: dict[str, dict] = {}


def _truetype(name: str) -> io.BytesIO:
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_FOLDER / f"{name}.woff2")
    font.flavor = None  # plain TrueType tables: what FreeType reads
    data = io.BytesIO()
    font.save(data)
    data.seek(0)
    return data


def _merged(family: str, weight: int) -> bytes:
    """One TrueType font of a family's subsets in one weight."""
    from fontTools.merge import Merger

    merged = Merger().merge([_truetype(f"{name}-{weight}") for name in SUBSETS[family]])
    data = io.BytesIO()
    merged.save(data)
    return data.getvalue()


def _characters(data: bytes | None = None, path: str | None = None) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data) if data else path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _read_all(fallback: str | None) -> dict[str, dict]:
    """Every family's data and coverage, the fallback font's coverage (run in a child)."""
    data = {(family, weight): _merged(family, weight) for family in SUBSETS for weight in WEIGHTS}
    coverage = {family: _characters(data[family, 400]) for family in SUBSETS}
    coverage["fallback"] = _characters(path=fallback) if fallback else frozenset()
    return {"data": data, "coverage": coverage}


def load_all() -> None:
    """Read every font once per process, before a card child is forked: the child then
    inherits them (and needs neither the files nor the time)."""
    if not _LOADED:
        from campaign.media.pipeline import in_bounded_child

        _LOADED.update(in_bounded_child(_read_all, fallback_path()))


def family_data(family: str, weight: int) -> bytes:
    load_all()
    return _LOADED["data"][family, weight]


def coverage(family: str) -> frozenset[int]:
    """The characters a family has glyphs for (the same in both weights)."""
    load_all()
    return _LOADED["coverage"][family]


_FALLBACK = {"path": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"}


def configure(app) -> None:
    """Where the fallback font is (CARD_FALLBACK_FONT)."""
    _FALLBACK["path"] = app.config["CARD_FALLBACK_FONT"]


def fallback_path() -> str | None:
    path = _FALLBACK["path"]
    if path and Path(path).is_file():
        return path
    log.warning("cards.no_fallback_font", extra={"path": path})
    return None


@functools.lru_cache(maxsize=256)
def font(family: str, weight: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size, kept: cards are made in a few sizes again and again."""
    if family == "fallback":
        with open(fallback_path(), "rb") as file:  # read whole: no file left open
            data = io.BytesIO(file.read())
        return ImageFont.truetype(data, size, layout_engine=ImageFont.Layout.RAQM)
    data = io.BytesIO(family_data(family, weight))
    return ImageFont.truetype(data, size, layout_engine=ImageFont.Layout.RAQM)


def is_arabic(character: str) -> bool:
    point = ord(character)
    return any(low <= point <= high for low, high in _ARABIC_RANGES)


def _is_neutral(character: str) -> bool:
    """Spaces, digits and punctuation: set in the font of the letters around them."""
    return unicodedata.category(character)[0] in "ZNP" or ord(character) in _JOINING


def runs(text: str, base: str) -> list[tuple[str, str]]:
    """``text`` split into (family, text) runs, each set in one font.

    Arabic-script letters take the Arabic font, other letters the Latin one when it
    has them, anything else the fallback; spaces, digits and punctuation stay with
    the run they are in when its font has them (so an Arabic line is one run,
    shaped as a whole). ``base`` is the family of the card's own language, for a
    line that starts with neutral characters. Characters no font has are left out.
    """
    found: list[list[str]] = []
    for character in text:
        point = ord(character)
        if found and (
            point in _JOINING or (_is_neutral(character) and point in coverage(found[-1][0]))
        ):
            family = found[-1][0]
        elif is_arabic(character):
            family = "arabic"
        elif _is_neutral(character) and point in coverage(base):
            family = base
        elif point in coverage("latin"):
            family = "latin"
        elif point in coverage("fallback"):
            family = "fallback"
        else:
            continue
        if found and found[-1][0] == family:
            found[-1][1] += character
        else:
            found.append([family, character])
    return [(family, text) for family, text in found]
