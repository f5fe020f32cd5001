"""Every stylesheet is written in logical properties, so right-to-left pages mirror."""

import re
from pathlib import Path

import pytest

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "static/css").glob("*.css"))
# Physical sides that have a logical name (start/end, inline/block). The photo tools'
# boxes are placed with left/top on purpose (the photo is never mirrored): not listed.
PHYSICAL = re.compile(
    r"\b(?:margin|padding|border)-(?:left|right)\b"
    r"|\b(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
    r"|\bborder-(?:top|bottom)-(?:left|right)-radius\b"
)


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_uses_logical_properties(stylesheet):
    text = re.sub(r"/\*.*?\*/", "", stylesheet.read_text(), flags=re.S)  # not comments
    assert not PHYSICAL.findall(text)


def test_the_desk_styles_reach_only_the_desk(client):
    """Public pages (a storyteller's first visit on a slow phone) carry no desk rules."""
    assert "css/desk.css" not in client.get("/en/share").get_data(as_text=True)
    assert "css/desk.css" in client.get("/login").get_data(as_text=True)
