"""What a storyteller types is stored as text that every page, feed and API can carry."""

import pytest
from sqlalchemy import select

from campaign.models import Story
from tests.submissions.helpers import submit

# Both engines: PostgreSQL refuses a NUL byte in text, so it must never reach it.
pytestmark = pytest.mark.both_databases

NOT_XML = "\x00\x01\x0b\x0c\x1f\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def stored(db) -> Story:
    return db.session.scalars(select(Story)).one()


def test_characters_xml_cannot_hold_are_removed_from_everything_shared(client, db):
    response = submit(
        client,
        title=f"My{NOT_XML} winter",
        quote=f"The snow{NOT_XML} was new.",
        body=f"I arrived in December.{NOT_XML}\n\nThe snow was new to me, and so was the language.",
        author_name=f"Lay{NOT_XML}la",
    )
    assert response.status_code == 303
    story = stored(db)
    assert (story.title, story.quote, story.author_name) == (
        "My winter",
        "The snow was new.",
        "Layla",
    )
    assert story.body.startswith("I arrived in December.\n\nThe snow")


def test_bidi_controls_cannot_reverse_a_name_or_a_title(client, db):
    response = submit(client, title=f"My {BIDI}winter", author_name=f"\u202eLayla{BIDI}")
    assert response.status_code == 303
    story = stored(db)
    assert (story.title, story.author_name) == ("My winter", "Layla")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<p></p>" * 20, "Write your story here."),
        ("<p></p>" * 20 + "Too short.", "Your story needs at least 50 characters."),
    ],
)
def test_a_story_of_empty_markup_is_refused_as_too_short(client, db, body, message):
    response = submit(client, body=body)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Story)).first() is None


def test_a_title_of_markup_only_is_refused_as_missing(client, db):
    response = submit(client, title="<b></b>\u202e\ufffe")
    assert response.status_code == 200
    assert "Give your story a title." in response.get_data(as_text=True)
    assert db.session.scalars(select(Story)).first() is None
