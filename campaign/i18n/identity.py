"""Who speaks on this site: the campaign's name, About text, mark and colours,
set per deployment (README: Identity), with a strong built-in identity for
"I am a migrant" where nothing is set."""

import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from campaign.config import ConfigurationError
from campaign.i18n.locale import current_locale_code

# The built-in palette (static/css/site.css has the same values as its defaults).
COLOURS = {"accent": "#b3261e", "accent-ink": "#ffffff", "ink": "#1f2328", "paper": "#fffdf8"}
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _in_language(texts: dict) -> str | None:
    """The text for the reader's language, else English's, else None."""
    return texts.get(current_locale_code()) or texts.get("en") or None


def campaign_name() -> str:
    return _in_language(current_app.config["CAMPAIGN_NAME"]) or _("I am a migrant")


def about_text() -> str | None:
    """The deployment's own About text in the reader's language; None: the built-in one."""
    return _in_language(current_app.config["ABOUT_TEXT"])


def colours() -> dict[str, str]:
    return {**COLOURS, **current_app.config["CAMPAIGN_COLOURS"]}


def identity_css() -> str:
    """The configured colours as CSS custom properties (a file: the CSP allows no
    inline style)."""
    return ":root {\n" + "".join(f"  --{n}: {v};\n" for n, v in colours().items()) + "}\n"


def mark_file() -> Path | None:
    """The deployment's own mark, or None for the built-in static/img/mark.svg."""
    name = current_app.config["CAMPAIGN_MARK"]
    return Path(current_app.instance_path, name) if name else None


def check(app) -> None:
    """Refuse to start with an identity the pages cannot show."""
    for name, value in app.config["CAMPAIGN_COLOURS"].items():
        if name not in COLOURS or not isinstance(value, str) or not _HEX.fullmatch(value):
            raise ConfigurationError(
                f"CAMPAIGN_COLOURS[{name!r}] must be one of {', '.join(COLOURS)} "
                f"as #rrggbb, not {value!r}"
            )
    for setting in ("CAMPAIGN_NAME", "ABOUT_TEXT"):
        texts = app.config[setting]
        if not isinstance(texts, dict) or not all(isinstance(t, str) for t in texts.values()):
            raise ConfigurationError(f"{setting} must map language codes to texts")
    name = app.config["CAMPAIGN_MARK"]
    if name:
        path = Path(app.instance_path, name).resolve()
        inside = path.is_relative_to(Path(app.instance_path).resolve())
        if not inside or path.suffix != ".svg" or not path.is_file():
            raise ConfigurationError(f"CAMPAIGN_MARK: no SVG file at {path} in the instance folder")
