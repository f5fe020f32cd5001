"""Story text: stored as plain text, shown as escaped paragraphs."""

import html
import re
import unicodedata

import bleach
from markupsafe import Markup, escape

# Characters XML 1.0 does not allow (the C0 controls but tab and line breaks,
# lone surrogates, U+FFFE/U+FFFF) and the other noncharacters (U+FDD0-U+FDEF,
# the last two code points of every plane), with DEL: one of them in a title
# made every Atom feed fail, and PostgreSQL refuses a NUL outright.
_CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
# Bidirectional embeddings, overrides, isolates and marks: in a name or a title
# they reverse the text around it ("by Amal" read backwards in a byline).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n\s*\n")
_NOT_WORD = re.compile(r"[^\w]+")
SLUG_WORDS_MAX = 60


def clean_text(value: str) -> str:
    """Remove any HTML and control characters, normalise line breaks.

    bleach strips the tags and escapes what is left; we turn the escapes back
    into characters because the result is stored as plain text and escaped
    once, on display. So "I <3 my home" survives, "<b>" does not.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL_CHARS.sub("", value)
    if "<" not in value and "&" not in value:
        # No tag and no character reference: bleach would change nothing
        # (what it escapes is unescaped again), and it costs a third of a
        # millisecond per field, which a submission pays four times.
        return value.strip()
    stripped = bleach.clean(value, tags=set(), attributes={}, strip=True, strip_comments=True)
    return html.unescape(stripped).strip()


def clean_line(value: str) -> str:
    """A one-line field (a name, a title, a quote, alt text): clean_text, without
    bidi controls, and any line break or run of spaces made one space."""
    return " ".join(_BIDI_CONTROLS.sub("", clean_text(value)).split())


def text_filter(value: str | None) -> str | None:
    """clean_text as a form filter, so validators (a minimum length, a required
    field) judge the text that will be stored, not what was typed."""
    return value if value is None else clean_text(value)


def line_filter(value: str | None) -> str | None:
    """clean_line as a form filter (see text_filter)."""
    return value if value is None else clean_line(value)


def xml_safe(value: str) -> str:
    """Text for an XML document: the characters XML cannot hold removed, for text
    stored before clean_text removed them (or written past it)."""
    return _CONTROL_CHARS.sub("", value)


def slugify(value: str, fallback: str) -> str:
    """Words of any script for an address: "Mon hiver à Oulu" becomes "mon-hiver-à-oulu".

    Letters and digits stay as they are (browsers show them, and people can
    read them); everything else joins the words with one hyphen. Cut to
    SLUG_WORDS_MAX characters; ``fallback`` when no word is left.
    """
    normalised = unicodedata.normalize("NFKC", value).casefold()
    words = _NOT_WORD.sub("-", normalised).strip("-_")[:SLUG_WORDS_MAX].strip("-_")
    return words or fallback


def filter_arg(value: str | None, max_length: int) -> str:
    """A filter or search word from a query string, as the database can take it:
    no control characters (PostgreSQL refuses a NUL byte outright), trimmed and
    cut to a sane length."""
    return _CONTROL_CHARS.sub("", value or "").strip()[:max_length]


def isolated(value: str) -> Markup:
    """User text set inside one of our sentences, in a <bdi>: a name or a title in
    another script (or with a stray bidi control) cannot reorder the words around it."""
    return Markup("<bdi>%s</bdi>") % value


def paragraphs(value: str) -> Markup:
    """Blank lines separate paragraphs; single line breaks stay line breaks."""
    blocks = [block.strip() for block in _BLANK_LINES.split(value or "") if block.strip()]
    rendered = (
        Markup("<p>")
        + Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        + Markup("</p>")
        for block in blocks
    )
    return Markup("\n").join(rendered)
